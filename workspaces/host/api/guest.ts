// Guest API: boot a step's kernel in QEMU with a live console, run the x86 selftests, read the verdict.
import type { MethodSpec } from '../api.js';

/** How QEMU runs the guest: hardware virtualisation, or QEMU's own translator. */
export type GuestAccel = 'kvm' | 'tcg';

/** Which accelerator was used and why (the KVM probe's result, or the caller's choice). */
export interface AccelDecision {
  accel: GuestAccel;
  /** One sentence: "KVM probe: the tiny guest did not finish in 1.5 s; using TCG". */
  reason: string;
  /** How long the probe took, when one ran (or was read from the cache). */
  probeMs: number | null;
  /** The probe result came from an earlier probe on this machine. */
  cached: boolean;
}

/** What kind of kernel image the build holds: a Linux bzImage, or a multiboot image (the demo kernel). */
export type KernelImageKind = 'linux' | 'multiboot';

/** One selftest program in the image: `sysret_rip_64`. */
export interface SelftestProgram {
  name: string;
  bits: 32 | 64;
}

/** The initramfs a Linux guest boots: busybox, the tree's x86 selftests (static), and our /init. */
export interface GuestImage {
  /** Cache key: the selftests' sources, the uapi headers, the toolchain, busybox and /init. */
  key: string;
  initramfs: string;
  bytes: number;
  /** Served from the cache instead of built now. */
  cached: boolean;
  /** The kernel tree whose selftests are in the image. */
  tree: string;
  selftests: SelftestProgram[];
  /** Programs the tree's Makefile lists that did not compile statically here, with the compiler's reason. */
  notBuilt: { name: string; reason: string }[];
  /** Word sizes built: 64 always, 32 when a 32-bit static toolchain works. */
  bits: (32 | 64)[];
  /** Why there are no 32-bit programs, when there are none. */
  bitsNote: string | null;
  /** gcc and glibc versions the programs were built with. */
  toolchain: string;
  /** Seconds spent building (0 when cached). */
  buildSeconds: number;
}

/** The life of a guest, as the console shows it. */
export type GuestState = 'starting' | 'booting' | 'selftests' | 'shell' | 'exited';

/**
 * Something the kernel printed (or the virtual CPU did) that a reviewer must see. "triple-fault":
 * the CPU reset itself without a word from the kernel (a fault while delivering a fault, the way a
 * broken entry stack ends); its lines are the CPU registers at that moment.
 */
export type FindingKind = 'panic' | 'triple-fault' | 'BUG' | 'oops' | 'hang' | 'WARN';

export interface KernelFinding {
  kind: FindingKind;
  /** The line that names it: "kernel BUG at kernel/auditsc.c:1504!". */
  title: string;
  /** Where it happened, from the report's RIP line: "0010:__audit_syscall_entry+0x1e/0x110". */
  rip: string | null;
  /** The selftest program running when it was printed, if any. */
  during: string | null;
  /** The lines that show it: the report up to its end marker (bounded). */
  lines: string[];
  /** 1-based line in the console log (0 when it did not come from the console). */
  line: number;
  /** Milliseconds after QEMU started. */
  atMs: number;
}

/**
 * One selftest program's result (kselftest TAP): pass, fail (non-zero exit), skip (exit 4 or a SKIP
 * directive), timeout (killed after the per-test timeout), interrupted (Ctrl-C on the console).
 */
export type SelftestStatus = 'pass' | 'fail' | 'skip' | 'timeout' | 'interrupted';

export interface SelftestResult {
  /** Program name, e.g. "sysret_rip_64". */
  name: string;
  /** TAP test number. */
  number: number;
  status: SelftestStatus;
  exitCode: number | null;
  /** Wall seconds inside the guest. */
  seconds: number | null;
  /** The TAP directive text after "#", if any: "SKIP", "TIMEOUT 60 seconds", "exit=1". */
  directive: string | null;
  /** Output lines that show a failure ([FAIL], "not ok", Segmentation fault, ...), bounded. */
  failLines: string[];
  /** The program's output (the TAP "# " lines), bounded. */
  output: string[];
}

export interface SelftestCounts {
  pass: number;
  fail: number;
  skip: number;
  timeout: number;
  interrupted: number;
}

export interface SelftestRun {
  /** The guest was asked to run selftests. */
  requested: boolean;
  /** TAP plan ("1..N"), once seen. */
  planned: number | null;
  results: SelftestResult[];
  counts: SelftestCounts;
  /** Every planned result arrived and the guest printed its summary. */
  complete: boolean;
}

/**
 * What a boot came to: the worst thing seen. panic > triple-fault > BUG > oops > hang > WARN > booted.
 * "hang" means a deadline passed (no init banner, or no selftest summary, in time) or the kernel
 * reported a stall.
 */
export type BootOutcome = 'booted' | FindingKind;

export interface BootTimings {
  /** Milliseconds from the boot request to each milestone (null: not reached). */
  toKernelMs: number | null;
  toInitMs: number | null;
  toSummaryMs: number | null;
  toPromptMs: number | null;
  totalMs: number;
  /** Time spent on the KVM probe and the initramfs before QEMU started. */
  prepareMs: number;
}

export interface BootVerdict {
  outcome: BootOutcome;
  /** One line: "kernel BUG at kernel/auditsc.c:1504!" or "booted; selftests 44 pass, 2 fail". */
  headline: string;
  /** Our /init printed its banner (user space came up). */
  booted: boolean;
  /** "Linux version ..." as the kernel printed it. */
  kernelVersion: string | null;
  findings: KernelFinding[];
  selftests: SelftestRun;
  accel: AccelDecision;
  kind: KernelImageKind;
  timings: BootTimings;
  /** How QEMU ended: "quit" (asked), "guest-reset" (panic=-1, reboot), "killed", "exited". */
  ended: string;
  logs: { console: string; tap: string | null; verdict: string };
  /** The QEMU command line, to reproduce the boot by hand. */
  command: string[];
}

/** A boot compared with the base step's boot, so failures the base has too are not blamed on a patch. */
export interface BootComparison {
  /** Worse than the base (new findings or regressed selftests), the same, or better. */
  relative: 'regressed' | 'same' | 'improved';
  outcome: { base: BootOutcome; step: BootOutcome };
  /** Kernel reports on the step that the base did not print (matched by kind and title). */
  newFindings: KernelFinding[];
  /** Kernel reports the base printed too. */
  findingsOnBaseToo: KernelFinding[];
  selftests: {
    /** Fail (or time out) here, pass on the base: blame the series. */
    regressed: string[];
    /** Fail here and on the base: not this series' fault (TCG, missing config). */
    failsOnBaseToo: string[];
    /** Fail on the base, pass here. */
    fixed: string[];
    /** Not in the base's run at all. */
    onlyHere: string[];
  };
  /** One line for the walk matrix and the CLI. */
  summary: string;
}

/** A check result in the walk's shape: "boot", "boot:warn", "selftest:NAME". */
export interface GuestCheck {
  check: string;
  status: 'pass' | 'fail' | 'error' | 'skip';
  summary: string;
  evidence?: unknown;
  seconds?: number;
}

export interface GuestBootOptions {
  /** The build directory of the step (BUILD_DIR with arch/x86/boot/bzImage). */
  buildDir: string;
  /** Workspace (id or directory) whose logs/ keeps the console; its guests end when it closes. */
  workspace?: string;
  /** Where to keep the console, TAP and verdict, when there is no workspace. */
  logDir?: string;
  /** Run the selftests before the shell (default true). */
  selftests?: boolean;
  /** Only these selftest programs, by name. */
  only?: string[];
  /** Seconds each selftest may run (default 60). */
  testTimeoutSec?: number;
  /** "auto" (default): probe KVM, else TCG. */
  accel?: 'auto' | GuestAccel;
  memoryMb?: number;
  cpus?: number;
  /** Extra kernel command line. */
  append?: string;
  /** The kernel tree whose selftests to build (default: BUILD_DIR/source). */
  tree?: string;
}

export interface GuestBooted {
  guestId: string;
  /** The terminal channel carrying the console. */
  channel: number;
  title: string;
  kind: KernelImageKind;
  accel: AccelDecision;
  image: GuestImage | null;
  logs: { console: string; tap: string | null };
  command: string[];
}

export interface GuestStatus {
  guestId: string;
  state: GuestState;
  /** QEMU's own run state from QMP ("running", "paused", ...), null once it exited. */
  qemu: string | null;
  buildDir: string;
  workspace: string | null;
  channel: number | null;
  startedAt: string;
  /** The verdict so far (final once state is "exited"). */
  verdict: BootVerdict;
}

export interface GuestMethods {
  /** Boot a build in a guest on a new terminal channel; the console goes to the caller's terminal. */
  'guest.boot': MethodSpec<GuestBootOptions & { cols?: number; rows?: number }, GuestBooted>;
  /** Boot, run the selftests, power off and return the verdict (no terminal). */
  'guest.run': MethodSpec<GuestBootOptions & { timeoutSec?: number }, BootVerdict>;
  'guest.status': MethodSpec<{ guestId: string }, GuestStatus>;
  'guest.list': MethodSpec<{ workspace?: string }, GuestStatus[]>;
  /** Hardware reset, like the reset button. */
  'guest.reset': MethodSpec<{ guestId: string }, { reset: boolean }>;
  /** Power off: QEMU quits (killed if it does not), the terminal channel closes. */
  'guest.powerOff': MethodSpec<{ guestId: string }, BootVerdict>;
  /** Power off every guest (of one workspace, when given): the workspace closes. */
  'guest.stopAll': MethodSpec<{ workspace?: string }, { stopped: number }>;
}

export interface GuestEvents {
  'guest.state': { guestId: string; state: GuestState; message: string };
  'guest.selftest': { guestId: string; result: SelftestResult; done: number; planned: number | null };
  'guest.finding': { guestId: string; finding: KernelFinding };
  'guest.exit': { guestId: string; verdict: BootVerdict };
}

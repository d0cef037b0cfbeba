// Check API: run a kernel build's real syscall entry path in the emulator against the scenario suite.
import type { MethodSpec } from '../api.js';

export type CheckVerdict = 'pass' | 'fail' | 'error';

/** One line of the trace that led to a failure. */
export interface CheckTraceLine {
  address: string;
  /** "entry_SYSCALL_64+0x3/0x13", or "user 0x400000". */
  symbol: string;
  bytes: string;
  /** AT&T disassembly, or the event ("NMI -> asm_exc_nmi") for delivered exceptions/interrupts. */
  text: string;
  mode: 'kernel' | 'user';
}

/** Why a scenario failed, in the shape of a kernel oops. */
export interface CheckEvidence {
  /** The whole report, one line per line: headline, RIP, Code, registers, Call Trace, invariant, Last steps. */
  oops: string;
  /** "kernel BUG at kernel/auditsc.c:2020!", "WARNING: ... at FILE:LINE", or the broken invariant. */
  headline: string;
  /** RIP as symbol+off/len (kernel) or a user address. */
  rip: string;
  /** The __bug_table entry when a BUG()/WARN() fired. */
  bug: { file: string | null; line: number | null; warning: boolean } | null;
  callTrace: string[];
  registers: Record<string, string>;
  lastSteps: CheckTraceLine[];
  /** Sweeps: where the injected interrupt or NMI arrived. */
  injection: string | null;
}

export interface CheckViolation {
  invariant: string;
  expected: string;
  seen: string;
  detail: string;
}

export interface CheckScenarioResult {
  name: string;
  summary: string;
  /** syscall64, slowpath, iret, compat, exception, sweep */
  group: string;
  verdict: CheckVerdict;
  /** The first invariant that broke (fail) or what kept the harness from judging (error); null on pass. */
  invariant: string | null;
  expected: string | null;
  seen: string | null;
  evidence: CheckEvidence | null;
  violations: CheckViolation[];
  /** Instructions executed (all runs of a sweep), of them at CPL 0, and wall time. */
  steps: number;
  kernelSteps: number;
  ms: number;
  sweep: { points: number; failed: number; firstFailure: string | null } | null;
}

export interface CheckReport {
  /** Kernel release (uname -r) from linux_banner, or "unknown". */
  kernel: string;
  banner: string | null;
  /** The config the build was made with (entry-compat ...), from the build directory's stamp, or "custom". */
  config: string;
  buildDir: string;
  /** The kernel-generation profile that fit the build. */
  profile: string;
  scenarios: CheckScenarioResult[];
  /** Scenarios that do not apply to this build (a config option is off). */
  skipped: { name: string; reason: string }[];
  pass: number;
  fail: number;
  error: number;
  /** Loading the image, reading offsets from the build and booting the emulated CPU. */
  setupSeconds: number;
  /** Running the scenarios. */
  seconds: number;
  /** Struct offsets read from the build's headers (cached) or the profile's fallbacks. */
  probe: { fromCache: boolean; unavailable: string | null; missing: string[] };
  /** What the harness deliberately did and did not apply to the image (alternatives, runtime constants ...). */
  notes: string[];
}

export interface CheckScenarioInfo {
  name: string;
  summary: string;
  group: string;
  requires: string[];
  invariants: string[];
}

export interface CheckMethods {
  /** Run the scenario suite (or the named scenarios) on a build directory. Reports progress per scenario. */
  'check.run': MethodSpec<{ buildDir: string; scenarios?: string[] }, CheckReport>;
  /** The scenarios the harness ships. */
  'check.scenarios': MethodSpec<Record<string, never>, { scenarios: CheckScenarioInfo[] }>;
}

// A kernel-generation profile: which symbols hold the entry points, the per-CPU data, the current task
// and the TSS; which boot-time tables build the IDT; what to ask the build's headers (struct offsets,
// constants); which functions are the slow-path hooks and which mean the kernel is dying.
import type { ProbeRequest } from './struct-probe.js';
import type { KernelImage } from './vmlinux.js';

export interface KernelProfile {
  name: string;
  description: string;
  /** Why this profile does not fit the image, or null when it does. */
  mismatch(image: KernelImage): string | null;

  entry: {
    syscall64: string;
    syscallCompat: string | null;
    sysenterCompat: string | null;
  };
  /** Per-CPU variables (zero-based offsets inside the per-CPU area). */
  percpu: {
    hot: string | null;
    tss: string;
    gdt: string;
    thisCpuOff: string | null;
    entryStack: string | null;
    exceptionStacks: string | null;
    irqStack: string | null;
  };
  /** Start of the boot CPU's per-CPU area in the image (GS base before setup_per_cpu_areas). */
  percpuLoad: string;
  /** cpumasks boot_cpu_init() sets bit 0 of (the boot CPU is possible, present, online, active). */
  cpuMasks: string[];
  /**
   * The mm_struct current runs with. A user task always has one (traps ask it about the vDSO, page
   * faults look up VMAs in it); the kernel's statically initialised init_mm is a valid, empty one.
   */
  userMm: string | null;
  /**
   * How `current` gets an audit context: written by the harness in Linux's layout (BUILD state,
   * auditing on), or allocated by the kernel's own function, called in the emulator.
   */
  audit: { kind: 'context' } | { kind: 'alloc'; fn: string } | null;
  /** Whether the kernel delivers signals to user handlers (sigaction); scenarios that need it are skipped otherwise. */
  signalHandlers: boolean;
  /**
   * Return-path policies of this generation that scenarios may test (beyond the ABI every kernel
   * keeps): e.g. "iret-above-task-size" (Linux 4.x+ returns by IRET when RIP >= TASK_SIZE_MAX, not only
   * for non-canonical RIPs). A scenario listing a policy in `policies` is skipped elsewhere.
   */
  policies: string[];
  /** The external interrupt vector sweeps inject when a scenario names none (a probe name or number). */
  externalIrq: string;
  /** The task that is `current`. */
  task: string;
  /**
   * Where getpid() finds the pid of `current`: Linux's struct pid (numbers[0].nr of the static
   * init_struct_pid, checked against its namespace), or plain task_struct fields (probe names).
   */
  pid: { kind: 'struct-pid'; structPid: string; pidNamespace: string } | { kind: 'task-fields'; fields: string[] } | null;
  /**
   * The task's kernel stack: the symbol of its THREAD_SIZE-byte stack. The top the entry code switches
   * to is the static value of pcpu_hot.top_of_stack (TOP_OF_INIT_STACK), read from the image.
   */
  initStack: string;

  /** The kernel's own idt_data tables, applied in boot order (early, early #PF, traps, ia32, apic). */
  idtTables: string[];
  /** Interrupt stubs for external vectors, and for system vectors nothing claims. */
  irqEntries: string;
  spuriousEntries: string | null;

  /** Headers and expressions to ask the build (see struct-probe.ts). */
  probe: ProbeRequest;
  /**
   * Values used when the probe cannot run (no source tree or compiler): the ABI constants of this
   * generation. Struct-internal offsets have no fallback; scenarios needing them report "error".
   */
  fallback: Record<string, bigint>;

  /** Runtime constants patched at boot: symbol and value name (from probe or fallback). */
  runtimeConstants: { section: string; kind: 'ptr' | 'shift'; valueOf: string; variable: string }[];

  /**
   * Boot-time kernel functions the harness runs (in the emulator, at CPL 0, on the task stack) after
   * its own cpu_init-like setup, because they initialise state signal delivery needs and are
   * self-contained: e.g. fpu__init_system() for the FPU configuration of a CPU without XSAVE.
   */
  initCalls: string[];
  /** Functions whose calls scenarios count ("each entry/exit hook ran exactly once"). */
  hooks: string[];
  /** Functions whose entry means the kernel is reporting a fatal error. */
  fatal: string[];
}

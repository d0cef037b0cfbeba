// The operations the kernel harness needs from an x86-64 machine. The harness is written against this
// interface; emulator-port.ts implements it on the emulator core (emulator/machine.ts), so what the
// harness relies on is one small, documented surface.

export type GprName = 'rax' | 'rcx' | 'rdx' | 'rbx' | 'rsp' | 'rbp' | 'rsi' | 'rdi' | 'r8' | 'r9' | 'r10' | 'r11' | 'r12' | 'r13' | 'r14' | 'r15';
export const GPRS: GprName[] = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
export type RegName = GprName | 'rip' | 'rflags' | 'cr0' | 'cr2' | 'cr3' | 'cr4' | 'efer' | 'fs_base' | 'gs_base' | 'kernel_gs_base';
export type DataSegName = 'es' | 'ss' | 'ds' | 'fs' | 'gs';

export interface PagePerm {
  write: boolean;
  exec: boolean;
  user: boolean;
}

/** Architectural registers at one moment, as plain values (for observations and evidence). */
export interface RegisterState {
  gpr: Record<GprName, bigint>;
  rip: bigint;
  rflags: bigint;
  cs: number;
  ss: number;
  ds: number;
  es: number;
  fs: number;
  gs: number;
  fsBase: bigint;
  gsBase: bigint;
  kernelGsBase: bigint;
  cr0: bigint;
  cr2: bigint;
  cr3: bigint;
  cr4: bigint;
  cpl: number;
  /** Compatibility mode (32-bit code) rather than 64-bit mode. */
  compat: boolean;
}

/** Something the CPU delivered through the IDT. */
export interface DeliveryEvent {
  vector: number;
  kind: 'exception' | 'interrupt' | 'nmi' | 'software' | 'debug-trap';
  errorCode: number | null;
  /** CPL and RIP when it was taken (RIP of the faulting instruction, or of the next one for traps). */
  cpl: number;
  rip: bigint;
  /** Run-relative instruction index when it was taken. */
  step: number;
  /** CR2 for #PF. */
  address: bigint | null;
}

export type HookAction = 'continue' | 'stop';

export interface RunOptions {
  maxSteps: number;
  /** Stop as soon as an instruction leaves the CPU at CPL 3 (SYSRET, SYSEXIT, IRET to user). */
  stopAtUserMode: boolean;
  /** Inject an external interrupt (vector) or an NMI before the run-relative instruction index. */
  inject: { beforeStep: number; kind: 'irq' | 'nmi'; vector: number }[];
}

export type StopReason =
  | { kind: 'user-mode'; via: string; at: bigint }
  | { kind: 'hook' }
  | { kind: 'step-limit' }
  | { kind: 'triple-fault'; detail: string }
  | { kind: 'halt' }
  | { kind: 'exception'; detail: string }
  | { kind: 'internal-error'; detail: string };

export interface RunResult {
  stop: StopReason;
  steps: number;
  events: DeliveryEvent[];
}

export interface TraceStep {
  rip: bigint;
  bytes: string;
  /** Disassembly (AT&T), or the event for delivered exceptions/interrupts. */
  text: string;
  cpl: number;
  event: boolean;
  /** Memory the instruction wrote (address, size). */
  writes: { address: bigint; size: number }[];
}

export interface MachinePort {
  map(address: bigint, size: number, perm: PagePerm): void;
  protect(address: bigint, size: number, perm: PagePerm): void;
  isMapped(address: bigint): boolean;
  read(address: bigint, length: number): Uint8Array;
  write(address: bigint, bytes: Uint8Array): void;

  get(reg: RegName): bigint;
  set(reg: RegName, value: bigint): void;
  setMsr(index: number, value: bigint): void;
  getMsr(index: number): bigint;
  /** Load CS from the GDT (CPL becomes its DPL). */
  loadCodeSegment(selector: number): void;
  /** Load a data segment register from the GDT with the checks MOV makes. */
  loadDataSegment(seg: DataSegName, selector: number): void;
  setGdtr(base: bigint, limit: number): void;
  setIdtr(base: bigint, limit: number): void;
  /** LTR: load TR from the GDT's TSS descriptor and mark it busy. */
  loadTr(selector: number): void;
  readonly vendor: 'intel' | 'amd';
  /** Port I/O reads the harness models (the NMI reason port). */
  setPortIn(fn: (port: number, size: 1 | 2 | 4) => number): void;
  /** NMIs blocked (between an NMI's delivery and the next IRET). */
  nmiBlocked(): boolean;
  clearPendingEvents(): void;
  pendingEvents(): number;

  registers(): RegisterState;
  /** Call fn before the instruction at address executes; returns a function that removes the hook. */
  addHook(address: bigint, fn: () => HookAction): () => void;
  run(opts: RunOptions): RunResult;
  /** Instructions retired since the current run() started (for hooks). */
  stepsIntoRun(): number;

  snapshot(): unknown;
  restore(snapshot: unknown): void;

  /** Keep the last `depth` steps (slows the run to single steps); 0 turns the trace off. */
  setTrace(depth: number): void;
  trace(): TraceStep[];
}

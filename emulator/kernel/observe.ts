// What the runner records while a scenario runs, for the invariants to judge and the evidence to show.
import type { DeliveryEvent, RegisterState, StopReason, TraceStep } from './machine-port.js';
import type { BugSite, ExceptionFixup } from './tables.js';

export interface ReturnToUser {
  /** sysretq, sysretl, iretq, sysexit ... as the CPU reported it. */
  via: string;
  /** Kernel address of the returning instruction. */
  at: bigint;
  regs: RegisterState;
  step: number;
  /** User memory from RSP up (a signal frame lives there when the kernel delivered a signal). */
  stack: { address: bigint; bytes: Uint8Array } | null;
}

export interface PtRegsCapture {
  /** Function whose entry captured it (its first argument is the pt_regs pointer). */
  at: string;
  address: bigint;
  /** Slot name -> value, by the build's asm-offsets layout. */
  slots: Record<string, bigint>;
  step: number;
}

export interface KernelFault {
  event: DeliveryEvent;
  /** CR2 when the #PF handler was entered (null for other vectors). */
  address: bigint | null;
  /** The __ex_table entry for the faulting instruction, when it has one. */
  fixup: ExceptionFixup | null;
}

/** Why the kernel is in trouble, when it is: what stopped the run other than a clean return. */
export interface KernelTrouble {
  kind: 'bug' | 'warning' | 'fatal' | 'double-fault' | 'triple-fault' | 'step-limit' | 'unsupported' | 'halt' | 'kernel-exception';
  /** One line, as an oops would start: "kernel BUG at kernel/auditsc.c:2020!". */
  headline: string;
  site: BugSite | null;
  regs: RegisterState | null;
  detail: string;
}

export interface KernelStateCheck {
  what: string;
  address: bigint;
  expected: bigint;
  seen: bigint;
}

export interface RunObservation {
  /** User registers when the run started. */
  before: RegisterState;
  /** User registers just before the instruction that entered the kernel (same as before for one-instruction programs). */
  atEntry: RegisterState | null;
  returns: ReturnToUser[];
  /** Registers when the run ended (at the last return to user, or where it stopped). */
  final: RegisterState;
  ptRegs: PtRegsCapture[];
  hookCalls: Map<string, number>;
  /** Callers of each hook call, symbolized (the return address on the stack at entry). */
  hookCallers: Map<string, string[]>;
  deliveries: DeliveryEvent[];
  kernelFaults: KernelFault[];
  trouble: KernelTrouble | null;
  stop: StopReason;
  steps: number;
  /** Instructions executed at CPL 0. */
  kernelSteps: number;
  kernelState: KernelStateCheck[];
  nmiBlockedAtEnd: boolean;
  /** User pages whose bytes changed: address of the first changed byte per page. */
  userMemoryChanged: { page: bigint; firstChange: bigint; lastChange: bigint; before: number; after: number }[];
  trace: TraceStep[];
  /** Stack words at the stop point that return into kernel text after a call: a guessed call trace. */
  callTrace: string[];
  /** The injection of a sweep run, when there was one. */
  injected: { kind: 'irq' | 'nmi'; vector: number; beforeStep: number; at: string; delivered: boolean } | null;
}

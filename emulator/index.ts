// The x86-64 emulator library: CPU, memory, decode cache, traces (and, in kernel/, the kernel harness).
// It takes bytes and scenarios and returns results and traces; it knows nothing of mail, git or UI.
export { Machine, MachineMemory, Snapshot } from './machine.js';
export type {
  DescriptorTable, EventRecord, ExceptionInfo, Hook, HookContext, HookFunction, HookResult, InterruptRequest, MachineOptions, RunOptions,
  SegmentState, StopInfo, StopReason, Symbolizer, TraceStep,
} from './machine.js';
export { CpuidModel, CPUID_FEATURES, type CpuidOptions, type CpuidRegisters, type CpuVendor } from './cpu/cpuid.js';
export type { RegisterName, SegmentName } from './cpu/registers.js';
export { VECTOR_NAMES, vectorName } from './cpu/fault.js';
export type { MemoryDevice } from './memory/physical.js';
export { disassembleOne, hexBytes, addressWithSymbol } from './trace/disasm.js';
export { formatStep } from './trace/trace.js';
export { EmulatorError, BadMapping, BadValue, UnknownRegister } from './errors.js';
export * as msr from './msr.js';

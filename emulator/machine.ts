// The public face of the emulator: build a machine, map memory, get/set state, run it until a
// stop condition, hook addresses, inject interrupts, snapshot/restore, trace. See README.md.
import { CpuidModel, type CpuidOptions } from './cpu/cpuid.js';
import { DB, NMI, PF, CpuException, vectorName, hasErrorCode } from './cpu/fault.js';
import { EV_EXTERNAL, EV_FAULT, EV_NMI, EV_SOFTWARE, EV_TRAP, TripleFault, deliverEvent, setCr2, type DeliveredEvent } from './cpu/exceptions.js';
import { CS, GPR64_NAMES, GS, FS, IF, LDTR, SEGMENT_NAMES, TR, type RegisterName, type SegmentName } from './cpu/registers.js';
import { loadDataSegment, loadLdt, loadTaskRegister, readDescriptor, setSegment } from './cpu/segments.js';
import { ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_S, Cpu, type CpuState, halves, u64 } from './cpu/state.js';
import { DecodeCache } from './decode/cache.js';
import * as fast from './exec/fast.js';

/** The hot handlers as constants, so each switch case below is a direct (inlinable) call. */
const [h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21, h22, h23, h24, h25, h26, h27, h28, h29, h30, h31, h32, h33, h34, h35, h36, h37, h38, h39, h40, h41, h42, h43, h44, h45, h46, h47, h48, h49, h50, h51, h52, h53, h54, h55, h56, h57, h58, h59, h60, h61, h62, h63, h64, h65, h66, h67, h68, h69, h70, h71, h72, h73, h74, h75, h76, h77, h78, h79, h80, h81, h82, h83, h84, h85, h86, h87, h88, h89, h90, h91, h92, h93, h94, h95, h96, h97, h98, h99, h100, h101, h102, h103, h104, h105, h106, h107, h108, h109, h110, h111, h112, h113, h114, h115, h116, h117, h118, h119, h120, h121, h122, h123, h124, h125, h126, h127, h128, h129, h130, h131, h132, h133] = fast.HOT;
import { ATTENTION, BY_RIP, F_BREAK, F_DEAD, F_HOOK, LINK_NEXT, LINK_TARGET, type Rec } from './decode/record.js';
import { REQ_FLUSH_CODE, REQ_HALT, REQ_SHADOW, REQ_SHADOW_SS, REQ_TSC, completeTsc, readMsr, writeMsr } from './exec/system.js';
import { Mnemonic } from 'iced-x86';
import { BadValue, EmulatorError, UnknownRegister } from './errors.js';
import { hex64 } from './memory/mmu.js';
import { MemorySnapshot, PERM_R, PERM_U, PERM_W, PERM_X, PhysicalMemory, type MemoryDevice } from './memory/physical.js';
import { addressWithSymbol, disassembleOne, hexBytes, type Symbolizer } from './trace/disasm.js';
import { TraceBuffer, formatStep, type MemoryWrite, type RegisterDelta, type TraceStep } from './trace/trace.js';

export type { Symbolizer } from './trace/disasm.js';
export type { TraceStep } from './trace/trace.js';

export interface MachineOptions {
  /** 'flat' (default): linear = physical, permissions from map(). 'paged': 4-level paging through CR3 when CR0.PG = 1. */
  paging?: 'flat' | 'paged';
  /** CPUID model, or options for the default one (vendor, features). */
  cpuid?: CpuidModel | CpuidOptions;
  /** Accept WRMSR to MSRs the emulator does not model (stored and read back) instead of #GP. */
  lenientMsrs?: boolean;
}

/** Segment register contents: selector and the descriptor cache. */
export interface SegmentState {
  selector: number;
  base: bigint;
  limit: number;
  /** Descriptor type (4 bits). */
  type: number;
  /** S: code/data (true) or system segment. */
  s: boolean;
  dpl: number;
  present: boolean;
  /** L: 64-bit code. */
  long: boolean;
  /** D/B: 32-bit default size. */
  db: boolean;
  granularity: boolean;
}

export interface DescriptorTable {
  base: bigint;
  limit: number;
}

export type StopReason =
  | 'limit' // ran the requested number of instructions
  | 'breakpoint' // reached a breakpoint (before executing it)
  | 'cpl' // a privilege change reached the requested CPL
  | 'hlt' // HLT with nothing to wake it
  | 'exception' // an exception nothing handles (no IDT, or listed in stopOnExceptions)
  | 'triple-fault' // delivery escalated past #DF: shutdown
  | 'hook' // a hook asked to stop
  | 'event' // onEvent asked to stop (after delivery, before the handler's first instruction)
  | 'internal-error'; // a bug in the emulator (reported, never thrown)

export interface ExceptionInfo {
  vector: number;
  name: string;
  errorCode?: number;
  /** Faulting address for #PF. */
  cr2?: bigint;
  /** Instruction that raised it. */
  rip: bigint;
  bytes: string;
  disassembly: string;
  detail: string;
}

export interface EventRecord {
  kind: 'exception' | 'interrupt' | 'nmi' | 'software' | 'debug-trap';
  vector: number;
  errorCode?: number;
  /** CR2 for #PF. */
  cr2?: bigint;
  /** RIP when the event was taken (the return address it pushes). */
  rip: bigint;
  /** CPL when it was taken. */
  cpl: number;
  /** Where delivery left RIP (the handler's first instruction). */
  handler: bigint;
  /** Delivered because delivering something else failed (e.g. #DF after a #PF pushing a #PF frame). */
  nested: boolean;
  /** For nested events: the attempts that failed and the faults that made them fail, in order. */
  chain: { vector: number; errorCode?: number }[];
  /** Retired-instruction count (machine lifetime) when it was taken. */
  at: number;
}

export interface StopInfo {
  reason: StopReason;
  rip: bigint;
  cpl: number;
  /** For 'cpl' stops: the instruction (or event) that changed the privilege level. */
  via?: { address: bigint; instruction: string };
  /** Instructions retired in this run. */
  instructions: number;
  /** The exception for 'exception' and 'triple-fault' stops (for triple faults, the last one). */
  exception?: ExceptionInfo;
  /** Exceptions/interrupts delivered during this run, in order. */
  events: EventRecord[];
  /** One line a person can read. */
  message: string;
}

export interface InterruptRequest {
  /** Deliver before the instruction with this index in the run (0 = before the first one). */
  before: number;
  /** External interrupt vector (32..255); omit with nmi: true. */
  vector?: number;
  nmi?: boolean;
}

export interface RunOptions {
  /** Stop after this many instructions (default 100 million). */
  maxInstructions?: number;
  /** Stop before executing any of these addresses (in addition to addBreakpoint()). */
  breakpoints?: bigint[];
  /** Stop as soon as a privilege change makes CPL equal this (e.g. 3: back in user mode). */
  stopAtCpl?: number;
  /** Stop instead of delivering these exception vectors ('all': every exception). */
  stopOnExceptions?: number[] | 'all';
  /** External interrupts / NMIs to inject, relative to this run's instruction count. */
  interrupts?: InterruptRequest[];
  /** Called for every event delivered through the IDT, before the handler's first instruction. */
  onEvent?: (event: EventRecord) => 'stop' | 'continue' | void;
}

export type HookResult = 'stop' | 'continue' | void;

export interface HookContext {
  readonly machine: Machine;
  readonly address: bigint;
  /** Times this hook has fired, including this one. */
  readonly hits: number;
  /** Emulate `ret` from the hooked function: pop the return address into RIP, optionally set RAX. */
  returnFromFunction(rax?: bigint | number): void;
}

export type HookFunction = (ctx: HookContext) => HookResult;

export interface Hook {
  readonly address: bigint;
  /** Times the hook has fired. */
  readonly hits: number;
  remove(): void;
}

interface HookEntry {
  fn: HookFunction;
  hits: number;
  removed: boolean;
}

interface ScheduledEvent {
  at: number;
  nmi: boolean;
  vector: number;
}

/** Everything restore() needs. Opaque to callers. */
export class Snapshot {
  constructor(
    readonly memory: MemorySnapshot,
    readonly cpu: CpuState,
    readonly pendingNmi: boolean,
    readonly pendingIntr: number[],
    readonly scheduled: ScheduledEvent[],
  ) {}
}

const DEFAULT_LIMIT = 100_000_000;

function perm(spec: string): number {
  let p = PERM_R;
  for (const ch of spec) {
    if (ch === 'w') p |= PERM_W;
    else if (ch === 'x') p |= PERM_X;
    else if (ch === 'u') p |= PERM_U;
    else if (ch !== 'r' && ch !== '-') throw new BadValue(`Bad permission letter "${ch}" in "${spec}".`, 'Use letters from "rwxu": r read, w write, x execute, u user-accessible (e.g. "rx", "rw", "rwxu").');
  }
  return p;
}

/** Guest memory as seen from outside the CPU: no permission checks, no faults. */
export class MachineMemory {
  constructor(private readonly mem: PhysicalMemory) {}
  /** Map fresh zeroed pages. perm: letters from "rwxu" (read is implied), e.g. "rx" kernel text, "rwu" user data. */
  map(address: bigint, size: number, permissions = 'rw'): void {
    this.mem.map(address, roundUp(size), perm(permissions));
  }
  /** Map and fill in one call (size rounded up to pages). */
  load(address: bigint, bytes: Uint8Array, permissions = 'rw'): void {
    const start = address & ~4095n;
    const end = address + BigInt(bytes.length);
    this.mem.map(start, roundUp(Number(end - start)), perm(permissions));
    this.mem.write(address, bytes);
  }
  unmap(address: bigint, size: number): void {
    this.mem.unmap(address, roundUp(size));
  }
  protect(address: bigint, size: number, permissions: string): void {
    this.mem.protect(address, roundUp(size), perm(permissions));
  }
  /** Pages whose reads and writes call the device (offsets are from `address`). */
  mapDevice(address: bigint, size: number, device: MemoryDevice, permissions = 'rw'): void {
    this.mem.mapDevice(address, roundUp(size), device, perm(permissions));
  }
  isMapped(address: bigint, size = 1): boolean {
    return this.mem.isMapped(address, size);
  }
  read(address: bigint, length: number): Uint8Array {
    return this.mem.read(address, length);
  }
  write(address: bigint, bytes: Uint8Array): void {
    this.mem.write(address, bytes);
  }
  readU8(a: bigint): number { return this.mem.readU8(a); }
  readU16(a: bigint): number { return this.mem.readU16(a); }
  readU32(a: bigint): number { return this.mem.readU32(a); }
  readU64(a: bigint): bigint { return this.mem.readU64(a); }
  /** [low 32 bits, high 32 bits], unsigned. */
  readU64Pair(a: bigint): [number, number] { return this.mem.readU64Pair(a); }
  writeU8(a: bigint, v: number): void { this.mem.writeU8(a, v); }
  writeU16(a: bigint, v: number): void { this.mem.writeU16(a, v); }
  writeU32(a: bigint, v: number): void { this.mem.writeU32(a, v); }
  writeU64(a: bigint, v: bigint): void { this.mem.writeU64(a, v); }
  writeU64Pair(a: bigint, lo: number, hi: number): void { this.mem.writeU64Pair(a, lo, hi); }
  /** Pages changed since the last snapshot/restore. */
  get dirtyPages(): number { return this.mem.dirtyPageCount; }
}

function roundUp(size: number): number {
  return Math.max(4096, Math.ceil(size / 4096) * 4096);
}

function key64(a: bigint): [number, number] {
  return halves(a);
}

export class Machine {
  readonly cpu: Cpu;
  readonly memory: MachineMemory;
  readonly cpuid: CpuidModel;
  /** Names addresses in reports and traces. */
  symbolizer: Symbolizer | undefined;
  /** Port I/O: IN returns this (default: all ones); OUT calls onPortOut. */
  onPortIn: (port: number, size: 1 | 2 | 4) => number = () => 0xffffffff;
  onPortOut: (port: number, size: 1 | 2 | 4, value: number) => void = () => {};

  private readonly phys = new PhysicalMemory();
  private readonly decode = new DecodeCache();
  private readonly lenientMsrs: boolean;
  private readonly hooks = new Map<string, HookEntry[]>();
  /** Bumped when hooks change, so records re-read their cached hook lists. */
  private hookGen = 0;
  private readonly breakpoints = new Set<string>();
  private runBreakpoints = new Set<string>();
  /** The breakpoints option of the previous run, to skip re-marking when a sweep repeats it. */
  private lastRunBreakpoints: bigint[] = [];
  private pendingNmi = false;
  private pendingIntr: number[] = [];
  private scheduled: ScheduledEvent[] = [];
  private trace: TraceBuffer | null = null;
  /** After stopping at a breakpoint or hook, the next run executes that instruction first. */
  private resumeAt: 'breakpoint' | 'hook' | null = null;
  private resumeLo = 0;
  private resumeHi = 0;
  private stats = { runs: 0, slices: 0 };
  private onEvent: RunOptions['onEvent'] | undefined;
  /** The instruction (or event) that last changed CPL, for 'cpl' stops. */
  private via: { address: bigint; instruction: string } | undefined;

  constructor(options: MachineOptions = {}) {
    this.cpuid = options.cpuid instanceof CpuidModel ? options.cpuid : new CpuidModel(options.cpuid);
    this.cpu = new Cpu(this.phys, { cpuid: this.cpuid, paging: options.paging });
    this.lenientMsrs = options.lenientMsrs ?? false;
    this.memory = new MachineMemory(this.phys);
    this.phys.onFlush = () => this.cpu.mmu.flush();
    this.phys.onPageReplaced = (key) => this.cpu.mmu.flushPhysicalPage(key);
    this.cpu.portIn = (port, size) => this.onPortIn(port, size);
    this.cpu.portOut = (port, size, value) => this.onPortOut(port, size, value);
  }

  // ---- registers ------------------------------------------------------------------------------------

  get(name: RegisterName): bigint {
    const c = this.cpu;
    const i = (GPR64_NAMES as readonly string[]).indexOf(name);
    if (i >= 0) return u64(c.lo[i], c.hi[i]);
    switch (name) {
      case 'rip': return u64(c.ripLo, c.ripHi);
      case 'rflags': return BigInt(c.getRflags());
      case 'cr0': return BigInt(c.cr0 >>> 0);
      case 'cr2': return u64(c.cr2Lo, c.cr2Hi);
      case 'cr3': return u64(c.cr3Lo, c.cr3Hi);
      case 'cr4': return BigInt(c.cr4 >>> 0);
      case 'cr8': return BigInt(c.cr8);
      case 'efer': return BigInt(c.efer >>> 0);
      case 'xcr0': return BigInt(c.xcr0 >>> 0);
      case 'fs_base': return u64(c.segBaseLo[FS], c.segBaseHi[FS]);
      case 'gs_base': return u64(c.segBaseLo[GS], c.segBaseHi[GS]);
      case 'kernel_gs_base': return u64(c.kernelGsBaseLo, c.kernelGsBaseHi);
      case 'dr0': case 'dr1': case 'dr2': case 'dr3': case 'dr6': case 'dr7': return c.dr[Number(name.slice(2))];
      default: throw new UnknownRegister(`Unknown register "${name}".`, 'Use a 64-bit GPR name (rax..r15), rip, rflags, cr0/2/3/4/8, efer, dr0-3/6/7, fs_base, gs_base, kernel_gs_base or xcr0.');
    }
  }

  set(name: RegisterName, value: bigint | number): void {
    const c = this.cpu;
    const v = BigInt.asUintN(64, BigInt(value));
    const [lo, hi] = halves(v);
    const i = (GPR64_NAMES as readonly string[]).indexOf(name);
    if (i >= 0) {
      c.lo[i] = lo;
      c.hi[i] = hi;
      return;
    }
    switch (name) {
      case 'rip': c.ripLo = lo; c.ripHi = hi; return;
      case 'rflags': c.setRflags(lo); return;
      case 'cr0': c.cr0 = lo; break;
      case 'cr2': c.cr2Lo = lo; c.cr2Hi = hi; return;
      case 'cr3': c.cr3Lo = lo; c.cr3Hi = hi; break;
      case 'cr4': c.cr4 = lo; break;
      case 'cr8': c.cr8 = lo & 15; return;
      case 'efer': c.efer = lo; c.code64 = (c.segAttr[CS] & ATTR_L) !== 0 && (lo & (1 << 10)) !== 0; break;
      case 'xcr0': c.xcr0 = lo; return;
      case 'fs_base': c.segBaseLo[FS] = lo; c.segBaseHi[FS] = hi; return;
      case 'gs_base': c.segBaseLo[GS] = lo; c.segBaseHi[GS] = hi; return;
      case 'kernel_gs_base': c.kernelGsBaseLo = lo; c.kernelGsBaseHi = hi; return;
      case 'dr0': case 'dr1': case 'dr2': case 'dr3': case 'dr6': case 'dr7': c.dr[Number(name.slice(2))] = v; return;
      default: throw new UnknownRegister(`Unknown register "${name}".`, 'Use a 64-bit GPR name (rax..r15), rip, rflags, cr0/2/3/4/8, efer, dr0-3/6/7, fs_base, gs_base, kernel_gs_base or xcr0.');
    }
    c.updateMmu();
    // Decoded code depends on translation only with paging; flat mode keeps it.
    if (c.paging === 'paged') this.decode.flush();
  }

  /** All 16 GPRs plus rip and rflags, by name. */
  registers(): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const n of GPR64_NAMES) out[n] = this.get(n);
    out.rip = this.get('rip');
    out.rflags = this.get('rflags');
    return out;
  }

  get cpl(): number {
    return this.cpu.cpl;
  }

  getSegment(name: SegmentName): SegmentState {
    const i = segIndex(name);
    const c = this.cpu;
    const a = c.segAttr[i];
    return {
      selector: c.segSel[i], base: u64(c.segBaseLo[i], c.segBaseHi[i]), limit: c.segLimit[i], type: a & 15, s: (a & ATTR_S) !== 0,
      dpl: (a >>> 5) & 3, present: (a & ATTR_P) !== 0, long: (a & ATTR_L) !== 0, db: (a & ATTR_DB) !== 0, granularity: (a & ATTR_G) !== 0,
    };
  }

  /**
   * Set a segment register's selector and descriptor cache directly (no table lookup). Setting CS
   * also sets CPL (= the selector's RPL unless `cpl` is given) and the code size (L bit).
   */
  setSegment(name: SegmentName, s: Partial<SegmentState> & { selector: number }, cpl?: number): void {
    const i = segIndex(name);
    const c = this.cpu;
    const cur = this.getSegment(name);
    const m = { ...cur, ...s };
    if (m.selector < 0 || m.selector > 0xffff) throw new BadValue(`Selector 0x${m.selector.toString(16)} does not fit in 16 bits.`, 'Pass a selector between 0 and 0xffff.');
    const attr = (m.type & 15) | (m.s ? ATTR_S : 0) | ((m.dpl & 3) << 5) | (m.present ? ATTR_P : 0) | (m.long ? ATTR_L : 0) | (m.db ? ATTR_DB : 0) | (m.granularity ? ATTR_G : 0);
    const [bl, bh] = halves(m.base);
    // Decoded code is kept per code size and privilege checks happen per lookup: no flush needed.
    if (i === CS) c.loadCs(m.selector, bl, bh, m.limit, attr, cpl ?? m.selector & 3);
    else setSegment(c, i, m.selector, bl, bh, m.limit, attr);
  }

  /**
   * Load a segment register from the GDT/LDT: data segments with the checks MOV would make, CS
   * with CPL = the descriptor's DPL, TR like LTR (the TSS becomes busy), LDTR like LLDT.
   */
  loadSegment(name: SegmentName, selector: number): void {
    const i = segIndex(name);
    const what = `loading ${name} with selector 0x${selector.toString(16)}`;
    if (i === CS) this.loadCodeSegment(selector);
    else if (i === TR) this.guard(() => loadTaskRegister(this.cpu, selector), what);
    else if (i === LDTR) this.guard(() => loadLdt(this.cpu, selector), what);
    else this.guard(() => loadDataSegment(this.cpu, i, selector), what);
  }

  /** Load CS (with CPL = its DPL) from a GDT code descriptor. */
  loadCodeSegment(selector: number): void {
    const d = this.guard(() => readDescriptor(this.cpu, selector), `reading descriptor 0x${selector.toString(16)}`);
    if ((d.attr & ATTR_S) === 0 || (d.attr & 8) === 0) throw new BadValue(`Selector 0x${selector.toString(16)} is not a code segment.`, 'Point CS at a code descriptor in the GDT.');
    const dpl = (d.attr >>> 5) & 3;
    this.cpu.loadCs((selector & ~3) | dpl, d.baseLo, 0, d.limit, d.attr, dpl);
  }

  getTable(name: 'gdtr' | 'idtr'): DescriptorTable {
    const c = this.cpu;
    return name === 'gdtr' ? { base: u64(c.gdtrBaseLo, c.gdtrBaseHi), limit: c.gdtrLimit } : { base: u64(c.idtrBaseLo, c.idtrBaseHi), limit: c.idtrLimit };
  }

  setTable(name: 'gdtr' | 'idtr', t: DescriptorTable): void {
    const [lo, hi] = halves(t.base);
    const c = this.cpu;
    if (name === 'gdtr') {
      c.gdtrBaseLo = lo;
      c.gdtrBaseHi = hi;
      c.gdtrLimit = t.limit & 0xffff;
    } else {
      c.idtrBaseLo = lo;
      c.idtrBaseHi = hi;
      c.idtrLimit = t.limit & 0xffff;
    }
  }

  getMsr(index: number): bigint {
    const [lo, hi] = this.guard(() => readMsr(this.cpu, index), `reading MSR 0x${index.toString(16)}`);
    return u64(lo, hi);
  }

  /** Write an MSR without guest-visible faults (unknown MSRs are stored). */
  setMsr(index: number, value: bigint | number): void {
    const [lo, hi] = halves(BigInt(value));
    this.guard(() => writeMsr(this.cpu, index, lo, hi, true), `writing MSR 0x${index.toString(16)}`);
    this.cpu.updateMmu();
  }

  /** Deterministic time stamp counter: tscOffset + instructions retired x tscPerInstruction. */
  get tsc(): bigint {
    return this.cpu.tsc;
  }
  set tsc(v: bigint) {
    this.cpu.tsc = v;
  }

  /** Instructions retired over the machine's life. */
  get instructions(): number {
    return this.cpu.instret;
  }

  private guard<T>(fn: () => T, what: string): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof CpuException) throw new BadValue(`${vectorName(e.vector)} while ${what}: ${e.detail || 'invalid'}.`, 'Check the descriptor tables and values the machine was given.');
      throw e;
    }
  }

  // ---- hooks and breakpoints --------------------------------------------------------------------------------

  /** Call fn each time RIP reaches address, before the instruction there executes. */
  addHook(address: bigint, fn: HookFunction): Hook {
    const k = addrKey(address);
    const entry: HookEntry = { fn, hits: 0, removed: false };
    const list = this.hooks.get(k) ?? [];
    list.push(entry);
    this.hooks.set(k, list);
    this.hookGen++;
    const [lo, hi] = key64(address);
    this.decode.mark(lo, hi, F_HOOK, true);
    const remove = (): void => {
      entry.removed = true;
      this.hookGen++;
      const l = this.hooks.get(k)?.filter((e) => e !== entry) ?? [];
      if (l.length) this.hooks.set(k, l);
      else {
        this.hooks.delete(k);
        this.decode.mark(lo, hi, F_HOOK, false);
      }
    };
    return {
      address: BigInt.asUintN(64, address),
      get hits() {
        return entry.hits;
      },
      remove,
    };
  }

  addBreakpoint(address: bigint): void {
    this.breakpoints.add(addrKey(address));
    const [lo, hi] = key64(address);
    this.decode.mark(lo, hi, F_BREAK, true);
  }

  removeBreakpoint(address: bigint): void {
    const k = addrKey(address);
    this.breakpoints.delete(k);
    if (!this.runBreakpoints.has(k)) {
      const [lo, hi] = key64(address);
      this.decode.mark(lo, hi, F_BREAK, false);
    }
  }

  // ---- interrupts ---------------------------------------------------------------------------------------------

  /** Raise an external interrupt now (delivered when IF = 1 and no interrupt shadow), or at an absolute instruction count. */
  injectInterrupt(vector: number, at?: number): void {
    if (!Number.isInteger(vector) || vector < 0 || vector > 255) throw new BadValue(`Vector ${vector} is not 0..255.`, 'External interrupts use vectors 32..255.');
    if (at === undefined || at <= this.cpu.instret) this.pendingIntr.push(vector);
    else this.schedule({ at, nmi: false, vector });
  }

  /** Raise an NMI now (delivered unless NMIs are blocked until IRET), or at an absolute instruction count. */
  injectNmi(at?: number): void {
    if (at === undefined || at <= this.cpu.instret) this.pendingNmi = true;
    else this.schedule({ at, nmi: true, vector: NMI });
  }

  /** Pending (raised but not yet delivered) events. */
  get pendingEvents(): { nmi: boolean; interrupts: number[]; scheduled: { at: number; nmi: boolean; vector: number }[] } {
    return { nmi: this.pendingNmi, interrupts: [...this.pendingIntr], scheduled: this.scheduled.map((s) => ({ ...s })) };
  }

  clearPendingEvents(): void {
    this.pendingNmi = false;
    this.pendingIntr = [];
    this.scheduled = [];
  }

  private schedule(e: ScheduledEvent): void {
    this.scheduled.push(e);
    this.scheduled.sort((a, b) => a.at - b.at);
  }

  // ---- snapshots ----------------------------------------------------------------------------------------------

  /** Capture the whole machine: registers, events and memory (copy-on-write, so this is cheap). */
  snapshot(): Snapshot {
    return new Snapshot(this.phys.snapshot(), this.cpu.saveState(), this.pendingNmi, [...this.pendingIntr], this.scheduled.map((s) => ({ ...s })));
  }

  /** Return to a snapshot. Restoring the most recent one only reverts the pages written since. */
  restore(s: Snapshot): void {
    this.phys.restore(s.memory);
    this.cpu.loadState(s.cpu);
    this.pendingNmi = s.pendingNmi;
    this.pendingIntr = s.pendingIntr.length ? [...s.pendingIntr] : [];
    this.scheduled = s.scheduled.length ? s.scheduled.map((e) => ({ ...e })) : [];
    this.resumeAt = null;
    if (this.cpu.paging === 'paged') {
      this.cpu.mmu.flush();
      this.decode.flush();
    }
  }

  // ---- tracing ------------------------------------------------------------------------------------------------

  /** Record the last `capacity` steps (slows execution to single steps while on). */
  enableTrace(capacity = 256): void {
    this.trace = new TraceBuffer(capacity);
    this.cpu.mmu.writeLog = [];
    this.cpu.mmu.flush();
  }

  disableTrace(): void {
    this.trace = null;
    this.cpu.mmu.writeLog = null;
  }

  /** The recorded steps, oldest first. */
  traceSteps(): TraceStep[] {
    return this.trace?.steps() ?? [];
  }

  /** The recorded steps as readable lines (disassembled, symbolized); the last `last` only if given. */
  formatTrace(last?: number): string[] {
    const steps = this.traceSteps();
    return steps.slice(last === undefined ? 0 : Math.max(0, steps.length - last)).map((s) => formatStep(s, this.symbolizer));
  }

  /** Disassemble count instructions from guest memory at address (objdump style). */
  disassemble(address: bigint, count = 1, bitness: 64 | 32 = 64): string[] {
    const out: string[] = [];
    let a = BigInt.asUintN(64, address);
    for (let i = 0; i < count; i++) {
      let bytes: Uint8Array;
      try {
        bytes = this.readCodeBytes(a, 15);
      } catch {
        out.push(`${addressWithSymbol(a, this.symbolizer)}:  (unmapped)`);
        break;
      }
      const d = disassembleOne(bytes, a, bitness, this.symbolizer);
      out.push(`${addressWithSymbol(a, this.symbolizer)}:  ${hexBytes(d.bytes).padEnd(29)}  ${d.text}`);
      a = BigInt.asUintN(64, a + BigInt(d.length));
    }
    return out;
  }

  /** Decode-cache statistics (for benchmarks). */
  get decodeStats(): { decodes: number; lookups: number; codePages: number } {
    return { decodes: this.decode.decodes, lookups: this.decode.lookups, codePages: this.decode.pageCount };
  }

  // ---- running --------------------------------------------------------------------------------------------------

  /** Run until a stop condition. Never throws for anything the guest does. */
  run(options: RunOptions = {}): StopInfo {
    const c = this.cpu;
    const start = c.instret;
    const events: EventRecord[] = [];
    this.stats.runs++;
    try {
      return this.runLoop(options, start, events);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      if (e instanceof EmulatorError) throw e;
      return this.stopInfo('internal-error', start, events, undefined, `emulator internal error at ${this.where()}: ${err.message}\n${err.stack ?? ''}`);
    }
  }

  private runLoop(o: RunOptions, start: number, events: EventRecord[]): StopInfo {
    const c = this.cpu;
    const limit = o.maxInstructions ?? DEFAULT_LIMIT;
    this.onEvent = o.onEvent;
    const stopAll = o.stopOnExceptions === 'all';
    const stopSet = Array.isArray(o.stopOnExceptions) && o.stopOnExceptions.length ? new Set(o.stopOnExceptions) : null;
    for (const req of o.interrupts ?? []) {
      if (req.nmi) this.injectNmi(start + req.before);
      else this.injectInterrupt(req.vector ?? 32, start + req.before);
    }
    const bps = o.breakpoints ?? [];
    const prevBps = this.lastRunBreakpoints;
    if (bps.length !== prevBps.length || bps.some((b, i) => b !== prevBps[i])) {
      const wanted = bps.map(addrKey);
      for (const k of this.runBreakpoints) if (!this.breakpoints.has(k)) this.markKey(k, F_BREAK, false);
      this.runBreakpoints = new Set(wanted);
      for (const k of this.runBreakpoints) this.markKey(k, F_BREAK, true);
      this.lastRunBreakpoints = [...bps];
    }

    let rec: Rec | null = null;
    let skip = this.resumeAt !== null && this.resumeLo === c.ripLo && this.resumeHi === c.ripHi ? this.resumeAt : null;
    this.resumeAt = null;

    /** Deliver an exception raised by the guest, or stop. Returns a StopInfo to end the run. */
    const raise = (e: CpuException): StopInfo | null => {
      const kind = e.kind;
      if (e.vector === PF) setCr2(c, e.addrLo, e.addrHi);
      const isException = kind === EV_FAULT || kind === EV_TRAP;
      if ((isException && (stopAll || (stopSet !== null && stopSet.has(e.vector)))) || (isException && c.idtrLimit === 0)) {
        return this.stopInfo('exception', start, events, this.exceptionInfo(e), `${this.describe(e)} at ${this.where()}${c.idtrLimit === 0 ? ' (no IDT installed)' : ''}`);
      }
      if (kind === EV_SOFTWARE && c.idtrLimit === 0) {
        return this.stopInfo('exception', start, events, this.exceptionInfo(e), `${this.describe(e)} at ${this.where()} (no IDT installed)`);
      }
      return this.deliver(e.vector, kind, hasErrorCode(e.vector) && kind === EV_FAULT ? e.errorCode : -1, start, events, e, this.sliceLast);
    };

    for (;;) {
      const executed = c.instret - start;
      if (executed >= limit) return this.stopInfo('limit', start, events);

      // Scheduled events that are due become pending.
      while (this.scheduled.length && this.scheduled[0].at <= c.instret) {
        const s = this.scheduled.shift()!;
        if (s.nmi) this.pendingNmi = true;
        else this.pendingIntr.push(s.vector);
      }
      // Deliver a pending event if the CPU accepts it now.
      const shadow = c.inhibitUntil > c.instret;
      if (this.pendingNmi && !c.nmiBlocked && !(shadow && c.inhibitNmi)) {
        this.pendingNmi = false;
        const cplBefore = c.cpl;
        const stop = this.deliver(NMI, EV_NMI, -1, start, events);
        if (stop) return stop;
        rec = null;
        if (this.cplStop(o, cplBefore, () => this.viaEvent(events))) return this.stopInfo('cpl', start, events);
        continue;
      }
      if (this.pendingIntr.length && (c.eflags & IF) !== 0 && !shadow) {
        const vector = this.pendingIntr.shift()!;
        const cplBefore = c.cpl;
        const stop = this.deliver(vector, EV_EXTERNAL, -1, start, events);
        if (stop) return stop;
        rec = null;
        if (this.cplStop(o, cplBefore, () => this.viaEvent(events))) return this.stopInfo('cpl', start, events);
        continue;
      }
      if (c.halted) return this.stopInfo('hlt', start, events);

      // Find the record at RIP (a fetch can fault).
      if (rec === null) {
        try {
          rec = this.decode.lookup(c, c.ripLo, c.ripHi);
        } catch (e) {
          if (!(e instanceof CpuException)) throw e;
          const stop = raise(e);
          if (stop) return stop;
          continue;
        }
      }
      // Hooks and breakpoints at the next instruction. Resuming where a breakpoint stopped skips that
      // breakpoint (its hooks still run); resuming where a hook stopped skips both.
      if ((rec.flags & (F_HOOK | F_BREAK)) !== 0) {
        const resuming = skip !== null;
        const skipBreak = resuming;
        const skipHooks = resuming && skip === 'hook';
        skip = null;
        const k = (rec.flags & F_BREAK) !== 0 ? addrKey(u64(rec.ipLo, rec.ipHi)) : '';
        if (!skipBreak && (rec.flags & F_BREAK) !== 0 && (this.breakpoints.has(k) || this.runBreakpoints.has(k))) {
          c.ripLo = rec.ipLo;
          c.ripHi = rec.ipHi;
          this.resumeAt = 'breakpoint';
          this.resumeLo = rec.ipLo;
          this.resumeHi = rec.ipHi;
          return this.stopInfo('breakpoint', start, events);
        }
        if (!skipHooks && (rec.flags & F_HOOK) !== 0) {
          const res = this.runHooks(rec);
          if (res === 'stop') {
            this.resumeAt = 'hook';
            this.resumeLo = rec.ipLo;
            this.resumeHi = rec.ipHi;
            return this.stopInfo('hook', start, events);
          }
          if (res === 'moved') {
            rec = null;
            continue;
          }
        }
      } else skip = null;
      if ((rec.flags & F_DEAD) !== 0) {
        rec = null;
        c.ripLo = c.ripLo | 0;
        continue;
      }

      // Run a slice: as many instructions as the next event, the limit and the machine allow.
      let budget = limit - executed;
      if (this.scheduled.length) budget = Math.min(budget, this.scheduled[0].at - c.instret);
      const single = c.tf || this.trace !== null || (shadow && (this.pendingIntr.length > 0 || this.pendingNmi));
      if (single) budget = 1;
      const tfBefore = c.tf;
      c.ripLo = rec.ipLo;
      c.ripHi = rec.ipHi;
      const cplBefore = c.cpl;
      const before = this.trace ? this.traceBefore() : null;
      const result = this.slice(rec, budget);
      const last = this.sliceLast;
      if (before) this.traceAfter(before, last, result.fault);
      rec = result.next;
      if (result.fault) {
        const stop = raise(result.fault);
        if (stop) return stop;
        rec = null;
        if (this.cplStop(o, cplBefore, () => this.viaEvent(events))) return this.stopInfo('cpl', start, events);
        continue;
      }
      if (result.attention) {
        rec = null;
        const req = c.req;
        c.req = 0;
        if (req !== 0) this.completeRequests(req, c.reqRec as Rec);
        if (this.cplStop(o, cplBefore, () => this.viaRecord(last))) return this.stopInfo('cpl', start, events);
      }
      if (result.stopHook) return result.stopHook(start, events);
      // Single-step trap after an instruction that began with TF = 1 (SYSCALL clears TF first).
      if (tfBefore && result.retired === 1 && last !== null && last.mnemonic !== Mnemonic.Syscall) {
        c.dr[6] |= 0x4000n;
        const stop = this.deliver(DB, EV_TRAP, -1, start, events);
        if (stop) return stop;
        rec = null;
        if (this.cplStop(o, cplBefore, () => this.viaEvent(events))) return this.stopInfo('cpl', start, events);
      }
    }
  }

  private markKey(k: string, bits: number, on: boolean): void {
    const [hi, lo] = k.split(':').map(Number);
    this.decode.mark(lo | 0, hi | 0, bits, on);
  }

  private cplStop(o: RunOptions, before: number, via: () => { address: bigint; instruction: string } | undefined): boolean {
    const hit = o.stopAtCpl !== undefined && this.cpu.cpl === o.stopAtCpl && before !== this.cpu.cpl;
    if (hit) this.via = via();
    return hit;
  }

  private viaRecord(r: Rec | null): { address: bigint; instruction: string } | undefined {
    if (!r) return undefined;
    return { address: u64(r.ipLo, r.ipHi), instruction: VIA_NAMES[r.mnemonic] ?? (Mnemonic[r.mnemonic] ?? 'instruction').toLowerCase() };
  }

  private viaEvent(events: EventRecord[]): { address: bigint; instruction: string } | undefined {
    const e = events[events.length - 1];
    return e ? { address: e.rip, instruction: vectorName(e.vector) } : undefined;
  }

  private completeRequests(req: number, r: Rec): void {
    const c = this.cpu;
    if (req & REQ_TSC) completeTsc(c, r, c.instret - 1);
    if (req & REQ_SHADOW) {
      c.inhibitUntil = c.instret + 1;
      c.inhibitNmi = false;
    }
    if (req & REQ_SHADOW_SS) {
      c.inhibitUntil = c.instret + 1;
      c.inhibitNmi = true;
    }
    if (req & REQ_HALT) c.halted = true;
    if (req & REQ_FLUSH_CODE) {
      c.mmu.flush();
      if (c.paging === 'paged') this.decode.flush();
    }
  }

  /** Deliver an event through the IDT; returns a StopInfo for a triple fault or a missing IDT. */
  private deliver(vector: number, kind: number, errorCode: number, start: number, events: EventRecord[], cause?: CpuException, instruction?: Rec | null): StopInfo | null {
    const c = this.cpu;
    const chain: DeliveredEvent[] = [];
    const ripBefore = u64(c.ripLo, c.ripHi);
    const cpl = c.cpl;
    if (c.idtrLimit === 0) {
      const e = cause ?? new CpuException(vector, errorCode, 0, 0, kind === EV_NMI ? 'NMI' : `interrupt 0x${vector.toString(16)}`, kind);
      return this.stopInfo('exception', start, events, this.exceptionInfo(e), `${this.describe(e)} at ${this.where()} (no IDT installed)`);
    }
    let delivered: DeliveredEvent;
    try {
      delivered = deliverEvent(c, vector, kind, errorCode, chain, instruction?.ipLo ?? 0, instruction?.ipHi ?? 0);
    } catch (e) {
      if (e instanceof TripleFault) {
        const lastEv = e.events[e.events.length - 1];
        const chainText = e.events.map((ev) => vectorName(ev.vector).split(' ')[0]).join(' -> ');
        c.halted = true;
        const info = this.exceptionInfo(cause ?? new CpuException(lastEv.vector, lastEv.errorCode, 0, 0, e.detail));
        return this.stopInfo('triple-fault', start, events, info, `triple fault (${chainText}): ${e.detail}; shutdown at ${addressWithSymbol(ripBefore, this.symbolizer)}`);
      }
      throw e;
    }
    const handler = u64(c.ripLo, c.ripHi);
    const ev = delivered;
    const rip = u64(ev.ripLo ?? 0, ev.ripHi ?? 0);
    const rec: EventRecord = {
      kind: ev.kind === EV_EXTERNAL ? 'interrupt' : ev.kind === EV_NMI ? 'nmi' : ev.kind === EV_SOFTWARE ? 'software' : ev.kind === EV_TRAP && ev.vector === DB ? 'debug-trap' : 'exception',
      vector: ev.vector, rip, cpl, handler, nested: chain.length > 0, chain: chain.map((x) => (x.errorCode >= 0 ? { vector: x.vector, errorCode: x.errorCode } : { vector: x.vector })), at: c.instret,
    };
    if (ev.errorCode >= 0) rec.errorCode = ev.errorCode;
    if (ev.vector === PF || chain.some((x) => x.vector === PF)) rec.cr2 = u64(c.cr2Lo, c.cr2Hi);
    events.push(rec);
    if (this.trace) this.trace.push(this.eventStep(rip, ev.vector, ev.errorCode, cpl, chain));
    if (this.onEvent?.(rec) === 'stop') {
      const last = events[events.length - 1];
      return this.stopInfo('event', start, events, undefined, `stopped after delivering ${vectorName(last.vector)} from ${addressWithSymbol(rip, this.symbolizer)} to ${addressWithSymbol(handler, this.symbolizer)}`);
    }
    return null;
  }

  private runHooks(rec: Rec): 'stop' | 'moved' | 'continue' {
    const c = this.cpu;
    if (rec.hookGen !== this.hookGen) {
      rec.hookList = this.hooks.get(addrKey(u64(rec.ipLo, rec.ipHi))) ?? null;
      rec.hookGen = this.hookGen;
    }
    const list = rec.hookList as HookEntry[] | null;
    if (!list) return 'continue';
    c.ripLo = rec.ipLo;
    c.ripHi = rec.ipHi;
    let stop = false;
    const gen = this.hookGen;
    for (const h of list) {
      if (h.removed) continue;
      h.hits++;
      let res: HookResult;
      try {
        res = h.fn(new HookCall(this, rec.ipLo, rec.ipHi, h.hits));
      } catch (e) {
        throw new HookFailed(addressWithSymbol(u64(rec.ipLo, rec.ipHi), this.symbolizer), e);
      }
      if (res === 'stop') stop = true;
      if (this.hookGen !== gen) break; // a hook added or removed hooks: the list may have changed
    }
    if (stop) return 'stop';
    return c.ripLo !== rec.ipLo || c.ripHi !== rec.ipHi ? 'moved' : 'continue';
  }

  private sliceLast: Rec | null = null;

  /**
   * The hot loop: execute up to budget instructions starting at rec. Returns how many retired,
   * the record to continue with (null: look up c.rip), and why it ended early.
   */
  private slice(start: Rec, budget: number): { retired: number; next: Rec | null; fault: CpuException | null; attention: boolean; stopHook: null | ((s: number, e: EventRecord[]) => StopInfo) } {
    const c = this.cpu;
    let r = start;
    let prev = start;
    let left = budget;
    let fault: CpuException | null = null;
    let attention = false;
    let next: Rec | null = null;
    try {
      for (;;) {
        prev = r;
        left--;
        // The hottest forms are called directly (see exec/fast.ts HOT); the rest through r.exec.
        switch (r.op) {
          case 0: r = r.exec(c, r); break;
          case 1: r = h1(c, r); break;
          case 2: r = h2(c, r); break;
          case 3: r = h3(c, r); break;
          case 4: r = h4(c, r); break;
          case 5: r = h5(c, r); break;
          case 6: r = h6(c, r); break;
          case 7: r = h7(c, r); break;
          case 8: r = h8(c, r); break;
          case 9: r = h9(c, r); break;
          case 10: r = h10(c, r); break;
          case 11: r = h11(c, r); break;
          case 12: r = h12(c, r); break;
          case 13: r = h13(c, r); break;
          case 14: r = h14(c, r); break;
          case 15: r = h15(c, r); break;
          case 16: r = h16(c, r); break;
          case 17: r = h17(c, r); break;
          case 18: r = h18(c, r); break;
          case 19: r = h19(c, r); break;
          case 20: r = h20(c, r); break;
          case 21: r = h21(c, r); break;
          case 22: r = h22(c, r); break;
          case 23: r = h23(c, r); break;
          case 24: r = h24(c, r); break;
          case 25: r = h25(c, r); break;
          case 26: r = h26(c, r); break;
          case 27: r = h27(c, r); break;
          case 28: r = h28(c, r); break;
          case 29: r = h29(c, r); break;
          case 30: r = h30(c, r); break;
          case 31: r = h31(c, r); break;
          case 32: r = h32(c, r); break;
          case 33: r = h33(c, r); break;
          case 34: r = h34(c, r); break;
          case 35: r = h35(c, r); break;
          case 36: r = h36(c, r); break;
          case 37: r = h37(c, r); break;
          case 38: r = h38(c, r); break;
          case 39: r = h39(c, r); break;
          case 40: r = h40(c, r); break;
          case 41: r = h41(c, r); break;
          case 42: r = h42(c, r); break;
          case 43: r = h43(c, r); break;
          case 44: r = h44(c, r); break;
          case 45: r = h45(c, r); break;
          case 46: r = h46(c, r); break;
          case 47: r = h47(c, r); break;
          case 48: r = h48(c, r); break;
          case 49: r = h49(c, r); break;
          case 50: r = h50(c, r); break;
          case 51: r = h51(c, r); break;
          case 52: r = h52(c, r); break;
          case 53: r = h53(c, r); break;
          case 54: r = h54(c, r); break;
          case 55: r = h55(c, r); break;
          case 56: r = h56(c, r); break;
          case 57: r = h57(c, r); break;
          case 58: r = h58(c, r); break;
          case 59: r = h59(c, r); break;
          case 60: r = h60(c, r); break;
          case 61: r = h61(c, r); break;
          case 62: r = h62(c, r); break;
          case 63: r = h63(c, r); break;
          case 64: r = h64(c, r); break;
          case 65: r = h65(c, r); break;
          case 66: r = h66(c, r); break;
          case 67: r = h67(c, r); break;
          case 68: r = h68(c, r); break;
          case 69: r = h69(c, r); break;
          case 70: r = h70(c, r); break;
          case 71: r = h71(c, r); break;
          case 72: r = h72(c, r); break;
          case 73: r = h73(c, r); break;
          case 74: r = h74(c, r); break;
          case 75: r = h75(c, r); break;
          case 76: r = h76(c, r); break;
          case 77: r = h77(c, r); break;
          case 78: r = h78(c, r); break;
          case 79: r = h79(c, r); break;
          case 80: r = h80(c, r); break;
          case 81: r = h81(c, r); break;
          case 82: r = h82(c, r); break;
          case 83: r = h83(c, r); break;
          case 84: r = h84(c, r); break;
          case 85: r = h85(c, r); break;
          case 86: r = h86(c, r); break;
          case 87: r = h87(c, r); break;
          case 88: r = h88(c, r); break;
          case 89: r = h89(c, r); break;
          case 90: r = h90(c, r); break;
          case 91: r = h91(c, r); break;
          case 92: r = h92(c, r); break;
          case 93: r = h93(c, r); break;
          case 94: r = h94(c, r); break;
          case 95: r = h95(c, r); break;
          case 96: r = h96(c, r); break;
          case 97: r = h97(c, r); break;
          case 98: r = h98(c, r); break;
          case 99: r = h99(c, r); break;
          case 100: r = h100(c, r); break;
          case 101: r = h101(c, r); break;
          case 102: r = h102(c, r); break;
          case 103: r = h103(c, r); break;
          case 104: r = h104(c, r); break;
          case 105: r = h105(c, r); break;
          case 106: r = h106(c, r); break;
          case 107: r = h107(c, r); break;
          case 108: r = h108(c, r); break;
          case 109: r = h109(c, r); break;
          case 110: r = h110(c, r); break;
          case 111: r = h111(c, r); break;
          case 112: r = h112(c, r); break;
          case 113: r = h113(c, r); break;
          case 114: r = h114(c, r); break;
          case 115: r = h115(c, r); break;
          case 116: r = h116(c, r); break;
          case 117: r = h117(c, r); break;
          case 118: r = h118(c, r); break;
          case 119: r = h119(c, r); break;
          case 120: r = h120(c, r); break;
          case 121: r = h121(c, r); break;
          case 122: r = h122(c, r); break;
          case 123: r = h123(c, r); break;
          case 124: r = h124(c, r); break;
          case 125: r = h125(c, r); break;
          case 126: r = h126(c, r); break;
          case 127: r = h127(c, r); break;
          case 128: r = h128(c, r); break;
          case 129: r = h129(c, r); break;
          case 130: r = h130(c, r); break;
          case 131: r = h131(c, r); break;
          case 132: r = h132(c, r); break;
          case 133: r = h133(c, r); break;
          default: r = r.exec(c, r);
        }
        if (r.flags !== 0) {
          // Slow path: links to resolve, dead records, hooks/breakpoints, attention.
          if (r === LINK_NEXT) {
            c.ripLo = prev.nextLo;
            c.ripHi = prev.nextHi;
            r = this.decode.lookup(c, c.ripLo, c.ripHi);
            if (sameContext(prev, r)) prev.next = r;
          } else if (r === LINK_TARGET) {
            r = this.decode.lookup(c, c.ripLo, c.ripHi);
            if (sameContext(prev, r)) prev.target = r;
          } else if (r === BY_RIP) {
            r = this.decode.lookup(c, c.ripLo, c.ripHi);
          } else if (r === ATTENTION) {
            attention = true;
            break;
          } else if ((r.flags & F_DEAD) !== 0) {
            c.ripLo = r.ipLo;
            c.ripHi = r.ipHi;
            r = this.decode.lookup(c, c.ripLo, c.ripHi);
            if (prev.next.flags & F_DEAD) prev.next = r.ipLo === prev.nextLo && r.ipHi === prev.nextHi ? r : LINK_NEXT;
            if (prev.target.flags & F_DEAD) prev.target = LINK_TARGET;
          }
          if ((r.flags & (F_HOOK | F_BREAK | F_DEAD)) !== 0) {
            next = r;
            break;
          }
        }
        if (left <= 0) {
          next = r;
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      fault = e;
      if (e.kind === EV_FAULT) {
        // The instruction did not retire: RIP back to it. (A fault from a link lookup is taken at
        // the target, after prev retired.)
        if (r === prev) {
          left++;
          c.ripLo = prev.ipLo;
          c.ripHi = prev.ipHi;
        }
      }
      next = null;
    }
    this.sliceLast = prev;
    const retired = budget - left;
    c.instret += retired;
    if (next !== null) {
      c.ripLo = next.ipLo;
      c.ripHi = next.ipHi;
    }
    return { retired, next, fault, attention, stopHook: null };
  }

  // ---- tracing internals ----------------------------------------------------------------------------------

  private traceBefore(): { lo: Int32Array; hi: Int32Array; flags: number; rip: bigint; cpl: number; index: number; bitness: 64 | 32 } {
    const c = this.cpu;
    c.mmu.writeLog = [];
    return { lo: new Int32Array(c.lo), hi: new Int32Array(c.hi), flags: c.getRflags(), rip: u64(c.ripLo, c.ripHi), cpl: c.cpl, index: c.instret, bitness: c.code64 ? 64 : 32 };
  }

  private traceAfter(b: ReturnType<Machine['traceBefore']>, last: Rec | null, fault: CpuException | null): void {
    const c = this.cpu;
    if (!this.trace || last === null) return;
    if (fault && fault.kind === EV_FAULT) return; // the instruction did not complete; the event is traced
    const registers: RegisterDelta[] = [];
    for (let i = 0; i < 16; i++) {
      if (c.lo[i] !== b.lo[i] || c.hi[i] !== b.hi[i]) registers.push({ register: GPR64_NAMES[i], before: u64(b.lo[i], b.hi[i]), after: u64(c.lo[i], c.hi[i]) });
    }
    const writes: MemoryWrite[] = [];
    const log = c.mmu.writeLog ?? [];
    for (let i = 0; i < log.length; i += 5) {
      const size = log[i + 2];
      const value = size === 8 ? u64(log[i + 3], log[i + 4]) : BigInt(log[i + 3] >>> 0) & ((1n << BigInt(size * 8)) - 1n);
      writes.push({ address: u64(log[i], log[i + 1]), size, value });
    }
    c.mmu.writeLog = [];
    const bytes = last.page ? last.page.bytesAt(last.ipLo & 4095, last.len) : new Uint8Array();
    this.trace.push({ index: b.index, kind: 'step', address: u64(last.ipLo, last.ipHi), bytes, bitness: last.bitness === 32 ? 32 : 64, cpl: b.cpl, registers, flagsBefore: b.flags, flagsAfter: c.getRflags(), writes });
  }

  private eventStep(rip: bigint, vector: number, errorCode: number, cpl: number, chain: DeliveredEvent[]): TraceStep {
    const c = this.cpu;
    let text = chain.length ? chain.map((x) => vectorName(x.vector).split(' ')[0]).join(' -> ') + ' -> ' : '';
    text += vectorName(vector);
    if (errorCode >= 0) text += ` (error 0x${errorCode.toString(16)})`;
    if (vector === PF) text += ` cr2=0x${hex64(c.cr2Lo, c.cr2Hi)}`;
    text += ` -> ${addressWithSymbol(u64(c.ripLo, c.ripHi), this.symbolizer)}`;
    return { index: c.instret, kind: 'event', address: rip, bytes: new Uint8Array(), bitness: 64, cpl, registers: [], flagsBefore: 0, flagsAfter: 0, writes: [], event: text };
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  private where(): string {
    return addressWithSymbol(u64(this.cpu.ripLo, this.cpu.ripHi), this.symbolizer);
  }

  private describe(e: CpuException): string {
    let s = vectorName(e.vector);
    if (e.errorCode >= 0 && hasErrorCode(e.vector)) s += ` (error code 0x${e.errorCode.toString(16)})`;
    if (e.vector === PF) s += ` accessing 0x${hex64(e.addrLo, e.addrHi)}`;
    if (e.detail) s += `: ${e.detail}`;
    return s;
  }

  private readCodeBytes(address: bigint, max: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < max; i++) {
      const a = BigInt.asUintN(64, address + BigInt(i));
      if (!this.phys.isMapped(a)) break;
      out.push(this.phys.readU8(a));
    }
    if (out.length === 0) throw new Error('unmapped');
    return Uint8Array.from(out);
  }

  private exceptionInfo(e: CpuException): ExceptionInfo {
    const c = this.cpu;
    const rip = u64(c.ripLo, c.ripHi);
    let bytes: Uint8Array = new Uint8Array();
    let text = '(unmapped)';
    try {
      bytes = this.readCodeBytes(rip, 15);
      const d = disassembleOne(bytes, rip, c.code64 ? 64 : 32, this.symbolizer);
      bytes = d.bytes;
      text = d.text;
    } catch {
      // RIP itself is unmapped: nothing to show.
    }
    const info: ExceptionInfo = { vector: e.vector, name: vectorName(e.vector), rip, bytes: hexBytes(bytes), disassembly: text, detail: e.detail };
    if (e.errorCode >= 0 && hasErrorCode(e.vector)) info.errorCode = e.errorCode;
    if (e.vector === PF) info.cr2 = u64(e.addrLo, e.addrHi);
    return info;
  }

  private stopInfo(reason: StopReason, start: number, events: EventRecord[], exception?: ExceptionInfo, message?: string): StopInfo {
    const c = this.cpu;
    const via = reason === 'cpl' ? this.via : undefined;
    this.via = undefined;
    const rip = u64(c.ripLo, c.ripHi);
    // A plain object (it may be spread, logged or posted to another thread).
    const info: StopInfo = { reason, rip, cpl: c.cpl, instructions: c.instret - start, exception, events, message: this.stopMessage(reason, rip, c.cpl, exception, message, via) };
    if (via) info.via = via;
    return info;
  }

  private stopMessage(reason: StopReason, rip: bigint, cpl: number, exception: ExceptionInfo | undefined, message: string | undefined, via: StopInfo['via']): string {
    const at = addressWithSymbol(rip, this.symbolizer);
    let msg = message ?? {
      limit: `instruction limit reached at ${at}`,
      breakpoint: `breakpoint at ${at}`,
      cpl: `reached CPL ${cpl} at ${at}`,
      hlt: `HLT at ${at} with no interrupt to wake it`,
      exception: `exception at ${at}`,
      'triple-fault': `triple fault at ${at}`,
      hook: `stopped by a hook at ${at}`,
      event: `stopped after an event at ${at}`,
      'internal-error': `internal error at ${at}`,
    }[reason];
    if (exception) msg += `\n  ${addressWithSymbol(exception.rip, this.symbolizer)}:  ${exception.bytes}  ${exception.disassembly}`;
    if (via) msg += ` (via ${via.instruction} at ${addressWithSymbol(via.address, this.symbolizer)})`;
    return msg;
  }

  /** A register dump like a kernel oops prints. */
  formatRegisters(): string {
    const r = (n: RegisterName) => this.get(n).toString(16).padStart(16, '0');
    const c = this.cpu;
    return [
      `RIP: ${this.getSegment('cs').selector.toString(16).padStart(4, '0')}:${addressWithSymbol(this.get('rip'), this.symbolizer)}`,
      `RSP: ${this.getSegment('ss').selector.toString(16).padStart(4, '0')}:${r('rsp')} EFLAGS: ${c.getRflags().toString(16).padStart(8, '0')}`,
      `RAX: ${r('rax')} RBX: ${r('rbx')} RCX: ${r('rcx')}`,
      `RDX: ${r('rdx')} RSI: ${r('rsi')} RDI: ${r('rdi')}`,
      `RBP: ${r('rbp')} R08: ${r('r8')} R09: ${r('r9')}`,
      `R10: ${r('r10')} R11: ${r('r11')} R12: ${r('r12')}`,
      `R13: ${r('r13')} R14: ${r('r14')} R15: ${r('r15')}`,
      `FS:  ${r('fs_base')} GS:  ${r('gs_base')} KERNEL_GS: ${r('kernel_gs_base')}`,
      `CR0: ${r('cr0')} CR2: ${r('cr2')} CR3: ${r('cr3')} CR4: ${r('cr4')}`,
    ].join('\n');
  }
}

/** What a hook function receives (one per call; returnFromFunction is a method, not a closure). */
class HookCall implements HookContext {
  constructor(
    readonly machine: Machine,
    private readonly lo: number,
    private readonly hi: number,
    readonly hits: number,
  ) {}

  get address(): bigint {
    return u64(this.lo, this.hi);
  }

  returnFromFunction(rax?: bigint | number): void {
    const m = this.machine;
    const rsp = m.get('rsp');
    m.set('rip', m.memory.readU64(rsp));
    m.set('rsp', rsp + 8n);
    if (rax !== undefined) m.set('rax', BigInt(rax));
  }
}

/** A hook callback threw: reported as an internal-error stop naming the hook. */
class HookFailed extends Error {
  constructor(where: string, cause: unknown) {
    super(`hook at ${where} threw: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** AT&T names of the instructions that change privilege, where iced's mnemonic names differ. */
const VIA_NAMES: Record<number, string> = { [Mnemonic.Sysret]: 'sysretl', [Mnemonic.Sysexit]: 'sysexitl', [Mnemonic.Iretd]: 'iretl', [Mnemonic.Iret]: 'iretw', [Mnemonic.Retf]: 'lret' };

/** Links are only cached between records of the same privilege context (user/supervisor pages). */
function sameContext(a: Rec, b: Rec): boolean {
  if (a.page === b.page) return true;
  const pa = a.page as { user?: boolean } | null;
  const pb = b.page as { user?: boolean } | null;
  return pa !== null && pb !== null && pa.user === pb.user;
}

function addrKey(a: bigint): string {
  const v = BigInt.asUintN(64, a);
  return `${Number(v >> 32n)}:${Number(v & 0xffffffffn)}`;
}

function segIndex(name: SegmentName): number {
  const i = SEGMENT_NAMES.indexOf(name);
  if (i < 0) throw new UnknownRegister(`Unknown segment register "${name}".`, `Use one of ${SEGMENT_NAMES.join(', ')}.`);
  return i;
}


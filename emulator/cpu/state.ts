// Architectural state of one x86-64 CPU: registers as 32-bit halves (no BigInt on the hot path),
// lazy arithmetic flags, segment caches, control registers, MSRs and event state.
import { Mmu } from '../memory/mmu.js';
import { PhysicalMemory } from '../memory/physical.js';
import { CpuidModel } from './cpuid.js';
import { getArithFlags, setArithFlags } from './flags.js';
import { AC, ARITH_FLAGS, CR0_ET, CR0_NE, CR0_PE, CR0_PG, CR0_WP, CR4_SMAP, CR4_SMEP, CS, EFER_LMA, EFER_LME, EFER_NXE, EFER_SCE, RF, TF } from './registers.js';

/** RFLAGS bits that exist (everything else reads as 0, bit 1 reads as 1). */
export const RFLAGS_VALID = 0x003f7fd5;

/** Segment attribute word, VMX "access rights" layout. */
export const ATTR_TYPE = 0xf, ATTR_S = 1 << 4, ATTR_DPL_SHIFT = 5, ATTR_P = 1 << 7, ATTR_AVL = 1 << 12, ATTR_L = 1 << 13, ATTR_DB = 1 << 14, ATTR_G = 1 << 15;
/** A present ring-0 64-bit code segment, as SYSCALL loads it. */
export const ATTR_CODE64_DPL0 = 0xb | ATTR_S | ATTR_P | ATTR_L | ATTR_G;
export const ATTR_DATA_DPL0 = 0x3 | ATTR_S | ATTR_P | ATTR_DB | ATTR_G;

export interface CpuOptions {
  cpuid?: CpuidModel;
  /** 'flat': linear = physical with per-page permissions; 'paged': 4-level paging through CR3 when CR0.PG = 1. */
  paging?: 'flat' | 'paged';
}

export class Cpu {
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  ripLo = 0;
  ripHi = 0;
  // Lazy arithmetic flags (see flags.ts).
  fRes = 0;
  fResHi = 0;
  fAux = 0;
  /** RFLAGS without the six arithmetic flags; bit 1 always set. */
  eflags = 2;
  cpl = 0;
  /** CS.L = 1: 64-bit code; otherwise compatibility mode (32-bit). */
  code64 = true;

  readonly segSel = new Int32Array(8);
  readonly segBaseLo = new Int32Array(8);
  readonly segBaseHi = new Int32Array(8);
  readonly segLimit = new Uint32Array(8);
  readonly segAttr = new Int32Array(8);

  gdtrBaseLo = 0;
  gdtrBaseHi = 0;
  gdtrLimit = 0xffff;
  idtrBaseLo = 0;
  idtrBaseHi = 0;
  idtrLimit = 0;

  cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG | (1 << 1) /* MP */;
  cr2Lo = 0;
  cr2Hi = 0;
  cr3Lo = 0;
  cr3Hi = 0;
  cr4 = 0x20 /* PAE */;
  cr8 = 0;
  efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
  xcr0 = 1;
  readonly dr: bigint[] = [0n, 0n, 0n, 0n, 0n, 0n, 0xffff0ff0n, 0x400n];
  /** x87/SSE state as its FXSAVE image (see exec/fpu.ts): FCW 0x37f, MXCSR 0x1f80 after reset. */
  readonly fxImage = new Uint8Array(512);

  // MSRs the instructions use directly, as halves.
  starLo = 0;
  starHi = 0;
  lstarLo = 0;
  lstarHi = 0;
  cstarLo = 0;
  cstarHi = 0;
  fmask = 0;
  kernelGsBaseLo = 0;
  kernelGsBaseHi = 0;
  sysenterCs = 0;
  sysenterEspLo = 0;
  sysenterEspHi = 0;
  sysenterEipLo = 0;
  sysenterEipHi = 0;
  tscAux = 0;
  /** Every other MSR that has been written, by index. */
  readonly msrs = new Map<number, bigint>();

  /** Instructions retired over the machine's life. The TSC is derived from it: deterministic. */
  instret = 0;
  tscOffset = 0n;
  tscPerInstruction = 1n;

  // Event state.
  /** NMIs are blocked from NMI delivery until the next IRET. */
  nmiBlocked = false;
  /** Maskable interrupts (and, after MOV SS, NMIs) are inhibited until instret reaches this. */
  inhibitUntil = -1;
  inhibitNmi = false;
  halted = false;

  /** Work the run loop must finish after an instruction returned ATTENTION (REQ_* in exec/system.ts). */
  req = 0;
  /** The record that posted req. */
  reqRec: unknown = null;

  /** Scratch: last effective address. */
  eaLo = 0;
  eaHi = 0;
  /** Scratch: high half of the last 64-bit operand value. */
  tHi = 0;

  readonly mmu: Mmu;
  readonly mem: PhysicalMemory;
  cpuid: CpuidModel;
  readonly paging: 'flat' | 'paged';

  /** Port I/O handlers (set by the machine). */
  portIn: (port: number, size: 1 | 2 | 4) => number = () => 0xffffffff;
  portOut: (port: number, size: 1 | 2 | 4, value: number) => void = () => {};

  constructor(mem: PhysicalMemory, options: CpuOptions = {}) {
    this.mem = mem;
    this.mmu = new Mmu(mem);
    this.cpuid = options.cpuid ?? new CpuidModel();
    this.paging = options.paging ?? 'flat';
    for (let i = 0; i < 6; i++) {
      this.segLimit[i] = 0xffffffff;
      this.segAttr[i] = i === CS ? ATTR_CODE64_DPL0 : ATTR_DATA_DPL0;
    }
    this.segLimit[7] = 0x67;
    this.segAttr[7] = 0xb | ATTR_P; // busy 64-bit TSS
    this.segLimit[6] = 0;
    this.segAttr[6] = 0x2; // LDT, not present
    const fx = new DataView(this.fxImage.buffer);
    fx.setUint16(0, 0x37f, true);
    fx.setUint32(24, 0x1f80, true);
    fx.setUint32(28, 0xffff, true);
    this.updateMmu();
  }

  // ---- RFLAGS -----------------------------------------------------------------------------------

  getRflags(): number {
    return (this.eflags | getArithFlags(this)) >>> 0;
  }

  /** Load RFLAGS without privilege checks (the caller decides which bits may change). */
  setRflags(v: number): void {
    const acBefore = this.eflags & AC;
    this.eflags = ((v & RFLAGS_VALID & ~ARITH_FLAGS) | 2) >>> 0;
    setArithFlags(this, v);
    if ((this.eflags & AC) !== acBefore) this.updateMmu();
  }

  get iopl(): number {
    return (this.eflags >>> 12) & 3;
  }

  get tf(): boolean {
    return (this.eflags & TF) !== 0;
  }

  clearRF(): void {
    this.eflags &= ~RF;
  }

  // ---- privilege and translation context ---------------------------------------------------------

  /** Set CS from explicit values and derive CPL and the code size from it. */
  loadCs(selector: number, baseLo: number, baseHi: number, limit: number, attr: number, cpl: number): void {
    this.segSel[CS] = selector & 0xffff;
    this.segBaseLo[CS] = baseLo;
    this.segBaseHi[CS] = baseHi;
    this.segLimit[CS] = limit >>> 0;
    this.segAttr[CS] = attr;
    this.code64 = (attr & ATTR_L) !== 0 && (this.efer & EFER_LMA) !== 0;
    this.setCpl(cpl);
  }

  setCpl(cpl: number): void {
    this.cpl = cpl & 3;
    this.updateMmu();
  }

  /** Push CPL, CR0.WP, CR3, CR4.SMEP/SMAP, EFER.NXE and RFLAGS.AC into the MMU. */
  updateMmu(): void {
    const m = this.mmu;
    m.user = this.cpl === 3;
    m.wp = (this.cr0 & CR0_WP) !== 0;
    m.smep = (this.cr4 & CR4_SMEP) !== 0;
    m.smap = (this.cr4 & CR4_SMAP) !== 0;
    m.nxe = (this.efer & EFER_NXE) !== 0;
    m.ac = (this.eflags & AC) !== 0;
    const paged = this.paging === 'paged' && (this.cr0 & CR0_PG) !== 0;
    if (paged !== m.paged || m.cr3Lo !== this.cr3Lo || m.cr3Hi !== this.cr3Hi) {
      m.paged = paged;
      m.cr3Lo = this.cr3Lo;
      m.cr3Hi = this.cr3Hi;
      if (this.paging === 'paged') m.flush();
    }
    m.selectContext();
  }

  // ---- segments -----------------------------------------------------------------------------------

  /** Linear base to add for a segment in the current mode: only FS/GS in 64-bit mode. */
  segmentBaseApplies(seg: number): boolean {
    return !this.code64 || seg >= 4;
  }

  // ---- TSC -------------------------------------------------------------------------------------------

  get tsc(): bigint {
    return BigInt.asUintN(64, this.tscOffset + BigInt(this.instret) * this.tscPerInstruction);
  }

  set tsc(v: bigint) {
    this.tscOffset = v - BigInt(this.instret) * this.tscPerInstruction;
  }
}

/** EFER bits software may set. */
export const EFER_WRITABLE = EFER_SCE | EFER_LME | EFER_NXE;

export function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function halves(v: bigint): [number, number] {
  const x = BigInt.asUintN(64, v);
  return [Number(x & 0xffffffffn) | 0, Number(x >> 32n) | 0];
}

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
  // Lazy arithmetic flags (see flags.ts); a non-zero result so RFLAGS reads 0x2 at reset.
  fRes = 1;
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

  // ---- snapshots --------------------------------------------------------------------------------------

  /** Everything architectural, copied (memory and the MMU's TLBs excepted). */
  saveState(): CpuState {
    return {
      ripLo: this.ripLo,
      ripHi: this.ripHi,
      fRes: this.fRes,
      fResHi: this.fResHi,
      fAux: this.fAux,
      eflags: this.eflags,
      cpl: this.cpl,
      code64: this.code64,
      gdtrBaseLo: this.gdtrBaseLo,
      gdtrBaseHi: this.gdtrBaseHi,
      gdtrLimit: this.gdtrLimit,
      idtrBaseLo: this.idtrBaseLo,
      idtrBaseHi: this.idtrBaseHi,
      idtrLimit: this.idtrLimit,
      cr0: this.cr0,
      cr2Lo: this.cr2Lo,
      cr2Hi: this.cr2Hi,
      cr3Lo: this.cr3Lo,
      cr3Hi: this.cr3Hi,
      cr4: this.cr4,
      cr8: this.cr8,
      efer: this.efer,
      xcr0: this.xcr0,
      starLo: this.starLo,
      starHi: this.starHi,
      lstarLo: this.lstarLo,
      lstarHi: this.lstarHi,
      cstarLo: this.cstarLo,
      cstarHi: this.cstarHi,
      fmask: this.fmask,
      kernelGsBaseLo: this.kernelGsBaseLo,
      kernelGsBaseHi: this.kernelGsBaseHi,
      sysenterCs: this.sysenterCs,
      sysenterEspLo: this.sysenterEspLo,
      sysenterEspHi: this.sysenterEspHi,
      sysenterEipLo: this.sysenterEipLo,
      sysenterEipHi: this.sysenterEipHi,
      tscAux: this.tscAux,
      instret: this.instret,
      tscOffset: this.tscOffset,
      tscPerInstruction: this.tscPerInstruction,
      nmiBlocked: this.nmiBlocked,
      inhibitUntil: this.inhibitUntil,
      inhibitNmi: this.inhibitNmi,
      halted: this.halted,
      lo: new Int32Array(this.lo),
      hi: new Int32Array(this.hi),
      segSel: new Int32Array(this.segSel),
      segBaseLo: new Int32Array(this.segBaseLo),
      segBaseHi: new Int32Array(this.segBaseHi),
      segLimit: new Uint32Array(this.segLimit),
      segAttr: new Int32Array(this.segAttr),
      dr: [...this.dr],
      fxImage: new Uint8Array(this.fxImage),
      msrs: new Map(this.msrs),
    };
  }

  loadState(s: CpuState): void {
    this.ripLo = s.ripLo;
    this.ripHi = s.ripHi;
    this.fRes = s.fRes;
    this.fResHi = s.fResHi;
    this.fAux = s.fAux;
    this.eflags = s.eflags;
    this.cpl = s.cpl;
    this.code64 = s.code64;
    this.gdtrBaseLo = s.gdtrBaseLo;
    this.gdtrBaseHi = s.gdtrBaseHi;
    this.gdtrLimit = s.gdtrLimit;
    this.idtrBaseLo = s.idtrBaseLo;
    this.idtrBaseHi = s.idtrBaseHi;
    this.idtrLimit = s.idtrLimit;
    this.cr0 = s.cr0;
    this.cr2Lo = s.cr2Lo;
    this.cr2Hi = s.cr2Hi;
    this.cr3Lo = s.cr3Lo;
    this.cr3Hi = s.cr3Hi;
    this.cr4 = s.cr4;
    this.cr8 = s.cr8;
    this.efer = s.efer;
    this.xcr0 = s.xcr0;
    this.starLo = s.starLo;
    this.starHi = s.starHi;
    this.lstarLo = s.lstarLo;
    this.lstarHi = s.lstarHi;
    this.cstarLo = s.cstarLo;
    this.cstarHi = s.cstarHi;
    this.fmask = s.fmask;
    this.kernelGsBaseLo = s.kernelGsBaseLo;
    this.kernelGsBaseHi = s.kernelGsBaseHi;
    this.sysenterCs = s.sysenterCs;
    this.sysenterEspLo = s.sysenterEspLo;
    this.sysenterEspHi = s.sysenterEspHi;
    this.sysenterEipLo = s.sysenterEipLo;
    this.sysenterEipHi = s.sysenterEipHi;
    this.tscAux = s.tscAux;
    this.instret = s.instret;
    this.tscOffset = s.tscOffset;
    this.tscPerInstruction = s.tscPerInstruction;
    this.nmiBlocked = s.nmiBlocked;
    this.inhibitUntil = s.inhibitUntil;
    this.inhibitNmi = s.inhibitNmi;
    this.halted = s.halted;
    this.lo.set(s.lo);
    this.hi.set(s.hi);
    this.segSel.set(s.segSel);
    this.segBaseLo.set(s.segBaseLo);
    this.segBaseHi.set(s.segBaseHi);
    this.segLimit.set(s.segLimit);
    this.segAttr.set(s.segAttr);
    for (let i = 0; i < 8; i++) this.dr[i] = s.dr[i];
    this.fxImage.set(s.fxImage);
    this.msrs.clear();
    for (const [k, v] of s.msrs) this.msrs.set(k, v);
    this.req = 0;
    this.updateMmu();
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

/** A saved CPU (see Cpu.saveState). */
export interface CpuState {
  ripLo: Cpu['ripLo'];
  ripHi: Cpu['ripHi'];
  fRes: Cpu['fRes'];
  fResHi: Cpu['fResHi'];
  fAux: Cpu['fAux'];
  eflags: Cpu['eflags'];
  cpl: Cpu['cpl'];
  code64: Cpu['code64'];
  gdtrBaseLo: Cpu['gdtrBaseLo'];
  gdtrBaseHi: Cpu['gdtrBaseHi'];
  gdtrLimit: Cpu['gdtrLimit'];
  idtrBaseLo: Cpu['idtrBaseLo'];
  idtrBaseHi: Cpu['idtrBaseHi'];
  idtrLimit: Cpu['idtrLimit'];
  cr0: Cpu['cr0'];
  cr2Lo: Cpu['cr2Lo'];
  cr2Hi: Cpu['cr2Hi'];
  cr3Lo: Cpu['cr3Lo'];
  cr3Hi: Cpu['cr3Hi'];
  cr4: Cpu['cr4'];
  cr8: Cpu['cr8'];
  efer: Cpu['efer'];
  xcr0: Cpu['xcr0'];
  starLo: Cpu['starLo'];
  starHi: Cpu['starHi'];
  lstarLo: Cpu['lstarLo'];
  lstarHi: Cpu['lstarHi'];
  cstarLo: Cpu['cstarLo'];
  cstarHi: Cpu['cstarHi'];
  fmask: Cpu['fmask'];
  kernelGsBaseLo: Cpu['kernelGsBaseLo'];
  kernelGsBaseHi: Cpu['kernelGsBaseHi'];
  sysenterCs: Cpu['sysenterCs'];
  sysenterEspLo: Cpu['sysenterEspLo'];
  sysenterEspHi: Cpu['sysenterEspHi'];
  sysenterEipLo: Cpu['sysenterEipLo'];
  sysenterEipHi: Cpu['sysenterEipHi'];
  tscAux: Cpu['tscAux'];
  instret: Cpu['instret'];
  tscOffset: Cpu['tscOffset'];
  tscPerInstruction: Cpu['tscPerInstruction'];
  nmiBlocked: Cpu['nmiBlocked'];
  inhibitUntil: Cpu['inhibitUntil'];
  inhibitNmi: Cpu['inhibitNmi'];
  halted: Cpu['halted'];
  lo: Int32Array;
  hi: Int32Array;
  segSel: Int32Array;
  segBaseLo: Int32Array;
  segBaseHi: Int32Array;
  segLimit: Uint32Array;
  segAttr: Int32Array;
  dr: bigint[];
  fxImage: Uint8Array;
  msrs: Map<number, bigint>;
}

// System instructions: SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS, IRET, INT n/INT3/INTO/INT1,
// CLI/STI, HLT, RDMSR/WRMSR, MOV CR/DR, CPUID, RDTSC(P)/RDPID, descriptor tables, segment loads,
// far transfers, SMAP, FS/GS base, XGETBV/XSETBV, port I/O. Rules follow the Intel SDM vol. 2;
// privileged ones raise #GP(0) at CPL > 0. Anything that changes privilege, IF/TF or translation
// returns ATTENTION so the run loop re-examines the machine.
import type { Cpu } from '../cpu/state.js';
import { ATTR_CODE64_DPL0, ATTR_DATA_DPL0, ATTR_DB, ATTR_G, ATTR_L, ATTR_P, ATTR_S, EFER_WRITABLE, RFLAGS_VALID } from '../cpu/state.js';
import { BP, CpuException, DB, GP, OVF, SS_FAULT, UD } from '../cpu/fault.js';
import { getArithFlags, setArithFlags } from '../cpu/flags.js';
import { EV_ICEBP, EV_SOFTWARE } from '../cpu/exceptions.js';
import {
  AC, ARITH_FLAGS, CR0_PE, CR0_PG, CR0_TS, CR4_FSGSBASE, CR4_OSXSAVE, CR4_TSD, CR4_UMIP, CS, DS, EFER_LMA, EFER_LME, EFER_SCE, ES, FS, GS,
  ID, IF, IOPL_MASK, LDTR, NT, R11, RAX, RCX, RDX, RF, RSP, SS, TF, TR, VIF, VIP, VM, ZF, DF,
} from '../cpu/registers.js';
import { attrDpl, checkCodeSegment, isCode, isData, isPresent, loadDataSegment, loadLdt, loadTaskRegister, readDescriptor, setAccessed, setSegment } from '../cpu/segments.js';
import { ATTENTION, type Rec } from '../decode/record.js';
import { ea, eaPlus, getReg, readMem, setReg, writeMem } from './operands.js';
import { adjustSp, peek, push } from './stack.js';
import { checkIo } from './string.js';

/** Requests a handler leaves for the run loop (c.req), completed with exact instruction counts. */
export const REQ_TSC = 1; // rdtsc / rdtscp / rdmsr(TSC): fill in the time stamp
export const REQ_SHADOW = 2; // STI: inhibit interrupts for one instruction
export const REQ_SHADOW_SS = 4; // MOV/POP SS: inhibit interrupts, NMI and #DB for one instruction
export const REQ_FLUSH_CODE = 8; // translation changed: drop decoded instructions
export const REQ_HALT = 16;

export const MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_PAT = 0x277;
export const MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083, MSR_FMASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101, MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103;

const gp0 = (detail: string) => new CpuException(GP, 0, 0, 0, detail);
const ud = (detail: string) => new CpuException(UD, 0, 0, 0, detail);

function privileged(c: Cpu, what: string): void {
  if (c.cpl !== 0) throw gp0(`${what} at CPL ${c.cpl}`);
}

function canonical(hi: number): boolean {
  return (hi << 16) >> 16 === hi;
}

function attention(c: Cpu, r: Rec, req = 0): Rec {
  c.ripLo = r.nextLo;
  c.ripHi = r.nextHi;
  c.req |= req;
  if (req !== 0) c.reqRec = r;
  return ATTENTION;
}

const USER_CODE64 = 0xb | ATTR_S | (3 << 5) | ATTR_P | ATTR_L | ATTR_G;
const USER_CODE32 = 0xb | ATTR_S | (3 << 5) | ATTR_P | ATTR_DB | ATTR_G;
const USER_DATA = 0x3 | ATTR_S | (3 << 5) | ATTR_P | ATTR_DB | ATTR_G;

// ---- SYSCALL / SYSRET -------------------------------------------------------------------------------

export function syscall(c: Cpu, r: Rec): Rec {
  if ((c.efer & EFER_SCE) === 0) throw ud('SYSCALL with EFER.SCE = 0');
  if (!c.code64 && c.cpuid.vendor === 'intel') throw ud('SYSCALL outside 64-bit mode (Intel)');
  const flags = c.getRflags();
  c.lo[RCX] = r.nextLo;
  c.hi[RCX] = r.nextHi;
  c.lo[R11] = flags & ~RF;
  c.hi[R11] = 0;
  const sel = c.starHi & 0xffff;
  const compat = !c.code64;
  c.loadCs(sel & 0xfffc, 0, 0, 0xffffffff, ATTR_CODE64_DPL0, 0);
  setSegment(c, SS, (sel + 8) & 0xffff, 0, 0, 0xffffffff, ATTR_DATA_DPL0);
  c.setRflags(flags & ~c.fmask & ~RF);
  c.ripLo = compat ? c.cstarLo : c.lstarLo;
  c.ripHi = compat ? c.cstarHi : c.lstarHi;
  return ATTENTION;
}

export function sysret(c: Cpu, r: Rec): Rec {
  if ((c.efer & EFER_SCE) === 0) throw ud('SYSRET with EFER.SCE = 0');
  if (!c.code64) throw ud('SYSRET outside 64-bit mode');
  privileged(c, 'SYSRET');
  const to64 = r.size === 8;
  const ripLo = c.lo[RCX];
  let ripHi = c.hi[RCX];
  if (to64) {
    if (!canonical(ripHi) && c.cpuid.vendor === 'intel') throw gp0(`SYSRET to non-canonical RCX 0x${hex(ripLo, ripHi)}`);
  } else ripHi = 0;
  const sel = c.starHi >>> 16;
  if (to64) c.loadCs(((sel + 16) | 3) & 0xffff, 0, 0, 0xffffffff, USER_CODE64, 3);
  else c.loadCs((sel | 3) & 0xffff, 0, 0, 0xffffffff, USER_CODE32, 3);
  setSegment(c, SS, ((sel + 8) | 3) & 0xffff, 0, 0, 0xffffffff, USER_DATA);
  c.setRflags((c.lo[R11] & 0x3c7fd7) | 2);
  c.ripLo = ripLo;
  c.ripHi = ripHi;
  return ATTENTION;
}

// ---- SYSENTER / SYSEXIT -------------------------------------------------------------------------------

export function sysenter(c: Cpu, r: Rec): Rec {
  void r;
  if (c.cpuid.vendor === 'amd') throw ud('SYSENTER in long mode (AMD)');
  if ((c.cr0 & CR0_PE) === 0 || (c.sysenterCs & 0xfffc) === 0) throw gp0('SYSENTER with IA32_SYSENTER_CS = 0');
  const flags = c.getRflags();
  c.setRflags(flags & ~(VM | IF | RF));
  const sel = c.sysenterCs & 0xfffc;
  c.loadCs(sel, 0, 0, 0xffffffff, ATTR_CODE64_DPL0, 0);
  setSegment(c, SS, (sel + 8) & 0xffff, 0, 0, 0xffffffff, ATTR_DATA_DPL0);
  c.lo[RSP] = c.sysenterEspLo;
  c.hi[RSP] = c.sysenterEspHi;
  c.ripLo = c.sysenterEipLo;
  c.ripHi = c.sysenterEipHi;
  return ATTENTION;
}

export function sysexit(c: Cpu, r: Rec): Rec {
  if ((c.cr0 & CR0_PE) === 0 || (c.sysenterCs & 0xfffc) === 0) throw gp0('SYSEXIT with IA32_SYSENTER_CS = 0');
  privileged(c, 'SYSEXIT');
  const base = c.sysenterCs;
  if (r.size === 8) {
    if (!canonical(c.hi[RDX]) || !canonical(c.hi[RCX])) throw gp0('SYSEXIT to a non-canonical RDX/RCX');
    c.loadCs(((base + 32) | 3) & 0xffff, 0, 0, 0xffffffff, USER_CODE64, 3);
    setSegment(c, SS, ((base + 40) | 3) & 0xffff, 0, 0, 0xffffffff, USER_DATA);
    c.ripLo = c.lo[RDX];
    c.ripHi = c.hi[RDX];
    c.lo[RSP] = c.lo[RCX];
    c.hi[RSP] = c.hi[RCX];
  } else {
    c.loadCs(((base + 16) | 3) & 0xffff, 0, 0, 0xffffffff, USER_CODE32, 3);
    setSegment(c, SS, ((base + 24) | 3) & 0xffff, 0, 0, 0xffffffff, USER_DATA);
    c.ripLo = c.lo[RDX];
    c.ripHi = 0;
    c.lo[RSP] = c.lo[RCX];
    c.hi[RSP] = 0;
  }
  return ATTENTION;
}

export function swapgs(c: Cpu, r: Rec): Rec {
  if (!c.code64) throw ud('SWAPGS outside 64-bit mode');
  privileged(c, 'SWAPGS');
  const lo = c.segBaseLo[GS], hi = c.segBaseHi[GS];
  c.segBaseLo[GS] = c.kernelGsBaseLo;
  c.segBaseHi[GS] = c.kernelGsBaseHi;
  c.kernelGsBaseLo = lo;
  c.kernelGsBaseHi = hi;
  return r.next;
}

// ---- IRET -----------------------------------------------------------------------------------------------

/** RFLAGS bits IRET may load, from the privilege level it runs at. */
function iretFlags(c: Cpu, image: number, size: number): number {
  const old = c.getRflags();
  let changeable = ARITH_FLAGS | TF | DF | NT | RF | AC | ID | IF | IOPL_MASK | VIF | VIP;
  if (c.cpl > 0) changeable &= ~(IOPL_MASK | VIF | VIP);
  if (c.cpl > c.iopl) changeable &= ~IF;
  if (size === 2) changeable &= 0xffff;
  return (((old & ~changeable) | (image & changeable)) & RFLAGS_VALID & ~VM) | 2;
}

export function iret(c: Cpu, r: Rec): Rec {
  const size = r.size;
  // IRET unblocks NMIs even when it then faults (SDM vol. 3A 6.7.1).
  c.nmiBlocked = false;
  if (c.code64 && (c.eflags & NT) !== 0) throw gp0('IRET with NT set in IA-32e mode');
  const ripLo = peek(c, size, 0);
  const ripHi = size === 8 ? c.tHi : 0;
  const csSel = peek(c, size, size) & 0xffff;
  const image = peek(c, size, 2 * size);
  const rpl = csSel & 3;
  if ((csSel & 0xfffc) === 0) throw gp0('IRET to a null CS');
  if (rpl < c.cpl) throw new CpuException(GP, csSel & 0xfffc, 0, 0, `IRET to CS 0x${csSel.toString(16)} with RPL ${rpl} < CPL ${c.cpl}`);
  const cs = readDescriptor(c, csSel);
  checkCodeSegment(c, csSel, cs, rpl);
  const target64 = (cs.attr & ATTR_L) !== 0;
  let newRipLo = ripLo, newRipHi = ripHi;
  if (!target64) {
    newRipHi = 0;
    if (size === 2) newRipLo &= 0xffff;
    if ((newRipLo >>> 0) > cs.limit) throw gp0(`IRET: EIP 0x${(newRipLo >>> 0).toString(16)} beyond CS limit`);
  } else if (!canonical(newRipHi)) throw gp0(`IRET to non-canonical RIP 0x${hex(newRipLo, newRipHi)}`);
  const popsStack = c.code64 || rpl > c.cpl;
  let ssSel = c.segSel[SS], spLo = 0, spHi = 0;
  let ssDesc: ReturnType<typeof readDescriptor> | null = null;
  if (popsStack) {
    spLo = peek(c, size, 3 * size);
    spHi = size === 8 ? c.tHi : 0;
    ssSel = peek(c, size, 4 * size) & 0xffff;
    if ((ssSel & 0xfffc) === 0) {
      if (!(target64 && rpl !== 3)) throw gp0('IRET pops a null SS');
    } else {
      if ((ssSel & 3) !== rpl) throw new CpuException(GP, ssSel & 0xfffc, 0, 0, `IRET: SS RPL ${ssSel & 3} != CS RPL ${rpl}`);
      ssDesc = readDescriptor(c, ssSel);
      if (!isData(ssDesc.attr) || (ssDesc.attr & 2) === 0 || attrDpl(ssDesc.attr) !== rpl) throw new CpuException(GP, ssSel & 0xfffc, 0, 0, `IRET: SS 0x${ssSel.toString(16)} is not a writable data segment of DPL ${rpl}`);
      if (!isPresent(ssDesc.attr)) throw new CpuException(SS_FAULT, ssSel & 0xfffc, 0, 0, 'IRET: SS not present');
    }
  }
  // Commit.
  const newFlags = iretFlags(c, image, size);
  const oldCpl = c.cpl;
  setAccessed(c, cs);
  c.loadCs(csSel, cs.baseLo, 0, cs.limit, cs.attr | 1, rpl);
  c.ripLo = newRipLo;
  c.ripHi = newRipHi;
  if (popsStack) {
    if (ssDesc) {
      setAccessed(c, ssDesc);
      setSegment(c, SS, ssSel, ssDesc.baseLo, 0, ssDesc.limit, ssDesc.attr);
    } else setSegment(c, SS, ssSel, 0, 0, 0, (rpl << 5) | ATTR_DB);
    c.lo[RSP] = spLo;
    c.hi[RSP] = target64 ? spHi : 0;
  } else adjustSp(c, 3 * size);
  // Saved with the old CPL's rules, applied after the switch.
  const acBefore = c.eflags & AC;
  c.eflags = (newFlags & ~ARITH_FLAGS) | 2;
  setArithFlags(c, newFlags);
  if ((c.eflags & AC) !== acBefore) c.updateMmu();
  if (rpl > oldCpl) {
    // Data segments the outer level may not use are nulled.
    for (const seg of [ES, DS, FS, GS]) {
      const a = c.segAttr[seg];
      if ((c.segSel[seg] & 0xfffc) === 0) continue;
      const conformingCode = isCode(a) && (a & 4) !== 0;
      if ((isData(a) || !conformingCode) && attrDpl(a) < rpl) {
        c.segSel[seg] = 0;
        c.segAttr[seg] = 0;
      }
    }
  }
  return ATTENTION;
}

// ---- software interrupts -----------------------------------------------------------------------------

/** int imm8 (aux = vector), int3 (aux 3), into (aux 4 with cc), int1 (aux 1). */
export function intN(c: Cpu, r: Rec): Rec {
  c.ripLo = r.nextLo;
  c.ripHi = r.nextHi;
  throw new CpuException(r.immLo & 0xff, -1, 0, 0, `int $0x${(r.immLo & 0xff).toString(16)}`, EV_SOFTWARE);
}

export function int3(c: Cpu, r: Rec): Rec {
  c.ripLo = r.nextLo;
  c.ripHi = r.nextHi;
  throw new CpuException(BP, -1, 0, 0, 'int3', EV_SOFTWARE);
}

export function int1(c: Cpu, r: Rec): Rec {
  c.ripLo = r.nextLo;
  c.ripHi = r.nextHi;
  throw new CpuException(DB, -1, 0, 0, 'int1', EV_ICEBP);
}

export function into(c: Cpu, r: Rec): Rec {
  if (c.code64) throw ud('INTO in 64-bit mode');
  if (((c.fAux >>> 31) ^ (c.fAux >>> 30)) & 1) {
    c.ripLo = r.nextLo;
    c.ripHi = r.nextHi;
    throw new CpuException(OVF, -1, 0, 0, 'into', EV_SOFTWARE);
  }
  return r.next;
}

export function undefinedOpcode(_c: Cpu, r: Rec): Rec {
  void r;
  throw ud('invalid or unsupported instruction');
}

// ---- CLI / STI / HLT ----------------------------------------------------------------------------------

export function cli(c: Cpu, r: Rec): Rec {
  if (c.cpl > c.iopl) throw gp0(`CLI at CPL ${c.cpl} > IOPL ${c.iopl}`);
  c.eflags &= ~IF;
  return r.next;
}

export function sti(c: Cpu, r: Rec): Rec {
  if (c.cpl > c.iopl) throw gp0(`STI at CPL ${c.cpl} > IOPL ${c.iopl}`);
  const wasSet = (c.eflags & IF) !== 0;
  c.eflags |= IF;
  return attention(c, r, wasSet ? 0 : REQ_SHADOW);
}

export function hlt(c: Cpu, r: Rec): Rec {
  privileged(c, 'HLT');
  return attention(c, r, REQ_HALT);
}

// ---- MSRs -----------------------------------------------------------------------------------------------

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function hex(lo: number, hi: number): string {
  return big(lo, hi).toString(16);
}

/** Read an MSR as (lo, hi); #GP(0) for MSRs that do not exist. */
export function readMsr(c: Cpu, msr: number): [number, number] {
  const index = msr >>> 0;
  switch (index) {
    case MSR_TSC: {
      const t = c.tsc;
      return [Number(t & 0xffffffffn) | 0, Number(t >> 32n) | 0];
    }
    case MSR_SYSENTER_CS: return [c.sysenterCs, 0];
    case MSR_SYSENTER_ESP: return [c.sysenterEspLo, c.sysenterEspHi];
    case MSR_SYSENTER_EIP: return [c.sysenterEipLo, c.sysenterEipHi];
    case MSR_EFER: return [c.efer, 0];
    case MSR_STAR: return [c.starLo, c.starHi];
    case MSR_LSTAR: return [c.lstarLo, c.lstarHi];
    case MSR_CSTAR: return [c.cstarLo, c.cstarHi];
    case MSR_FMASK: return [c.fmask, 0];
    case MSR_FS_BASE: return [c.segBaseLo[FS], c.segBaseHi[FS]];
    case MSR_GS_BASE: return [c.segBaseLo[GS], c.segBaseHi[GS]];
    case MSR_KERNEL_GS_BASE: return [c.kernelGsBaseLo, c.kernelGsBaseHi];
    case MSR_TSC_AUX: return [c.tscAux, 0];
    default: {
      const v = c.msrs.get(index >>> 0);
      if (v === undefined) {
        if (index === MSR_APIC_BASE) return [0xfee00900 | 0, 0];
        if (index === MSR_PAT) return [0x07040600, 0x00070406];
        throw gp0(`RDMSR of unknown MSR 0x${(index >>> 0).toString(16)}`);
      }
      return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
    }
  }
}

/** Write an MSR; #GP(0) for non-canonical bases, reserved EFER bits and unknown MSRs (unless known). */
export function writeMsr(c: Cpu, msr: number, lo: number, hi: number, allowUnknown: boolean): void {
  const index = msr >>> 0;
  const needCanonical = () => {
    if (!canonical(hi)) throw gp0(`WRMSR 0x${(index >>> 0).toString(16)} with non-canonical value 0x${hex(lo, hi)}`);
  };
  switch (index) {
    case MSR_TSC:
      c.tsc = big(lo, hi);
      return;
    case MSR_SYSENTER_CS: c.sysenterCs = lo & 0xffff; return;
    case MSR_SYSENTER_ESP: needCanonical(); c.sysenterEspLo = lo; c.sysenterEspHi = hi; return;
    case MSR_SYSENTER_EIP: needCanonical(); c.sysenterEipLo = lo; c.sysenterEipHi = hi; return;
    case MSR_EFER: {
      if (hi !== 0 || (lo & ~(EFER_WRITABLE | EFER_LMA)) !== 0) throw gp0(`WRMSR EFER with reserved bits 0x${hex(lo, hi)}`);
      if (((lo ^ c.efer) & EFER_LME) !== 0 && (c.cr0 & CR0_PG) !== 0) throw gp0('WRMSR EFER: changing LME with paging enabled');
      c.efer = (lo & EFER_WRITABLE) | (c.efer & EFER_LMA);
      c.updateMmu();
      return;
    }
    case MSR_STAR: c.starLo = lo; c.starHi = hi; return;
    case MSR_LSTAR: needCanonical(); c.lstarLo = lo; c.lstarHi = hi; return;
    case MSR_CSTAR: needCanonical(); c.cstarLo = lo; c.cstarHi = hi; return;
    case MSR_FMASK: c.fmask = lo; return;
    case MSR_FS_BASE: needCanonical(); c.segBaseLo[FS] = lo; c.segBaseHi[FS] = hi; return;
    case MSR_GS_BASE: needCanonical(); c.segBaseLo[GS] = lo; c.segBaseHi[GS] = hi; return;
    case MSR_KERNEL_GS_BASE: needCanonical(); c.kernelGsBaseLo = lo; c.kernelGsBaseHi = hi; return;
    case MSR_TSC_AUX: c.tscAux = lo; return;
    default:
      if (!allowUnknown && !c.msrs.has(index >>> 0) && index !== MSR_APIC_BASE && index !== MSR_PAT) throw gp0(`WRMSR to unknown MSR 0x${(index >>> 0).toString(16)}`);
      c.msrs.set(index >>> 0, big(lo, hi));
  }
}

export function rdmsr(c: Cpu, r: Rec): Rec {
  privileged(c, 'RDMSR');
  const index = c.lo[RCX] >>> 0;
  if (index === MSR_TSC) return attention(c, r, REQ_TSC);
  const [lo, hi] = readMsr(c, index);
  setReg(c, RAX, 4, lo, 0);
  setReg(c, RDX, 4, hi, 0);
  return r.next;
}

export function wrmsr(c: Cpu, r: Rec): Rec {
  privileged(c, 'WRMSR');
  writeMsr(c, c.lo[RCX] >>> 0, c.lo[RAX], c.lo[RDX], false);
  return attention(c, r, REQ_FLUSH_CODE);
}

/** Finish rdtsc / rdtscp / rdmsr(TSC) once the run loop knows the exact retired count. */
export function completeTsc(c: Cpu, r: Rec, instretBefore: number): void {
  const t = BigInt.asUintN(64, c.tscOffset + BigInt(instretBefore) * c.tscPerInstruction);
  setReg(c, RAX, 4, Number(t & 0xffffffffn) | 0, 0);
  setReg(c, RDX, 4, Number(t >> 32n) | 0, 0);
  if (r.aux === 1) setReg(c, RCX, 4, c.tscAux, 0);
}

export function rdtsc(c: Cpu, r: Rec): Rec {
  if ((c.cr4 & CR4_TSD) !== 0 && c.cpl !== 0) throw gp0('RDTSC at CPL > 0 with CR4.TSD');
  return attention(c, r, REQ_TSC);
}

/** rdpmc: no performance counters are modelled, so every counter index is invalid: #GP(0). */
export function rdpmc(c: Cpu, r: Rec): Rec {
  void r;
  if (c.cpl > 0 && (c.cr4 & 0x100) === 0) throw gp0('RDPMC at CPL > 0 with CR4.PCE = 0');
  throw gp0(`RDPMC of counter 0x${(c.lo[RCX] >>> 0).toString(16)}: no performance counters`);
}

export function rdpid(c: Cpu, r: Rec): Rec {
  setReg(c, r.r0, 8, c.tscAux, 0);
  return r.next;
}

// ---- control and debug registers ---------------------------------------------------------------------------

const CR4_KNOWN = 0x007f07ff | (1 << 23);

/** mov crN, r (aux = N) and mov r, crN (r.r0 = GPR; r.imm2 = 1 for reads). */
export function movCr(c: Cpu, r: Rec): Rec {
  privileged(c, 'MOV CR');
  const n = r.aux;
  const reg = r.r0;
  if (r.imm2 === 1) {
    let lo = 0, hi = 0;
    switch (n) {
      case 0: lo = c.cr0; break;
      case 2: lo = c.cr2Lo; hi = c.cr2Hi; break;
      case 3: lo = c.cr3Lo; hi = c.cr3Hi; break;
      case 4: lo = c.cr4; break;
      case 8: lo = c.cr8; break;
      default: throw ud(`MOV from CR${n}`);
    }
    setReg(c, reg, 8, lo, hi);
    return r.next;
  }
  const lo = c.lo[reg], hi = c.hi[reg];
  switch (n) {
    case 0:
      if (hi !== 0) throw gp0('MOV CR0 with bits 63:32 set');
      if ((lo & CR0_PG) !== 0 && (lo & CR0_PE) === 0) throw gp0('MOV CR0: PG without PE');
      if ((c.efer & EFER_LMA) !== 0 && (lo & CR0_PG) === 0) throw gp0('MOV CR0: clearing PG in IA-32e mode is not supported');
      c.cr0 = lo | 0x10; // ET is fixed
      break;
    case 2: c.cr2Lo = lo; c.cr2Hi = hi; return r.next;
    case 3:
      c.cr3Lo = lo;
      c.cr3Hi = hi & 0x7fffffff; // bit 63 (PCID no-flush) is not stored
      break;
    case 4:
      if (hi !== 0 || (lo & ~CR4_KNOWN) !== 0) throw gp0(`MOV CR4 with reserved bits 0x${hex(lo, hi)}`);
      if ((lo & 0x20) === 0 && (c.efer & EFER_LMA) !== 0) throw gp0('MOV CR4: clearing PAE in IA-32e mode');
      c.cr4 = lo;
      break;
    case 8:
      if (hi !== 0 || (lo & ~15) !== 0) throw gp0('MOV CR8 with reserved bits');
      c.cr8 = lo;
      return r.next;
    default:
      throw ud(`MOV to CR${n}`);
  }
  c.updateMmu();
  return attention(c, r, REQ_FLUSH_CODE);
}

/** mov drN, r / mov r, drN (aux = N, imm2 = 1 for reads). */
export function movDr(c: Cpu, r: Rec): Rec {
  privileged(c, 'MOV DR');
  let n = r.aux;
  if (n === 4 || n === 5) {
    if ((c.cr4 & 8) !== 0) throw ud(`MOV DR${n} with CR4.DE`);
    n += 2;
  }
  if (r.imm2 === 1) {
    const v = c.dr[n];
    setReg(c, r.r0, 8, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
  } else {
    const lo = c.lo[r.r0], hi = c.hi[r.r0];
    if ((n === 6 || n === 7) && hi !== 0) throw gp0(`MOV DR${n} with bits 63:32 set`);
    c.dr[n] = n === 6 ? big(lo | 0xffff0ff0, 0) : n === 7 ? big((lo | 0x400) & ~0x1000, 0) : big(lo, hi);
  }
  return r.next;
}

export function clts(c: Cpu, r: Rec): Rec {
  privileged(c, 'CLTS');
  c.cr0 &= ~CR0_TS;
  return r.next;
}

/** smsw r/m: low bits of CR0 (UMIP blocks it at CPL > 0). */
export function smsw(c: Cpu, r: Rec): Rec {
  if (c.cpl > 0 && (c.cr4 & CR4_UMIP) !== 0) throw gp0('SMSW at CPL > 0 with CR4.UMIP');
  if (r.mKind === 0) setReg(c, r.r0, r.size, c.cr0, 0);
  else {
    ea(c, r);
    writeMem(c, 2, c.cr0 & 0xffff, 0);
  }
  return r.next;
}

export function lmsw(c: Cpu, r: Rec): Rec {
  privileged(c, 'LMSW');
  let v: number;
  if (r.mKind === 0) v = getReg(c, r.r0, 2);
  else {
    ea(c, r);
    v = readMem(c, 2);
  }
  // LMSW can set PE but never clear it; it loads MP, EM, TS.
  c.cr0 = (c.cr0 & ~0xe) | (v & 0xe) | (c.cr0 & 1) | (v & 1);
  return r.next;
}

// ---- CPUID, XGETBV, XSETBV ------------------------------------------------------------------------------------

export function cpuid(c: Cpu, r: Rec): Rec {
  const leaf = c.lo[RAX], sub = c.lo[RCX];
  const regs = c.cpuid.query(leaf, sub);
  if (leaf === 1) {
    regs[2] = (c.cr4 & CR4_OSXSAVE) !== 0 ? regs[2] | (1 << 27) : regs[2] & ~(1 << 27);
  }
  setReg(c, RAX, 4, regs[0], 0);
  setReg(c, 3 /* RBX */, 4, regs[1], 0);
  setReg(c, RCX, 4, regs[2], 0);
  setReg(c, RDX, 4, regs[3], 0);
  return r.next;
}

export function xgetbv(c: Cpu, r: Rec): Rec {
  if ((c.cr4 & CR4_OSXSAVE) === 0) throw ud('XGETBV with CR4.OSXSAVE = 0');
  if (c.lo[RCX] !== 0) throw gp0(`XGETBV of XCR${c.lo[RCX]}`);
  setReg(c, RAX, 4, c.xcr0, 0);
  setReg(c, RDX, 4, 0, 0);
  return r.next;
}

export function xsetbv(c: Cpu, r: Rec): Rec {
  if ((c.cr4 & CR4_OSXSAVE) === 0) throw ud('XSETBV with CR4.OSXSAVE = 0');
  privileged(c, 'XSETBV');
  if (c.lo[RCX] !== 0 || (c.lo[RAX] & 1) === 0 || c.lo[RDX] !== 0 || (c.lo[RAX] & ~3) !== 0) throw gp0('XSETBV with an unsupported value');
  c.xcr0 = c.lo[RAX];
  return r.next;
}

// ---- descriptor tables ----------------------------------------------------------------------------------------

/** lgdt (aux 0) / lidt (aux 1): m16&64. */
export function loadTable(c: Cpu, r: Rec): Rec {
  privileged(c, r.aux === 0 ? 'LGDT' : 'LIDT');
  ea(c, r);
  const lo = c.eaLo, hi = c.eaHi;
  const limit = readMem(c, 2);
  eaPlus(c, lo, hi, 2, 0, r.addr32);
  let bLo: number, bHi: number;
  if (c.code64) {
    bLo = readMem(c, 8);
    bHi = c.tHi;
    if (!canonical(bHi)) throw gp0('LGDT/LIDT with a non-canonical base');
  } else {
    bLo = readMem(c, 4);
    bHi = 0;
  }
  if (r.aux === 0) {
    c.gdtrLimit = limit;
    c.gdtrBaseLo = bLo;
    c.gdtrBaseHi = bHi;
  } else {
    c.idtrLimit = limit;
    c.idtrBaseLo = bLo;
    c.idtrBaseHi = bHi;
  }
  return r.next;
}

/** sgdt (aux 0) / sidt (aux 1). */
export function storeTable(c: Cpu, r: Rec): Rec {
  if (c.cpl > 0 && (c.cr4 & CR4_UMIP) !== 0) throw gp0('SGDT/SIDT at CPL > 0 with CR4.UMIP');
  ea(c, r);
  const lo = c.eaLo, hi = c.eaHi;
  const [limit, bLo, bHi] = r.aux === 0 ? [c.gdtrLimit, c.gdtrBaseLo, c.gdtrBaseHi] : [c.idtrLimit, c.idtrBaseLo, c.idtrBaseHi];
  c.mmu.probeWrite(lo, hi, c.code64 ? 10 : 6);
  writeMem(c, 2, limit, 0);
  eaPlus(c, lo, hi, 2, 0, r.addr32);
  if (c.code64) writeMem(c, 8, bLo, bHi);
  else writeMem(c, 4, bLo, 0);
  return r.next;
}

/** ltr (aux 0) / lldt (aux 1). */
export function loadSystemSegment(c: Cpu, r: Rec): Rec {
  privileged(c, r.aux === 0 ? 'LTR' : 'LLDT');
  let sel: number;
  if (r.mKind === 0) sel = getReg(c, r.r0, 2);
  else {
    ea(c, r);
    sel = readMem(c, 2);
  }
  if (r.aux === 0) loadTaskRegister(c, sel);
  else loadLdt(c, sel);
  return r.next;
}

/** str (aux 0) / sldt (aux 1). */
export function storeSystemSegment(c: Cpu, r: Rec): Rec {
  if (c.cpl > 0 && (c.cr4 & CR4_UMIP) !== 0) throw gp0('STR/SLDT at CPL > 0 with CR4.UMIP');
  const sel = c.segSel[r.aux === 0 ? TR : LDTR];
  if (r.mKind === 0) setReg(c, r.r0, r.size, sel, 0);
  else {
    ea(c, r);
    writeMem(c, 2, sel, 0);
  }
  return r.next;
}

/** invlpg, invpcid, wbinvd, invd: privileged; translation caches are dropped. */
export function flushOp(c: Cpu, r: Rec): Rec {
  privileged(c, 'cache/TLB maintenance');
  if (r.mKind !== 0 && r.aux === 0) ea(c, r); // invlpg: address only (no access)
  c.mmu.flush();
  return attention(c, r, REQ_FLUSH_CODE);
}

export function clacStac(c: Cpu, r: Rec): Rec {
  if (c.cpl > 0) throw ud('CLAC/STAC at CPL > 0');
  if (!c.cpuid.has('smap')) throw ud('CLAC/STAC without SMAP');
  if (r.aux === 0) c.eflags &= ~AC;
  else c.eflags |= AC;
  c.updateMmu();
  return r.next;
}

/** verr (aux 0) / verw (aux 1): ZF = segment readable/writable at the current privilege. */
export function verify(c: Cpu, r: Rec): Rec {
  let sel: number;
  if (r.mKind === 0) sel = getReg(c, r.r0, 2);
  else {
    ea(c, r);
    sel = readMem(c, 2);
  }
  let ok = false;
  if ((sel & 0xfffc) !== 0) {
    try {
      const d = readDescriptor(c, sel);
      const dpl = attrDpl(d.attr);
      const privOk = dpl >= Math.max(c.cpl, sel & 3);
      if (r.aux === 1) ok = isData(d.attr) && (d.attr & 2) !== 0 && privOk;
      else ok = (isData(d.attr) && privOk) || (isCode(d.attr) && (d.attr & 2) !== 0 && ((d.attr & 4) !== 0 || privOk));
    } catch (e) {
      if (!(e instanceof CpuException) || e.vector !== GP) throw e;
    }
  }
  const f = getArithFlags(c);
  setArithFlags(c, ok ? f | ZF : f & ~ZF);
  return r.next;
}

/** lar (aux 0) / lsl (aux 1). */
export function larLsl(c: Cpu, r: Rec): Rec {
  let sel: number;
  if (r.mKind === 0) sel = getReg(c, r.r1, 2);
  else {
    ea(c, r);
    sel = readMem(c, 2);
  }
  let ok = false;
  let value = 0;
  if ((sel & 0xfffc) !== 0) {
    try {
      const d = readDescriptor(c, sel);
      const dpl = attrDpl(d.attr);
      const conformingCode = isCode(d.attr) && (d.attr & 4) !== 0;
      const sysType = d.attr & 0xf;
      const typeOk = (d.attr & ATTR_S) !== 0 || (r.aux === 0 ? [2, 9, 0xb, 0xc].includes(sysType) : [2, 9, 0xb].includes(sysType));
      if (typeOk && (conformingCode || dpl >= Math.max(c.cpl, sel & 3))) {
        ok = true;
        value = r.aux === 0 ? d.hi & 0x00f0ff00 : d.limit;
      }
    } catch (e) {
      if (!(e instanceof CpuException) || e.vector !== GP) throw e;
    }
  }
  const f = getArithFlags(c);
  setArithFlags(c, ok ? f | ZF : f & ~ZF);
  if (ok) setReg(c, r.r0, r.size, value, 0);
  return r.next;
}

// ---- FS/GS base ------------------------------------------------------------------------------------------------

/** rdfsbase (aux 0), rdgsbase (1), wrfsbase (2), wrgsbase (3). */
export function fsgsBase(c: Cpu, r: Rec): Rec {
  if (!c.code64 || (c.cr4 & CR4_FSGSBASE) === 0) throw ud('RD/WR FS/GS BASE without CR4.FSGSBASE');
  const seg = r.aux & 1 ? GS : FS;
  if (r.aux < 2) setReg(c, r.r0, r.size, c.segBaseLo[seg], c.segBaseHi[seg]);
  else {
    const lo = c.lo[r.r0], hi = r.size === 8 ? c.hi[r.r0] : 0;
    if (!canonical(hi)) throw gp0('WRFSBASE/WRGSBASE with a non-canonical value');
    c.segBaseLo[seg] = lo;
    c.segBaseHi[seg] = hi;
  }
  return r.next;
}

// ---- port I/O -------------------------------------------------------------------------------------------------

/** in al/ax/eax, imm8|dx (r.r1 === RDX for DX). */
export function inPort(c: Cpu, r: Rec): Rec {
  const port = r.r1 === RDX ? c.lo[RDX] & 0xffff : r.immLo & 0xff;
  checkIo(c, port, r.size);
  const v = c.portIn(port, r.size as 1 | 2 | 4);
  setReg(c, RAX, r.size, v, 0);
  return r.next;
}

/** out imm8|dx, al/ax/eax (r.r0 === RDX for DX). */
export function outPort(c: Cpu, r: Rec): Rec {
  const port = r.r0 === RDX ? c.lo[RDX] & 0xffff : r.immLo & 0xff;
  checkIo(c, port, r.size);
  const v = getReg(c, RAX, r.size);
  c.portOut(port, r.size as 1 | 2 | 4, r.size === 4 ? v >>> 0 : v);
  return r.next;
}

// ---- segment registers ------------------------------------------------------------------------------------------

/** mov sreg, r/m16 (aux = segment). MOV SS inhibits interrupts for one instruction. */
export function movToSreg(c: Cpu, r: Rec): Rec {
  const seg = r.aux;
  if (seg === CS) throw ud('MOV to CS');
  let sel: number;
  if (r.mKind === 0) sel = getReg(c, r.r1, 2);
  else {
    ea(c, r);
    sel = readMem(c, 2);
  }
  loadDataSegment(c, seg, sel);
  if (seg === SS) return attention(c, r, REQ_SHADOW_SS);
  return r.next;
}

/** mov r/m, sreg (aux = segment). */
export function movFromSreg(c: Cpu, r: Rec): Rec {
  const sel = c.segSel[r.aux];
  if (r.mKind === 0) setReg(c, r.r0, r.size, sel, 0);
  else {
    ea(c, r);
    writeMem(c, 2, sel, 0);
  }
  return r.next;
}

export function pushSreg(c: Cpu, r: Rec): Rec {
  push(c, r.size, c.segSel[r.aux], 0);
  return r.next;
}

export function popSreg(c: Cpu, r: Rec): Rec {
  const sel = peek(c, r.size, 0) & 0xffff;
  loadDataSegment(c, r.aux, sel);
  adjustSp(c, r.size);
  if (r.aux === SS) return attention(c, r, REQ_SHADOW_SS);
  return r.next;
}

// ---- far transfers (same privilege, and far returns to an outer level) -----------------------------------------------

function loadFarCs(c: Cpu, sel: number, offLo: number, offHi: number): void {
  if ((sel & 0xfffc) === 0) throw gp0('far transfer to a null selector');
  const d = readDescriptor(c, sel);
  if ((d.attr & ATTR_S) === 0) throw new CpuException(GP, sel & 0xfffc, 0, 0, 'far transfers through call gates or task gates are not supported');
  const conforming = (d.attr & 4) !== 0;
  if (!isCode(d.attr) || (conforming ? attrDpl(d.attr) > c.cpl : (sel & 3) > c.cpl || attrDpl(d.attr) !== c.cpl)) throw new CpuException(GP, sel & 0xfffc, 0, 0, `far transfer to 0x${sel.toString(16)}: not a code segment at CPL ${c.cpl}`);
  checkCodeSegment(c, (sel & ~3) | c.cpl, d, c.cpl);
  const target64 = (d.attr & ATTR_L) !== 0;
  if (target64 && !canonical(offHi)) throw gp0('far transfer to a non-canonical address');
  setAccessed(c, d);
  c.loadCs((sel & ~3) | c.cpl, d.baseLo, 0, d.limit, d.attr, c.cpl);
  c.ripLo = offLo;
  c.ripHi = target64 ? offHi : 0;
}

/** ljmp/lcall *m16:16/32/64 (aux 0 jmp, 1 call); offset size = r.size. */
export function farIndirect(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  const lo = c.eaLo, hi = c.eaHi;
  let offLo = readMem(c, size);
  let offHi = size === 8 ? c.tHi : 0;
  if (size === 2) offLo &= 0xffff;
  eaPlus(c, lo, hi, size, 0, r.addr32);
  const sel = readMem(c, 2);
  if (r.aux === 1) {
    const oldCs = c.segSel[CS];
    const stack = c.code64 ? 8 : size;
    push(c, stack, oldCs, 0);
    push(c, stack, r.nextLo, r.nextHi);
  }
  loadFarCs(c, sel, offLo, offHi);
  offHi = 0;
  return ATTENTION;
}

/** lret / lret imm16. */
export function farRet(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const ripLo = peek(c, size, 0);
  const ripHi = size === 8 ? c.tHi : 0;
  const sel = peek(c, size, size) & 0xffff;
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) throw gp0('far return to a null selector');
  if (rpl < c.cpl) throw new CpuException(GP, sel & 0xfffc, 0, 0, 'far return to an inner privilege level');
  const d = readDescriptor(c, sel);
  checkCodeSegment(c, sel, d, rpl);
  const target64 = (d.attr & ATTR_L) !== 0;
  if (target64 && !canonical(ripHi)) throw gp0('far return to a non-canonical address');
  const release = r.immLo & 0xffff;
  if (rpl === c.cpl) {
    setAccessed(c, d);
    c.loadCs(sel, d.baseLo, 0, d.limit, d.attr, rpl);
    c.ripLo = ripLo;
    c.ripHi = target64 ? ripHi : 0;
    adjustSp(c, 2 * size + release);
    return ATTENTION;
  }
  const spLo = peek(c, size, 2 * size + release);
  const spHi = size === 8 ? c.tHi : 0;
  const ssSel = peek(c, size, 3 * size + release) & 0xffff;
  if ((ssSel & 0xfffc) === 0) {
    if (!(target64 && rpl !== 3)) throw gp0('far return pops a null SS');
    setSegment(c, SS, ssSel, 0, 0, 0, (rpl << 5) | ATTR_DB);
  } else {
    const s = readDescriptor(c, ssSel);
    if ((ssSel & 3) !== rpl || !isData(s.attr) || (s.attr & 2) === 0 || attrDpl(s.attr) !== rpl) throw new CpuException(GP, ssSel & 0xfffc, 0, 0, 'far return: bad SS');
    if (!isPresent(s.attr)) throw new CpuException(SS_FAULT, ssSel & 0xfffc, 0, 0, 'far return: SS not present');
    setSegment(c, SS, ssSel, s.baseLo, 0, s.limit, s.attr);
  }
  setAccessed(c, d);
  c.loadCs(sel, d.baseLo, 0, d.limit, d.attr, rpl);
  c.ripLo = ripLo;
  c.ripHi = target64 ? ripHi : 0;
  c.lo[RSP] = spLo;
  c.hi[RSP] = target64 ? spHi : 0;
  adjustSp(c, release);
  return ATTENTION;
}

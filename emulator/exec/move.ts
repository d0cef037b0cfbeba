// Data movement: mov (all forms), movzx/movsx/movsxd, lea, xchg, cmpxchg/cmpxchg8b/cmpxchg16b,
// xadd, setcc, cmovcc, the sign-extension group (cbw..cqo), lahf/sahf, flag bit instructions, movbe.
import type { Cpu } from '../cpu/state.js';
import { CpuException, GP } from '../cpu/fault.js';
import { condition, getArithFlags, getCF, mergeArithFlags, setArithFlags, setCF } from '../cpu/flags.js';
import type { Rec } from '../decode/record.js';
import { AF, CF, DF, PF, RAX, RBX, RCX, RDX, SF, ZF } from '../cpu/registers.js';
import { alu64, aluNarrow, ALU_ADD, ALU_SUB } from './alu.js';
import { ea, eaPlus, getReg, readDestination, readMem, readSource, setReg, writeMem } from './operands.js';

export function movRR(c: Cpu, r: Rec): Rec {
  const v = getReg(c, r.r1, r.size);
  setReg(c, r.r0, r.size, v, c.tHi);
  return r.next;
}

export function movRM(c: Cpu, r: Rec): Rec {
  ea(c, r);
  const v = readMem(c, r.size);
  setReg(c, r.r0, r.size, v, c.tHi);
  return r.next;
}

export function movMR(c: Cpu, r: Rec): Rec {
  ea(c, r);
  const v = getReg(c, r.r1, r.size);
  writeMem(c, r.size, v, c.tHi);
  return r.next;
}

export function movRI(c: Cpu, r: Rec): Rec {
  setReg(c, r.r0, r.size, r.immLo, r.immHi);
  return r.next;
}

export function movMI(c: Cpu, r: Rec): Rec {
  ea(c, r);
  writeMem(c, r.size, r.immLo, r.immHi);
  return r.next;
}

function extend(v: number, from: number, signed: boolean): number {
  if (from === 1) return signed ? (v << 24) >> 24 : v & 0xff;
  if (from === 2) return signed ? (v << 16) >> 16 : v & 0xffff;
  return v | 0;
}

/** movzx (aux = source size), movsx (aux = source size | 8), movsxd (aux = 4 | 8). */
export function movExtend(c: Cpu, r: Rec): Rec {
  const from = r.aux & 7;
  const signed = (r.aux & 8) !== 0;
  let v: number;
  if (r.mKind === 0) v = getReg(c, r.r1, from);
  else {
    ea(c, r);
    v = readMem(c, from);
  }
  const x = extend(v, from, signed);
  setReg(c, r.r0, r.size, x, signed ? x >> 31 : 0);
  return r.next;
}

export function lea(c: Cpu, r: Rec): Rec {
  ea(c, r);
  setReg(c, r.r0, r.size, c.eaLo, c.eaHi);
  return r.next;
}

export function xchgRR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = getReg(c, r.r0, size);
  const ah = c.tHi;
  const b = getReg(c, r.r1, size);
  const bh = c.tHi;
  setReg(c, r.r0, size, b, bh);
  setReg(c, r.r1, size, a, ah);
  return r.next;
}

export function xchgMR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const m = readMem(c, size);
  const mh = c.tHi;
  const v = getReg(c, r.r1, size);
  writeMem(c, size, v, c.tHi);
  setReg(c, r.r1, size, m, mh);
  return r.next;
}

/** cmpxchg r/m, r: compares the accumulator with the destination. */
export function cmpxchg(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const d = readDestination(c, r, size);
  const dh = c.tHi;
  const acc = getReg(c, RAX, size);
  const acch = c.tHi;
  if (size === 8) alu64(c, ALU_SUB, acc, acch, d, dh);
  else aluNarrow(c, ALU_SUB, size, acc, d);
  const equal = (c.fRes | c.fResHi) === 0;
  if (equal) {
    const s = getReg(c, r.r1, size);
    if (r.mKind === 0) setReg(c, r.r0, size, s, c.tHi);
    else writeMem(c, size, s, c.tHi);
  } else {
    // The destination is written back unchanged (a locked RMW always writes).
    if (r.mKind !== 0) writeMem(c, size, d, dh);
    setReg(c, RAX, size, d, dh);
  }
  return r.next;
}

/** cmpxchg8b m64 (size 4) / cmpxchg16b m128 (size 8). */
export function cmpxchgWide(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  const lo = c.eaLo, hi = c.eaHi;
  if (size === 8 && (lo & 15) !== 0) throw new CpuException(GP, 0, 0, 0, 'cmpxchg16b operand not 16-byte aligned');
  c.mmu.probeWrite(lo, hi, size * 2);
  const m0 = readMem(c, size);
  const m0h = c.tHi;
  eaPlus(c, lo, hi, size, 0, r.addr32);
  const m1 = readMem(c, size);
  const m1h = c.tHi;
  const eq = size === 8
    ? m0 === c.lo[RAX] && m0h === c.hi[RAX] && m1 === c.lo[RDX] && m1h === c.hi[RDX]
    : m0 === c.lo[RAX] && m1 === c.lo[RDX];
  if (eq) {
    c.eaLo = lo;
    c.eaHi = hi;
    writeMem(c, size, c.lo[RBX], c.hi[RBX]);
    eaPlus(c, lo, hi, size, 0, r.addr32);
    writeMem(c, size, c.lo[RCX], c.hi[RCX]);
  } else {
    c.eaLo = lo;
    c.eaHi = hi;
    writeMem(c, size, m0, m0h);
    eaPlus(c, lo, hi, size, 0, r.addr32);
    writeMem(c, size, m1, m1h);
    setReg(c, RAX, size, m0, m0h);
    setReg(c, RDX, size, m1, m1h);
  }
  const f = getArithFlags(c);
  setArithFlags(c, eq ? f | ZF : f & ~ZF);
  return r.next;
}

/** xadd r/m, r: TEMP = DEST + SRC; SRC = DEST; DEST = TEMP. */
export function xadd(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const d = readDestination(c, r, size);
  const dh = c.tHi;
  const s = getReg(c, r.r1, size);
  const sh = c.tHi;
  const sum = size === 8 ? alu64(c, ALU_ADD, d, dh, s, sh) : aluNarrow(c, ALU_ADD, size, d, s);
  const sumh = c.tHi;
  setReg(c, r.r1, size, d, dh);
  if (r.mKind === 0) setReg(c, r.r0, size, sum, sumh);
  else writeMem(c, size, sum, sumh);
  return r.next;
}

export function setcc(c: Cpu, r: Rec): Rec {
  const v = condition(c, r.cc) ? 1 : 0;
  if (r.mKind === 0) setReg(c, r.r0, 1, v, 0);
  else {
    ea(c, r);
    writeMem(c, 1, v, 0);
  }
  return r.next;
}

/** cmovcc r, r/m: the source is always read; a 32-bit destination is always zero-extended. */
export function cmovcc(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const v = readSource(c, r, size);
  const vh = c.tHi;
  if (condition(c, r.cc)) setReg(c, r.r0, size, v, vh);
  else if (size === 4) c.hi[r.r0] = 0;
  return r.next;
}

/** cbw / cwde / cdqe (size = destination size). */
export function signExtendAcc(c: Cpu, r: Rec): Rec {
  const a = c.lo[RAX];
  if (r.size === 2) setReg(c, RAX, 2, (a << 24) >> 24, 0);
  else if (r.size === 4) setReg(c, RAX, 4, (a << 16) >> 16, 0);
  else c.hi[RAX] = a >> 31;
  return r.next;
}

/** cwd / cdq / cqo. */
export function signExtendDx(c: Cpu, r: Rec): Rec {
  if (r.size === 2) setReg(c, RDX, 2, (c.lo[RAX] << 16) >> 31, 0);
  else if (r.size === 4) setReg(c, RDX, 4, c.lo[RAX] >> 31, 0);
  else {
    const s = c.hi[RAX] >> 31;
    c.lo[RDX] = s;
    c.hi[RDX] = s;
  }
  return r.next;
}

export function lahf(c: Cpu, r: Rec): Rec {
  const f = getArithFlags(c) & (SF | ZF | AF | PF | CF);
  setReg(c, 16 /* AH */, 1, f | 2, 0);
  return r.next;
}

export function sahf(c: Cpu, r: Rec): Rec {
  const ah = (c.lo[RAX] >>> 8) & 0xff;
  mergeArithFlags(c, SF | ZF | AF | PF | CF, ah);
  return r.next;
}

/** clc (aux 0), stc (1), cmc (2), cld (3), std (4). */
export function flagOp(c: Cpu, r: Rec): Rec {
  switch (r.aux) {
    case 0: setCF(c, 0); break;
    case 1: setCF(c, 1); break;
    case 2: setCF(c, getCF(c) ^ 1); break;
    case 3: c.eflags &= ~DF; break;
    default: c.eflags |= DF;
  }
  return r.next;
}

function bswapN(v: number, size: number): number {
  if (size === 2) return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** movbe r, m (aux 0) or movbe m, r (aux 1). */
export function movbe(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  if (r.aux === 0) {
    const v = readMem(c, size);
    if (size === 8) setReg(c, r.r0, 8, bswapN(c.tHi, 4), bswapN(v, 4));
    else setReg(c, r.r0, size, bswapN(v, size), 0);
  } else {
    const v = getReg(c, r.r1, size);
    if (size === 8) writeMem(c, 8, bswapN(c.tHi, 4), bswapN(v, 4));
    else writeMem(c, size, bswapN(v, size), 0);
  }
  return r.next;
}

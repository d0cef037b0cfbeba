// Lazily computed arithmetic flags, in the style of Bochs' lazy_flags.h.
//
// An arithmetic instruction stores only its result and a carry-out vector; the six arithmetic flags
// are derived when something reads them:
//   fRes/fResHi  the result, sign-extended to 64 bits (narrow results live in fRes, fResHi = sign)
//   fAux         bit 31 = CF, bit 30 = CF ^ OF, bit 3 = AF, bits 8..15 = parity delta (PDB),
//                bit 0 = sign delta (SD)
// ZF = result == 0, SF = sign(result) ^ SD, PF = parity(low byte of result ^ PDB). The deltas let
// POPF/SAHF store any flag combination in the same form, so readers never branch on a "mode".
import { AF, CF, OF, PF, SF, ZF } from './registers.js';

export interface LazyFlags {
  fRes: number;
  fResHi: number;
  fAux: number;
}

/** PARITY[b] = 1 when byte b has an even number of set bits (x86 PF). */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = 0;
  for (let b = i; b !== 0; b >>= 1) n += b & 1;
  PARITY[i] = n & 1 ? 0 : 1;
}

export function getCF(c: LazyFlags): number {
  return c.fAux >>> 31;
}
export function getOF(c: LazyFlags): number {
  return ((c.fAux >>> 31) ^ (c.fAux >>> 30)) & 1;
}
export function getAF(c: LazyFlags): number {
  return (c.fAux >>> 3) & 1;
}
export function getZF(c: LazyFlags): number {
  return (c.fRes | c.fResHi) === 0 ? 1 : 0;
}
export function getSF(c: LazyFlags): number {
  return ((c.fResHi >>> 31) ^ c.fAux) & 1;
}
export function getPF(c: LazyFlags): number {
  return PARITY[(c.fRes ^ (c.fAux >>> 8)) & 0xff];
}

/** The six arithmetic flags at their RFLAGS bit positions. */
export function getArithFlags(c: LazyFlags): number {
  return getCF(c) | (getPF(c) << 2) | (getAF(c) << 4) | (getZF(c) << 6) | (getSF(c) << 7) | (getOF(c) << 11);
}

/** Store an explicit flag combination (RFLAGS bit positions) in lazy form. */
export function setArithFlags(c: LazyFlags, bits: number): void {
  const cf = bits & CF ? 1 : 0;
  const pf = bits & PF ? 1 : 0;
  const af = bits & AF ? 1 : 0;
  const zf = bits & ZF ? 1 : 0;
  const sf = bits & SF ? 1 : 0;
  const of = bits & OF ? 1 : 0;
  const res = zf ? 0 : 1;
  const pdb = PARITY[res] === pf ? 0 : 1;
  c.fRes = res;
  c.fResHi = 0;
  c.fAux = (cf << 31) | ((cf ^ of) << 30) | (af << 3) | (pdb << 8) | sf;
}

/** Change only CF, keeping OF (which is stored as CF ^ bit 30). */
export function setCF(c: LazyFlags, cf: number): void {
  if (getCF(c) !== (cf & 1)) c.fAux ^= 0xc0000000;
}

/** Change a subset of the arithmetic flags; `mask` selects them, `bits` gives their values. */
export function mergeArithFlags(c: LazyFlags, mask: number, bits: number): void {
  setArithFlags(c, (getArithFlags(c) & ~mask) | (bits & mask));
}

/** Condition codes in encoding order (o no b ae e ne be a s ns p np l ge le g). */
export function condition(c: LazyFlags, cc: number): boolean {
  switch (cc) {
    case 0: return getOF(c) === 1;
    case 1: return getOF(c) === 0;
    case 2: return c.fAux < 0;
    case 3: return c.fAux >= 0;
    case 4: return (c.fRes | c.fResHi) === 0;
    case 5: return (c.fRes | c.fResHi) !== 0;
    case 6: return c.fAux < 0 || (c.fRes | c.fResHi) === 0;
    case 7: return c.fAux >= 0 && (c.fRes | c.fResHi) !== 0;
    case 8: return getSF(c) === 1;
    case 9: return getSF(c) === 0;
    case 10: return getPF(c) === 1;
    case 11: return getPF(c) === 0;
    case 12: return getSF(c) !== getOF(c);
    case 13: return getSF(c) === getOF(c);
    case 14: return (c.fRes | c.fResHi) === 0 || getSF(c) !== getOF(c);
    default: return (c.fRes | c.fResHi) !== 0 && getSF(c) === getOF(c);
  }
}

// Flag producers. Narrow operands (8/16/32 bits) arrive zero-extended in int32s; `bits` is 8, 16 or 32.

export function signExtend(v: number, bits: number): number {
  return bits === 32 ? v | 0 : (v << (32 - bits)) >> (32 - bits);
}

/** After an addition a + b (+carry) = r of width bits. */
export function flagsAdd(c: LazyFlags, a: number, b: number, r: number, bits: number): void {
  const co = (a & b) | ((a | b) & ~r);
  const res = signExtend(r, bits);
  c.fRes = res;
  c.fResHi = res >> 31;
  c.fAux = (co & 8) | ((co >>> (bits - 2)) << 30);
}

/** After a subtraction a - b (-borrow) = r of width bits. */
export function flagsSub(c: LazyFlags, a: number, b: number, r: number, bits: number): void {
  const bo = (~a & b) | (~(a ^ b) & r);
  const res = signExtend(r, bits);
  c.fRes = res;
  c.fResHi = res >> 31;
  c.fAux = (bo & 8) | ((bo >>> (bits - 2)) << 30);
}

/** After a 64-bit addition: halves of the operands and the result. */
export function flagsAdd64(c: LazyFlags, aLo: number, bLo: number, rLo: number, aHi: number, bHi: number, rHi: number): void {
  const coLo = (aLo & bLo) | ((aLo | bLo) & ~rLo);
  const coHi = (aHi & bHi) | ((aHi | bHi) & ~rHi);
  c.fRes = rLo;
  c.fResHi = rHi;
  c.fAux = (coLo & 8) | ((coHi >>> 30) << 30);
}

export function flagsSub64(c: LazyFlags, aLo: number, bLo: number, rLo: number, aHi: number, bHi: number, rHi: number): void {
  const boLo = (~aLo & bLo) | (~(aLo ^ bLo) & rLo);
  const boHi = (~aHi & bHi) | (~(aHi ^ bHi) & rHi);
  c.fRes = rLo;
  c.fResHi = rHi;
  c.fAux = (boLo & 8) | ((boHi >>> 30) << 30);
}

/** After a logic operation: CF = OF = AF = 0 (AF is undefined; hardware clears it). */
export function flagsLogic(c: LazyFlags, r: number, bits: number): void {
  const res = signExtend(r, bits);
  c.fRes = res;
  c.fResHi = res >> 31;
  c.fAux = 0;
}

export function flagsLogic64(c: LazyFlags, rLo: number, rHi: number): void {
  c.fRes = rLo;
  c.fResHi = rHi;
  c.fAux = 0;
}

/** Result-derived ZF/SF/PF with explicit CF, OF and AF (shifts, multiplies, inc/dec). */
export function flagsResult(c: LazyFlags, r: number, bits: number, cf: number, of: number, af: number): void {
  const res = signExtend(r, bits);
  c.fRes = res;
  c.fResHi = res >> 31;
  c.fAux = (cf << 31) | (((cf ^ of) & 1) << 30) | (af << 3);
}

export function flagsResult64(c: LazyFlags, rLo: number, rHi: number, cf: number, of: number, af: number): void {
  c.fRes = rLo;
  c.fResHi = rHi;
  c.fAux = (cf << 31) | (((cf ^ of) & 1) << 30) | (af << 3);
}

// Multiplication and division: mul, imul (one, two and three operands), div, idiv with #DE.
// Division leaves every flag unchanged on this CPU (the SDM says undefined).
// Products are computed exactly on 16-bit limbs; only 32/64-bit division uses BigInt (rare, and
// slow on hardware too).
import type { Cpu } from '../cpu/state.js';
import { CpuException, DE } from '../cpu/fault.js';
import { PARITY, setArithFlags } from '../cpu/flags.js';
import type { Rec } from '../decode/record.js';
import { CF, OF, PF, RAX, RDX, SF } from '../cpu/registers.js';
import { ea, getReg, readMem, readSource, setReg } from './operands.js';

// Results of the limb multiplications.
let mulLo = 0;
let mulHi = 0;

/** Unsigned 32 x 32 -> 64: sets mulLo, mulHi (int32 bit patterns). */
function mulU32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl;
  const mid = al * bh + ah * bl + (ll >>> 16);
  mulLo = ((mid & 0xffff) << 16) | (ll & 0xffff);
  mulHi = (ah * bh + Math.floor(mid / 65536)) | 0;
}

// 128-bit product words w0 (least significant) .. w3.
const w = new Int32Array(4);

/** Unsigned 64 x 64 -> 128 into w. */
function mulU64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulU32(aLo, bLo);
  const p0lo = mulLo, p0hi = mulHi;
  mulU32(aLo, bHi);
  const p1lo = mulLo, p1hi = mulHi;
  mulU32(aHi, bLo);
  const p2lo = mulLo, p2hi = mulHi;
  mulU32(aHi, bHi);
  const p3lo = mulLo, p3hi = mulHi;
  w[0] = p0lo;
  const s1 = (p0hi >>> 0) + (p1lo >>> 0) + (p2lo >>> 0);
  w[1] = s1 | 0;
  const s2 = Math.floor(s1 / 4294967296) + (p1hi >>> 0) + (p2hi >>> 0) + (p3lo >>> 0);
  w[2] = s2 | 0;
  w[3] = (Math.floor(s2 / 4294967296) + (p3hi >>> 0)) | 0;
}

/** Signed 64 x 64 -> 128 into w. */
function mulS64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulU64(aLo, aHi, bLo, bHi);
  // high -= (a < 0 ? b : 0) + (b < 0 ? a : 0), modulo 2^64
  let hLo = w[2], hHi = w[3];
  if (aHi < 0) [hLo, hHi] = sub64(hLo, hHi, bLo, bHi);
  if (bHi < 0) [hLo, hHi] = sub64(hLo, hHi, aLo, aHi);
  w[2] = hLo;
  w[3] = hHi;
}

function sub64(aLo: number, aHi: number, bLo: number, bHi: number): [number, number] {
  const lo = (aLo - bLo) | 0;
  const borrow = (aLo >>> 0) < (bLo >>> 0) ? 1 : 0;
  return [lo, (aHi - bHi - borrow) | 0];
}

/** Signed product of narrow operands (sign-extended int32s) as (lo, hi) halves of the 64-bit value. */
function mulS32(a: number, b: number): void {
  mulU32(a, b);
  let hi = mulHi;
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  mulHi = hi;
}

function sx(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/**
 * Flags after a multiply: CF = OF = overflow. SF, ZF, AF, PF are undefined; this CPU sets SF and PF
 * from the low half of the result and clears ZF and AF (measured by the differential tests).
 */
function mulFlags(c: Cpu, lo: number, hi: number, size: number, overflow: boolean): void {
  const sign = size === 8 ? hi >>> 31 : (lo >>> (size * 8 - 1)) & 1;
  setArithFlags(c, (overflow ? CF | OF : 0) | (PARITY[lo & 0xff] ? PF : 0) | (sign ? SF : 0));
}

/** The one-operand forms read operand 0 (register r.r0 or memory). */
function source(c: Cpu, r: Rec, size: number): number {
  if (r.mKind === 0) return getReg(c, r.r0, size);
  ea(c, r);
  return readMem(c, size);
}

/** mul r/m: unsigned, into AX / DX:AX / EDX:EAX / RDX:RAX. */
export function mul1(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const b = source(c, r, size);
  const bh = c.tHi;
  if (size === 1) {
    const p = (c.lo[RAX] & 0xff) * b;
    setReg(c, RAX, 2, p, 0);
    mulFlags(c, p & 0xff, 0, 1, p > 0xff);
  } else if (size === 2) {
    const p = (c.lo[RAX] & 0xffff) * b;
    setReg(c, RAX, 2, p, 0);
    setReg(c, RDX, 2, p >>> 16, 0);
    mulFlags(c, p & 0xffff, 0, 2, p > 0xffff);
  } else if (size === 4) {
    mulU32(c.lo[RAX], b);
    const lo = mulLo, hi = mulHi;
    setReg(c, RAX, 4, lo, 0);
    setReg(c, RDX, 4, hi, 0);
    mulFlags(c, lo, 0, 4, hi !== 0);
  } else {
    mulU64(c.lo[RAX], c.hi[RAX], b, bh);
    c.lo[RAX] = w[0];
    c.hi[RAX] = w[1];
    c.lo[RDX] = w[2];
    c.hi[RDX] = w[3];
    mulFlags(c, w[0], w[1], 8, (w[2] | w[3]) !== 0);
  }
  return r.next;
}

/** imul r/m: signed, one operand. */
export function imul1(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const b = source(c, r, size);
  const bh = c.tHi;
  if (size === 1) {
    const p = sx(c.lo[RAX], 1) * sx(b, 1);
    setReg(c, RAX, 2, p, 0);
    mulFlags(c, p & 0xff, 0, 1, p !== sx(p, 1));
  } else if (size === 2) {
    const p = sx(c.lo[RAX], 2) * sx(b, 2);
    setReg(c, RAX, 2, p, 0);
    setReg(c, RDX, 2, p >> 16, 0);
    mulFlags(c, p & 0xffff, 0, 2, p !== sx(p, 2));
  } else if (size === 4) {
    mulS32(c.lo[RAX], b);
    const lo = mulLo, hi = mulHi;
    setReg(c, RAX, 4, lo, 0);
    setReg(c, RDX, 4, hi, 0);
    mulFlags(c, lo, 0, 4, hi !== lo >> 31);
  } else {
    mulS64(c.lo[RAX], c.hi[RAX], b, bh);
    c.lo[RAX] = w[0];
    c.hi[RAX] = w[1];
    c.lo[RDX] = w[2];
    c.hi[RDX] = w[3];
    const sign = w[1] >> 31;
    mulFlags(c, w[0], w[1], 8, w[2] !== sign || w[3] !== sign);
  }
  return r.next;
}

/** Truncated signed product for imul r, r/m[, imm]; sets flags; returns low half (high in c.tHi). */
function imulTrunc(c: Cpu, size: number, a: number, ah: number, b: number, bh: number): number {
  if (size === 8) {
    mulS64(a, ah, b, bh);
    const sign = w[1] >> 31;
    mulFlags(c, w[0], w[1], 8, w[2] !== sign || w[3] !== sign);
    c.tHi = w[1];
    return w[0];
  }
  if (size === 4) {
    mulS32(a, b);
    const lo = mulLo;
    mulFlags(c, lo, 0, 4, mulHi !== lo >> 31);
    return lo;
  }
  const p = sx(a, size) * sx(b, size);
  const res = p & (size === 1 ? 0xff : 0xffff);
  mulFlags(c, res, 0, size, p !== sx(p, size));
  return res;
}

/** imul r, r/m (r.r0 = dest; source in r.r1 or memory). */
export function imul2(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const b = readSource(c, r, size);
  const bh = c.tHi;
  const a = getReg(c, r.r0, size);
  const res = imulTrunc(c, size, a, c.tHi, b, bh);
  setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

/** imul r, r/m, imm. */
export function imul3(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = readSource(c, r, size);
  const res = imulTrunc(c, size, a, c.tHi, r.immLo, r.immHi);
  setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

function big(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

const divideError = (what: string) => new CpuException(DE, 0, 0, 0, what);

/** div r/m: unsigned; #DE on a zero divisor or a quotient that does not fit. */
export function div1(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const d = source(c, r, size);
  const dh = c.tHi;
  if (size === 1) {
    const n = c.lo[RAX] & 0xffff;
    if (d === 0) throw divideError('division by zero');
    const q = Math.floor(n / d);
    if (q > 0xff) throw divideError('quotient too large');
    setReg(c, RAX, 2, q | ((n % d) << 8), 0);
  } else if (size === 2) {
    const n = (c.lo[RDX] & 0xffff) * 65536 + (c.lo[RAX] & 0xffff);
    if (d === 0) throw divideError('division by zero');
    const q = Math.floor(n / d);
    if (q > 0xffff) throw divideError('quotient too large');
    setReg(c, RAX, 2, q, 0);
    setReg(c, RDX, 2, n % d, 0);
  } else if (size === 4) {
    const dv = d >>> 0;
    if (dv === 0) throw divideError('division by zero');
    const n = big(c.lo[RAX], c.lo[RDX]);
    const q = n / BigInt(dv);
    if (q > 0xffffffffn) throw divideError('quotient too large');
    setReg(c, RAX, 4, Number(q) | 0, 0);
    setReg(c, RDX, 4, Number(n % BigInt(dv)) | 0, 0);
  } else {
    const dv = big(d, dh);
    if (dv === 0n) throw divideError('division by zero');
    const n = (big(c.lo[RDX], c.hi[RDX]) << 64n) | big(c.lo[RAX], c.hi[RAX]);
    const q = n / dv;
    if (q > 0xffffffffffffffffn) throw divideError('quotient too large');
    const rem = n % dv;
    c.lo[RAX] = Number(q & 0xffffffffn) | 0;
    c.hi[RAX] = Number(q >> 32n) | 0;
    c.lo[RDX] = Number(rem & 0xffffffffn) | 0;
    c.hi[RDX] = Number(rem >> 32n) | 0;
  }
  return r.next;
}

/** idiv r/m: signed, quotient truncated toward zero; #DE on zero divisor or overflow. */
export function idiv1(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const d = source(c, r, size);
  const dh = c.tHi;
  if (size === 1 || size === 2) {
    const n = size === 1 ? sx(c.lo[RAX], 2) : ((c.lo[RDX] & 0xffff) << 16) | (c.lo[RAX] & 0xffff);
    const dv = sx(d, size);
    if (dv === 0) throw divideError('division by zero');
    const q = Math.trunc(n / dv);
    const rem = n - q * dv;
    const lim = size === 1 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) throw divideError('quotient too large');
    if (size === 1) setReg(c, RAX, 2, (q & 0xff) | ((rem & 0xff) << 8), 0);
    else {
      setReg(c, RAX, 2, q, 0);
      setReg(c, RDX, 2, rem, 0);
    }
  } else if (size === 4) {
    const dv = BigInt(d | 0);
    if (dv === 0n) throw divideError('division by zero');
    const n = BigInt.asIntN(64, big(c.lo[RAX], c.lo[RDX]));
    const q = n / dv;
    if (q > 0x7fffffffn || q < -0x80000000n) throw divideError('quotient too large');
    setReg(c, RAX, 4, Number(q) | 0, 0);
    setReg(c, RDX, 4, Number(n % dv) | 0, 0);
  } else {
    const dv = BigInt.asIntN(64, big(d, dh));
    if (dv === 0n) throw divideError('division by zero');
    const n = BigInt.asIntN(128, (big(c.lo[RDX], c.hi[RDX]) << 64n) | big(c.lo[RAX], c.hi[RAX]));
    const q = n / dv;
    if (q > 0x7fffffffffffffffn || q < -0x8000000000000000n) throw divideError('quotient too large');
    const qq = BigInt.asUintN(64, q);
    const rem = BigInt.asUintN(64, n % dv);
    c.lo[RAX] = Number(qq & 0xffffffffn) | 0;
    c.hi[RAX] = Number(qq >> 32n) | 0;
    c.lo[RDX] = Number(rem & 0xffffffffn) | 0;
    c.hi[RDX] = Number(rem >> 32n) | 0;
  }
  return r.next;
}

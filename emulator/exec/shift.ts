// Shifts and rotates: shl/sal shr sar rol ror rcl rcr (by 1, imm8, CL), shld/shrd, and the BMI2
// flagless forms shlx/shrx/sarx/rorx. Flags the SDM leaves undefined follow this machine's CPU as
// measured by the differential tests (see emulator/README.md, "Undefined flags"): OF is the value a
// 1-bit step on the original operand gives, whatever the count; shifts clear AF, rotates keep it;
// RCL/RCR whose count is a multiple of width + 1 change nothing.
import type { Cpu } from '../cpu/state.js';
import { flagsResult, flagsResult64, getCF } from '../cpu/flags.js';
import type { Rec } from '../decode/record.js';
import { RCX } from '../cpu/registers.js';
import { ea, getReg, readDestination, readMem, readSource, setReg, writeMem } from './operands.js';

export const SH_ROL = 0, SH_ROR = 1, SH_RCL = 2, SH_RCR = 3, SH_SHL = 4, SH_SHR = 5, SH_SAL = 6, SH_SAR = 7;

// 64-bit shift helpers on halves; the high half of the result goes to resHi.
let resHi = 0;

function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resHi = hi;
    return lo;
  }
  if (n < 32) {
    resHi = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  resHi = n === 32 ? lo : lo << (n - 32);
  return 0;
}

function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resHi = hi;
    return lo;
  }
  if (n < 32) {
    resHi = hi >>> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  resHi = 0;
  return n === 32 ? hi : hi >>> (n - 32);
}

function sar64(lo: number, hi: number, n: number): number {
  if (n === 0) {
    resHi = hi;
    return lo;
  }
  if (n < 32) {
    resHi = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  resHi = hi >> 31;
  return n === 32 ? hi : hi >> (n - 32);
}

/** Bit i (0..63) of a 64-bit value. */
function bit64(lo: number, hi: number, i: number): number {
  return i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1;
}

/**
 * The shift/rotate core. count is already masked to 5 or 6 bits; returns the result (tHi for 64).
 * byImmediate: ROL/ROR by an imm8 count above 1 leave OF unchanged on this CPU (by CL they do not).
 */
export function shiftOp(c: Cpu, kind: number, size: number, a: number, ah: number, count: number, byImmediate = false): number {
  if (count === 0) {
    c.tHi = ah;
    return a;
  }
  const ofBefore = ((c.fAux >>> 31) ^ (c.fAux >>> 30)) & 1;
  const res = shiftCore(c, kind, size, a, ah, count);
  if (byImmediate && count > 1 && (kind === SH_ROL || kind === SH_ROR)) setRotateFlags(c, c.fAux >>> 31, ofBefore);
  return res;
}

function shiftCore(c: Cpu, kind: number, size: number, a: number, ah: number, count: number): number {
  if (size === 8) return shift64(c, kind, a, ah, count);
  const bits = size * 8;
  const m = size === 4 ? -1 : (1 << bits) - 1;
  const msb = bits - 1;
  a &= m;
  let r: number;
  let cf: number;
  let of: number;
  const top = (a >>> msb) & 1;
  const next = (a >>> (msb - 1)) & 1;
  switch (kind) {
    case SH_SHL:
    case SH_SAL:
      r = count < 32 ? (a << count) & m : 0;
      cf = count <= bits ? (a >>> (bits - count)) & 1 : 0;
      flagsResult(c, r, bits, cf, top ^ next, 0);
      return r;
    case SH_SHR:
      r = a >>> count;
      cf = count <= bits ? (a >>> (count - 1)) & 1 : 0;
      flagsResult(c, r, bits, cf, top, 0);
      return r & m;
    case SH_SAR: {
      const sa = (a << (32 - bits)) >> (32 - bits);
      const n = count >= bits ? bits - 1 : count;
      r = (sa >> n) & m;
      cf = count >= bits ? (sa >>> 31) & 1 : (sa >> (count - 1)) & 1;
      flagsResult(c, r, bits, cf, 0, 0);
      return r;
    }
    case SH_ROL: {
      const n = count % bits;
      r = n === 0 ? a : ((a << n) | (a >>> (bits - n))) & m;
      setRotateFlags(c, r & 1, top ^ next);
      return r;
    }
    case SH_ROR: {
      const n = count % bits;
      r = n === 0 ? a : ((a >>> n) | (a << (bits - n))) & m;
      setRotateFlags(c, (r >>> msb) & 1, (a & 1) ^ top);
      return r;
    }
    case SH_RCL: {
      const n = bits === 32 ? count : count % (bits + 1);
      if (n === 0) return a;
      let v = a;
      let carry = getCF(c);
      for (let i = 0; i < n; i++) {
        const out = (v >>> msb) & 1;
        v = ((v << 1) | carry) & m;
        carry = out;
      }
      setRotateFlags(c, carry, top ^ next);
      return v;
    }
    default: {
      // RCR
      const n = bits === 32 ? count : count % (bits + 1);
      if (n === 0) return a;
      let v = a;
      let carry = getCF(c);
      of = top ^ carry;
      for (let i = 0; i < n; i++) {
        const out = v & 1;
        v = ((v >>> 1) | (carry << msb)) & m;
        carry = out;
      }
      setRotateFlags(c, carry, of);
      return v;
    }
  }
}

/** Rotates change only CF and OF. */
function setRotateFlags(c: Cpu, cf: number, of: number): void {
  c.fAux = (c.fAux & 0x3fffffff) | (cf << 31) | ((cf ^ of) << 30);
}

function shift64(c: Cpu, kind: number, a: number, ah: number, count: number): number {
  let r: number;
  let cf: number;
  const top = (ah >>> 31) & 1;
  const next = (ah >>> 30) & 1;
  switch (kind) {
    case SH_SHL:
    case SH_SAL:
      r = shl64(a, ah, count);
      cf = bit64(a, ah, 64 - count);
      flagsResult64(c, r, resHi, cf, top ^ next, 0);
      break;
    case SH_SHR:
      r = shr64(a, ah, count);
      cf = bit64(a, ah, count - 1);
      flagsResult64(c, r, resHi, cf, top, 0);
      break;
    case SH_SAR:
      r = sar64(a, ah, count);
      cf = bit64(a, ah, count - 1);
      flagsResult64(c, r, resHi, cf, 0, 0);
      break;
    case SH_ROL: {
      const l = shl64(a, ah, count);
      const lh = resHi;
      const rr = shr64(a, ah, 64 - count);
      r = l | rr;
      resHi = lh | resHi;
      setRotateFlags(c, r & 1, top ^ next);
      break;
    }
    case SH_ROR: {
      const l = shr64(a, ah, count);
      const lh = resHi;
      const rr = shl64(a, ah, 64 - count);
      r = l | rr;
      resHi = lh | resHi;
      setRotateFlags(c, (resHi >>> 31) & 1, (a & 1) ^ top);
      break;
    }
    case SH_RCL: {
      let lo = a, hi = ah, carry = getCF(c);
      for (let i = 0; i < count; i++) {
        const out = hi >>> 31;
        hi = (hi << 1) | (lo >>> 31);
        lo = (lo << 1) | carry;
        carry = out;
      }
      r = lo;
      resHi = hi;
      setRotateFlags(c, carry, top ^ next);
      break;
    }
    default: {
      let lo = a, hi = ah, carry = getCF(c);
      const of0 = top ^ carry;
      for (let i = 0; i < count; i++) {
        const out = lo & 1;
        lo = (lo >>> 1) | (hi << 31);
        hi = (hi >>> 1) | (carry << 31);
        carry = out;
      }
      r = lo;
      resHi = hi;
      setRotateFlags(c, carry, of0);
      break;
    }
  }
  c.tHi = resHi;
  return r;
}

function countOf(c: Cpu, r: Rec): number {
  const raw = r.r1 === RCX ? c.lo[RCX] & 0xff : r.immLo;
  return raw & (r.size === 8 ? 0x3f : 0x1f);
}

/** shift/rotate r (count in imm or CL: r.r1 === RCX means CL). */
export function shiftR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const count = countOf(c, r);
  const a = getReg(c, r.r0, size);
  const res = shiftOp(c, r.aux, size, a, c.tHi, count, r.r1 !== RCX);
  setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function shiftM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const count = countOf(c, r);
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  const res = shiftOp(c, r.aux, size, a, c.tHi, count, r.r1 !== RCX);
  if (count !== 0) writeMem(c, size, res, c.tHi);
  return r.next;
}

// ---- shld / shrd ------------------------------------------------------------------------------------

/**
 * Double shift: dest a (ah), source b (bh); right = shrd. As measured on this CPU: OF is the 1-bit
 * step's, AF is cleared, and a 16-bit shift by more than 16 shifts the 48-bit concatenation
 * dest:src:dest (what P6-family processors do).
 */
function doubleShift(c: Cpu, right: boolean, size: number, a: number, ah: number, b: number, bh: number, count: number): number {
  if (count === 0) {
    c.tHi = ah;
    return a;
  }
  if (size === 8) {
    let r: number;
    let rh: number;
    let cf: number;
    let of: number;
    if (!right) {
      const x = shl64(a, ah, count);
      const xh = resHi;
      const y = shr64(b, bh, 64 - count);
      r = x | y;
      rh = xh | resHi;
      cf = bit64(a, ah, 64 - count);
      of = ((ah >>> 31) ^ (ah >>> 30)) & 1;
    } else {
      const x = shr64(a, ah, count);
      const xh = resHi;
      const y = shl64(b, bh, 64 - count);
      r = x | y;
      rh = xh | resHi;
      cf = bit64(a, ah, count - 1);
      of = ((ah >>> 31) ^ b) & 1;
    }
    flagsResult64(c, r, rh, cf, of, 0);
    c.tHi = rh;
    return r;
  }
  const bits = size * 8;
  const m = size === 4 ? -1 : (1 << bits) - 1;
  const msb = bits - 1;
  a &= m;
  b &= m;
  let r: number;
  let cf: number;
  if (size === 2) {
    const x = (BigInt(a) << 32n) | (BigInt(b) << 16n) | BigInt(a);
    const n = BigInt(count);
    if (!right) {
      r = Number(((x << n) >> 32n) & 0xffffn);
      cf = Number((x >> (48n - n)) & 1n);
    } else {
      r = Number((x >> n) & 0xffffn);
      cf = Number((x >> (n - 1n)) & 1n);
    }
  } else if (!right) {
    r = ((a << count) | (b >>> (bits - count))) & m;
    cf = (a >>> (bits - count)) & 1;
  } else {
    r = ((a >>> count) | (b << (bits - count))) & m;
    cf = (a >>> (count - 1)) & 1;
  }
  const top = (a >>> msb) & 1;
  const of = right ? top ^ (b & 1) : top ^ ((a >>> (msb - 1)) & 1);
  flagsResult(c, r, bits, cf, of, 0);
  return r;
}

function doubleCount(c: Cpu, r: Rec): number {
  const raw = r.r2 === RCX ? c.lo[RCX] & 0xff : r.immLo;
  return raw & (r.size === 8 ? 0x3f : 0x1f);
}

/** shld/shrd r/m, r, imm8|CL: r.r0 or memory = dest, r.r1 = source, r.r2 === RCX for CL. */
export function doubleShiftRm(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const count = doubleCount(c, r);
  const b = getReg(c, r.r1, size);
  const bh = c.tHi;
  const a = readDestination(c, r, size);
  const res = doubleShift(c, r.aux === 1, size, a, c.tHi, b, bh, count);
  if (r.mKind === 0) setReg(c, r.r0, size, res, c.tHi);
  else if (count !== 0) writeMem(c, size, res, c.tHi);
  return r.next;
}

// ---- BMI2: shlx / shrx / sarx / rorx (no flags) ---------------------------------------------------------

/** r.r0 = dest, source r.r1 or memory, count register r.r2 (or imm for rorx); aux = kind. */
export function bmiShift(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = readSource(c, r, size);
  const ah = c.tHi;
  const count = (r.r2 >= 0 ? c.lo[r.r2] : r.immLo) & (size === 8 ? 0x3f : 0x1f);
  let res: number;
  let rh = 0;
  if (size === 8) {
    switch (r.aux) {
      case SH_SHL: res = shl64(a, ah, count); break;
      case SH_SHR: res = shr64(a, ah, count); break;
      case SH_SAR: res = sar64(a, ah, count); break;
      default: {
        if (count === 0) {
          res = a;
          resHi = ah;
          break;
        }
        const l = shr64(a, ah, count);
        const lh = resHi;
        res = l | shl64(a, ah, 64 - count);
        resHi |= lh;
      }
    }
    rh = resHi;
  } else {
    switch (r.aux) {
      case SH_SHL: res = a << count; break;
      case SH_SHR: res = a >>> count; break;
      case SH_SAR: res = a >> count; break;
      default: res = count === 0 ? a : (a >>> count) | (a << (32 - count));
    }
  }
  setReg(c, r.r0, size, res, rh);
  return r.next;
}

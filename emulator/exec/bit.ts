// Bit instructions: bt/bts/btr/btc (register and memory bit strings), bsf/bsr, tzcnt/lzcnt/popcnt,
// bswap, and the BMI1/BMI2 integer ones (andn bextr blsi blsmsk blsr bzhi pdep pext).
import type { Cpu } from '../cpu/state.js';
import { PARITY, getArithFlags, setArithFlags, setCF } from '../cpu/flags.js';
import type { Rec } from '../decode/record.js';
import { CF, PF, SF, ZF } from '../cpu/registers.js';
import { ea, eaPlus, getReg, readMem, readSource, setReg, writeMem } from './operands.js';

export const BT = 0, BTS = 1, BTR = 2, BTC = 3;

function applyBit(op: number, v: number, bit: number): number {
  switch (op) {
    case BTS: return v | (1 << bit);
    case BTR: return v & ~(1 << bit);
    case BTC: return v ^ (1 << bit);
    default: return v;
  }
}

/** bt* with a register destination: r.r0 = dest, bit offset in r.r1 or imm. */
export function btR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const bits = size * 8;
  const off = (r.r1 >= 0 ? getReg(c, r.r1, size) : r.immLo) & (bits - 1);
  let lo = getReg(c, r.r0, size);
  let hi = c.tHi;
  let bitv: number;
  if (size === 8 && off >= 32) {
    bitv = (hi >>> (off - 32)) & 1;
    hi = applyBit(r.aux, hi, off - 32);
  } else {
    bitv = (lo >>> off) & 1;
    lo = applyBit(r.aux, lo, off);
  }
  setCF(c, bitv);
  if (r.aux !== BT) setReg(c, r.r0, size, lo, hi);
  return r.next;
}

/** bt* with a memory destination. A register bit offset addresses the bit string around the EA. */
export function btM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const bits = size * 8;
  ea(c, r);
  let bit: number;
  if (r.r1 >= 0) {
    // Signed bit offset: the byte displacement is (offset >> log2(bits)) * size.
    const offLo = getReg(c, r.r1, size);
    const offHi = c.tHi;
    bit = offLo & (bits - 1);
    let dLo: number;
    let dHi: number;
    if (size === 8) {
      // arithmetic shift right by 6 then times 8 == (offset >> 3) & ~7 on 64 bits
      dLo = ((offLo >>> 3) | (offHi << 29)) & ~7;
      dHi = offHi >> 3;
    } else {
      const s = size === 2 ? (offLo << 16) >> 16 : offLo | 0;
      dLo = (s >> (size === 2 ? 4 : 5)) * size;
      dHi = dLo >> 31;
    }
    eaPlus(c, c.eaLo, c.eaHi, dLo, dHi, r.addr32);
  } else bit = r.immLo & (bits - 1);
  // Access the containing byte: same result as the operand-sized access for every offset.
  const byteBit = bit & 7;
  eaPlus(c, c.eaLo, c.eaHi, bit >>> 3, 0, r.addr32);
  if (r.aux !== BT) c.mmu.probeWrite(c.eaLo, c.eaHi, 1);
  const v = readMem(c, 1);
  setCF(c, (v >>> byteBit) & 1);
  if (r.aux !== BT) writeMem(c, 1, applyBit(r.aux, v, byteBit), 0);
  return r.next;
}

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Set the flags of bsf/bsr/tzcnt/lzcnt/popcnt: keep nothing, derive ZF/CF as given, rest cleared. */
function countFlags(c: Cpu, zf: boolean, cf: boolean): void {
  setArithFlags(c, (zf ? ZF : 0) | (cf ? CF : 0));
}

/**
 * bsf (aux 0) / bsr (aux 1): a zero source sets ZF and leaves the destination unchanged. The other
 * flags are undefined; this CPU sets them as a logic operation would on the index (PF = its parity,
 * the rest clear) or, for a zero source, on zero (ZF = PF = 1).
 */
export function bsfBsr(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const lo = readSource(c, r, size);
  const hi = size === 8 ? c.tHi : 0;
  const v = size === 1 ? lo & 0xff : size === 2 ? lo & 0xffff : lo;
  if (v === 0 && hi === 0) {
    setArithFlags(c, ZF | PF);
    return r.next;
  }
  let idx: number;
  if (r.aux === 0) idx = v !== 0 ? ctz32(v) : 32 + ctz32(hi);
  else idx = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(v);
  setArithFlags(c, PARITY[idx] ? PF : 0);
  setReg(c, r.r0, size, idx, 0);
  return r.next;
}

/** tzcnt (aux 0) / lzcnt (aux 1). */
export function tzLzcnt(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const lo = readSource(c, r, size);
  const hi = size === 8 ? c.tHi : 0;
  const bits = size * 8;
  const v = size === 2 ? lo & 0xffff : lo;
  let n: number;
  if (r.aux === 0) {
    if (size === 8) n = lo !== 0 ? ctz32(lo) : hi !== 0 ? 32 + ctz32(hi) : 64;
    else n = v === 0 ? bits : ctz32(v);
  } else if (size === 8) n = hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
  else n = v === 0 ? bits : Math.clz32(v) - (32 - bits);
  countFlags(c, n === 0, n === bits);
  setReg(c, r.r0, size, n, 0);
  return r.next;
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function popcnt(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const lo = readSource(c, r, size);
  const n = size === 8 ? popcount32(lo) + popcount32(c.tHi) : popcount32(size === 2 ? lo & 0xffff : lo);
  countFlags(c, n === 0, false);
  setReg(c, r.r0, size, n, 0);
  return r.next;
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

export function bswap(c: Cpu, r: Rec): Rec {
  const x = r.r0;
  if (r.size === 8) {
    const lo = c.lo[x];
    c.lo[x] = bswap32(c.hi[x]);
    c.hi[x] = bswap32(lo);
  } else if (r.size === 4) {
    c.lo[x] = bswap32(c.lo[x]);
    c.hi[x] = 0;
  } else {
    // bswap with a 16-bit operand is undefined; hardware zeroes the low word.
    c.lo[x] &= ~0xffff;
  }
  return r.next;
}

// ---- BMI1 / BMI2 (rare: alternatives only), done on BigInt for clarity --------------------------------

function big(c: Cpu, lo: number, size: number): bigint {
  return size === 8 ? (BigInt(c.tHi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
}

function putBig(c: Cpu, reg: number, size: number, v: bigint): void {
  const x = BigInt.asUintN(size * 8, v);
  setReg(c, reg, size, Number(x & 0xffffffffn) | 0, Number(x >> 32n) | 0);
}

function resultFlags(c: Cpu, v: bigint, size: number, cf: boolean): void {
  const sign = (v >> BigInt(size * 8 - 1)) & 1n;
  setArithFlags(c, (v === 0n ? ZF : 0) | (sign ? SF : 0) | (cf ? CF : 0));
}

export const BMI_ANDN = 0, BMI_BEXTR = 1, BMI_BLSI = 2, BMI_BLSMSK = 3, BMI_BLSR = 4, BMI_BZHI = 5, BMI_PDEP = 6, BMI_PEXT = 7;

/**
 * BMI ops. Layout: r.r0 = dest; andn/pdep/pext: r.r1 = first source (vvvv), second = r.r2 or memory;
 * bextr/bzhi: first source = r.r1 or memory, control = r.r2; blsi/blsmsk/blsr: source = r.r1 or memory.
 */
export function bmi(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const bits = BigInt(size * 8);
  const ones = (1n << bits) - 1n;
  const readSecond = (): bigint => {
    if (r.mKind === 0) return big(c, getReg(c, r.r2, size), size);
    ea(c, r);
    return big(c, readMem(c, size), size);
  };
  const readFirstRm = (): bigint => {
    if (r.mKind === 0) return big(c, getReg(c, r.r1, size), size);
    ea(c, r);
    return big(c, readMem(c, size), size);
  };
  switch (r.aux) {
    case BMI_ANDN: {
      const a = big(c, getReg(c, r.r1, size), size);
      const v = ~a & readSecond() & ones;
      resultFlags(c, v, size, false);
      putBig(c, r.r0, size, v);
      break;
    }
    case BMI_BEXTR:
    case BMI_BZHI: {
      const src = readFirstRm();
      const ctl = big(c, getReg(c, r.r2, size), size);
      if (r.aux === BMI_BEXTR) {
        const start = ctl & 0xffn;
        const len = (ctl >> 8n) & 0xffn;
        const v = start >= bits ? 0n : (src >> start) & (len >= bits ? ones : (1n << len) - 1n);
        resultFlags(c, v, size, false);
        setArithFlags(c, v === 0n ? ZF : 0);
        putBig(c, r.r0, size, v);
      } else {
        const n = ctl & 0xffn;
        const v = n >= bits ? src : src & ((1n << n) - 1n);
        resultFlags(c, v, size, n > bits - 1n);
        putBig(c, r.r0, size, v);
      }
      break;
    }
    case BMI_BLSI:
    case BMI_BLSMSK:
    case BMI_BLSR: {
      const src = readFirstRm();
      let v: bigint;
      if (r.aux === BMI_BLSI) v = -src & src & ones;
      else if (r.aux === BMI_BLSMSK) v = ((src - 1n) ^ src) & ones;
      else v = (src - 1n) & src & ones;
      const cf = r.aux === BMI_BLSI ? src !== 0n : src === 0n;
      resultFlags(c, v, size, cf);
      if (r.aux === BMI_BLSMSK) setArithFlags(c, getArithFlags(c) & ~ZF);
      putBig(c, r.r0, size, v);
      break;
    }
    default: {
      const src = big(c, getReg(c, r.r1, size), size);
      const m = readSecond();
      let v = 0n;
      let k = 0n;
      for (let i = 0n; i < bits; i++) {
        if ((m >> i) & 1n) {
          if (r.aux === BMI_PDEP) v |= ((src >> k) & 1n) << i;
          else v |= ((src >> i) & 1n) << k;
          k++;
        }
      }
      putBig(c, r.r0, size, v);
    }
  }
  return r.next;
}

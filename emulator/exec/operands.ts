// Operand access shared by the instruction families: effective addresses, registers by size,
// memory by size. 64-bit values travel as (lo, hi) int32 halves; the high half of a 64-bit read is
// left in c.tHi.
import type { Cpu } from '../cpu/state.js';
import { CpuException, GP } from '../cpu/fault.js';
import { MEM_ABS, MEM_BASE, MEM_BASE_INDEX, MEM_NONE, type Rec } from '../decode/record.js';

/** Compute the linear address of r's memory operand into c.eaLo / c.eaHi. */
export function ea(c: Cpu, r: Rec): void {
  let lo: number;
  let hi: number;
  const kind = r.mKind;
  if (kind === MEM_BASE) {
    const b = r.mBase;
    const s = (c.lo[b] >>> 0) + r.mDisp;
    lo = s | 0;
    hi = (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0;
  } else if (kind === MEM_ABS) {
    lo = r.mDisp;
    hi = r.mDispHi;
  } else {
    const x = r.mIndex;
    const sh = r.mShift;
    const xl = c.lo[x];
    const xh = sh === 0 ? c.hi[x] : (c.hi[x] << sh) | (xl >>> (32 - sh));
    // Low half of index << scale; the bits shifted out are already in xh.
    let s = ((xl << sh) >>> 0) + r.mDisp;
    hi = xh;
    if (kind === MEM_BASE_INDEX) {
      const b = r.mBase;
      s += c.lo[b] >>> 0;
      hi = (hi + c.hi[b]) | 0;
    }
    lo = s | 0;
    hi = (hi + Math.floor(s / 4294967296)) | 0;
  }
  const seg = r.mSeg;
  if (seg >= 0) {
    const s = (lo >>> 0) + (c.segBaseLo[seg] >>> 0);
    lo = s | 0;
    hi = (hi + c.segBaseHi[seg] + (s > 4294967295 ? 1 : 0)) | 0;
  }
  if (r.addr32) hi = 0;
  c.eaLo = lo;
  c.eaHi = hi;
}

/** ea() plus a displacement in bytes (for bit-string offsets and multi-part operands). */
export function eaPlus(c: Cpu, lo: number, hi: number, deltaLo: number, deltaHi: number, addr32: boolean): void {
  const s = (lo >>> 0) + (deltaLo >>> 0);
  c.eaLo = s | 0;
  c.eaHi = addr32 ? 0 : (hi + deltaHi + (s > 4294967295 ? 1 : 0)) | 0;
}

export function isMem(r: Rec): boolean {
  return r.mKind !== MEM_NONE;
}

// ---- registers ----------------------------------------------------------------------------------

/** Read a register: zero-extended for 8/16 bits, the int32 for 32, the low half for 64 (high in c.tHi). */
export function getReg(c: Cpu, reg: number, size: number): number {
  switch (size) {
    case 1:
      return reg >= 16 ? (c.lo[reg - 16] >>> 8) & 0xff : c.lo[reg] & 0xff;
    case 2:
      return c.lo[reg] & 0xffff;
    case 4:
      return c.lo[reg];
    default:
      c.tHi = c.hi[reg];
      return c.lo[reg];
  }
}

/** Write a register with x86 rules: 8/16-bit writes merge, 32-bit writes zero the high half. */
export function setReg(c: Cpu, reg: number, size: number, lo: number, hi: number): void {
  switch (size) {
    case 1:
      if (reg >= 16) c.lo[reg - 16] = (c.lo[reg - 16] & ~0xff00) | ((lo & 0xff) << 8);
      else c.lo[reg] = (c.lo[reg] & ~0xff) | (lo & 0xff);
      return;
    case 2:
      c.lo[reg] = (c.lo[reg] & ~0xffff) | (lo & 0xffff);
      return;
    case 4:
      c.lo[reg] = lo;
      c.hi[reg] = 0;
      return;
    default:
      c.lo[reg] = lo;
      c.hi[reg] = hi;
  }
}

// ---- memory -------------------------------------------------------------------------------------

/** Read size bytes at (c.eaLo, c.eaHi); same conventions as getReg. */
export function readMem(c: Cpu, size: number): number {
  const m = c.mmu;
  switch (size) {
    case 1:
      return m.read8(c.eaLo, c.eaHi);
    case 2:
      return m.read16(c.eaLo, c.eaHi);
    case 4:
      return m.read32(c.eaLo, c.eaHi);
    default: {
      const lo = m.read64(c.eaLo, c.eaHi);
      c.tHi = m.hi32;
      return lo;
    }
  }
}

export function writeMem(c: Cpu, size: number, lo: number, hi: number): void {
  const m = c.mmu;
  switch (size) {
    case 1:
      m.write8(c.eaLo, c.eaHi, lo);
      return;
    case 2:
      m.write16(c.eaLo, c.eaHi, lo);
      return;
    case 4:
      m.write32(c.eaLo, c.eaHi, lo);
      return;
    default:
      m.write64(c.eaLo, c.eaHi, lo, hi);
  }
}

/** Read the r/m operand (register r.r0 or memory); computes the EA for memory. */
export function readRm(c: Cpu, r: Rec, size: number): number {
  if (r.mKind === MEM_NONE) return getReg(c, r.r0, size);
  ea(c, r);
  return readMem(c, size);
}

/** Read a source operand that is register r.r1 or memory (the second operand of most forms). */
export function readSource(c: Cpu, r: Rec, size: number): number {
  if (r.mKind === MEM_NONE) return getReg(c, r.r1, size);
  ea(c, r);
  return readMem(c, size);
}

/** Read a read-modify-write destination, register r.r0 or memory (checked writable first, as RMW faults report writes). */
export function readDestination(c: Cpu, r: Rec, size: number): number {
  if (r.mKind === MEM_NONE) return getReg(c, r.r0, size);
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  return readMem(c, size);
}

/** Write the r/m operand; for memory the EA must already be in c.eaLo/c.eaHi. */
export function writeRm(c: Cpu, r: Rec, size: number, lo: number, hi: number): void {
  if (r.mKind === MEM_NONE) setReg(c, r.r0, size, lo, hi);
  else writeMem(c, size, lo, hi);
}

// ---- values ---------------------------------------------------------------------------------------

export function mask(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : -1;
}

export function bitsOf(size: number): number {
  return size * 8;
}

export function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** A canonical-address check for branch targets: #GP(0) if not canonical. */
export function checkCanonicalTarget(lo: number, hi: number): void {
  if ((hi << 16) >> 16 !== hi) throw new CpuException(GP, 0, lo, hi, 'branch to a non-canonical address');
}

/** Add a signed 32-bit delta to a 64-bit value (pointer arithmetic on halves). */
export function addSigned(lo: number, hi: number, delta: number): [number, number] {
  const s = (lo >>> 0) + delta;
  return [s | 0, (hi + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0];
}

// String instructions: movs stos lods cmps scas ins outs, all sizes, with rep/repe/repne and DF.
// rep movs/stos with DF = 0 copy page-sized chunks with typed-array operations; everything else
// goes element by element, updating RSI/RDI/RCX as it goes so a fault mid-way is restartable.
import type { Cpu } from '../cpu/state.js';
import { CpuException, GP } from '../cpu/fault.js';
import { DF, RAX, RCX, RDI, RSI, RDX } from '../cpu/registers.js';
import type { Rec } from '../decode/record.js';
import { PAGE_SIZE } from '../memory/physical.js';
import { ALU_SUB, alu64, aluNarrow } from './alu.js';
import { getReg, setReg } from './operands.js';

export const STR_MOVS = 0, STR_STOS = 1, STR_LODS = 2, STR_CMPS = 3, STR_SCAS = 4, STR_INS = 5, STR_OUTS = 6;

/** Iterations done per execution of a rep instruction before it re-executes (keeps runs interruptible). */
const REP_SLICE = 65536;

function readIndex(c: Cpu, reg: number, a32: boolean): [number, number] {
  return a32 ? [c.lo[reg], 0] : [c.lo[reg], c.hi[reg]];
}

function stepIndex(c: Cpu, reg: number, delta: number, a32: boolean): void {
  const s = (c.lo[reg] >>> 0) + delta;
  c.lo[reg] = s | 0;
  if (a32) c.hi[reg] = 0;
  else if (s > 4294967295) c.hi[reg] = (c.hi[reg] + 1) | 0;
  else if (s < 0) c.hi[reg] = (c.hi[reg] - 1) | 0;
}

/** Linear address of seg:index (source segment seg may carry an FS/GS base; ES has none in 64-bit mode). */
function linear(c: Cpu, seg: number, lo: number, hi: number, a32: boolean): void {
  if (seg >= 0) {
    const s = (lo >>> 0) + (c.segBaseLo[seg] >>> 0);
    lo = s | 0;
    hi = a32 ? 0 : (hi + c.segBaseHi[seg] + (s > 4294967295 ? 1 : 0)) | 0;
    if (a32 || !c.code64) hi = 0;
  }
  c.eaLo = lo;
  c.eaHi = hi;
}

function readAt(c: Cpu, size: number): number {
  const m = c.mmu;
  switch (size) {
    case 1: return m.read8(c.eaLo, c.eaHi);
    case 2: return m.read16(c.eaLo, c.eaHi);
    case 4: return m.read32(c.eaLo, c.eaHi);
    default: {
      const v = m.read64(c.eaLo, c.eaHi);
      c.tHi = m.hi32;
      return v;
    }
  }
}

function writeAt(c: Cpu, size: number, lo: number, hi: number): void {
  const m = c.mmu;
  switch (size) {
    case 1: m.write8(c.eaLo, c.eaHi, lo); break;
    case 2: m.write16(c.eaLo, c.eaHi, lo); break;
    case 4: m.write32(c.eaLo, c.eaHi, lo); break;
    default: m.write64(c.eaLo, c.eaHi, lo, hi);
  }
}

function countRemaining(c: Cpu, a32: boolean): number {
  return a32 ? c.lo[RCX] >>> 0 : (c.hi[RCX] >>> 0) * 4294967296 + (c.lo[RCX] >>> 0);
}

function setCount(c: Cpu, n: number, a32: boolean): void {
  c.lo[RCX] = n | 0;
  c.hi[RCX] = a32 ? 0 : Math.floor(n / 4294967296) | 0;
}

/** The destination segment (ES) base applies only outside 64-bit mode. */
function destSeg(c: Cpu): number {
  return c.code64 ? -1 : 0;
}

function srcSeg(c: Cpu, r: Rec): number {
  return c.code64 ? r.mSeg : r.mSegReg;
}

function oneIteration(c: Cpu, r: Rec, kind: number, size: number, a32: boolean, delta: number): void {
  switch (kind) {
    case STR_MOVS: {
      const [sl, sh] = readIndex(c, RSI, a32);
      linear(c, srcSeg(c, r), sl, sh, a32);
      const v = readAt(c, size);
      const vh = c.tHi;
      const [dl, dh] = readIndex(c, RDI, a32);
      linear(c, destSeg(c), dl, dh, a32);
      writeAt(c, size, v, vh);
      stepIndex(c, RSI, delta, a32);
      stepIndex(c, RDI, delta, a32);
      return;
    }
    case STR_STOS: {
      const [dl, dh] = readIndex(c, RDI, a32);
      linear(c, destSeg(c), dl, dh, a32);
      writeAt(c, size, c.lo[RAX], c.hi[RAX]);
      stepIndex(c, RDI, delta, a32);
      return;
    }
    case STR_LODS: {
      const [sl, sh] = readIndex(c, RSI, a32);
      linear(c, srcSeg(c, r), sl, sh, a32);
      const v = readAt(c, size);
      setReg(c, RAX, size, v, c.tHi);
      stepIndex(c, RSI, delta, a32);
      return;
    }
    case STR_CMPS: {
      const [sl, sh] = readIndex(c, RSI, a32);
      linear(c, srcSeg(c, r), sl, sh, a32);
      const a = readAt(c, size);
      const ah = c.tHi;
      const [dl, dh] = readIndex(c, RDI, a32);
      linear(c, destSeg(c), dl, dh, a32);
      const b = readAt(c, size);
      if (size === 8) alu64(c, ALU_SUB, a, ah, b, c.tHi);
      else aluNarrow(c, ALU_SUB, size, a, b);
      stepIndex(c, RSI, delta, a32);
      stepIndex(c, RDI, delta, a32);
      return;
    }
    case STR_SCAS: {
      const [dl, dh] = readIndex(c, RDI, a32);
      linear(c, destSeg(c), dl, dh, a32);
      const b = readAt(c, size);
      const bh = c.tHi;
      const acc = getReg(c, RAX, size);
      if (size === 8) alu64(c, ALU_SUB, acc, c.hi[RAX], b, bh);
      else aluNarrow(c, ALU_SUB, size, acc, b);
      stepIndex(c, RDI, delta, a32);
      return;
    }
    case STR_INS: {
      checkIo(c, c.lo[RDX] & 0xffff, size);
      const [dl, dh] = readIndex(c, RDI, a32);
      linear(c, destSeg(c), dl, dh, a32);
      c.mmu.probeWrite(c.eaLo, c.eaHi, size);
      const v = c.portIn(c.lo[RDX] & 0xffff, size as 1 | 2 | 4);
      writeAt(c, size, v, 0);
      stepIndex(c, RDI, delta, a32);
      return;
    }
    default: {
      checkIo(c, c.lo[RDX] & 0xffff, size);
      const [sl, sh] = readIndex(c, RSI, a32);
      linear(c, srcSeg(c, r), sl, sh, a32);
      const v = readAt(c, size);
      c.portOut(c.lo[RDX] & 0xffff, size as 1 | 2 | 4, size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0);
      stepIndex(c, RSI, delta, a32);
    }
  }
}

/** I/O permission: CPL <= IOPL, or the TSS I/O bitmap allows every byte of the access. */
export function checkIo(c: Cpu, port: number, size: number): void {
  if (c.cpl <= c.iopl) return;
  const trBaseLo = c.segBaseLo[7], trBaseHi = c.segBaseHi[7];
  const limit = c.segLimit[7];
  if (limit < 0x67) throw new CpuException(GP, 0, 0, 0, 'I/O port access with CPL > IOPL and no TSS I/O bitmap');
  const s = (trBaseLo >>> 0) + 0x66;
  const base = c.mmu.readSys(s | 0, s > 4294967295 ? (trBaseHi + 1) | 0 : trBaseHi, 2);
  const byteOff = base + (port >>> 3);
  if (byteOff + 1 > limit) throw new CpuException(GP, 0, 0, 0, `I/O port 0x${port.toString(16)} outside the TSS I/O bitmap`);
  const a = (trBaseLo >>> 0) + byteOff;
  const bitsWord = c.mmu.readSys(a | 0, a > 4294967295 ? (trBaseHi + 1) | 0 : trBaseHi, 2);
  const maskBits = ((1 << size) - 1) << (port & 7);
  if ((bitsWord & maskBits) !== 0) throw new CpuException(GP, 0, 0, 0, `I/O port 0x${port.toString(16)} denied by the TSS I/O bitmap`);
}

/** Bulk rep movs / rep stos forward within page chunks; returns iterations done (0: use the slow path). */
function bulk(c: Cpu, r: Rec, kind: number, size: number, a32: boolean, n: number): number {
  if ((kind !== STR_MOVS && kind !== STR_STOS) || c.mmu.writeLog !== null) return 0;
  const [dl, dh] = readIndex(c, RDI, a32);
  linear(c, destSeg(c), dl, dh, a32);
  const dLo = c.eaLo, dHi = c.eaHi;
  const dOff = dLo & (PAGE_SIZE - 1);
  let chunk = Math.min(n, Math.floor((PAGE_SIZE - dOff) / size));
  if (chunk < 2) return 0;
  let sLo = 0, sHi = 0, sOff = 0;
  if (kind === STR_MOVS) {
    const [sl, sh] = readIndex(c, RSI, a32);
    linear(c, srcSeg(c, r), sl, sh, a32);
    sLo = c.eaLo;
    sHi = c.eaHi;
    sOff = sLo & (PAGE_SIZE - 1);
    chunk = Math.min(chunk, Math.floor((PAGE_SIZE - sOff) / size));
    if (chunk < 2) return 0;
  }
  const m = c.mmu;
  // Translate (and fault) exactly like the first element would, then work on the pages directly.
  let src: Uint8Array | null = null;
  let srcKey = 0;
  if (kind === STR_MOVS) {
    const sp = m.translate(sLo, sHi, 0, m.user, false, true);
    if (sp.device) return 0;
    src = sp.bytes;
    srcKey = m.lastPhysKey;
  }
  const dp = m.translate(dLo, dHi, 1, m.user, false, false);
  if (dp.device) return 0;
  const dKey = m.lastPhysKey;
  const bytes = chunk * size;
  if (src !== null && srcKey === dKey && dOff > sOff && dOff < sOff + bytes) return 0; // overlapping forward copy
  const dst = c.mem.writable(dKey, dp, dOff, bytes).bytes;
  if (kind === STR_MOVS) {
    // writable() may have copied the page; re-read the source if it is the same page
    const s = srcKey === dKey ? dst : src!;
    dst.set(s.subarray(sOff, sOff + bytes), dOff);
    stepIndex(c, RSI, bytes, a32);
  } else {
    const lo = c.lo[RAX], hi = c.hi[RAX];
    if (size === 1) dst.fill(lo & 0xff, dOff, dOff + bytes);
    else {
      const dv = new DataView(dst.buffer, dst.byteOffset + dOff, bytes);
      for (let i = 0; i < bytes; i += size) {
        if (size === 2) dv.setUint16(i, lo, true);
        else if (size === 4) dv.setInt32(i, lo, true);
        else {
          dv.setInt32(i, lo, true);
          dv.setInt32(i + 4, hi, true);
        }
      }
    }
  }
  stepIndex(c, RDI, bytes, a32);
  return chunk;
}

export function stringOp(c: Cpu, r: Rec): Rec {
  const kind = r.aux;
  const size = r.size;
  const a32 = r.addr32;
  const delta = (c.eflags & DF) !== 0 ? -size : size;
  if (r.rep === 0) {
    oneIteration(c, r, kind, size, a32, delta);
    return r.next;
  }
  if (a32) {
    // A 32-bit address-size REP writes ECX/ESI/EDI even when ECX is 0 (their upper halves clear).
    c.hi[RCX] = 0;
    if (kind !== STR_STOS && kind !== STR_SCAS && kind !== STR_INS) c.hi[RSI] = 0;
    if (kind !== STR_LODS && kind !== STR_OUTS) c.hi[RDI] = 0;
  }
  let n = countRemaining(c, a32);
  let budget = REP_SLICE;
  const conditional = kind === STR_CMPS || kind === STR_SCAS;
  while (n > 0 && budget > 0) {
    if (!conditional && delta > 0 && n >= 2) {
      const done = bulk(c, r, kind, size, a32, Math.min(n, budget));
      if (done > 0) {
        n -= done;
        budget -= done;
        setCount(c, n, a32);
        continue;
      }
    }
    oneIteration(c, r, kind, size, a32, delta);
    n--;
    budget--;
    setCount(c, n, a32);
    if (conditional) {
      const zf = (c.fRes | c.fResHi) === 0;
      if (r.rep === 1 ? !zf : zf) break;
    }
  }
  if (n > 0 && budget === 0) {
    // Not finished: execute this instruction again (lets limits and interrupts in between).
    c.ripLo = r.ipLo;
    c.ripHi = r.ipHi;
    return r;
  }
  return r.next;
}

// Segment descriptors: reading them from the GDT/LDT, and loading segment registers with the
// protected-mode checks (#GP/#SS/#NP with the selector as error code).
import type { Cpu } from './state.js';
import { ATTR_DB, ATTR_L, ATTR_P, ATTR_S } from './state.js';
import { CpuException, GP, NP, SS_FAULT, TS } from './fault.js';
import { FS, GS, LDTR, SS, TR } from './registers.js';

export interface Descriptor {
  /** The two dwords of the descriptor (and the third for 16-byte system descriptors). */
  lo: number;
  hi: number;
  hi2: number;
  baseLo: number;
  baseHi: number;
  limit: number;
  /** VMX access-rights layout (see state.ts). */
  attr: number;
  /** Where it lives, for setting the accessed/busy bits. */
  addrLo: number;
  addrHi: number;
}

export function attrType(attr: number): number {
  return attr & 0xf;
}
export function attrDpl(attr: number): number {
  return (attr >>> 5) & 3;
}
export function isCode(attr: number): boolean {
  return (attr & ATTR_S) !== 0 && (attr & 8) !== 0;
}
export function isData(attr: number): boolean {
  return (attr & ATTR_S) !== 0 && (attr & 8) === 0;
}
export function isPresent(attr: number): boolean {
  return (attr & ATTR_P) !== 0;
}

function addr(baseLo: number, baseHi: number, off: number): [number, number] {
  const s = (baseLo >>> 0) + off;
  return [s | 0, s > 4294967295 ? (baseHi + 1) | 0 : baseHi];
}

/**
 * Read the descriptor for a selector from the GDT or LDT. A selector outside the table raises
 * `vector` (default #GP) with the selector as error code. System descriptors are 16 bytes in long mode.
 */
export function readDescriptor(c: Cpu, selector: number, vector = GP, ext = 0): Descriptor {
  const index = selector & ~7;
  let baseLo: number, baseHi: number, limit: number;
  if (selector & 4) {
    if ((c.segAttr[LDTR] & ATTR_P) === 0 || c.segSel[LDTR] === 0) throw new CpuException(vector, (selector & 0xfffc) | ext, 0, 0, `selector 0x${selector.toString(16)} refers to the LDT, but no LDT is loaded`);
    baseLo = c.segBaseLo[LDTR];
    baseHi = c.segBaseHi[LDTR];
    limit = c.segLimit[LDTR];
  } else {
    baseLo = c.gdtrBaseLo;
    baseHi = c.gdtrBaseHi;
    limit = c.gdtrLimit;
  }
  if (index + 7 > limit) throw new CpuException(vector, (selector & 0xfffc) | ext, 0, 0, `selector 0x${selector.toString(16)} is beyond the descriptor table limit 0x${limit.toString(16)}`);
  const [aLo, aHi] = addr(baseLo, baseHi, index);
  const lo = c.mmu.readSys(aLo, aHi, 4);
  const [bLo, bHi] = addr(aLo, aHi, 4);
  const hi = c.mmu.readSys(bLo, bHi, 4);
  const attr = (hi >>> 8) & 0xf0ff;
  let limitVal = ((lo & 0xffff) | (hi & 0xf0000)) >>> 0;
  if (attr & 0x8000) limitVal = ((limitVal << 12) | 0xfff) >>> 0;
  const base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
  let hi2 = 0;
  // System descriptors (S = 0) are 16 bytes in long mode: the next dword holds base 63:32.
  if ((attr & ATTR_S) === 0) {
    if (index + 15 > limit) throw new CpuException(vector, (selector & 0xfffc) | ext, 0, 0, `16-byte system descriptor 0x${selector.toString(16)} crosses the table limit`);
    const [cLo, cHi] = addr(aLo, aHi, 8);
    hi2 = c.mmu.readSys(cLo, cHi, 4);
  }
  return { lo, hi, hi2, baseLo: base, baseHi: hi2, limit: limitVal, attr, addrLo: aLo, addrHi: aHi };
}

/** Set the accessed bit of a code/data descriptor the way hardware does when loading it. */
export function setAccessed(c: Cpu, d: Descriptor): void {
  if ((d.attr & ATTR_S) === 0 || (d.attr & 1) !== 0) return;
  const [bLo, bHi] = addr(d.addrLo, d.addrHi, 4);
  c.mmu.writeSys(bLo, bHi, 4, d.hi | 0x100);
  d.attr |= 1;
  d.hi |= 0x100;
}

/** Set a data/stack segment register from a descriptor (no checks). */
export function setSegment(c: Cpu, seg: number, selector: number, baseLo: number, baseHi: number, limit: number, attr: number): void {
  c.segSel[seg] = selector & 0xffff;
  c.segBaseLo[seg] = baseLo;
  c.segBaseHi[seg] = baseHi;
  c.segLimit[seg] = limit >>> 0;
  c.segAttr[seg] = attr;
}

/** Load a null selector into a data segment register (vendor-specific: Intel clears the base). */
function loadNull(c: Cpu, seg: number, selector: number): void {
  const keepBase = c.cpuid.vendor === 'amd' && (seg === FS || seg === GS);
  setSegment(c, seg, selector, keepBase ? c.segBaseLo[seg] : 0, keepBase ? c.segBaseHi[seg] : 0, 0, 0);
}

/** MOV/POP to DS, ES, FS, GS or SS with the protected-mode checks. */
export function loadDataSegment(c: Cpu, seg: number, selector: number): void {
  selector &= 0xffff;
  const rpl = selector & 3;
  if ((selector & 0xfffc) === 0) {
    if (seg === SS) {
      // 64-bit mode allows a null SS at CPL < 3 (RPL must equal CPL).
      if (!(c.code64 && c.cpl < 3 && rpl === c.cpl)) throw new CpuException(GP, 0, 0, 0, 'null selector loaded into SS');
      setSegment(c, SS, selector, 0, 0, 0, (c.cpl << 5) | ATTR_DB);
      return;
    }
    loadNull(c, seg, selector);
    return;
  }
  const d = readDescriptor(c, selector);
  const dpl = attrDpl(d.attr);
  const err = selector & 0xfffc;
  if (seg === SS) {
    if (rpl !== c.cpl || dpl !== c.cpl || !isData(d.attr) || (d.attr & 2) === 0) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)} is not a writable data segment at CPL ${c.cpl}`);
    if (!isPresent(d.attr)) throw new CpuException(SS_FAULT, err, 0, 0, `stack segment 0x${selector.toString(16)} not present`);
  } else {
    const readableCode = isCode(d.attr) && (d.attr & 2) !== 0;
    if (!isData(d.attr) && !readableCode) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)} is neither data nor readable code`);
    const conforming = isCode(d.attr) && (d.attr & 4) !== 0;
    if (!conforming && dpl < Math.max(c.cpl, rpl)) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)}: DPL ${dpl} < max(CPL ${c.cpl}, RPL ${rpl})`);
    if (!isPresent(d.attr)) throw new CpuException(NP, err, 0, 0, `segment 0x${selector.toString(16)} not present`);
  }
  setAccessed(c, d);
  // In 64-bit mode a descriptor gives a 32-bit base (FS/GS bases above 4 GiB come from MSRs).
  setSegment(c, seg, selector, d.baseLo, 0, d.limit, d.attr);
}

/** Validate a code segment descriptor for a far transfer / IRET to privilege `targetCpl`. */
export function checkCodeSegment(c: Cpu, selector: number, d: Descriptor, rpl: number): void {
  const err = selector & 0xfffc;
  if (!isCode(d.attr)) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)} is not a code segment`);
  const dpl = attrDpl(d.attr);
  const conforming = (d.attr & 4) !== 0;
  if (conforming ? dpl > rpl : dpl !== rpl) throw new CpuException(GP, err, 0, 0, `code segment 0x${selector.toString(16)}: DPL ${dpl} does not match RPL ${rpl}`);
  if (!isPresent(d.attr)) throw new CpuException(NP, err, 0, 0, `code segment 0x${selector.toString(16)} not present`);
  if ((d.attr & ATTR_L) !== 0 && (d.attr & ATTR_DB) !== 0) throw new CpuException(GP, err, 0, 0, `code segment 0x${selector.toString(16)} has both L and D set`);
}

/** LTR: an available 64-bit TSS in the GDT becomes busy and is loaded into TR. */
export function loadTaskRegister(c: Cpu, selector: number): void {
  const err = selector & 0xfffc;
  if (err === 0) throw new CpuException(GP, 0, 0, 0, 'LTR with a null selector');
  if (selector & 4) throw new CpuException(GP, err, 0, 0, 'LTR selector refers to the LDT');
  const d = readDescriptor(c, selector);
  if ((d.attr & ATTR_S) !== 0 || attrType(d.attr) !== 9) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)} is not an available 64-bit TSS (type ${attrType(d.attr)})`);
  if (!isPresent(d.attr)) throw new CpuException(NP, err, 0, 0, 'TSS not present');
  const [bLo, bHi] = addr(d.addrLo, d.addrHi, 4);
  c.mmu.writeSys(bLo, bHi, 4, d.hi | 0x200); // busy
  setSegment(c, TR, selector, d.baseLo, d.baseHi, d.limit, d.attr | 2);
}

/** LLDT. */
export function loadLdt(c: Cpu, selector: number): void {
  const err = selector & 0xfffc;
  if (err === 0) {
    setSegment(c, LDTR, selector, 0, 0, 0, 0);
    return;
  }
  if (selector & 4) throw new CpuException(GP, err, 0, 0, 'LLDT selector refers to the LDT');
  const d = readDescriptor(c, selector);
  if ((d.attr & ATTR_S) !== 0 || attrType(d.attr) !== 2) throw new CpuException(GP, err, 0, 0, `selector 0x${selector.toString(16)} is not an LDT descriptor`);
  if (!isPresent(d.attr)) throw new CpuException(NP, err, 0, 0, 'LDT not present');
  setSegment(c, LDTR, selector, d.baseLo, d.baseHi, d.limit, d.attr);
}

/** Read an RSPn / ISTn slot of the 64-bit TSS (offset in bytes); #TS if outside the TSS limit. */
export function readTss64(c: Cpu, offset: number, ext: number): [number, number] {
  if (offset + 7 > c.segLimit[TR]) throw new CpuException(TS, (c.segSel[TR] & 0xfffc) | ext, 0, 0, `TSS offset 0x${offset.toString(16)} beyond TSS limit 0x${c.segLimit[TR].toString(16)}`);
  const [aLo, aHi] = addr(c.segBaseLo[TR], c.segBaseHi[TR], offset);
  const lo = c.mmu.readSys(aLo, aHi, 8);
  return [lo, c.mmu.hi32];
}


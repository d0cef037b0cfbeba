// ELF64 little-endian reader for vmlinux: sections, loadable segments and the symbol table.
import { KernelImageError } from './errors.js';

export const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
export const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
export const PT_LOAD = 1;
export const PF_X = 1, PF_W = 2, PF_R = 4;
export const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
export const STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
export const SHN_UNDEF = 0, SHN_ABS = 0xfff1;

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
}

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  filesz: number;
  memsz: number;
}

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: number;
  type: number;
  bind: number;
  /** Section index (SHN_ABS for absolute symbols). */
  shndx: number;
}

export interface ElfFile {
  bytes: Uint8Array;
  machine: number;
  entry: bigint;
  sections: ElfSection[];
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

const EM_X86_64 = 62;

function cstring(bytes: Uint8Array, offset: number): string {
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('latin1');
}

/** Parse an ELF64 x86-64 file. `what` names it in errors ("vmlinux at /path"). */
export function parseElf(bytes: Uint8Array, what = 'the file'): ElfFile {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new KernelImageError(`${what} is not an ELF file.`, 'Point at the vmlinux of a kernel build (the uncompressed ELF, not bzImage).');
  }
  if (bytes[4] !== 2 || bytes[5] !== 1) {
    throw new KernelImageError(`${what} is not a 64-bit little-endian ELF.`, 'Build the kernel for x86_64 (ARCH=x86_64).');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_X86_64) {
    throw new KernelImageError(`${what} is an ELF for machine ${machine}, not x86-64.`, 'Build the kernel for x86_64 (ARCH=x86_64).');
  }
  const entry = dv.getBigUint64(24, true);
  const phoff = Number(dv.getBigUint64(32, true));
  const shoff = Number(dv.getBigUint64(40, true));
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  const shentsize = dv.getUint16(58, true);
  const shnum = dv.getUint16(60, true);
  const shstrndx = dv.getUint16(62, true);
  if (shoff + shnum * shentsize > bytes.length || phoff + phnum * phentsize > bytes.length) {
    throw new KernelImageError(`${what} is truncated (its headers point past the end of the file).`, 'Rebuild the kernel; the file was cut short.');
  }

  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    nameOffsets.push(dv.getUint32(o, true));
    raw.push({
      index: i,
      type: dv.getUint32(o + 4, true),
      flags: Number(dv.getBigUint64(o + 8, true)),
      addr: dv.getBigUint64(o + 16, true),
      offset: Number(dv.getBigUint64(o + 24, true)),
      size: Number(dv.getBigUint64(o + 32, true)),
    });
  }
  const shstr = raw[shstrndx];
  const sections: ElfSection[] = raw.map((s, i) => ({ ...s, name: shstr ? cstring(bytes, shstr.offset + nameOffsets[i]) : '' }));

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    segments.push({
      type: dv.getUint32(o, true),
      flags: dv.getUint32(o + 4, true),
      offset: Number(dv.getBigUint64(o + 8, true)),
      vaddr: dv.getBigUint64(o + 16, true),
      paddr: dv.getBigUint64(o + 24, true),
      filesz: Number(dv.getBigUint64(o + 32, true)),
      memsz: Number(dv.getBigUint64(o + 40, true)),
    });
  }

  const symbols: ElfSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    const link = dv.getUint32(shoff + symtab.index * shentsize + 40, true);
    const strtab = sections[link];
    for (let o = symtab.offset; o + 24 <= symtab.offset + symtab.size; o += 24) {
      const nameOff = dv.getUint32(o, true);
      const info = bytes[o + 4];
      const shndx = dv.getUint16(o + 6, true);
      const type = info & 0xf;
      if (nameOff === 0 || type === STT_SECTION || type === STT_FILE) continue;
      symbols.push({
        name: cstring(bytes, strtab.offset + nameOff),
        value: dv.getBigUint64(o + 8, true),
        size: Number(dv.getBigUint64(o + 16, true)),
        type,
        bind: info >> 4,
        shndx,
      });
    }
  }
  return { bytes, machine, entry, sections, segments, symbols };
}

/** The section holding a virtual address (allocated sections only), or undefined. */
export function sectionAt(elf: ElfFile, addr: bigint): ElfSection | undefined {
  for (const s of elf.sections) {
    if (!(s.flags & SHF_ALLOC) || s.size === 0) continue;
    if (addr >= s.addr && addr < s.addr + BigInt(s.size)) return s;
  }
  return undefined;
}

/**
 * File bytes at a virtual address of an allocated PROGBITS section, or null when the address is in
 * NOBITS (.bss) or in no section. Zero-based per-CPU symbols resolve through .data..percpu.
 */
export function bytesAt(elf: ElfFile, addr: bigint, length: number): Uint8Array | null {
  const s = sectionAt(elf, addr);
  if (!s || s.type === SHT_NOBITS) return null;
  const off = s.offset + Number(addr - s.addr);
  if (Number(addr - s.addr) + length > s.size) return null;
  return elf.bytes.subarray(off, off + length);
}

/** A NUL-terminated string at a virtual address of the image, or null. */
export function stringAt(elf: ElfFile, addr: bigint, max = 4096): string | null {
  const s = sectionAt(elf, addr);
  if (!s || s.type === SHT_NOBITS) return null;
  const off = s.offset + Number(addr - s.addr);
  const end = Math.min(s.offset + s.size, off + max);
  let i = off;
  while (i < end && elf.bytes[i] !== 0) i++;
  return Buffer.from(elf.bytes.buffer, elf.bytes.byteOffset + off, i - off).toString('utf8');
}

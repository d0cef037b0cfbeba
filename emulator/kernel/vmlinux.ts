// One kernel build as the harness sees it: vmlinux (ELF, symbols), System.map, .config, asm-offsets.h,
// the decoded __bug_table and __ex_table, and the pt_regs layout, all read from the build directory.
import fs from 'node:fs';
import path from 'node:path';
import { parseElf, stringAt, type ElfFile } from './elf.js';
import { KernelImageError, ProfileMismatch } from './errors.js';
import { SymbolTable, type SystemMapCheck } from './symbols.js';
import { configEnabled, parseAsmOffsets, parseKernelConfig, parseUnistd, type AsmOffset, type KernelConfig } from './build-files.js';
import { decodeBugTable, decodeExceptionTable, exceptionTableSorted, SiteIndex, type BugSite, type ExceptionFixup } from './tables.js';

/** Byte offsets of struct pt_regs slots (x86_64), by register name. */
export interface PtRegsLayout {
  r15: number; r14: number; r13: number; r12: number; bp: number; bx: number; r11: number; r10: number;
  r9: number; r8: number; ax: number; cx: number; dx: number; si: number; di: number; orig_ax: number;
  ip: number; cs: number; flags: number; sp: number; ss: number;
  size: number;
  /** Slots asm-offsets.h does not give, derived from the fixed order of the struct. */
  derived: string[];
}

export const PT_REGS_ORDER = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'] as const;
export type PtRegsSlot = (typeof PT_REGS_ORDER)[number];

/**
 * The offsets asm-offsets.h gives are authoritative; the others (ax, orig_ax, ip, cs, ss in 6.12) come
 * from struct pt_regs' declaration order, every slot 8 bytes, anchored on the nearest given slot.
 * Disagreement between the given offsets and that order is reported, not papered over.
 */
export function ptRegsLayout(offsets: Map<string, AsmOffset>): PtRegsLayout {
  const given = new Map<string, number>();
  for (const slot of PT_REGS_ORDER) {
    const o = offsets.get(`pt_regs_${slot}`);
    if (o) given.set(slot, o.value);
  }
  if (given.size === 0) {
    throw new KernelImageError('asm-offsets.h has no pt_regs_* offsets.', 'Point at the build directory of an x86_64 kernel (include/generated/asm-offsets.h must be the 64-bit one).');
  }
  const layout: Record<string, number> = {};
  const derived: string[] = [];
  for (let i = 0; i < PT_REGS_ORDER.length; i++) {
    const slot = PT_REGS_ORDER[i];
    const g = given.get(slot);
    if (g !== undefined) {
      layout[slot] = g;
      continue;
    }
    // Nearest given slot in declaration order.
    let best: { index: number; value: number } | null = null;
    for (let j = 0; j < PT_REGS_ORDER.length; j++) {
      const v = given.get(PT_REGS_ORDER[j]);
      if (v === undefined) continue;
      if (!best || Math.abs(j - i) < Math.abs(best.index - i)) best = { index: j, value: v };
    }
    layout[slot] = (best as { index: number; value: number }).value + (i - (best as { index: number }).index) * 8;
    derived.push(slot);
  }
  const size = offsets.get('PTREGS_SIZE')?.value ?? layout.ss + 8;
  const seen = new Set<number>();
  for (const slot of PT_REGS_ORDER) {
    const v = layout[slot];
    if (v < 0 || v + 8 > size || v % 8 !== 0 || seen.has(v)) {
      throw new ProfileMismatch(
        `struct pt_regs does not have the x86_64 shape: slot ${slot} at ${v} (size ${size}).`,
        'The harness derives pt_regs slots missing from asm-offsets.h from the struct order; this kernel changed it. Add the slots to the profile.',
      );
    }
    seen.add(v);
  }
  return { ...(layout as unknown as Omit<PtRegsLayout, 'size' | 'derived'>), size, derived };
}

export interface KernelBuildPaths {
  vmlinux: string;
  systemMap: string | null;
  dotConfig: string | null;
  asmOffsets: string | null;
}

/** Where the files of a build directory are (O= layout), without reading them. */
export function buildPaths(buildDir: string): KernelBuildPaths {
  const p = (rel: string) => path.join(buildDir, rel);
  const exists = (f: string) => (fs.existsSync(f) ? f : null);
  return {
    vmlinux: p('vmlinux'),
    systemMap: exists(p('System.map')),
    dotConfig: exists(p('.config')),
    asmOffsets: exists(p('include/generated/asm-offsets.h')),
  };
}

/** The source tree of an O= build (its `source` link), or null. */
export function sourceTree(buildDir: string): string | null {
  try {
    return fs.realpathSync(path.join(buildDir, 'source'));
  } catch {
    return null;
  }
}

/**
 * __FILE__ as the source tree sees it. Builds whose source tree is reached by a relative path record
 * "../../linux/kernel/auditsc.c"; the kernel's own oops says "kernel/auditsc.c" on a normal build.
 */
function sourceRelative(file: string, buildDir: string, source: string): string {
  if (!file.includes('/') || (!file.startsWith('.') && !file.startsWith('/'))) return file;
  const abs = path.resolve(buildDir, file);
  if (abs.startsWith(source + path.sep)) return abs.slice(source.length + 1);
  // The build directory may have moved since (a kept copy): drop leading components until the rest
  // names a file of the source tree.
  const parts = file.split('/');
  for (let i = 1; i < parts.length; i++) {
    const rest = parts.slice(i).join('/');
    if (fs.existsSync(path.join(source, rest))) return rest;
  }
  return file;
}

export class KernelImage {
  readonly bugSites: SiteIndex<BugSite>;
  readonly fixups: SiteIndex<ExceptionFixup>;

  private constructor(
    readonly buildDir: string,
    readonly elf: ElfFile,
    readonly symbols: SymbolTable,
    readonly config: KernelConfig,
    readonly asmOffsets: Map<string, AsmOffset>,
    readonly ptRegs: PtRegsLayout,
    readonly bugTable: BugSite[],
    readonly exceptionTable: ExceptionFixup[],
    readonly systemMap: SystemMapCheck | null,
    /** "Linux version 6.12.x ..." from linux_banner, or null. */
    readonly banner: string | null,
    /** System call numbers of the build's uapi headers, 64-bit and i386 (empty when absent). */
    readonly syscalls: { 64: Map<string, number>; 32: Map<string, number> },
  ) {
    this.bugSites = new SiteIndex(bugTable, (b) => b.address);
    this.fixups = new SiteIndex(exceptionTable, (e) => e.insn);
  }

  /** Read a build directory. Throws KernelImageError naming the missing or inconsistent file. */
  static load(buildDir: string): KernelImage {
    const dir = path.resolve(buildDir);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new KernelImageError(`${dir} is not a directory.`, 'Pass the build directory of a kernel build (the one `entrybench build` printed).');
    }
    const files = buildPaths(dir);
    if (!fs.existsSync(files.vmlinux)) {
      throw new KernelImageError(`${dir} has no vmlinux.`, 'Build the kernel first (entrybench build --tree DIR), then check its build directory.');
    }
    if (!files.asmOffsets) {
      throw new KernelImageError(`${dir} has no include/generated/asm-offsets.h.`, 'Check the build directory itself (O=), not the source tree.');
    }
    if (!files.dotConfig) {
      throw new KernelImageError(`${dir} has no .config.`, 'Check the build directory itself (O=), not the source tree.');
    }
    const elf = parseElf(fs.readFileSync(files.vmlinux), `vmlinux in ${dir}`);
    const symbols = SymbolTable.fromElf(elf);
    if (symbols.size === 0) {
      throw new KernelImageError(`vmlinux in ${dir} has no symbol table.`, 'Use the unstripped vmlinux from the build directory.');
    }
    const config = parseKernelConfig(fs.readFileSync(files.dotConfig, 'utf8'));
    if (!configEnabled(config, 'X86_64') && !configEnabled(config, '64BIT')) {
      throw new KernelImageError(`The .config in ${dir} is not a 64-bit x86 kernel.`, 'Configure with ARCH=x86_64 (`make ARCH=x86_64 tinyconfig`); plain `make tinyconfig` gives a 32-bit kernel.');
    }
    const asmOffsets = parseAsmOffsets(fs.readFileSync(files.asmOffsets, 'utf8'));
    const ptRegs = ptRegsLayout(asmOffsets);
    let systemMap: SystemMapCheck | null = null;
    if (files.systemMap) {
      systemMap = symbols.checkSystemMap(fs.readFileSync(files.systemMap, 'utf8'));
      if (systemMap.mismatches.length > 0) {
        const m = systemMap.mismatches[0];
        throw new KernelImageError(
          `System.map and vmlinux in ${dir} disagree: ${m.name} is at 0x${m.elf.toString(16)} in vmlinux but 0x${m.map.toString(16)} in System.map (${systemMap.mismatches.length} such symbols).`,
          'The files come from different builds; rebuild, or check a build directory whose files belong together.',
        );
      }
    }
    const bugTable = decodeBugTable(elf, symbols, configEnabled(config, 'DEBUG_BUGVERBOSE'));
    const source = sourceTree(dir);
    if (source) {
      const seen = new Map<string, string>();
      for (const b of bugTable) {
        if (!b.file) continue;
        let f = seen.get(b.file);
        if (f === undefined) seen.set(b.file, (f = sourceRelative(b.file, dir, source)));
        b.file = f;
      }
    }
    const exceptionTable = decodeExceptionTable(elf, symbols);
    if (!exceptionTableSorted(exceptionTable)) {
      throw new KernelImageError(`__ex_table of vmlinux in ${dir} is not sorted.`, 'The kernel sorts it at link time (scripts/sorttable); rebuild the kernel.');
    }
    const bannerSym = symbols.find('linux_banner');
    const banner = bannerSym ? (stringAt(elf, bannerSym.address, 512)?.trim() ?? null) : null;
    const unistd = (bits: 64 | 32) => {
      const f = path.join(dir, 'arch/x86/include/generated/uapi/asm', `unistd_${bits}.h`);
      return fs.existsSync(f) ? parseUnistd(fs.readFileSync(f, 'utf8')) : new Map<string, number>();
    };
    return new KernelImage(dir, elf, symbols, config, asmOffsets, ptRegs, bugTable, exceptionTable, systemMap, banner, { 64: unistd(64), 32: unistd(32) });
  }

  configured(option: string): boolean {
    return configEnabled(this.config, option);
  }

  offset(name: string): number | undefined {
    return this.asmOffsets.get(name)?.value;
  }

  /** Release as in `uname -r`, parsed from the banner. */
  get release(): string | null {
    const m = this.banner ? /^Linux version (\S+)/.exec(this.banner) : null;
    return m ? m[1] : null;
  }
}

// Tables the kernel links into vmlinux and the harness decodes: __bug_table (BUG/WARN sites with file
// and line) and __ex_table (instructions allowed to fault, their fixups and handler types).
import { bytesAt, stringAt, type ElfFile } from './elf.js';
import { KernelImageError } from './errors.js';
import type { SymbolTable } from './symbols.js';

export const BUGFLAG_WARNING = 1, BUGFLAG_ONCE = 2, BUGFLAG_DONE = 4, BUGFLAG_NO_CUT_HERE = 8;

export interface BugSite {
  /** Address of the ud2 the BUG()/WARN() compiled to. */
  address: bigint;
  file: string | null;
  line: number | null;
  flags: number;
  warning: boolean;
}

/** x86 extable handler types (arch/x86/include/asm/extable_fixup_types.h). */
export const EX_TYPE_NAMES: Record<number, string> = {
  0: 'EX_TYPE_NONE', 1: 'EX_TYPE_DEFAULT', 2: 'EX_TYPE_FAULT', 3: 'EX_TYPE_UACCESS', 5: 'EX_TYPE_CLEAR_FS',
  6: 'EX_TYPE_FPU_RESTORE', 7: 'EX_TYPE_BPF', 8: 'EX_TYPE_WRMSR', 9: 'EX_TYPE_RDMSR', 10: 'EX_TYPE_WRMSR_SAFE',
  11: 'EX_TYPE_RDMSR_SAFE', 12: 'EX_TYPE_WRMSR_IN_MCE', 13: 'EX_TYPE_RDMSR_IN_MCE', 14: 'EX_TYPE_DEFAULT_MCE_SAFE',
  15: 'EX_TYPE_FAULT_MCE_SAFE', 16: 'EX_TYPE_POP_REG', 17: 'EX_TYPE_IMM_REG', 18: 'EX_TYPE_FAULT_SGX',
  19: 'EX_TYPE_UCOPY_LEN', 20: 'EX_TYPE_ZEROPAD', 21: 'EX_TYPE_ERETU',
};

export interface ExceptionFixup {
  /** The instruction that may fault. */
  insn: bigint;
  /** Where the handler sends execution. */
  fixup: bigint;
  type: number;
  typeName: string;
  /** Register index the handler writes (EX_DATA_REG), flags (EX_DATA_FLAG), signed immediate. */
  reg: number;
  flags: number;
  imm: number;
}

function sectionBytes(elf: ElfFile, start: bigint, stop: bigint, what: string): Uint8Array {
  const length = Number(stop - start);
  if (length < 0) throw new KernelImageError(`The ${what} bounds of vmlinux are reversed.`, 'Rebuild the kernel; vmlinux looks damaged.');
  if (length === 0) return new Uint8Array(0);
  const bytes = bytesAt(elf, start, length);
  if (!bytes) throw new KernelImageError(`The ${what} of vmlinux is not in the file.`, 'Rebuild the kernel; vmlinux looks damaged.');
  return bytes;
}

/**
 * Decode __bug_table. With CONFIG_GENERIC_BUG_RELATIVE_POINTERS (x86_64) each field is a 32-bit
 * displacement from itself; with CONFIG_DEBUG_BUGVERBOSE an entry also has file and line.
 */
export function decodeBugTable(elf: ElfFile, symbols: SymbolTable, verbose: boolean): BugSite[] {
  const startSym = symbols.find('__start___bug_table');
  const stopSym = symbols.find('__stop___bug_table');
  if (!startSym || !stopSym) return [];
  const bytes = sectionBytes(elf, startSym.address, stopSym.address, '__bug_table');
  const entrySize = verbose ? 12 : 8;
  if (bytes.length % entrySize !== 0) {
    throw new KernelImageError(
      `__bug_table is ${bytes.length} bytes, not a multiple of the ${entrySize}-byte entry this configuration implies.`,
      'The .config does not match vmlinux (CONFIG_DEBUG_BUGVERBOSE differs); use the files of one build.',
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sites: BugSite[] = [];
  for (let o = 0; o < bytes.length; o += entrySize) {
    const entryAddr = startSym.address + BigInt(o);
    const address = BigInt.asUintN(64, entryAddr + BigInt(dv.getInt32(o, true)));
    if (verbose) {
      const fileAddr = BigInt.asUintN(64, entryAddr + 4n + BigInt(dv.getInt32(o + 4, true)));
      const line = dv.getUint16(o + 8, true);
      const flags = dv.getUint16(o + 10, true);
      sites.push({ address, file: stringAt(elf, fileAddr, 512), line, flags, warning: (flags & BUGFLAG_WARNING) !== 0 });
    } else {
      const flags = dv.getUint16(o + 4, true);
      sites.push({ address, file: null, line: null, flags, warning: (flags & BUGFLAG_WARNING) !== 0 });
    }
  }
  return sites;
}

export function decodeExceptionTable(elf: ElfFile, symbols: SymbolTable): ExceptionFixup[] {
  const startSym = symbols.find('__start___ex_table');
  const stopSym = symbols.find('__stop___ex_table');
  if (!startSym || !stopSym) return [];
  const bytes = sectionBytes(elf, startSym.address, stopSym.address, '__ex_table');
  if (bytes.length % 12 !== 0) {
    throw new KernelImageError(`__ex_table is ${bytes.length} bytes, not a multiple of 12.`, 'This kernel uses another exception table layout; the profile does not match it.');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ExceptionFixup[] = [];
  for (let o = 0; o < bytes.length; o += 12) {
    const at = startSym.address + BigInt(o);
    const data = dv.getInt32(o + 8, true);
    const type = data & 0xff;
    out.push({
      insn: BigInt.asUintN(64, at + BigInt(dv.getInt32(o, true))),
      fixup: BigInt.asUintN(64, at + 4n + BigInt(dv.getInt32(o + 4, true))),
      type,
      typeName: EX_TYPE_NAMES[type] ?? `EX_TYPE_${type}`,
      reg: (data >> 8) & 0xf,
      flags: (data >> 12) & 0xf,
      imm: data >> 16,
    });
  }
  return out;
}

/** Lookup by address for both tables. */
export class SiteIndex<T> {
  private readonly map = new Map<bigint, T>();
  constructor(entries: T[], key: (e: T) => bigint) {
    for (const e of entries) this.map.set(key(e), e);
  }
  get(address: bigint): T | undefined {
    return this.map.get(address);
  }
  get size(): number {
    return this.map.size;
  }
}

/** True when the entries are sorted by instruction address (scripts/sorttable ran at link time). */
export function exceptionTableSorted(entries: ExceptionFixup[]): boolean {
  for (let i = 1; i < entries.length; i++) if (entries[i - 1].insn > entries[i].insn) return false;
  return true;
}

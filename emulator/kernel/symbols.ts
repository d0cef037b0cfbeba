// Kernel symbols: address -> "symbol+off/len" the way kallsyms prints it, name -> address, per-CPU offsets.
import { SHN_ABS, SHN_UNDEF, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, STT_NOTYPE, STT_OBJECT, type ElfFile } from './elf.js';
import { ProfileMismatch } from './errors.js';

export interface KernelSymbol {
  name: string;
  address: bigint;
  /** ELF st_size (0 for assembly labels without .size). */
  size: number;
  kind: 'func' | 'object' | 'label';
  global: boolean;
}

export interface SymbolLocation {
  symbol: KernelSymbol;
  offset: number;
  /** Distance to the next symbol, as kallsyms computes it (what oopses print after the slash). */
  length: number;
}

export interface SystemMapCheck {
  compared: number;
  mismatches: { name: string; elf: bigint; map: bigint }[];
  missing: string[];
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

export class SymbolTable {
  /** Kernel-space symbols (text, data) sorted by address. */
  private readonly sorted: KernelSymbol[];
  private readonly byName = new Map<string, KernelSymbol[]>();
  /** Zero-based per-CPU variables (section .data..percpu), by name. */
  readonly percpu = new Map<string, KernelSymbol>();

  constructor(symbols: KernelSymbol[], percpu: KernelSymbol[] = []) {
    // Among aliases at one address, kallsyms prints the one scripts/kallsyms sorts first: global
    // before local, then fewer leading underscores (irq_entries_start, not __irqentry_text_start).
    const underscores = (n: string) => n.length - n.replace(/^_+/, '').length;
    this.sorted = symbols.slice().sort((a, b) =>
      a.address < b.address ? -1 : a.address > b.address ? 1 : Number(b.global) - Number(a.global) || underscores(a.name) - underscores(b.name) || a.name.localeCompare(b.name),
    );
    for (const s of this.sorted) {
      const list = this.byName.get(s.name);
      if (list) list.push(s);
      else this.byName.set(s.name, [s]);
    }
    for (const s of percpu) if (!this.percpu.has(s.name) || s.global) this.percpu.set(s.name, s);
  }

  static fromElf(elf: ElfFile): SymbolTable {
    const percpuIndex = elf.sections.findIndex((s) => s.name === '.data..percpu');
    const symbols: KernelSymbol[] = [];
    const percpu: KernelSymbol[] = [];
    for (const s of elf.symbols) {
      if (s.shndx === SHN_UNDEF || s.shndx === SHN_ABS) continue;
      if (s.type !== STT_FUNC && s.type !== STT_OBJECT && s.type !== STT_NOTYPE) continue;
      if (s.bind !== STB_GLOBAL && s.bind !== STB_LOCAL && s.bind !== STB_WEAK) continue;
      const sym: KernelSymbol = {
        name: s.name,
        address: s.value,
        size: s.size,
        kind: s.type === STT_FUNC ? 'func' : s.type === STT_OBJECT ? 'object' : 'label',
        global: s.bind !== STB_LOCAL,
      };
      if (s.shndx === percpuIndex && s.value < 0xffff800000000000n) percpu.push(sym);
      else if (s.value >= 0xffff800000000000n) symbols.push(sym);
    }
    return new SymbolTable(symbols, percpu);
  }

  get size(): number {
    return this.sorted.length;
  }

  /** The symbol of that name (a global one when several share it), or undefined. */
  find(name: string): KernelSymbol | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    return list.find((s) => s.global) ?? list[0];
  }

  all(name: string): KernelSymbol[] {
    return this.byName.get(name) ?? [];
  }

  /** Address of a symbol the harness cannot do without. */
  address(name: string, why: string): bigint {
    const s = this.find(name);
    if (!s) throw new ProfileMismatch(`The kernel has no symbol ${name} (${why}).`, 'Check that the build has CONFIG_KALLSYMS and the options of the entry config fragment, or that the profile matches this kernel generation.');
    return s.address;
  }

  /** Per-CPU offset of a variable the harness cannot do without. */
  percpuOffset(name: string, why: string): bigint {
    const s = this.percpu.get(name);
    if (!s) throw new ProfileMismatch(`The kernel has no per-CPU variable ${name} (${why}).`, 'This harness needs an SMP x86_64 build with zero-based per-CPU data; use the entry config fragments.');
    return s.address;
  }

  /** The symbol containing an address, kallsyms style (the last symbol at or below it). */
  lookup(address: bigint): SymbolLocation | null {
    const arr = this.sorted;
    let lo = 0, hi = arr.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid].address <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return null;
    // Among aliases at one address, the one sorted first (see the constructor).
    let first = found;
    while (first > 0 && arr[first - 1].address === arr[found].address) first--;
    const symbol = arr[first];
    let next = found + 1;
    while (next < arr.length && arr[next].address === symbol.address) next++;
    const end = next < arr.length ? arr[next].address : symbol.address + BigInt(Math.max(symbol.size, 1));
    const offset = Number(address - symbol.address);
    // Far past the last symbol of a region (or past an object's end in data) it is not that symbol.
    if (symbol.size > 0 && symbol.kind === 'object' && offset >= symbol.size) return null;
    return { symbol, offset, length: Number(end - symbol.address) };
  }

  /** "entry_SYSCALL_64+0x1d/0x140", or the bare hex address when no symbol covers it. */
  format(address: bigint): string {
    const loc = this.lookup(address);
    if (!loc) return hex(address);
    return `${loc.symbol.name}+0x${loc.offset.toString(16)}/0x${loc.length.toString(16)}`;
  }

  /** Compare against a System.map: a different build's map is a user mistake worth stopping for. */
  checkSystemMap(text: string): SystemMapCheck {
    const result: SystemMapCheck = { compared: 0, mismatches: [], missing: [] };
    for (const line of text.split('\n')) {
      const m = /^([0-9a-f]{16}) ([TtDdRrBbWwVv]) (\S+)$/.exec(line);
      if (!m) continue;
      const addr = BigInt('0x' + m[1]);
      if (addr < 0xffff800000000000n) continue;
      const name = m[3];
      const list = this.byName.get(name);
      if (!list) {
        if (result.missing.length < 20) result.missing.push(name);
        continue;
      }
      result.compared++;
      if (!list.some((s) => s.address === addr) && result.mismatches.length < 20) {
        result.mismatches.push({ name, elf: list[0].address, map: addr });
      }
    }
    return result;
  }
}

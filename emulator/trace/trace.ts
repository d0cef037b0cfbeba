// The trace ring buffer: the last N executed steps with their bytes, register deltas, flag changes
// and memory writes, plus delivered events; formatted on demand with disassembly and symbols.
import { GPR64_NAMES } from '../cpu/registers.js';
import { addressWithSymbol, disassembleOne, hexBytes, type Symbolizer } from './disasm.js';

export interface RegisterDelta {
  register: string;
  before: bigint;
  after: bigint;
}

export interface MemoryWrite {
  address: bigint;
  size: number;
  value: bigint;
}

export interface TraceStep {
  /** Retired-instruction count before this step (machine lifetime). */
  index: number;
  kind: 'step' | 'event';
  address: bigint;
  /** Instruction bytes (empty for events). */
  bytes: Uint8Array;
  bitness: 64 | 32;
  cpl: number;
  registers: RegisterDelta[];
  flagsBefore: number;
  flagsAfter: number;
  writes: MemoryWrite[];
  /** For events: what was delivered, e.g. "#PF page fault (error 0x6, cr2 0x0)". */
  event?: string;
}

export class TraceBuffer {
  private buf: TraceStep[] = [];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {}

  push(step: TraceStep): void {
    if (this.count < this.capacity) {
      this.buf.push(step);
      this.count++;
    } else {
      this.buf[this.head] = step;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Oldest first. */
  steps(): TraceStep[] {
    if (this.count < this.capacity) return this.buf.slice();
    return [...this.buf.slice(this.head), ...this.buf.slice(0, this.head)];
  }

  clear(): void {
    this.buf = [];
    this.head = 0;
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }
}

const FLAG_NAMES: [number, string][] = [[0x1, 'CF'], [0x4, 'PF'], [0x10, 'AF'], [0x40, 'ZF'], [0x80, 'SF'], [0x100, 'TF'], [0x200, 'IF'], [0x400, 'DF'], [0x800, 'OF'], [0x10000, 'RF'], [0x40000, 'AC']];

function flagText(f: number): string {
  return FLAG_NAMES.filter(([b]) => f & b).map(([, n]) => n).join(' ') || '-';
}

export function hex(v: bigint): string {
  return '0x' + BigInt.asUintN(64, v).toString(16);
}

/** One readable line per step, e.g.
 *  "#1041 ffffffff81400043 <entry_SYSCALL_64+0x3>  65 48 89 24 25 14 60 00 00  mov    %rsp,%gs:0x6014  [0xffff888000006014]=0x7ffc..." */
export function formatStep(s: TraceStep, symbolize?: Symbolizer): string {
  const where = addressWithSymbol(s.address, symbolize);
  if (s.kind === 'event') return `#${s.index} ${where}  ==> ${s.event ?? 'event'}`;
  const d = disassembleOne(s.bytes, s.address, s.bitness, symbolize);
  const effects: string[] = [];
  for (const r of s.registers) effects.push(`${r.register}=${hex(r.after)}`);
  if (s.flagsAfter !== s.flagsBefore) effects.push(`flags=[${flagText(s.flagsAfter)}]`);
  for (const w of s.writes) effects.push(`[${hex(w.address)}]${w.size !== 8 ? `.${w.size}` : ''}=${hex(w.value)}`);
  const cpl = s.cpl === 3 ? ' (user)' : '';
  return `#${s.index} ${where}${cpl}  ${hexBytes(s.bytes).padEnd(29)}  ${d.text.padEnd(38)}${effects.length ? '  ' + effects.join(' ') : ''}`;
}

export const TRACE_REGISTER_NAMES = GPR64_NAMES;

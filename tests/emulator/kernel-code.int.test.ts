// Real kernel code in the emulator: library functions of the Linux 6.12 entry-compat build (GCC output,
// not hand-written tests) called with the SysV ABI and checked against known answers, and the build's
// entry text disassembled the way objdump prints it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/index.js';
import { PT_LOAD, PF_W, PF_X, parseElf, type ElfFile } from '../../emulator/kernel/elf.js';
import { linuxBuild, linuxUnavailable } from '../helpers/linux.js';
import { asm } from './helpers/asm.js';

const unavailable = linuxUnavailable();
const SCRATCH = 0x10000000n; // strings, buffers, arrays (user-space addresses the kernel may read)
const STACK_TOP = 0x20000000n;
const RETURN = 0x30000000n; // a breakpoint page: functions "return" here
const HELPERS = 0x31000000n; // our own callbacks (sort's comparison)

let vmlinux: string;
let elf: ElfFile;
let sym: Map<string, bigint>;
let m: Machine;

function kernelMachine(): Machine {
  const machine = new Machine();
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || seg.memsz === 0) continue;
    const start = seg.vaddr & ~4095n;
    const end = (seg.vaddr + BigInt(seg.memsz) + 4095n) & ~4095n;
    machine.memory.map(start, Number(end - start), `r${seg.flags & PF_W ? 'w' : ''}${seg.flags & PF_X ? 'x' : ''}`);
    machine.memory.write(seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
  }
  machine.memory.map(SCRATCH, 0x100000, 'rw');
  machine.memory.map(STACK_TOP - 0x10000n, 0x10000, 'rw');
  machine.memory.load(RETURN, Uint8Array.of(0xcc), 'rx');
  machine.memory.load(HELPERS, asm('mov (%rdi), %eax\nmov (%rsi), %edx\nxor %ecx, %ecx\ncmp %edx, %eax\nseta %cl\nsbb $0, %ecx\nmov %ecx, %eax\nret'), 'rx');
  const percpu = sym.get('__per_cpu_load');
  if (percpu) machine.set('gs_base', percpu);
  machine.symbolizer = (a) => {
    let best: [string, bigint] | undefined;
    for (const [n, v] of sym) if (v <= a && a - v < 0x10000n && (!best || v > best[1])) best = [n, v];
    return best ? `${best[0]}+0x${(a - best[1]).toString(16)}` : undefined;
  };
  return machine;
}

/** Call a kernel function with integer arguments (SysV: six in registers, the rest on the stack); returns RAX. */
function call(name: string, ...args: bigint[]): bigint {
  const fn = sym.get(name);
  if (fn === undefined) throw new Error(`${name} is not in this vmlinux`);
  const regs = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const;
  args.slice(0, 6).forEach((a, i) => m.set(regs[i], BigInt.asUintN(64, a)));
  const stackArgs = args.slice(6);
  const sp = STACK_TOP - 0x100n;
  m.set('rax', 0n); // no vector registers used by a varargs call
  m.set('rsp', sp);
  m.memory.writeU64(sp, RETURN);
  stackArgs.forEach((a, i) => m.memory.writeU64(sp + 8n + BigInt(i * 8), BigInt.asUintN(64, a)));
  m.set('rip', fn);
  const stop = m.run({ breakpoints: [RETURN], maxInstructions: 50_000_000 });
  if (stop.reason !== 'breakpoint') throw new Error(`${name} did not return: ${stop.message}`);
  return m.get('rax');
}

let scratch = SCRATCH;
function put(bytes: Uint8Array): bigint {
  const at = scratch;
  m.memory.write(at, bytes);
  scratch += (BigInt(bytes.length) + 15n) & ~15n;
  return at;
}
const cstr = (s: string) => put(new Uint8Array([...Buffer.from(s, 'latin1'), 0]));
function readCString(at: bigint): string {
  const bytes = m.memory.read(at, 256);
  return Buffer.from(bytes.subarray(0, bytes.indexOf(0))).toString('latin1');
}
/** An `int` return value (EAX, sign-extended). */
const int = (v: bigint) => BigInt.asIntN(32, v);

describe.skipIf(unavailable !== null)('Linux 6.12 library code in the emulator', () => {
  beforeAll(async () => {
    vmlinux = (await linuxBuild('entry-compat')).vmlinux;
    elf = parseElf(new Uint8Array(fs.readFileSync(vmlinux)), vmlinux);
    sym = new Map(elf.symbols.filter((s) => s.name).map((s) => [s.name, s.value]));
    m = kernelMachine();
  }, 1_800_000);

  it('strlen, strcmp, memcmp', () => {
    expect(call('strlen', cstr('hello, world'))).toBe(12n);
    expect(call('strlen', cstr(''))).toBe(0n);
    expect(int(call('strcmp', cstr('abc'), cstr('abd'))) < 0n).toBe(true);
    expect(call('strcmp', cstr('same'), cstr('same'))).toBe(0n);
    const a = put(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff));
    const b = put(Uint8Array.from({ length: 300 }, (_, i) => (i === 299 ? 0 : i & 0xff)));
    expect(int(call('memcmp', a, b, 300n)) > 0n).toBe(true);
    expect(call('memcmp', a, b, 299n)).toBe(0n);
  });

  it('vsnprintf through snprintf formats like C', () => {
    const buf = put(new Uint8Array(128));
    const want = '-42|    7|beef  |123456789abc|str|Z|%|-9000000000';
    const n = call('snprintf', buf, 128n, cstr('%d|%5u|%-6x|%08lx|%s|%c|%%|%lld'), -42n, 7n, 0xbeefn, 0x123456789abcn, cstr('str'), 0x5an, -9000000000n);
    expect(readCString(buf)).toBe(want);
    expect(n).toBe(BigInt(want.length));
    const buf2 = put(new Uint8Array(64));
    expect(call('snprintf', buf2, 64n, cstr('[%+.3d] [%#o] [%lu]'), 5n, 8n, 18446744073709551615n)).toBe(BigInt('[+005] [010] [18446744073709551615]'.length));
    expect(readCString(buf2)).toBe('[+005] [010] [18446744073709551615]');
    const small = put(new Uint8Array(8));
    expect(call('snprintf', small, 6n, cstr('%s'), cstr('truncated'))).toBe(9n);
    expect(readCString(small)).toBe('trunc');
  });

  it('kstrtoull / kstrtoll parse and range-check like the kernel says', () => {
    const res = put(new Uint8Array(8));
    expect(call('kstrtoull', cstr('18446744073709551615'), 10n, res)).toBe(0n);
    expect(m.memory.readU64(res)).toBe(0xffffffffffffffffn);
    expect(call('kstrtoull', cstr('0x1f\n'), 0n, res)).toBe(0n);
    expect(m.memory.readU64(res)).toBe(31n);
    expect(int(call('kstrtoull', cstr('18446744073709551616'), 10n, res))).toBe(-34n); // -ERANGE
    expect(int(call('kstrtoull', cstr('12z'), 10n, res))).toBe(-22n); // -EINVAL
    expect(call('kstrtoll', cstr('-9223372036854775808'), 10n, res)).toBe(0n);
    expect(m.memory.readU64(res)).toBe(0x8000000000000000n);
  });

  it('sort() with a comparison callback sorts 500 random u32s', () => {
    let x = 12345;
    const values = Array.from({ length: 500 }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0));
    const arr = put(new Uint8Array(new Uint32Array(values).buffer));
    call('sort', arr, 500n, 4n, HELPERS, 0n);
    const out = [...new Uint32Array(m.memory.read(arr, 2000).buffer)];
    expect(out).toEqual([...values].sort((a, b) => a - b));
  });

  it('int_sqrt, gcd, __sw_hweight64, bsearch-free bit helpers', () => {
    expect(call('int_sqrt', 1000000n)).toBe(1000n);
    expect(call('int_sqrt', 0xffffffffffffffffn)).toBe(0xffffffffn);
    expect(call('gcd', 1071n, 462n)).toBe(21n);
    expect(call('__sw_hweight64', 0xf0f0f0f0f0f0f0f0n)).toBe(32n);
  });

  it('memcpy and memmove (the build’s own rep movs / overlapping paths)', () => {
    const src = put(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
    const dst = put(new Uint8Array(5000));
    expect(call('memcpy', dst, src, 5000n)).toBe(dst);
    expect([...m.memory.read(dst, 5000)]).toEqual([...m.memory.read(src, 5000)]);
    call('memmove', dst + 3n, dst, 4000n);
    const moved = m.memory.read(dst, 4003);
    expect([...moved.subarray(3, 4003)]).toEqual([...m.memory.read(src, 4000)]);
  });

  it('runs without decoding anything twice and reports nothing to #UD', () => {
    const s = m.decodeStats;
    expect(s.decodes).toBeGreaterThan(300);
    expect(s.decodes).toBeLessThan(s.lookups + 1);
  });

  it('disassembles the entry text as objdump does (RIP-relative operands shown as absolute addresses)', () => {
    const start = sym.get('entry_SYSCALL_64')!;
    const od = execFileSync('objdump', ['-d', '--no-show-raw-insn', `--start-address=0x${start.toString(16)}`, `--stop-address=0x${(start + 0x400n).toString(16)}`, vmlinux], { maxBuffer: 1 << 26 }).toString();
    const lines = od.split('\n').filter((l) => /^ffffffff[0-9a-f]+:\t/.test(l));
    expect(lines.length).toBeGreaterThan(100);
    const norm = (t: string) => t.replace(/\s+#.*$/, '').replace(/\s+<.*>$/, '').replace(/^data16 cs /, '').trim().replace(/\s+/g, ' ');
    let compared = 0;
    for (const l of lines) {
      const [a, text] = l.split(':\t');
      if (text.includes('(%rip)') || text.startsWith('(bad)') || text.startsWith('.byte') || text.startsWith('rex')) continue;
      const ours = m.disassemble(BigInt('0x' + a.trim()), 1)[0].split(/ {2,}/).slice(2).join('  ');
      expect(norm(ours), `at ${a}`).toBe(norm(text));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    expect(m.disassemble(start + 3n, 1)[0]).toMatch(/mov {4}%rsp,%gs:0x6014/);
  });
});

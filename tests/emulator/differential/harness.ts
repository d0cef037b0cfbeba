// Differential testing against this machine's CPU. Each instruction form is assembled into a stub
// (load all GPRs and RFLAGS from a state block, run the instruction, store them back); the stubs
// are linked with runner.c by gcc at test time and executed natively on random vectors, then the
// very same machine code runs in the emulator on the same vectors, and the results are compared.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decoder, DecoderOptions, RflagsBits } from 'iced-x86';
import { Machine } from '../../../emulator/index.js';

export const STATE_SIZE = 16 * 8 + 16 + 256;
const OFF_FLAGS = 128;
const OFF_MEM = 144;
const GPR = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** RFLAGS bits the stubs load and compare: CF PF AF ZF SF OF, and DF. */
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export interface Vector {
  regs: bigint[]; // 16, rsp ignored
  flags: number;
  mem: Uint8Array; // 256
}

export interface Form {
  /** Unique name, printed on failure. */
  name: string;
  /** The instruction(s) under test, AT&T syntax. */
  asm: string;
  /** Vectors to generate (default 150). */
  count?: number;
  /** Fill registers/memory for one vector (defaults: random registers, RSI/RDI point into mem). */
  setup?: (rng: Rng, v: Vector, stateAddr: bigint) => void;
  /** Flags the emulator must match (default: all six arithmetic flags and DF). */
  compareFlags?: number;
  /** Flags the SDM calls undefined for this form, documented as not matched (excluded from compare). */
  undefinedNotMatched?: number;
  /** Input RFLAGS bits randomized (default ARITH). */
  inputFlags?: number;
  /** /proc/cpuinfo flag the host needs for this form (the form is skipped without it). */
  requires?: string;
}

// ---- deterministic random numbers (splitmix64) ---------------------------------------------------------

export class Rng {
  private s: bigint;
  constructor(seed: string) {
    this.s = BigInt('0x' + crypto.createHash('sha256').update(seed).digest('hex').slice(0, 16));
  }
  u64(): bigint {
    this.s = BigInt.asUintN(64, this.s + 0x9e3779b97f4a7c15n);
    let z = this.s;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }
  int(n: number): number {
    return Number(this.u64() % BigInt(n));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** Random 64-bit value biased to the edges where flags change. */
  interesting(): bigint {
    const edges = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen];
    switch (this.int(6)) {
      case 0: return this.pick(edges);
      case 1: return BigInt.asUintN(64, this.pick(edges) + BigInt(this.int(5) - 2));
      case 2: return BigInt(this.int(64));
      case 3: return 1n << BigInt(this.int(64));
      default: return this.u64();
    }
  }
}

// ---- building and running the native runner ---------------------------------------------------------------

const here = path.dirname(fileURLToPath(import.meta.url));

function stub(index: number, body: string): string {
  return `
  .balign 16
  .globl form_${index}, body_${index}
form_${index}:
  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15
  push %rdi
  mov ${OFF_FLAGS}(%rdi), %rax
  push %rax
  popfq
  mov 0(%rdi), %rax; mov 8(%rdi), %rcx; mov 16(%rdi), %rdx; mov 24(%rdi), %rbx
  mov 40(%rdi), %rbp; mov 48(%rdi), %rsi
  mov 64(%rdi), %r8; mov 72(%rdi), %r9; mov 80(%rdi), %r10; mov 88(%rdi), %r11
  mov 96(%rdi), %r12; mov 104(%rdi), %r13; mov 112(%rdi), %r14; mov 120(%rdi), %r15
  mov 56(%rdi), %rdi
body_${index}:
${body.split('\n').map((l) => '  ' + l).join('\n')}
  pushfq
  push %rdi
  mov 16(%rsp), %rdi
  mov %rax, 0(%rdi); mov %rcx, 8(%rdi); mov %rdx, 16(%rdi); mov %rbx, 24(%rdi)
  mov %rbp, 40(%rdi); mov %rsi, 48(%rdi)
  mov %r8, 64(%rdi); mov %r9, 72(%rdi); mov %r10, 80(%rdi); mov %r11, 88(%rdi)
  mov %r12, 96(%rdi); mov %r13, 104(%rdi); mov %r14, 112(%rdi); mov %r15, 120(%rdi)
  pop %rax; mov %rax, 56(%rdi)
  pop %rax; mov %rax, ${OFF_FLAGS}(%rdi)
  cld
  pop %rdi
  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx
  ret
`;
}

export interface Runner {
  bin: string;
  stateAddr: bigint;
  formAddrs: bigint[];
  /** Address of each form's instruction under test. */
  bodyAddrs: bigint[];
  textStart: bigint;
  text: Uint8Array;
}

/** Build (or reuse) the native runner for these forms. */
export function buildRunner(forms: Form[]): Runner {
  const source = [
    '.section .text.forms,"ax",@progbits',
    '.balign 4096',
    '.globl forms_start',
    'forms_start:',
    ...forms.map((f, i) => stub(i, f.asm)),
    '.globl forms_end',
    'forms_end:',
    '.balign 4096',
    '.section .rodata',
    '.balign 8',
    '.globl form_table',
    'form_table:',
    ...forms.map((_, i) => `.quad form_${i}`),
    '.globl form_count',
    'form_count:',
    `.long ${forms.length}`,
    '.section .note.GNU-stack,"",@progbits',
  ].join('\n');
  const runnerC = fs.readFileSync(path.join(here, 'runner.c'), 'utf8');
  const hash = crypto.createHash('sha256').update(source).update(runnerC).digest('hex').slice(0, 20);
  const dir = path.join(os.tmpdir(), 'entrybench-differential', hash);
  const bin = path.join(dir, 'runner');
  if (!fs.existsSync(bin)) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-diff-build-'));
    fs.writeFileSync(path.join(work, 'forms.S'), source);
    fs.writeFileSync(path.join(work, 'runner.c'), runnerC);
    try {
      execFileSync('gcc', ['-O1', '-no-pie', '-static', '-o', path.join(work, 'runner'), path.join(work, 'runner.c'), path.join(work, 'forms.S')], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`gcc failed to build the differential runner:\n${err.stderr?.toString() ?? e}`);
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.renameSync(path.join(work, 'runner'), bin);
    fs.rmSync(work, { recursive: true, force: true });
  }
  const layout = execFileSync(bin, ['--layout']).toString().trim().split('\n');
  const stateAddr = BigInt(layout[0].split(' ')[1]);
  const formAddrs = layout.slice(2).map((l) => BigInt(l));
  const nm = new Map(execFileSync('nm', [bin], { maxBuffer: 1 << 26 }).toString().split('\n').filter(Boolean).map((l) => {
    const parts = l.split(' ');
    return [parts[2], parts[0]] as [string, string];
  }));
  const sym = (name: string) => BigInt('0x' + nm.get(name));
  const textStart = sym('forms_start');
  const textEnd = sym('forms_end');
  const bodyAddrs = forms.map((_, i) => sym(`body_${i}`));
  const text = new Uint8Array(execFileSync(bin, ['--text'], { maxBuffer: 1 << 28 }));
  if (text.length !== Number(textEnd - textStart)) throw new Error('differential runner: forms text size mismatch');
  return { bin, stateAddr, formAddrs, bodyAddrs, textStart, text };
}

function encodeState(v: Vector): Buffer {
  const b = Buffer.alloc(STATE_SIZE);
  v.regs.forEach((r, i) => b.writeBigUInt64LE(BigInt.asUintN(64, r), i * 8));
  b.writeBigUInt64LE(BigInt(v.flags), OFF_FLAGS);
  Buffer.from(v.mem).copy(b, OFF_MEM);
  return b;
}

function decodeState(b: Buffer | Uint8Array): Vector {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) regs.push(buf.readBigUInt64LE(i * 8));
  return { regs, flags: Number(buf.readBigUInt64LE(OFF_FLAGS)), mem: new Uint8Array(buf.subarray(OFF_MEM, OFF_MEM + 256)) };
}

export interface Outcome {
  /** null: completed; otherwise the signal (native) or exception vector (emulator) name. */
  fault: string | null;
  state: Vector;
}

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 5: 'SIGTRAP', 7: 'SIGBUS', 8: 'SIGFPE', 11: 'SIGSEGV' };

/** Run vectors natively: one runner process for all of them. */
export function runNative(runner: Runner, jobs: { form: number; v: Vector }[]): Outcome[] {
  const input = Buffer.alloc(jobs.length * (8 + STATE_SIZE));
  jobs.forEach((j, i) => {
    input.writeUInt32LE(j.form, i * (8 + STATE_SIZE));
    encodeState(j.v).copy(input, i * (8 + STATE_SIZE) + 8);
  });
  const out = execFileSync(runner.bin, [], { input, maxBuffer: 1 << 30 });
  const rec = 8 + STATE_SIZE;
  if (out.length !== jobs.length * rec) throw new Error(`native runner returned ${out.length} bytes for ${jobs.length} vectors`);
  return jobs.map((_, i) => {
    const status = out.readUInt32LE(i * rec);
    const sig = out.readUInt32LE(i * rec + 4);
    return { fault: status === 0 ? null : SIGNALS[sig] ?? `signal ${sig}`, state: decodeState(out.subarray(i * rec + 8, (i + 1) * rec)) };
  });
}

/** The Linux signal a user-mode exception turns into. */
const VECTOR_SIGNAL: Record<number, string> = { 0: 'SIGFPE', 1: 'SIGTRAP', 3: 'SIGTRAP', 6: 'SIGILL', 12: 'SIGBUS', 13: 'SIGSEGV', 14: 'SIGSEGV', 17: 'SIGBUS' };

const RETURN_MAGIC = 0x10000n;
const STACK_TOP = 0x7ff0000n;

/** A user-mode machine holding the runner's stubs at their native addresses. */
export function emulatorFor(runner: Runner): Machine {
  const m = new Machine();
  const start = runner.textStart;
  m.memory.load(start, runner.text, 'rxu');
  m.memory.map(runner.stateAddr & ~4095n, 4096, 'rwu');
  m.memory.map(STACK_TOP - 0x10000n, 0x10000, 'rwu');
  m.memory.load(RETURN_MAGIC, Uint8Array.of(0xcc), 'rxu');
  m.setSegment('cs', { selector: 0x33, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 3, present: true, long: true, granularity: true });
  m.setSegment('ss', { selector: 0x2b, base: 0n, limit: 0xffffffff, type: 3, s: true, dpl: 3, present: true, db: true, granularity: true });
  return m;
}

export function runEmulated(m: Machine, runner: Runner, form: number, v: Vector): Outcome {
  m.memory.write(runner.stateAddr, encodeState(v));
  m.set('rdi', runner.stateAddr);
  m.set('rsp', STACK_TOP - 8n);
  m.memory.writeU64(STACK_TOP - 8n, RETURN_MAGIC);
  m.set('rip', runner.formAddrs[form]);
  m.set('rflags', 0x202n);
  const stop = m.run({ maxInstructions: 100_000, breakpoints: [RETURN_MAGIC] });
  if (stop.reason === 'breakpoint') return { fault: null, state: decodeState(m.memory.read(runner.stateAddr, STATE_SIZE)) };
  if (stop.reason === 'exception') return { fault: VECTOR_SIGNAL[stop.exception!.vector] ?? `vector ${stop.exception!.vector}`, state: v };
  return { fault: `stop ${stop.reason}: ${stop.message}`, state: v };
}

// ---- vectors and comparison -----------------------------------------------------------------------------

export function defaultVector(rng: Rng, stateAddr: bigint, inputFlags: number): Vector {
  const regs: bigint[] = [];
  for (let i = 0; i < 16; i++) regs.push(rng.interesting());
  const mem = new Uint8Array(256);
  for (let i = 0; i < 256; i += 8) {
    const x = rng.interesting();
    for (let k = 0; k < 8; k++) mem[i + k] = Number((x >> BigInt(k * 8)) & 0xffn);
  }
  const memAddr = stateAddr + BigInt(OFF_MEM);
  regs[6] = memAddr + 64n; // RSI
  regs[7] = memAddr + 128n; // RDI
  regs[4] = 0n;
  return { regs, flags: Number(rng.u64() & BigInt(inputFlags)) | 0x202, mem };
}

export function memAddress(stateAddr: bigint, offset: number): bigint {
  return stateAddr + BigInt(OFF_MEM + offset);
}

function hex(v: bigint | number): string {
  return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16);
}

function flagNames(f: number): string {
  return [[CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [OF, 'OF'], [DF, 'DF']].filter(([b]) => f & (b as number)).map(([, n]) => n).join('|') || '0';
}

/** Differences between native and emulated outcomes (empty when they agree). */
export function compare(form: Form, input: Vector, native: Outcome, emu: Outcome): string[] {
  const diffs: string[] = [];
  if (native.fault !== emu.fault) diffs.push(`fault: cpu ${native.fault ?? 'none'} emulator ${emu.fault ?? 'none'}`);
  if (native.fault || emu.fault) return diffs;
  for (let i = 0; i < 16; i++) {
    if (i === 4) continue;
    if (native.state.regs[i] !== emu.state.regs[i]) diffs.push(`${GPR[i]}: cpu ${hex(native.state.regs[i])} emulator ${hex(emu.state.regs[i])}`);
  }
  const mask = (form.compareFlags ?? ARITH | DF) & ~(form.undefinedNotMatched ?? 0);
  if ((native.state.flags & mask) !== (emu.state.flags & mask)) diffs.push(`flags: cpu ${flagNames(native.state.flags & mask)} emulator ${flagNames(emu.state.flags & mask)}`);
  for (let i = 0; i < 256; i++) {
    if (native.state.mem[i] !== emu.state.mem[i]) {
      diffs.push(`mem[${i}]: cpu ${hex(native.state.mem[i])} emulator ${hex(emu.state.mem[i])}`);
      break;
    }
  }
  if (diffs.length) {
    diffs.unshift(`form "${form.name}" (${form.asm.replace(/\n/g, '; ')})`, `input: ${input.regs.map((r, i) => (i === 4 ? '' : `${GPR[i]}=${hex(r)}`)).filter(Boolean).join(' ')} flags=${flagNames(input.flags)}`);
  }
  return diffs;
}

export interface FamilyResult {
  forms: number;
  vectors: number;
  failures: string[][];
  /** Forms skipped because this CPU lacks a feature they need. */
  skipped: string[];
  /** Whether flags the SDM leaves undefined were compared (the host is an Intel CPU like the model). */
  undefinedFlagsCompared: boolean;
}

const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
const hostFlags = new Set((cpuinfo.match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/));
/** The emulator's undefined-flag behaviour was measured on (and is modelled after) an Intel CPU. */
export const hostIsIntel = /vendor_id\s*:\s*GenuineIntel/.test(cpuinfo);

/** EFLAGS bits iced-x86 says the instruction at text offset leaves undefined. */
function undefinedFlagsAt(runner: Runner, address: bigint): number {
  const off = Number(address - runner.textStart);
  const d = new Decoder(64, runner.text.subarray(off, off + 15), DecoderOptions.None);
  try {
    d.ip = address;
    const ins = d.decode();
    const u = ins.rflagsUndefined;
    ins.free();
    return (u & RflagsBits.OF ? OF : 0) | (u & RflagsBits.SF ? SF : 0) | (u & RflagsBits.ZF ? ZF : 0) | (u & RflagsBits.AF ? AF : 0) | (u & RflagsBits.CF ? CF : 0) | (u & RflagsBits.PF ? PF : 0);
  } finally {
    d.free();
  }
}

/** Generate vectors for every form, run them natively and emulated, and collect disagreements. */
export function runFamily(family: string, allForms: Form[]): FamilyResult {
  const skipped = allForms.filter((f) => f.requires && !hostFlags.has(f.requires)).map((f) => f.name);
  const forms = allForms.filter((f) => !f.requires || hostFlags.has(f.requires));
  const runner = buildRunner(forms);
  // On a non-Intel host, flags the SDM leaves undefined are not compared (they are vendor-specific).
  if (!hostIsIntel) forms.forEach((f, i) => (f.undefinedNotMatched = (f.undefinedNotMatched ?? 0) | undefinedFlagsAt(runner, runner.bodyAddrs[i])));
  const jobs: { form: number; v: Vector }[] = [];
  forms.forEach((f, i) => {
    const rng = new Rng(`${family}:${f.name}`);
    for (let k = 0; k < (f.count ?? 150); k++) {
      const v = defaultVector(rng, runner.stateAddr, f.inputFlags ?? ARITH);
      f.setup?.(rng, v, runner.stateAddr);
      jobs.push({ form: i, v });
    }
  });
  const native = runNative(runner, jobs);
  const m = emulatorFor(runner);
  const failures: string[][] = [];
  jobs.forEach((j, i) => {
    const emu = runEmulated(m, runner, j.form, j.v);
    const d = compare(forms[j.form], j.v, native[i], emu);
    if (d.length) failures.push(d);
  });
  return { forms: forms.length, vectors: jobs.length, failures, skipped, undefinedFlagsCompared: hostIsIntel };
}

/** Summarise failures: the first few in full, then counts per form. */
export function report(r: FamilyResult, max = 8): string {
  const notes = `${r.skipped.length ? ` (skipped, CPU lacks the feature: ${r.skipped.join(', ')})` : ''}${r.undefinedFlagsCompared ? '' : ' (undefined flags not compared: non-Intel host)'}`;
  if (r.failures.length === 0) return `${r.forms} forms, ${r.vectors} vectors: all match${notes}`;
  const byForm = new Map<string, number>();
  for (const f of r.failures) byForm.set(f[0], (byForm.get(f[0]) ?? 0) + 1);
  return [
    `${r.failures.length} of ${r.vectors} vectors differ in ${byForm.size} of ${r.forms} forms`,
    ...r.failures.slice(0, max).map((f) => f.join('\n    ')),
    'per form:',
    ...[...byForm].map(([k, n]) => `  ${n}  ${k}`),
  ].join('\n');
}

// Declarative scenarios: the JSON files in scenarios/ say what the user program does, how the task is
// set up, and which named invariants must hold. This module reads and checks them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from './errors.js';

export type ScenarioGroup = 'syscall64' | 'slowpath' | 'iret' | 'compat' | 'exception' | 'sweep';

/** A named invariant with its parameters, as written in a scenario file. */
export interface InvariantSpec {
  name: string;
  params: Record<string, unknown>;
}

export interface UserProgram {
  /** 64-bit code (CS = __USER_CS) or compatibility-mode code (CS = __USER32_CS). */
  mode: 64 | 32;
  /** Where the code page is mapped. */
  base: bigint;
  /** The source, for people (and the test that checks `bytes` against GNU as). */
  asm: string[];
  bytes: Uint8Array;
  /** Label -> offset from base. "entry" is the instruction that enters the kernel. */
  labels: Record<string, number>;
  /** Register values at the start: numbers, or symbols resolved against the build (see values.ts). */
  regs: Record<string, string>;
  rflags: string;
  stackTop: bigint;
  stackPages: number;
  /** Extra user pages (name -> address and size), mapped read-write, for data the program points at. */
  data: Record<string, { address: bigint; size: number; fill?: string }>;
}

export interface TaskSetup {
  pid: number;
  /** thread_info.syscall_work bits by their kernel name (SYSCALL_WORK_SYSCALL_AUDIT ...). */
  syscallWork: string[];
  /** Give current an audit context in the BUILD state, with auditing on. */
  audit: boolean;
  seccomp: 'strict' | null;
  /** Give current an mm whose context.vdso is the kernel's own 32-bit vDSO, mapped at this address. */
  vdso32: bigint | null;
  /** Signal -> handler label ("@handler"): installed in current's sighand with SA_SIGINFO|SA_RESTORER. */
  signals: Record<string, string>;
}

export interface SweepSpec {
  inject: 'irq' | 'nmi';
  /** Vector for "irq" (a name the probe knows, or a number); null: the profile's external interrupt. */
  vector: string | null;
}

export interface Scenario {
  name: string;
  summary: string;
  group: ScenarioGroup;
  /** CONFIG_ options without which the scenario does not apply (it is skipped, with the reason). */
  requires: string[];
  /** Kernel-generation return-path policies it tests (KernelProfile.policies); skipped where absent. */
  policies: string[];
  vendor: 'intel' | 'amd';
  task: TaskSetup;
  user: UserProgram;
  /** Stop at the first return to user mode ("return"), or when user code reaches a label. */
  until: 'return' | { label: string };
  maxSteps: number;
  sweep: SweepSpec | null;
  invariants: InvariantSpec[];
  file: string;
}

const GROUPS: ScenarioGroup[] = ['syscall64', 'slowpath', 'iret', 'compat', 'exception', 'sweep'];

function fail(file: string, what: string): never {
  throw new ScenarioError(`Scenario ${path.basename(file)}: ${what}.`, 'Fix the scenario file; emulator/kernel/scenarios/README.md describes the format.');
}

/** Hex bytes separated by spaces; "cc*4072" stands for a run of one byte (padding to an .org). */
function hexBytes(file: string, text: unknown): Uint8Array {
  if (typeof text !== 'string') fail(file, 'user.bytes must be a string of hex bytes');
  const out: number[] = [];
  for (const tok of text.trim().split(/\s+/).filter(Boolean)) {
    const run = /^([0-9a-fA-F]{2})\*(\d+)$/.exec(tok);
    if (run) {
      for (let i = 0; i < Number(run[2]); i++) out.push(parseInt(run[1], 16));
      continue;
    }
    if (!/^([0-9a-fA-F]{2})+$/.test(tok)) fail(file, `user.bytes has "${tok}", which is not hex bytes (or byte*count)`);
    for (const h of tok.match(/../g) ?? []) out.push(parseInt(h, 16));
  }
  return Uint8Array.from(out);
}

/** The inverse, with runs of 16 or more equal bytes written as "xx*N". */
export function formatHexBytes(bytes: Uint8Array): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; ) {
    let j = i;
    while (j < bytes.length && bytes[j] === bytes[i]) j++;
    const h = bytes[i].toString(16).padStart(2, '0');
    if (j - i >= 16) out.push(`${h}*${j - i}`);
    else for (let k = i; k < j; k++) out.push(h);
    i = j;
  }
  return out.join(' ');
}

function address(file: string, field: string, v: unknown): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return BigInt(v);
  return fail(file, `${field} must be an address (hex string or number)`);
}

function stringMap(file: string, field: string, v: unknown): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, `${field} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x !== 'string' && typeof x !== 'number') fail(file, `${field}.${k} must be a string or number`);
    out[k] = String(x);
  }
  return out;
}

/** Parse one scenario file's JSON text. */
export function parseScenario(text: string, file: string): Scenario {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    return fail(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(raw.name)) fail(file, 'name must be lower-case words joined by "-"');
  if (typeof raw.summary !== 'string' || raw.summary.length < 10) fail(file, 'summary must say what the scenario checks');
  if (!GROUPS.includes(raw.group as ScenarioGroup)) fail(file, `group must be one of ${GROUPS.join(', ')}`);
  const requires = raw.requires ?? [];
  if (!Array.isArray(requires) || requires.some((r) => typeof r !== 'string' || !/^CONFIG_\w+$/.test(r))) fail(file, 'requires must list CONFIG_ options');
  const policies = raw.policies ?? [];
  if (!Array.isArray(policies) || policies.some((r) => typeof r !== 'string')) fail(file, 'policies must list policy names');
  const vendor = raw.vendor ?? 'intel';
  if (vendor !== 'intel' && vendor !== 'amd') fail(file, 'vendor must be "intel" or "amd"');

  const t = (raw.task ?? {}) as Record<string, unknown>;
  const task: TaskSetup = {
    pid: typeof t.pid === 'number' ? t.pid : 4242,
    syscallWork: Array.isArray(t.syscallWork) ? t.syscallWork.map(String) : [],
    audit: t.audit === true,
    seccomp: t.seccomp === 'strict' ? 'strict' : t.seccomp === undefined ? null : fail(file, 'task.seccomp can only be "strict"'),
    vdso32: t.vdso32 === undefined ? null : address(file, 'task.vdso32', t.vdso32),
    signals: stringMap(file, 'task.signals', t.signals),
  };

  const u = raw.user as Record<string, unknown> | undefined;
  if (!u || typeof u !== 'object') fail(file, 'user (the user program) is missing');
  if (u.mode !== 64 && u.mode !== 32) fail(file, 'user.mode must be 64 or 32');
  if (!Array.isArray(u.asm) || u.asm.some((l) => typeof l !== 'string')) fail(file, 'user.asm must be a list of source lines');
  const bytes = hexBytes(file, u.bytes);
  const labels: Record<string, number> = {};
  for (const [k, v] of Object.entries((u.labels ?? {}) as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > bytes.length) fail(file, `user.labels.${k} must be an offset inside the program`);
    labels[k] = v;
  }
  if (labels.entry === undefined) fail(file, 'user.labels.entry (the instruction that enters the kernel) is missing');
  const data: UserProgram['data'] = {};
  for (const [k, v] of Object.entries((u.data ?? {}) as Record<string, Record<string, unknown>>)) {
    const size = typeof v.size === 'number' ? v.size : 4096;
    data[k] = { address: address(file, `user.data.${k}.address`, v.address), size, fill: typeof v.fill === 'string' ? v.fill : undefined };
  }
  const user: UserProgram = {
    mode: u.mode,
    base: address(file, 'user.base', u.base),
    asm: u.asm as string[],
    bytes,
    labels,
    regs: stringMap(file, 'user.regs', u.regs),
    rflags: typeof u.rflags === 'string' ? u.rflags : '0x246',
    stackTop: address(file, 'user.stackTop', u.stackTop ?? (u.mode === 64 ? '0x7ffffffde000' : '0xffffe000')),
    stackPages: typeof u.stackPages === 'number' ? u.stackPages : 2,
    data,
  };
  if (user.base % 4096n !== 0n) fail(file, 'user.base must be page aligned');

  const r = (raw.run ?? {}) as Record<string, unknown>;
  let until: Scenario['until'] = 'return';
  if (typeof r.until === 'string' && r.until.startsWith('@')) {
    const label = r.until.slice(1);
    if (labels[label] === undefined) fail(file, `run.until names label ${label}, which user.labels does not have`);
    until = { label };
  } else if (r.until !== undefined && r.until !== 'return') fail(file, 'run.until must be "return" or "@label"');

  let sweep: SweepSpec | null = null;
  if (raw.sweep !== undefined) {
    const s = raw.sweep as Record<string, unknown>;
    if (s.inject !== 'irq' && s.inject !== 'nmi') fail(file, 'sweep.inject must be "irq" or "nmi"');
    sweep = { inject: s.inject, vector: typeof s.vector === 'string' || typeof s.vector === 'number' ? String(s.vector) : null };
  }

  if (!Array.isArray(raw.invariants) || raw.invariants.length === 0) fail(file, 'invariants must name at least one invariant');
  const invariants: InvariantSpec[] = raw.invariants.map((x: unknown) => {
    if (typeof x === 'string') return { name: x, params: {} };
    if (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string') {
      const { name, ...params } = x as Record<string, unknown> & { name: string };
      return { name, params };
    }
    return fail(file, 'each invariant is a name or an object with a name');
  });

  return {
    name: raw.name as string,
    summary: raw.summary as string,
    group: raw.group as ScenarioGroup,
    requires: requires as string[],
    policies: policies as string[],
    vendor,
    task,
    user,
    until,
    maxSteps: typeof r.maxSteps === 'number' ? r.maxSteps : 2_000_000,
    sweep,
    invariants,
    file,
  };
}

/** The scenario files shipped with the harness. */
export function builtinScenarioDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
}

/** Every *.json scenario of a directory, sorted by file name (the suite's order). */
export function loadScenarios(dir = builtinScenarioDir()): Scenario[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const scenarios = files.map((f) => parseScenario(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f)));
  const seen = new Set<string>();
  for (const s of scenarios) {
    if (seen.has(s.name)) throw new ScenarioError(`Two scenario files are named ${s.name}.`, 'Give each scenario a unique name.');
    seen.add(s.name);
  }
  return scenarios;
}

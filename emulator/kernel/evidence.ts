// Evidence for a failed scenario that reads like a kernel oops: the BUG/WARN line from __bug_table or
// the broken invariant, RIP as symbol+off/len with the code bytes, registers, a call trace guessed from
// the stack, and the last steps of the trace with disassembly.
import type { KernelFacts } from './facts.js';
import { GPRS, type RegisterState, type TraceStep } from './machine-port.js';
import type { RunObservation } from './observe.js';
import type { Violation } from './invariants.js';

export interface TraceLine {
  address: string;
  symbol: string;
  bytes: string;
  text: string;
  mode: 'kernel' | 'user';
}

export interface Evidence {
  /** The whole report, oops-style, one line per line. */
  oops: string;
  /** "kernel BUG at kernel/auditsc.c:2020!" or the invariant line. */
  headline: string;
  rip: string;
  bug: { file: string | null; line: number | null; warning: boolean } | null;
  callTrace: string[];
  registers: Record<string, string>;
  lastSteps: TraceLine[];
  /** For sweeps: where the injected event arrived. */
  injection: string | null;
}

const h16 = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, '0');
const h4 = (v: number) => (v & 0xffff).toString(16).padStart(4, '0');

function regLines(r: RegisterState): string[] {
  const g = r.gpr;
  return [
    `RAX: ${h16(g.rax)} RBX: ${h16(g.rbx)} RCX: ${h16(g.rcx)}`,
    `RDX: ${h16(g.rdx)} RSI: ${h16(g.rsi)} RDI: ${h16(g.rdi)}`,
    `RBP: ${h16(g.rbp)} R08: ${h16(g.r8)} R09: ${h16(g.r9)}`,
    `R10: ${h16(g.r10)} R11: ${h16(g.r11)} R12: ${h16(g.r12)}`,
    `R13: ${h16(g.r13)} R14: ${h16(g.r14)} R15: ${h16(g.r15)}`,
    `FS:  ${h16(r.fsBase)}(${h4(r.fs)}) GS:${h16(r.gsBase)}(${h4(r.gs)}) knlGS:${h16(r.kernelGsBase)}`,
    `CS:  ${h4(r.cs)} DS: ${h4(r.ds)} ES: ${h4(r.es)} CR0: ${h16(r.cr0)}`,
    `CR2: ${h16(r.cr2)} CR3: ${h16(r.cr3)} CR4: ${h16(r.cr4)}`,
  ];
}

export function traceLines(facts: KernelFacts, steps: TraceStep[]): TraceLine[] {
  return steps.map((s) => ({
    address: '0x' + s.rip.toString(16),
    symbol: s.cpl === 0 ? facts.image.symbols.format(s.rip) : `user 0x${s.rip.toString(16)}`,
    bytes: s.bytes,
    text: s.text,
    mode: s.cpl === 0 ? 'kernel' : 'user',
  }));
}

/**
 * Which part of the trace explains the failure: around the first write to the user memory that
 * changed, when that is what broke; otherwise the last steps before the stop.
 */
function traceWindow(obs: RunObservation, n: number, invariant: string): { title: string; steps: TraceStep[] } {
  const changed = obs.userMemoryChanged[0];
  if (changed && invariant === 'user-memory-intact') {
    const i = obs.trace.findIndex((t) => t.writes.some((w) => w.address <= changed.lastChange && w.address + BigInt(w.size) > changed.firstChange));
    if (i >= 0) {
      let from = Math.max(0, i - Math.floor(n * 0.75));
      const ev = obs.trace.slice(0, i).map((t, k) => (t.event ? k : -1)).filter((k) => k >= 0).pop();
      if (ev !== undefined && ev < from && i - ev < n * 3) from = ev;
      return { title: `Steps up to the first write to user memory 0x${changed.firstChange.toString(16)}..0x${changed.lastChange.toString(16)}:`, steps: obs.trace.slice(from, i + 1) };
    }
  }
  // A kernel that died after faulting (recursive faults, #DF): the first kernel fault is the story.
  const dying = obs.trouble && ['double-fault', 'triple-fault', 'fatal', 'step-limit'].includes(obs.trouble.kind);
  const firstFault = dying ? obs.trace.findIndex((t) => t.event && t.cpl === 0 && /^#/.test(t.text) && !obs.kernelFaults.some((f) => f.fixup && f.event.rip === t.rip)) : -1;
  if (firstFault >= 0 && firstFault < obs.trace.length - n / 2) {
    return { title: 'Steps up to the first kernel fault:', steps: obs.trace.slice(Math.max(0, firstFault - n + 4), firstFault + 4) };
  }
  return { title: 'Last steps:', steps: obs.trace.slice(-n) };
}

export interface EvidenceInput {
  facts: KernelFacts;
  obs: RunObservation;
  violation: Violation;
  pid: number;
  comm: string;
  /** Code bytes around RIP: 42 before, 22 from RIP, when readable. */
  code: { before: Uint8Array; at: Uint8Array } | null;
  maxTraceLines?: number;
}

export function buildEvidence(input: EvidenceInput): Evidence {
  const { facts, obs, violation } = input;
  const syms = facts.image.symbols;
  const regs = obs.trouble?.regs ?? obs.final;
  const kernel = regs.cpl === 0;
  const rip = kernel ? syms.format(regs.rip) : `0x${regs.rip.toString(16)}`;
  const lines: string[] = [];
  const site = obs.trouble?.site ?? null;
  const headline = obs.trouble ? obs.trouble.headline : `entrybench: ${violation.invariant}: expected ${violation.expected}, seen ${violation.seen}`;
  lines.push(headline);
  if (obs.trouble?.kind === 'bug') lines.push('invalid opcode: 0000 [#1] SMP');
  lines.push(`CPU: 0 PID: ${input.pid} Comm: ${input.comm} Not tainted ${facts.image.release ?? ''}`.trimEnd());
  lines.push(`RIP: ${h4(regs.cs)}:${rip}`);
  if (input.code) {
    const b = [...input.code.before].map((x) => x.toString(16).padStart(2, '0'));
    const a = [...input.code.at].map((x) => x.toString(16).padStart(2, '0'));
    if (a.length) a[0] = `<${a[0]}>`;
    lines.push(`Code: ${[...b, ...a].join(' ')}`);
  }
  lines.push(`RSP: ${h4(regs.ss)}:${h16(regs.gpr.rsp)} EFLAGS: ${BigInt.asUintN(32, regs.rflags).toString(16).padStart(8, '0')}`);
  lines.push(...regLines(regs));
  if (obs.callTrace.length) {
    lines.push('Call Trace:', ' <TASK>', ...obs.callTrace.map((c) => ` ${c}`), ' </TASK>');
  }
  if (obs.injected) {
    const what = obs.injected.kind === 'nmi' ? 'NMI' : `interrupt vector 0x${obs.injected.vector.toString(16)}`;
    lines.push(`Injected: ${what} raised before instruction ${obs.injected.beforeStep} of the run, ${obs.injected.delivered ? `taken at ${obs.injected.at}` : 'never taken'}`);
  }
  const faults = obs.kernelFaults.filter((f) => !f.fixup).slice(0, 6);
  if (obs.trouble && faults.length) {
    const names: Record<number, string> = { 0: '#DE', 6: '#UD', 8: '#DF', 12: '#SS', 13: '#GP', 14: '#PF' };
    lines.push(`Kernel faults: ${faults.map((f) => `${names[f.event.vector] ?? `vector ${f.event.vector}`}${f.event.errorCode !== null ? `(${f.event.errorCode.toString(16)})` : ''}${f.address !== null ? ` at 0x${f.address.toString(16)}` : ''} in ${syms.format(f.event.rip)}`).join(', ')}${obs.kernelFaults.filter((f) => !f.fixup).length > faults.length ? ', ...' : ''}`);
  }
  lines.push(`Invariant: ${violation.invariant}: expected ${violation.expected}, seen ${violation.seen}`);
  if (violation.detail) lines.push(`  ${violation.detail}`);
  const window = traceWindow(obs, input.maxTraceLines ?? 24, violation.invariant);
  const last = traceLines(facts, window.steps);
  if (last.length) {
    lines.push(window.title);
    const width = Math.min(48, Math.max(...last.map((l) => l.symbol.length)));
    for (const l of last) lines.push(`  ${l.symbol.padEnd(width)}  ${l.bytes.padEnd(24)} ${l.text}`);
  }
  const registers: Record<string, string> = { rip: '0x' + regs.rip.toString(16), rflags: '0x' + regs.rflags.toString(16), cs: '0x' + regs.cs.toString(16), ss: '0x' + regs.ss.toString(16) };
  for (const r of GPRS) registers[r] = '0x' + regs.gpr[r].toString(16);
  return {
    oops: lines.join('\n'),
    headline,
    rip,
    bug: site ? { file: site.file, line: site.line, warning: site.warning } : null,
    callTrace: obs.callTrace,
    registers,
    lastSteps: last,
    injection: obs.injected ? `${obs.injected.kind} raised before instruction ${obs.injected.beforeStep}, taken at ${obs.injected.at}` : null,
  };
}

// The named invariants scenario files list, each judging a RunObservation: null when it holds, or what
// was expected and what was seen. Two are always checked first: the run returned to user mode, and
// the kernel reported nothing (no BUG, WARN, oops, #DF).
import { ScenarioError } from './errors.js';
import { resolveValue, type KernelFacts, type ValueContext } from './facts.js';
import { GPRS, type GprName, type RegisterState } from './machine-port.js';
import type { RunObservation } from './observe.js';
import type { InvariantSpec, Scenario } from './scenario.js';
import type { BootLayout, UserLayout } from './setup.js';
import { USER_FS_BASE, USER_GS_BASE } from './setup.js';
import { PT_REGS_ORDER } from './vmlinux.js';

export interface Violation {
  invariant: string;
  expected: string;
  seen: string;
  /** One more line of explanation for the evidence. */
  detail: string;
  /** Meaningful even when the run never got back to user mode (something already happened too often or wrong). */
  beforeDeath?: boolean;
}

export interface InvariantContext {
  facts: KernelFacts;
  scenario: Scenario;
  boot: BootLayout;
  user: UserLayout;
  values: ValueContext;
}

type Check = (params: Record<string, unknown>, obs: RunObservation, ctx: InvariantContext) => Violation | null;

const RF = 1n << 16n;
const hex = (v: bigint) => '0x' + BigInt.asUintN(64, v).toString(16);

function v(ctx: InvariantContext, text: unknown, field: string): bigint {
  if (typeof text !== 'string' && typeof text !== 'number') throw new ScenarioError(`Invariant parameter ${field} is missing.`, 'Give it a value in the scenario file.');
  return resolveValue(String(text), ctx.values);
}

/** Registers where the run ended: at its last return to user mode, or at the label it ran to. */
function last(obs: RunObservation): RegisterState {
  return obs.final;
}

function width(params: Record<string, unknown>, ctx: InvariantContext): 32 | 64 {
  return params.width === 32 || ctx.scenario.user.mode === 32 ? 32 : 64;
}

function mask(x: bigint, w: 32 | 64): bigint {
  return BigInt.asUintN(w, x);
}

/** What each pt_regs slot must hold at the entry of the C handler, by entry convention. */
function expectedPtRegs(conv: string, obs: RunObservation, ctx: InvariantContext): Record<string, bigint | null> {
  const u = obs.atEntry ?? obs.before;
  const f = ctx.facts;
  const g = (r: GprName) => u.gpr[r];
  const out: Record<string, bigint | null> = {};
  const gprSlot: Record<string, GprName> = { r15: 'r15', r14: 'r14', r13: 'r13', r12: 'r12', bp: 'rbp', bx: 'rbx', r11: 'r11', r10: 'r10', r9: 'r9', r8: 'r8', ax: 'rax', cx: 'rcx', dx: 'rdx', si: 'rsi', di: 'rdi' };
  for (const [slot, reg] of Object.entries(gprSlot)) out[slot] = g(reg);
  const enosys = BigInt.asUintN(64, -f.value('ENOSYS', 'pt_regs->ax at syscall entry'));
  const next = ctx.user.afterEntry;
  const flags = u.rflags & ~RF;
  if (conv === 'syscall64') {
    // SYSCALL put the return address in RCX and RFLAGS in R11; the entry code saves what the CPU left.
    out.cx = next;
    out.r11 = flags;
    out.ax = enosys;
    out.orig_ax = g('rax');
    out.ip = next;
    out.cs = BigInt(ctx.user.cs);
    out.flags = flags;
    out.sp = g('rsp');
    out.ss = BigInt(ctx.user.ss);
  } else if (conv === 'idtentry') {
    // Hardware frame of an interrupt gate from user mode; no error code, so orig_ax = -1.
    out.orig_ax = BigInt.asUintN(64, -1n);
    out.ip = next;
    out.cs = BigInt(ctx.user.cs);
    out.flags = flags;
    out.sp = g('rsp');
    out.ss = BigInt(ctx.user.ss);
  } else if (conv === 'syscall32') {
    // SYSCALL from compat mode: RCX/R11 as for 64-bit, the vDSO moved ECX to EBP, ESP came in R8.
    out.cx = g('rbp');
    out.ax = enosys;
    out.orig_ax = BigInt.asUintN(32, g('rax'));
    out.ip = next;
    out.cs = BigInt(ctx.user.cs);
    out.flags = flags;
    out.sp = g('rsp');
    out.ss = BigInt(ctx.user.ss);
    for (const s of ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15']) out[s] = null;
  } else if (conv === 'sysenter') {
    // SYSENTER saves no return state: ip and sp are placeholders the C code fills from the vDSO convention.
    out.ax = enosys;
    out.orig_ax = BigInt.asUintN(32, g('rax'));
    out.cs = BigInt(ctx.user.cs);
    out.ss = BigInt(ctx.user.ss);
    out.ip = 0n;
    out.sp = 0n;
    out.flags = null;
    for (const s of ['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15']) out[s] = null;
  } else throw new ScenarioError(`pt-regs convention ${conv} is not one the harness knows.`, 'Use syscall64, idtentry, syscall32 or sysenter.');
  return out;
}

const CONVENTION_BY_FUNCTION: Record<string, string> = {
  do_syscall_64: 'syscall64',
  do_int80_emulation: 'idtentry',
  do_fast_syscall_32: 'syscall32',
  do_SYSENTER_32: 'sysenter',
};

const checks: Record<string, Check> = {
  'pt-regs'(params, obs, ctx) {
    const at = String(params.at ?? 'do_syscall_64');
    const capture = obs.ptRegs.find((p) => p.at === at);
    if (!capture) return { invariant: 'pt-regs', expected: `${at}(regs) to run`, seen: 'it never ran', detail: `The entry code did not reach ${at}.` };
    const conv = String(params.convention ?? CONVENTION_BY_FUNCTION[at] ?? 'idtentry');
    const want = expectedPtRegs(conv, obs, ctx);
    for (const [slot, text] of Object.entries((params.expect ?? {}) as Record<string, unknown>)) want[slot] = text === null ? null : v(ctx, text, `pt-regs.expect.${slot}`);
    const w = width(params, ctx);
    const u = obs.atEntry ?? obs.before;
    for (const slot of PT_REGS_ORDER) {
      const e = want[slot];
      if (e === null || e === undefined) continue;
      const seen = capture.slots[slot];
      const narrow = w === 32 && !['cs', 'ss', 'orig_ax', 'ax', 'ip', 'sp', 'flags'].includes(slot) ? 32 : 64;
      if (mask(seen, narrow) !== mask(e, narrow)) {
        // Name the user register the slot holds instead, when it holds one: that is the usual mix-up.
        const holder = GPRS.find((r) => u.gpr[r] === seen && r !== 'rsp') ?? (seen === u.rflags ? 'rflags' : seen === u.gpr.rsp ? 'rsp' : undefined);
        const off = ctx.facts.image.ptRegs[slot as keyof typeof ctx.facts.image.ptRegs];
        return {
          invariant: 'pt-regs',
          expected: `pt_regs->${slot} (offset ${off}) = ${hex(e)}`,
          seen: `${hex(seen)}${holder ? ` (user ${holder})` : ''}`,
          detail: `${at}() got a pt_regs whose ${slot} slot does not hold what the ${conv} entry convention puts there (layout from asm-offsets.h).`,
          beforeDeath: true,
        };
      }
    }
    return null;
  },

  result(params, obs, ctx) {
    const r = last(obs);
    const w = ctx.scenario.user.mode === 32 ? 32 : 64;
    const want = mask(v(ctx, params.value, 'result.value'), w);
    const seen = mask(r.gpr.rax, w);
    if (seen === want) return null;
    return { invariant: 'result', expected: `${w === 32 ? 'EAX' : 'RAX'} = ${hex(want)} (${params.value})`, seen: hex(seen), detail: 'The system call returned the wrong value.' };
  },

  'return-via'(params, obs) {
    const want = String(params.via);
    const index = typeof params.return === 'number' ? params.return : 0;
    const ret = obs.returns[index];
    if (!ret) return { invariant: 'return-via', expected: `return ${index + 1} through ${want}`, seen: `${obs.returns.length} returns to user mode`, detail: '' };
    if (ret.via.startsWith(want)) return null;
    return { invariant: 'return-via', expected: `return through ${want}`, seen: `${ret.via} at ${ret.at === 0n ? '?' : hex(ret.at)}`, detail: 'The kernel chose the other exit path.' };
  },

  'sysret-abi'(_params, obs) {
    const ret = obs.returns[0];
    if (!ret) return null;
    const r = ret.regs;
    if (r.gpr.rcx !== r.rip) return { invariant: 'sysret-abi', expected: `RCX = return RIP ${hex(r.rip)}`, seen: hex(r.gpr.rcx), detail: 'After SYSCALL user space sees RCX = RIP of the next instruction.' };
    const arch = 0x3c7fd7n;
    if ((r.gpr.r11 & arch) !== (r.rflags & arch)) return { invariant: 'sysret-abi', expected: `R11 = RFLAGS ${hex(r.rflags)}`, seen: hex(r.gpr.r11), detail: 'After SYSCALL user space sees R11 = RFLAGS.' };
    return null;
  },

  'registers-preserved'(params, obs, ctx) {
    const except = new Set((params.except as string[] | undefined) ?? ['rax', 'rcx', 'r11']);
    const w = width(params, ctx);
    const r = last(obs);
    const candidates = w === 32 ? (['rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp'] as GprName[]) : GPRS;
    for (const reg of candidates) {
      if (except.has(reg) || reg === 'rsp') continue;
      const before = mask(obs.before.gpr[reg], w);
      const after = mask(r.gpr[reg], w);
      if (before !== after) {
        const holder = candidates.find((o) => o !== reg && mask(obs.before.gpr[o], w) === after);
        return {
          invariant: 'registers-preserved',
          expected: `${reg.toUpperCase()} = ${hex(before)} (as before the syscall)`,
          seen: `${hex(after)}${holder ? ` (user ${holder.toUpperCase()}'s value)` : ''}`,
          detail: `${reg.toUpperCase()} changed across the kernel entry; ${obs.returns[0] ? `returned through ${obs.returns[0].via}` : 'no return'}.`,
        };
      }
    }
    return null;
  },

  'user-context'(params, obs, ctx) {
    const r = last(obs);
    const b = obs.before;
    const rip = params.rip !== undefined ? v(ctx, params.rip, 'user-context.rip') : typeof ctx.scenario.until === 'object' ? (ctx.user.labels[ctx.scenario.until.label] ?? null) : ctx.user.afterEntry;
    const fail = (what: string, e: bigint | number, s: bigint | number, detail = '') => ({ invariant: 'user-context', expected: `${what} = ${hex(BigInt(e))}`, seen: hex(BigInt(s)), detail });
    if (r.cpl !== 3) return fail('CPL', 3, r.cpl, 'The run did not end in user mode.');
    if (rip !== null && r.rip !== rip) return fail('RIP', rip, r.rip, 'User mode resumed somewhere else than the instruction after the entry.');
    const rsp = params.rsp !== undefined ? v(ctx, params.rsp, 'user-context.rsp') : b.gpr.rsp;
    if (mask(r.gpr.rsp, width(params, ctx)) !== mask(rsp, width(params, ctx))) return fail('RSP', rsp, r.gpr.rsp, 'The user stack pointer is not what it must be.');
    if (r.cs !== b.cs) return fail('CS', b.cs, r.cs);
    if (r.ss !== b.ss) return fail('SS', b.ss, r.ss);
    const flagsMask = ~(RF | 2n) & 0x3fffffn;
    const rflags = params.rflags !== undefined ? v(ctx, params.rflags, 'user-context.rflags') : b.rflags;
    if ((r.rflags & flagsMask) !== (rflags & flagsMask)) return fail('RFLAGS', rflags, r.rflags, 'User flags (IF, TF, DF, AC, arithmetic) were not restored.');
    if (ctx.scenario.user.mode === 64) {
      if (r.gsBase !== USER_GS_BASE) return fail('GS base', USER_GS_BASE, r.gsBase, 'SWAPGS was not undone: user mode runs with the kernel GS base.');
      if (r.fsBase !== USER_FS_BASE) return fail('FS base', USER_FS_BASE, r.fsBase);
    }
    if (r.kernelGsBase !== ctx.boot.percpuBase) return fail('KERNEL_GS_BASE', ctx.boot.percpuBase, r.kernelGsBase, 'The per-CPU base is not where the next SWAPGS will look for it.');
    return null;
  },

  hooks(params, obs) {
    for (const fn of (params.once as string[] | undefined) ?? []) {
      const n = obs.hookCalls.get(fn) ?? 0;
      if (n !== 1) {
        const callers = obs.hookCallers.get(fn) ?? [];
        return { invariant: 'hooks', expected: `${fn}() runs exactly once`, seen: `${n} times`, detail: callers.length ? `called from ${callers.join(', ')}` : '', beforeDeath: n > 1 };
      }
    }
    for (const fn of (params.never as string[] | undefined) ?? []) {
      const n = obs.hookCalls.get(fn) ?? 0;
      if (n !== 0) return { invariant: 'hooks', expected: `${fn}() does not run`, seen: `${n} times`, detail: (obs.hookCallers.get(fn) ?? []).join(', '), beforeDeath: true };
    }
    return null;
  },

  'kernel-state-restored'(_params, obs) {
    const bad = obs.kernelState.find((k) => k.expected !== k.seen);
    if (bad) return { invariant: 'kernel-state-restored', expected: `${bad.what} = ${hex(bad.expected)}`, seen: hex(bad.seen), detail: 'Per-CPU state the entry code must leave as it found it was changed.' };
    if (obs.nmiBlockedAtEnd) return { invariant: 'kernel-state-restored', expected: 'NMIs unblocked in user mode', seen: 'NMIs still blocked', detail: 'An NMI was not ended with IRET.' };
    return null;
  },

  'user-memory-intact'(_params, obs) {
    const c = obs.userMemoryChanged[0];
    if (!c) return null;
    return { invariant: 'user-memory-intact', expected: `user byte at ${hex(c.firstChange)} = 0x${c.before.toString(16)}`, seen: `0x${c.after.toString(16)}`, detail: 'The kernel wrote to user memory the syscall does not write (the stack below RSP, the red zone).' };
  },

  signal(params, obs, ctx) {
    const f = ctx.facts;
    const ret = obs.returns[0];
    const signo = v(ctx, params.signo, 'signal.signo');
    const name = String(params.signo);
    const fail = (expected: string, seen: string, detail = '') => ({ invariant: 'signal', expected, seen, detail });
    if (!ret) return fail(`${name} delivered to the handler`, 'no return to user mode');
    const handler = v(ctx, params.handler, 'signal.handler');
    if (ret.regs.rip !== handler) return fail(`${name} handler entered at ${hex(handler)}`, `user mode resumed at ${hex(ret.regs.rip)}`, 'The kernel did not deliver the signal to the installed handler.');
    if (ret.regs.gpr.rdi !== signo) return fail(`RDI = ${name} (${signo})`, hex(ret.regs.gpr.rdi));
    const uc = ret.regs.gpr.rdx;
    const stack = ret.stack;
    const mc = uc + f.value('UC_mcontext', 'ucontext.uc_mcontext');
    const read = (at: bigint, size: 2 | 8) => {
      if (!stack || at < stack.address || at + BigInt(size) > stack.address + BigInt(stack.bytes.length)) return null;
      const o = Number(at - stack.address);
      const dv = new DataView(stack.bytes.buffer, stack.bytes.byteOffset + o, size);
      return size === 8 ? dv.getBigUint64(0, true) : BigInt(dv.getUint16(0, true));
    };
    const sc = (field: string, size: 2 | 8 = 8) => read(mc + f.value(`SC_${field}`, `sigcontext.${field}`), size);
    const want = v(ctx, params.ip, 'signal.ip');
    const ip = sc('rip');
    if (ip === null) return fail('a signal frame on the user stack', `RDX = ${hex(uc)} outside it`);
    if (ip !== want) return fail(`sigcontext.ip = ${hex(want)} (${params.ip})`, hex(ip), 'The saved user RIP in the signal frame is not where the exception left user mode.');
    const gprOrder: [string, keyof typeof obs.before.gpr][] = [['r8', 'r8'], ['r9', 'r9'], ['r10', 'r10'], ['r11', 'r11'], ['r12', 'r12'], ['r13', 'r13'], ['r14', 'r14'], ['r15', 'r15'], ['rdi', 'rdi'], ['rsi', 'rsi'], ['rbp', 'rbp'], ['rbx', 'rbx'], ['rdx', 'rdx'], ['rax', 'rax'], ['rcx', 'rcx'], ['rsp', 'rsp']];
    // Registers at the fault: as before the entry, except those the scenario says (a syscall's results).
    const overrides = (params.regs ?? {}) as Record<string, unknown>;
    for (const [field, reg] of gprOrder) {
      const seen = sc(field);
      const want = overrides[reg] !== undefined ? v(ctx, overrides[reg], `signal.regs.${reg}`) : obs.before.gpr[reg];
      if (seen !== want) return fail(`sigcontext.${field} = ${hex(want)} (user ${reg.toUpperCase()} at the fault)`, seen === null ? 'unreadable' : hex(seen), 'The exception entry saved the user registers wrongly (pt_regs) or the frame was built from the wrong slots.');
    }
    const cs = sc('cs', 2);
    if (cs !== BigInt(ctx.user.cs)) return fail(`sigcontext.cs = ${hex(BigInt(ctx.user.cs))}`, cs === null ? 'unreadable' : hex(cs));
    const trapno = sc('trapno');
    if (params.trapno !== undefined && trapno !== v(ctx, params.trapno, 'signal.trapno')) return fail(`sigcontext.trapno = ${v(ctx, params.trapno, 'signal.trapno')} (${params.trapno})`, trapno === null ? 'unreadable' : String(trapno));
    if (params.err !== undefined && sc('err') !== v(ctx, params.err, 'signal.err')) return fail(`sigcontext.err = ${hex(v(ctx, params.err, 'signal.err'))}`, hex(sc('err') ?? -1n));
    if (params.cr2 !== undefined && sc('cr2') !== v(ctx, params.cr2, 'signal.cr2')) return fail(`sigcontext.cr2 = ${hex(v(ctx, params.cr2, 'signal.cr2'))}`, hex(sc('cr2') ?? -1n));
    return null;
  },

  'frame-registers'(params, obs, ctx) {
    // The rt_sigframe the program hands rt_sigreturn: pretcode, then the ucontext with the sigcontext.
    const f = ctx.facts;
    const at = v(ctx, params.frame, 'frame-registers.frame');
    const off = Number(at - ctx.scenario.user.base) + 8 + f.num('UC_mcontext', 'ucontext.uc_mcontext');
    const bytes = ctx.scenario.user.bytes;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = last(obs);
    const fields: [string, keyof typeof r.gpr][] = [['r8', 'r8'], ['r9', 'r9'], ['r10', 'r10'], ['r11', 'r11'], ['r12', 'r12'], ['r13', 'r13'], ['r14', 'r14'], ['r15', 'r15'], ['rdi', 'rdi'], ['rsi', 'rsi'], ['rbp', 'rbp'], ['rbx', 'rbx'], ['rdx', 'rdx'], ['rax', 'rax'], ['rcx', 'rcx'], ['rsp', 'rsp']];
    for (const [field, reg] of fields) {
      const o = off + f.num(`SC_${field}`, `sigcontext.${field}`);
      if (o + 8 > bytes.length) return { invariant: 'frame-registers', expected: `a signal frame inside the program`, seen: `offset ${o}`, detail: '' };
      const want = dv.getBigUint64(o, true);
      if (r.gpr[reg] !== want) {
        return { invariant: 'frame-registers', expected: `${reg.toUpperCase()} = ${hex(want)} (from the frame)`, seen: hex(r.gpr[reg]), detail: `rt_sigreturn set pt_regs from the frame; the return to user mode ${obs.returns[0]?.via ? `by ${obs.returns[0].via} ` : ''}did not give ${reg.toUpperCase()} back.` };
      }
    }
    return null;
  },

  fixup(params, obs, ctx) {
    const type = String(params.type ?? 'EX_TYPE_UACCESS');
    const address = params.address !== undefined ? v(ctx, params.address, 'fixup.address') : null;
    const f = obs.kernelFaults.find((k) => k.event.vector === 14 && (address === null || k.address === address));
    if (!f) return { invariant: 'fixup', expected: `a kernel #PF${address !== null ? ` at ${hex(address)}` : ''} fixed up by __ex_table`, seen: obs.kernelFaults.length ? `faults at ${obs.kernelFaults.map((k) => hex(k.address ?? k.event.rip)).join(', ')}` : 'no kernel fault', detail: '' };
    if (!f.fixup) return { invariant: 'fixup', expected: `${ctx.facts.image.symbols.format(f.event.rip)} in __ex_table`, seen: 'no entry', detail: 'The faulting instruction has no exception-table entry.' };
    if (f.fixup.typeName !== type) return { invariant: 'fixup', expected: type, seen: f.fixup.typeName, detail: '' };
    return null;
  },
};

export const INVARIANT_NAMES = Object.keys(checks);

/** The two checks every scenario gets, ahead of its own. */
export function implicitViolation(obs: RunObservation): Violation | null {
  if (obs.trouble) {
    return { invariant: obs.trouble.kind === 'bug' || obs.trouble.kind === 'warning' ? 'no-bug' : 'returns-to-user', expected: 'return to user mode without a kernel error', seen: obs.trouble.headline, detail: obs.trouble.detail };
  }
  if (obs.returns.length === 0) return { invariant: 'returns-to-user', expected: 'return to user mode', seen: stopText(obs), detail: '' };
  return null;
}

function stopText(obs: RunObservation): string {
  const s = obs.stop;
  switch (s.kind) {
    case 'step-limit':
      return `still running after ${obs.steps} instructions`;
    case 'triple-fault':
    case 'exception':
    case 'internal-error':
      return `${s.kind}: ${s.detail}`;
    default:
      return s.kind;
  }
}

export function checkInvariant(spec: InvariantSpec, obs: RunObservation, ctx: InvariantContext): Violation | null {
  const fn = checks[spec.name];
  if (!fn) throw new ScenarioError(`Scenario ${ctx.scenario.name} names invariant ${spec.name}, which the harness does not have.`, `Known invariants: ${INVARIANT_NAMES.join(', ')}.`);
  return fn(spec.params, obs, ctx);
}

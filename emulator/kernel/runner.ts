// The harness: boots one build's kernel state in the emulator (once per CPU vendor), runs scenarios
// from their snapshot, watches the kernel through hooks (slow-path hooks, BUG/WARN sites, fatal
// functions, return instructions), judges the invariants and collects oops-style evidence.
import { disassembleOne } from '../trace/disasm.js';
import { HarnessError, ProfileMismatch } from './errors.js';
import { buildEvidence, type Evidence } from './evidence.js';
import { KernelFacts, type FactsOptions } from './facts.js';
import { checkInvariant, implicitViolation, type InvariantContext, type Violation } from './invariants.js';
import { GPRS, type DeliveryEvent, type MachinePort, type RegisterState } from './machine-port.js';
import type { KernelFault, KernelTrouble, PtRegsCapture, ReturnToUser, RunObservation } from './observe.js';
import type { KernelProfile } from './profile.js';
import { linux612 } from './profiles/linux-6.12.js';
import { entrybenchDemo } from './profiles/entrybench-demo.js';
import { loadScenarios, type Scenario } from './scenario.js';
import { bootCpu, callKernel, enterUserSegments, markRodataRo, userLabels, loadImage, readU, setupTask, setupUser, setVendor, type BootLayout, type UserLayout } from './setup.js';
import { KernelImage, PT_REGS_ORDER } from './vmlinux.js';
import type { BugSite } from './tables.js';
import { EmulatorPort } from './emulator-port.js';

export const PROFILES: KernelProfile[] = [linux612, entrybenchDemo];

export type Verdict = 'pass' | 'fail' | 'error';

export interface ScenarioResult {
  name: string;
  summary: string;
  group: string;
  verdict: Verdict;
  /** The first invariant that broke (fail), or what kept the harness from judging (error). */
  invariant: string | null;
  expected: string | null;
  seen: string | null;
  evidence: Evidence | null;
  /** Every invariant that broke, in the scenario's order. */
  violations: Violation[];
  /** Instructions executed (all runs of a sweep together) and wall time. */
  steps: number;
  kernelSteps: number;
  ms: number;
  /** For sweeps: injection points tried and how many failed. */
  sweep: { points: number; failed: number; firstFailure: string | null } | null;
}

export interface SkippedScenario {
  name: string;
  reason: string;
}

export interface HarnessOptions extends FactsOptions {
  profile?: KernelProfile;
  /** A machine for a CPU vendor (default: the emulator core). */
  createPort?: (vendor: 'intel' | 'amd', symbolize: (a: bigint) => string | null) => MachinePort;
  /** Steps of trace kept for the evidence of a failure (the failing run is replayed with it on). */
  traceDepth?: number;
  /** Where the scenario files are (a packaged app keeps them outside the bundle); default: next to this harness. */
  scenarioDir?: string;
}

interface Booted {
  port: MachinePort;
  boot: BootLayout;
  snap: unknown;
  recorder: { current: Recorder | null };
}

/** Per-run bookkeeping the persistent hooks write into. */
class Recorder {
  hookCalls = new Map<string, number>();
  hookCallers = new Map<string, string[]>();
  ptRegs: PtRegsCapture[] = [];
  trouble: KernelTrouble | null = null;
  labelReached = false;
  constructor(readonly captureAt: Set<string>) {}
}

const NMI_REASON_PORT = 0x61;
const hex = (v: bigint) => '0x' + BigInt.asUintN(64, v).toString(16);

export function chooseProfile(image: KernelImage, wanted?: KernelProfile): KernelProfile {
  if (wanted) return wanted;
  const reasons: string[] = [];
  for (const p of PROFILES) {
    const why = p.mismatch(image);
    if (!why) return p;
    reasons.push(`${p.name}: ${why}`);
  }
  throw new ProfileMismatch(`No harness profile fits this kernel (${reasons.join('; ')}).`, 'Check an x86_64 build of Linux 6.8-6.12 made with an entry config fragment (entrybench build --config entry-compat).');
}

export class KernelHarness {
  private readonly booted = new Map<string, Booted>();
  private readonly fatal = new Map<bigint, string>();

  private constructor(
    readonly facts: KernelFacts,
    private readonly opts: HarnessOptions,
  ) {}

  static async open(buildDir: string, opts: HarnessOptions = {}): Promise<KernelHarness> {
    const image = KernelImage.load(buildDir);
    const profile = chooseProfile(image, opts.profile);
    const facts = await KernelFacts.gather(image, profile, opts);
    return new KernelHarness(facts, opts);
  }

  get image(): KernelImage {
    return this.facts.image;
  }

  /** Scenarios that apply to this build, and the others with the reason. */
  select(scenarios: Scenario[] = loadScenarios(this.opts.scenarioDir)): { run: Scenario[]; skipped: SkippedScenario[] } {
    const run: Scenario[] = [];
    const skipped: SkippedScenario[] = [];
    const profile = this.facts.profile;
    for (const s of scenarios) {
      const missing = s.requires.filter((r) => !this.image.configured(r));
      const policy = s.policies.find((p) => !profile.policies.includes(p));
      if (missing.length) skipped.push({ name: s.name, reason: `needs ${missing.join(', ')}` });
      else if (policy) skipped.push({ name: s.name, reason: `tests the ${policy} policy, which ${profile.name} kernels do not have` });
      else if (Object.keys(s.task.signals).length && !profile.signalHandlers) skipped.push({ name: s.name, reason: `this kernel (${profile.name}) has no user signal handlers` });
      else if (s.task.audit && !profile.audit) skipped.push({ name: s.name, reason: `the ${profile.name} profile cannot give a task an audit context` });
      else if (s.task.vdso32 !== null && (!profile.userMm || !this.image.symbols.find('vdso_image_32'))) skipped.push({ name: s.name, reason: 'this kernel has no 32-bit vDSO' });
      else run.push(s);
    }
    return { run, skipped };
  }

  /** Boot the kernel state for a vendor once; later scenarios restore its snapshot. */
  bootFor(vendor: 'intel' | 'amd'): Booted {
    const have = this.booted.get(vendor);
    if (have) return have;
    const facts = this.facts;
    const symbolize = (a: bigint) => (a >= 0xffff800000000000n ? facts.image.symbols.format(a) : null);
    const port = this.opts.createPort ? this.opts.createPort(vendor, symbolize) : new EmulatorPort(vendor, symbolize);
    loadImage(port, facts);
    const boot = bootCpu(port, facts);
    setVendor(port, facts);
    for (const fn of facts.profile.initCalls) if (facts.image.symbols.find(fn)) callKernel(port, facts, boot, fn);
    markRodataRo(port, facts);
    // System control port B: no SERR/IOCHK pending, so an NMI is an "unknown reason" NMI.
    port.setPortIn((p) => (p === NMI_REASON_PORT ? 0 : 0xffffffff));
    const recorder: { current: Recorder | null } = { current: null };
    this.installHooks(port, recorder);
    // Snapshot in 64-bit user mode, where most scenarios start, so restoring keeps decoded code.
    enterUserSegments(port, Number(facts.value('USER_CS', 'user CS')), Number(facts.value('USER_DS', 'user SS')), 64);
    const booted: Booted = { port, boot, snap: port.snapshot(), recorder };
    this.booted.set(vendor, booted);
    return booted;
  }

  /** Hooks live as long as the machine; they report into whichever run is current. */
  private installHooks(port: MachinePort, rec: { current: Recorder | null }): void {
    const { image, profile } = this.facts;
    const syms = image.symbols;
    const counted = new Set<string>(profile.hooks);
    for (const s of loadScenarios(this.opts.scenarioDir)) for (const i of s.invariants) for (const k of ['once', 'never']) for (const f of (i.params[k] as string[] | undefined) ?? []) counted.add(f);
    for (const s of loadScenarios(this.opts.scenarioDir)) for (const i of s.invariants) if (i.name === 'pt-regs') counted.add(String(i.params.at ?? 'do_syscall_64'));
    for (const name of counted) {
      const sym = syms.find(name);
      if (!sym) continue;
      port.addHook(sym.address, () => {
        const r = rec.current;
        if (!r) return 'continue';
        r.hookCalls.set(name, (r.hookCalls.get(name) ?? 0) + 1);
        const ret = readU(port, port.get('rsp'), 8);
        const callers = r.hookCallers.get(name) ?? [];
        callers.push(syms.format(ret));
        r.hookCallers.set(name, callers);
        if (r.captureAt.has(name)) r.ptRegs.push(this.capturePtRegs(port, name));
        return 'continue';
      });
    }
    for (const site of image.bugTable) {
      port.addHook(site.address, () => {
        const r = rec.current;
        if (!r || port.registers().cpl !== 0) return 'continue';
        r.trouble = this.bugTrouble(port, site);
        return 'stop';
      });
    }
    for (const name of profile.fatal) {
      const sym = syms.find(name);
      if (!sym) continue;
      this.fatal.set(sym.address, name);
      port.addHook(sym.address, () => {
        const r = rec.current;
        if (!r) return 'continue';
        r.trouble = this.fatalTrouble(port, name);
        return 'stop';
      });
    }
    const df = syms.find('asm_exc_double_fault');
    if (df) {
      port.addHook(df.address, () => {
        const r = rec.current;
        if (!r) return 'continue';
        // The #DF frame: error code, then RIP, CS, RFLAGS, RSP, SS of where the second fault hit.
        const rsp = port.get('rsp');
        const rip = readU(port, rsp + 8n, 8);
        r.trouble = { kind: 'double-fault', headline: `double fault: 0000 [#1] SMP (at ${syms.format(rip)})`, site: null, regs: this.framedRegs(port, rsp + 8n), detail: 'A fault while delivering a fault: the stack the CPU was pushing to is not usable.' };
        return 'stop';
      });
    }
    const ud = syms.find('asm_exc_invalid_op');
    if (ud) {
      port.addHook(ud.address, () => {
        const r = rec.current;
        if (!r) return 'continue';
        const rsp = port.get('rsp');
        const rip = readU(port, rsp, 8);
        const cs = readU(port, rsp + 8n, 8);
        if ((cs & 3n) !== 0n || image.bugSites.get(rip)) return 'continue';
        // #UD in the kernel that is no BUG(): a real invalid instruction, or one the emulator lacks.
        const bytes = port.read(rip, 15);
        const d = disassembleOne(bytes, rip, 64);
        const mnemonic = d.text.split(/\s+/)[0];
        if (!/^ud[012]/.test(mnemonic) && d.text !== '(bad)') {
          r.trouble = { kind: 'unsupported', headline: `emulator: no support for \`${d.text}\` at ${syms.format(rip)}`, site: null, regs: this.framedRegs(port, rsp), detail: 'The kernel executed an instruction the emulator does not implement; this says nothing about the kernel. See emulator/kernel/CPU-NEEDS.md.' };
          return 'stop';
        }
        return 'continue';
      });
    }
  }

  private capturePtRegs(port: MachinePort, at: string): PtRegsCapture {
    const layout = this.image.ptRegs;
    const address = port.get('rdi');
    const slots: Record<string, bigint> = {};
    for (const s of PT_REGS_ORDER) slots[s] = readU(port, address + BigInt(layout[s]), 8);
    return { at, address, slots, step: port.stepsIntoRun() };
  }

  /** Registers as a pt_regs at `ptregs` says they were (for oopses reported with a pt_regs). */
  private ptRegsState(port: MachinePort, ptregs: bigint): RegisterState {
    const layout = this.image.ptRegs;
    const rd = (slot: keyof typeof layout) => readU(port, ptregs + BigInt(layout[slot] as number), 8);
    const now = port.registers();
    const gpr = { ...now.gpr };
    const map: Record<string, keyof typeof layout> = { rax: 'ax', rbx: 'bx', rcx: 'cx', rdx: 'dx', rsi: 'si', rdi: 'di', rbp: 'bp', rsp: 'sp', r8: 'r8', r9: 'r9', r10: 'r10', r11: 'r11', r12: 'r12', r13: 'r13', r14: 'r14', r15: 'r15' };
    for (const r of GPRS) gpr[r] = rd(map[r]);
    const cs = Number(rd('cs') & 0xffffn);
    return { ...now, gpr, rip: rd('ip'), rflags: rd('flags'), cs, ss: Number(rd('ss') & 0xffffn), cpl: cs & 3 };
  }

  /** Registers from a hardware exception frame at `frame` (RIP, CS, RFLAGS, RSP, SS). */
  private framedRegs(port: MachinePort, frame: bigint): RegisterState {
    const now = port.registers();
    const cs = Number(readU(port, frame + 8n, 8) & 0xffffn);
    return { ...now, rip: readU(port, frame, 8), cs, rflags: readU(port, frame + 16n, 8), gpr: { ...now.gpr, rsp: readU(port, frame + 24n, 8) }, ss: Number(readU(port, frame + 32n, 8) & 0xffffn), cpl: cs & 3 };
  }

  private bugTrouble(port: MachinePort, site: BugSite): KernelTrouble {
    const syms = this.image.symbols;
    const where = site.file ? `${site.file}:${site.line}` : syms.format(site.address);
    const headline = site.warning ? `WARNING: CPU: 0 PID: ${this.currentPid(port)} at ${where} ${syms.format(site.address)}` : `kernel BUG at ${where}!`;
    return { kind: site.warning ? 'warning' : 'bug', headline, site, regs: port.registers(), detail: site.warning ? 'A WARN_ON() fired in the kernel.' : 'A BUG_ON() fired in the kernel.' };
  }

  private fatalTrouble(port: MachinePort, name: string): KernelTrouble {
    const rdi = port.get('rdi'), rsi = port.get('rsi'), rdx = port.get('rdx');
    const str = (a: bigint) => {
      try {
        const b = port.read(a, 128);
        const z = b.indexOf(0);
        return Buffer.from(b.subarray(0, z < 0 ? 128 : z)).toString('latin1').replace(/^\x01./, '').trim();
      } catch {
        return '?';
      }
    };
    const syms = this.image.symbols;
    switch (name) {
      case 'page_fault_oops':
        return { kind: 'fatal', headline: `BUG: unable to handle page fault for address: ${rdx.toString(16).padStart(16, '0')}`, site: null, regs: this.ptRegsState(port, rdi), detail: `#PF error_code(0x${rsi.toString(16)}) in the kernel with no exception-table fixup.` };
      case 'die':
      case '__die':
        return { kind: 'fatal', headline: `${str(rdi)}: ${rdx.toString(16).padStart(4, '0')} [#1] SMP`, site: null, regs: this.ptRegsState(port, rsi), detail: `The kernel called ${name}().` };
      case 'panic':
        return { kind: 'fatal', headline: `Kernel panic - not syncing: ${str(rdi)}`, site: null, regs: port.registers(), detail: '' };
      case 'nmi_panic':
        return { kind: 'fatal', headline: `Kernel panic - not syncing: ${str(rsi)}`, site: null, regs: this.ptRegsState(port, rdi), detail: 'An NMI handler gave up.' };
      case 'handle_stack_overflow':
        return { kind: 'fatal', headline: `BUG: stack guard page was hit`, site: null, regs: this.ptRegsState(port, rdi), detail: '' };
      default:
        return { kind: 'fatal', headline: `the kernel entered ${name}() (${syms.format(readU(port, port.get('rsp'), 8))} called it)`, site: null, regs: port.registers(), detail: 'The kernel is reporting a fatal error or killing the task.' };
    }
  }

  private currentPid(port: MachinePort): string {
    try {
      const pid = this.facts.profile.pid;
      if (pid?.kind === 'struct-pid') {
        const off = this.facts.maybe('PID_numbers_nr');
        return off === undefined ? '?' : readU(port, this.facts.symbol(pid.structPid, 'pid') + off, 4).toString();
      }
      if (pid?.kind === 'task-fields') {
        const off = this.facts.maybe(pid.fields[pid.fields.length - 1]);
        return off === undefined ? '?' : readU(port, this.bootFor('intel').boot.task + off, 4).toString();
      }
      return '?';
    } catch {
      return '?';
    }
  }

  /** Run one scenario (a sweep runs many times). */
  runScenario(s: Scenario, signal?: AbortSignal): ScenarioResult {
    const started = Date.now();
    const base: ScenarioResult = { name: s.name, summary: s.summary, group: s.group, verdict: 'pass', invariant: null, expected: null, seen: null, evidence: null, violations: [], steps: 0, kernelSteps: 0, ms: 0, sweep: null };
    try {
      const r = s.sweep ? this.runSweep(s, base, signal) : this.runOnce(s, base);
      r.ms = Date.now() - started;
      return r;
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      return { ...base, verdict: 'error', invariant: 'harness', expected: 'a scenario the harness can set up on this build', seen: err.message, evidence: null, ms: Date.now() - started };
    }
  }

  private runOnce(s: Scenario, result: ScenarioResult): ScenarioResult {
    const first = this.execute(s, null, 0);
    result.steps = first.obs.steps;
    result.kernelSteps = first.obs.kernelSteps;
    const violations = this.judge(s, first.obs, first.ctx);
    if (violations.length === 0 && !this.harnessTrouble(first.obs)) return result;
    // Replay with the trace on, for the evidence.
    const replay = this.execute(s, null, this.opts.traceDepth ?? 4096);
    return this.verdict(result, s, replay.obs, this.judge(s, replay.obs, replay.ctx), replay.ctx);
  }

  private runSweep(s: Scenario, result: ScenarioResult, signal?: AbortSignal): ScenarioResult {
    const sweep = s.sweep as NonNullable<Scenario['sweep']>;
    const reference = this.execute(s, null, 0);
    result.steps = reference.obs.steps;
    const refViolations = this.judge(s, reference.obs, reference.ctx);
    if (refViolations.length || !reference.obs.returns.length) {
      const replay = this.execute(s, null, this.opts.traceDepth ?? 4096);
      return this.verdict({ ...result, sweep: { points: 0, failed: 0, firstFailure: 'the run without injection already fails' } }, s, replay.obs, this.judge(s, replay.obs, replay.ctx), replay.ctx);
    }
    // Kernel instructions of the reference run: indices 1 .. K (0 is the entry instruction in user mode).
    const k = reference.obs.returns[0].step;
    const vector = sweep.inject === 'nmi' ? 2 : Number(this.facts.value(sweep.vector ?? this.facts.profile.externalIrq, 'the vector the sweep injects'));
    let failed = 0;
    let firstFailure: { index: number } | null = null;
    for (let i = 1; i <= k; i++) {
      if (signal?.aborted) throw new HarnessError('The check was cancelled.', 'Start it again when you are ready.');
      const run = this.execute(s, { beforeStep: i, kind: sweep.inject, vector }, 0);
      result.steps += run.obs.steps;
      result.kernelSteps += run.obs.kernelSteps;
      const bad = this.judge(s, run.obs, run.ctx);
      if (bad.length || !run.obs.injected?.delivered || this.harnessTrouble(run.obs)) {
        failed++;
        if (!firstFailure) firstFailure = { index: i };
      }
    }
    const at = (i: number) => this.instructionAt(s, i);
    result.sweep = { points: k, failed, firstFailure: firstFailure ? at(firstFailure.index) : null };
    if (!firstFailure) return result;
    const replay = this.execute(s, { beforeStep: firstFailure.index, kind: sweep.inject, vector }, this.opts.traceDepth ?? 4096);
    if (replay.obs.injected) result.sweep.firstFailure = `${sweep.inject === 'nmi' ? 'NMI' : 'interrupt'} raised before instruction ${firstFailure.index} (${result.sweep.firstFailure}), taken at ${replay.obs.injected.at}`;
    let violations = this.judge(s, replay.obs, replay.ctx);
    if (!violations.length && replay.obs.injected && !replay.obs.injected.delivered) {
      violations = [{ invariant: 'injected-delivered', expected: `the injected ${sweep.inject === 'nmi' ? 'NMI' : 'interrupt'} to be taken`, seen: 'still pending when the run ended', detail: '' }];
    }
    return this.verdict(result, s, replay.obs, violations, replay.ctx);
  }

  /** The kernel instruction at run index i of a scenario's reference run, symbolized. */
  private instructionAt(s: Scenario, index: number): string {
    const probe = this.execute(s, null, 0, index);
    return this.image.symbols.format(probe.obs.final.rip);
  }

  private harnessTrouble(obs: RunObservation): boolean {
    return obs.trouble?.kind === 'unsupported' || obs.stop.kind === 'internal-error';
  }

  private judge(s: Scenario, obs: RunObservation, ctx: InvariantContext): Violation[] {
    const out: Violation[] = [];
    const implicit = implicitViolation(obs);
    if (implicit) {
      // The kernel died before returning; invariants about what happened on the way (a hook that ran
      // twice, a pt_regs slot) still explain why, and come first. The oops headline is the evidence.
      for (const spec of s.invariants) {
        if (spec.name !== 'hooks' && spec.name !== 'pt-regs') continue;
        const v = checkInvariant(spec, obs, ctx);
        if (v?.beforeDeath) out.push(v);
      }
      return [...out, implicit];
    }
    for (const spec of s.invariants) {
      const v = checkInvariant(spec, obs, ctx);
      if (v) out.push(v);
    }
    return out;
  }

  private verdict(result: ScenarioResult, s: Scenario, obs: RunObservation, violations: Violation[], ctx: InvariantContext): ScenarioResult {
    if (violations.length === 0 && !this.harnessTrouble(obs)) return result;
    const harness = this.harnessTrouble(obs);
    const first = violations[0] ?? { invariant: 'harness', expected: 'a run the emulator can complete', seen: obs.trouble?.headline ?? obs.stop.kind, detail: '' };
    const port = this.bootFor(s.vendor).port;
    const regs = obs.trouble?.regs ?? obs.final;
    let code: { before: Uint8Array; at: Uint8Array } | null = null;
    if (regs.cpl === 0) {
      try {
        code = { before: port.read(regs.rip - 42n, 42), at: port.read(regs.rip, 22) };
      } catch {
        code = null;
      }
    }
    const evidence = buildEvidence({ facts: this.facts, obs, violation: first, pid: ctx.scenario.task.pid, comm: this.comm(port), code });
    return { ...result, verdict: harness ? 'error' : 'fail', invariant: first.invariant, expected: first.expected, seen: first.seen, evidence, violations };
  }

  private comm(port: MachinePort): string {
    const off = this.facts.maybe('TASK_comm');
    if (off === undefined) return '?';
    const b = port.read(this.bootFor('intel').boot.task + off, 16);
    const z = b.indexOf(0);
    return Buffer.from(b.subarray(0, z < 0 ? 16 : z)).toString('latin1');
  }

  /**
   * One run of a scenario from the booted snapshot: set up task and user program, run to the end
   * condition (continuing past returns while an injected event is still pending), observe.
   * `stopAfter` ends the run after that many instructions (to name an injection point).
   */
  execute(s: Scenario, inject: { beforeStep: number; kind: 'irq' | 'nmi'; vector: number } | null, traceDepth: number, stopAfter?: number): { obs: RunObservation; ctx: InvariantContext } {
    const booted = this.bootFor(s.vendor);
    const { port } = booted;
    port.restore(booted.snap);
    port.clearPendingEvents();
    const layout: BootLayout = { ...booted.boot, heapNext: booted.boot.heapNext };
    // Kernel-side task state first (it may call into the kernel), then user mode.
    setupTask(port, this.facts, layout, s.task, userLabels(s.user));
    const user: UserLayout = setupUser(port, this.facts, layout, s.user, s.task.pid);
    const ctx: InvariantContext = { facts: this.facts, scenario: s, boot: layout, user, values: { facts: this.facts, bits: s.user.mode, pid: s.task.pid, labels: user.labels } };
    const captureAt = new Set<string>(s.invariants.filter((i) => i.name === 'pt-regs').map((i) => String(i.params.at ?? 'do_syscall_64')));
    const rec = new Recorder(captureAt);
    booted.recorder.current = rec;
    const userBefore = user.stackPages.map((p) => ({ ...p, bytes: port.read(p.address, p.size) }));
    const before = port.registers();
    let atEntry: RegisterState | null = null;
    const removeEntry = user.start === user.entry ? null : port.addHook(user.entry, () => {
      if (!atEntry && port.registers().cpl === 3) atEntry = port.registers();
      return 'continue';
    });
    let removeLabel: (() => void) | null = null;
    if (typeof s.until === 'object') {
      const at = user.labels[s.until.label];
      removeLabel = port.addHook(at, () => {
        rec.labelReached = true;
        return 'stop';
      });
    }
    port.setTrace(traceDepth);
    const returns: ReturnToUser[] = [];
    const deliveries: DeliveryEvent[] = [];
    let steps = 0;
    let kernelSteps = 0;
    let stop: RunObservation['stop'] = { kind: 'step-limit' };
    let firstRun = true;
    try {
      while (steps < (stopAfter ?? s.maxSteps)) {
        const res = port.run({ maxSteps: (stopAfter ?? s.maxSteps) - steps, stopAtUserMode: true, inject: firstRun && inject ? [inject] : [] });
        for (const e of res.events) deliveries.push({ ...e, step: e.step + steps });
        const runStart = steps;
        steps += res.steps;
        firstRun = false;
        stop = res.stop;
        if (res.stop.kind === 'user-mode') {
          const regs = port.registers();
          kernelSteps += Math.max(0, res.steps - 1);
          returns.push({ via: res.stop.via, at: res.stop.at, regs, step: runStart + res.steps, stack: this.userStack(port, regs.gpr.rsp) });
          const pending = port.pendingEvents() > 0;
          if (s.until === 'return' && !pending) break;
          continue;
        }
        if (res.stop.kind === 'hook') {
          if (rec.trouble || rec.labelReached) break;
          continue;
        }
        if (stopAfter !== undefined && res.stop.kind === 'step-limit') break;
        rec.trouble = this.stopTrouble(port, res.stop, steps);
        break;
      }
      if (steps >= s.maxSteps && !rec.trouble && stop.kind !== 'user-mode' && !rec.labelReached && stopAfter === undefined) {
        rec.trouble = this.stopTrouble(port, { kind: 'step-limit' }, steps);
      }
    } finally {
      removeLabel?.();
      removeEntry?.();
    }
    const final = port.registers();
    const trace = traceDepth > 0 ? port.trace() : [];
    port.setTrace(0);
    booted.recorder.current = null;

    const kernelFaults: KernelFault[] = [];
    for (const e of deliveries) {
      if (e.cpl === 0 && e.kind === 'exception') kernelFaults.push({ event: e, address: e.vector === 14 ? e.address : null, fixup: this.image.fixups.get(e.rip) ?? null });
    }
    const kernelState = layout.expectAfter.map((k) => ({ what: k.what, address: k.address, expected: k.value, seen: readU(port, k.address, k.size) }));
    const userMemoryChanged: RunObservation['userMemoryChanged'] = [];
    for (const p of userBefore) {
      const now = port.read(p.address, p.size);
      let first = -1;
      let lastI = -1;
      for (let i = 0; i < p.size; i++) {
        if (now[i] !== p.bytes[i]) {
          if (first < 0) first = i;
          lastI = i;
        }
      }
      if (first >= 0) userMemoryChanged.push({ page: p.address, firstChange: p.address + BigInt(first), lastChange: p.address + BigInt(lastI), before: p.bytes[first], after: now[first] });
    }
    const injected = inject
      ? {
          kind: inject.kind,
          vector: inject.vector,
          beforeStep: inject.beforeStep,
          at: '',
          delivered: deliveries.some((d) => (inject.kind === 'nmi' ? d.kind === 'nmi' : d.kind === 'interrupt' && d.vector === inject.vector)),
        }
      : null;
    if (injected) {
      const d = deliveries.find((x) => (inject?.kind === 'nmi' ? x.kind === 'nmi' : x.kind === 'interrupt'));
      injected.at = d ? `${d.cpl === 0 ? this.image.symbols.format(d.rip) : `user ${hex(d.rip)}`} (instruction ${d.step} of the run)` : 'nowhere';
    }
    const troubleRegs = rec.trouble?.regs ?? final;
    const obs: RunObservation = {
      before,
      atEntry,
      returns,
      final,
      ptRegs: rec.ptRegs,
      hookCalls: rec.hookCalls,
      hookCallers: rec.hookCallers,
      deliveries,
      kernelFaults,
      trouble: rec.trouble,
      stop,
      steps,
      kernelSteps,
      kernelState,
      nmiBlockedAtEnd: port.nmiBlocked(),
      userMemoryChanged,
      trace,
      callTrace: troubleRegs.cpl === 0 ? this.guessCallTrace(port, troubleRegs.gpr.rsp) : [],
      injected,
    };
    return { obs, ctx };
  }

  private userStack(port: MachinePort, rsp: bigint): { address: bigint; bytes: Uint8Array } | null {
    const out: number[] = [];
    for (let a = rsp; a < rsp + 2048n; a += 4096n - (a & 4095n)) {
      if (!port.isMapped(a)) break;
      const n = Number(4096n - (a & 4095n));
      out.push(...port.read(a, Math.min(n, Number(rsp + 2048n - a))));
    }
    return out.length ? { address: rsp, bytes: Uint8Array.from(out) } : null;
  }

  private stopTrouble(port: MachinePort, stop: RunObservation['stop'], steps: number): KernelTrouble {
    const regs = port.registers();
    const at = regs.cpl === 0 ? this.image.symbols.format(regs.rip) : `user ${hex(regs.rip)}`;
    switch (stop.kind) {
      case 'triple-fault':
        return { kind: 'triple-fault', headline: `triple fault: the CPU shut down (${stop.detail.split('\n')[0]})`, site: null, regs, detail: 'Faults while delivering a double fault; real hardware resets.' };
      case 'halt':
        return { kind: 'halt', headline: `HLT at ${at} with interrupts off`, site: null, regs, detail: '' };
      case 'step-limit':
        return { kind: 'step-limit', headline: `no return to user mode after ${steps} instructions (at ${at})`, site: null, regs, detail: 'The kernel looped or took a path much longer than a syscall.' };
      case 'exception':
      case 'internal-error':
        return { kind: 'unsupported', headline: `emulator stopped: ${stop.detail.split('\n')[0]}`, site: null, regs, detail: stop.detail };
      default:
        return { kind: 'step-limit', headline: `stopped at ${at}`, site: null, regs, detail: '' };
    }
  }

  /**
   * A call trace the way the kernel's guess unwinder finds one: stack words that point into kernel
   * text right after a call instruction, from RSP up to the top of the stack RSP is on.
   */
  private guessCallTrace(port: MachinePort, rsp: bigint): string[] {
    const syms = this.image.symbols;
    const text = this.image.elf.sections.find((s) => s.name === '.text');
    if (!text) return [];
    const lo = text.addr, hi = text.addr + BigInt(text.size);
    const out: string[] = [];
    for (let a = rsp; a < rsp + 4096n && out.length < 16; a += 8n) {
      if (!port.isMapped(a)) break;
      const v = readU(port, a, 8);
      if (v <= lo + 5n || v >= hi) continue;
      if (!port.isMapped(v - 7n)) continue;
      const b = port.read(v - 7n, 7);
      const direct = b[2] === 0xe8;
      const indirect = (b[5] === 0xff && (b[6] & 0x38) === 0x10) || (b[4] === 0xff && (b[5] & 0x38) === 0x10) || (b[1] === 0xff && (b[2] & 0x38) === 0x10);
      if (direct || indirect) out.push(syms.format(v));
    }
    // Recursion (a fault in the fault handler) shows as one line with a count.
    const folded: string[] = [];
    for (let i = 0; i < out.length; ) {
      let j = i;
      while (j < out.length && out[j] === out[i]) j++;
      folded.push(j - i > 1 ? `${out[i]} (x${j - i})` : out[i]);
      i = j;
    }
    return folded;
  }

  /** Run the applicable scenarios (or those named), in file order. */
  runSuite(opts: { names?: string[]; signal?: AbortSignal; onScenario?: (r: ScenarioResult, index: number, total: number) => void } = {}): { results: ScenarioResult[]; skipped: SkippedScenario[] } {
    const all = loadScenarios(this.opts.scenarioDir);
    const chosen = opts.names?.length ? all.filter((s) => opts.names?.includes(s.name)) : all;
    const unknown = (opts.names ?? []).filter((n) => !all.some((s) => s.name === n));
    if (unknown.length) throw new HarnessError(`No scenario named ${unknown.join(', ')}.`, `Scenarios: ${all.map((s) => s.name).join(', ')}.`);
    const { run, skipped } = this.select(chosen);
    const results: ScenarioResult[] = [];
    for (const s of run) {
      if (opts.signal?.aborted) throw new HarnessError('The check was cancelled.', 'Start it again when you are ready.');
      const r = this.runScenario(s, opts.signal);
      results.push(r);
      opts.onScenario?.(r, results.length, run.length);
    }
    return { results, skipped };
  }
}

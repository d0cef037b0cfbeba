// The harness on Linux 6.12 entry-compat builds: the unmodified kernel passes every scenario, and each
// deliberately broken patch to arch/x86/entry/ fails exactly the scenarios that exercise what it
// breaks, naming the right invariant with oops-style evidence.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linuxBuild, linuxUnavailable } from '../../helpers/linux.js';
import { KernelHarness, type ScenarioResult } from '../../../emulator/kernel/runner.js';
import { loadScenarios } from '../../../emulator/kernel/scenario.js';
import { variantBuild } from './variants.js';

const skip = linuxUnavailable();
const probeCacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-harness-probe-'));
const ALL = loadScenarios().map((s) => s.name);
const GROUP = (g: string) => loadScenarios().filter((s) => s.group === g).map((s) => s.name);

async function suite(buildDir: string): Promise<Map<string, ScenarioResult>> {
  const h = await KernelHarness.open(buildDir, { probeCacheDir });
  const { results, skipped } = h.runSuite();
  expect(skipped).toEqual([]);
  return new Map(results.map((r) => [r.name, r]));
}

function failing(results: Map<string, ScenarioResult>): string[] {
  return [...results.values()].filter((r) => r.verdict !== 'pass').map((r) => r.name).sort();
}

describe.skipIf(skip !== null)('kernel harness on Linux 6.12', () => {
  it('passes every scenario on the unmodified tree (the lead\'s cached build of linux-source-6.12)', async () => {
    const results = await suite((await linuxBuild('entry-compat')).buildDir);
    expect(failing(results)).toEqual([]);
    expect([...results.keys()].sort()).toEqual([...ALL].sort());
    // The sweeps really injected at every kernel instruction of the syscall path.
    for (const name of ['sweep-irq-getpid', 'sweep-nmi-getpid']) expect(results.get(name)?.sweep?.points).toBeGreaterThan(150);
  });

  it.each([
    ['entry-min', 'no IA32 emulation: the compat scenarios are skipped'],
    ['entry-debug', 'DEBUG_ENTRY checks, retpolines, return thunks, PTI code behind its alternatives'],
  ])('passes every scenario that applies to %s (%s)', async (config) => {
    const h = await KernelHarness.open((await linuxBuild(config)).buildDir, { probeCacheDir });
    const { results, skipped } = h.runSuite();
    expect(results.filter((r) => r.verdict !== 'pass').map((r) => `${r.name}: ${r.invariant} ${r.seen}`)).toEqual([]);
    if (config === 'entry-min') expect(skipped.map((s) => s.name).sort()).toEqual(GROUP('compat').sort());
    else expect(skipped).toEqual([]);
  });

  it('passes every scenario on the variants\' own base build (same worktree, no patch)', async () => {
    expect(failing(await suite(await variantBuild(null)))).toEqual([]);
  });

  describe('broken patches', () => {
    it('RBX clobbered before SYSRET: every scenario returning by SYSRET fails registers-preserved on RBX; IRET and compat paths pass', async () => {
      const r = await suite(await variantBuild('sysret-clobbers-rbx.patch'));
      // The 64-bit fast and slow paths and the sweeps (whose reference run) return through sysretq.
      const sysret = [...GROUP('syscall64'), ...GROUP('slowpath'), ...GROUP('sweep')].sort();
      expect(failing(r)).toEqual(sysret);
      for (const name of sysret) {
        const x = r.get(name) as ScenarioResult;
        expect([name, x.invariant, x.expected]).toEqual([name, 'registers-preserved', expect.stringContaining('RBX = 0x1b1b1b1b1b1b1b1b')]);
        // RBX comes back holding the kernel stack pointer.
        expect(x.seen).toMatch(/^0xffffffff8/);
        expect(x.evidence?.lastSteps.map((l) => l.text).join('\n')).toMatch(/sysretq/);
      }
    });

    it('pt_regs->sp and ->flags pushed in swapped order: pt-regs names the slot and what it holds; only compat entries pass', async () => {
      const r = await suite(await variantBuild('ptregs-sp-flags-swapped.patch'));
      // Everything that enters through entry_SYSCALL_64 fails, including the signal scenarios, whose
      // rt_sigreturn is a 64-bit SYSCALL; int $0x80, SYSENTER and compat SYSCALL do not use that code.
      expect(failing(r)).toEqual(ALL.filter((n) => !GROUP('compat').includes(n)).sort());
      for (const s of loadScenarios().filter((x) => x.invariants.some((i) => i.name === 'pt-regs') && x.group !== 'compat')) {
        const x = r.get(s.name) as ScenarioResult;
        expect([s.name, x.invariant, x.expected]).toEqual([s.name, 'pt-regs', expect.stringMatching(/^pt_regs->flags \(offset 144\) = 0x[23]46$/)]);
        expect(x.seen).toBe('0x7ffffffdd800 (user rsp)');
      }
    });

    it('the slow-path entry work run twice: exactly the slow-path scenarios fail, the audit one with the kernel\'s own WARNING', async () => {
      const r = await suite(await variantBuild('syscall-work-twice.patch'));
      expect(failing(r)).toEqual(GROUP('slowpath').sort());
      for (const name of GROUP('slowpath')) {
        const x = r.get(name) as ScenarioResult;
        expect([name, x.invariant, x.expected, x.seen]).toEqual([name, 'hooks', 'syscall_trace_enter() runs exactly once', '2 times']);
      }
      const audit = r.get('slowpath-audit-getpid') as ScenarioResult;
      expect(audit.evidence?.headline).toMatch(/^WARNING: CPU: 0 PID: 4242 at kernel\/auditsc\.c:\d+ __audit_syscall_entry\+0x[0-9a-f]+\/0x[0-9a-f]+$/);
      expect(audit.evidence?.bug).toMatchObject({ file: 'kernel/auditsc.c', warning: true });
      expect(audit.evidence?.callTrace.slice(0, 2)).toEqual([expect.stringMatching(/^syscall_trace_enter\+/), expect.stringMatching(/^do_syscall_64\+/)]);
      expect(audit.evidence?.oops).toMatch(/RIP: 0010:__audit_syscall_entry\+0x[0-9a-f]+\/0x[0-9a-f]+/);
      expect(audit.evidence?.oops).toMatch(/Code: .*<0f> 0b/);
    });

    it('the TASK_SIZE_MAX check before SYSRET removed: SYSRET to a non-canonical RIP #GPs in kernel mode on user GS and ends in a double fault', async () => {
      const r = await suite(await variantBuild('sysret-no-canonical-check.patch'));
      expect(failing(r)).toEqual(['iret-noncanonical-rip', 'iret-rip-above-task-size']);
      expect(r.get('iret-rip-above-task-size')).toMatchObject({ invariant: 'return-via', seen: expect.stringMatching(/^sysretq at /) });
      const x = r.get('iret-noncanonical-rip') as ScenarioResult;
      expect(x.invariant).toBe('returns-to-user');
      expect(x.seen).toMatch(/^double fault/);
      expect(x.evidence?.oops).toMatch(/Kernel faults: #GP\(0\) in entry_SYSRETQ_unsafe_stack\+0x[0-9a-f]+\/0x[0-9a-f]+, #PF\(0\) at 0x7f00bef/);
      expect(x.evidence?.lastSteps.some((l) => /^#GP general protection/.test(l.text) && /^entry_SYSRETQ_unsafe_stack\+/.test(l.symbol))).toBe(true);
    });

    it('interrupts enabled before the stack switch: only the interrupt sweep fails, with the frame pushed onto user memory', async () => {
      const r = await suite(await variantBuild('sti-before-stack-switch.patch'));
      expect(failing(r)).toEqual(['sweep-irq-getpid']);
      const x = r.get('sweep-irq-getpid') as ScenarioResult;
      expect(x.invariant).toBe('user-memory-intact');
      expect(x.sweep?.failed).toBeGreaterThan(0);
      expect(x.sweep?.firstFailure).toMatch(/taken at entry_SYSCALL_64\+0x[0-9a-f]+\//);
      const steps = x.evidence?.lastSteps.map((l) => `${l.symbol} ${l.text}`).join('\n') ?? '';
      expect(steps).toMatch(/entry_SYSCALL_64\+0x3\/0x[0-9a-f]+ sti/);
      expect(steps).toMatch(/interrupt 0xf6 -> .*asm_sysvec_irq_work/);
    });
  });
});

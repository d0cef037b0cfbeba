// Verdicts from what a boot printed, compared with the base step so that the base's failures are not blamed on a patch.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BootVerdict } from '../../../workspaces/host/api/guest.js';
import { ConsoleReader } from '../../../workspaces/guest/console.js';
import { TapReader } from '../../../workspaces/guest/tap.js';
import { buildVerdict, compareBoots, findingKey, guestChecks, outcomeOf } from '../../../workspaces/guest/verdict.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/guest');
const realConsole = fs.readFileSync(path.join(fixtures, 'linux-6.12-tcg-smap-oops.console'), 'utf8');
const realTap = fs.readFileSync(path.join(fixtures, 'linux-6.12-tcg-smap-oops.tap'), 'utf8');

/** A verdict as the guest builds it, from console text and TAP text. */
function verdict(consoleText: string, tapText: string): BootVerdict {
  const c = new ConsoleReader(() => 1000);
  c.push(consoleText);
  c.end();
  const t = new TapReader();
  t.push(tapText);
  return buildVerdict({
    findings: c.findings,
    booted: c.milestones.has('init'),
    kernelVersion: c.kernelVersion,
    selftestsRequested: true,
    tap: t,
    accel: { accel: 'tcg', reason: 'test', probeMs: null, cached: false },
    kind: 'linux',
    timings: { toKernelMs: 100, toInitMs: 1500, toSummaryMs: 2000, toPromptMs: 2100, totalMs: 2200, prepareMs: 10 },
    ended: 'done',
    logs: { console: 'c.log', tap: 'c.tap', verdict: 'c.json' },
    command: ['qemu-system-x86_64'],
  });
}

/** The same boot with a BUG during sysret_rip_64, which then fails. */
function withBug(): BootVerdict {
  const c = realConsole.replace(
    '[ 1/3] sysret_rip_64 ... ok (0.05 s)',
    '[ 1/3] sysret_rip_64 ... kernel BUG at kernel/auditsc.c:1504!\r\nOops: invalid opcode: 0000 [#2] SMP\r\nRIP: 0010:__audit_syscall_entry+0xcd/0xf0\r\n---[ end trace 0000000000000000 ]---\r\nFAIL (exit 137) (0.05 s)',
  );
  const t = realTap.replace('# entrybench: sysret_rip_64 exit=0 seconds=0.05\nok 1 selftests: x86: sysret_rip_64', '# entrybench: sysret_rip_64 exit=137 seconds=0.05\nnot ok 1 selftests: x86: sysret_rip_64 # exit=137');
  expect(t).not.toBe(realTap);
  return verdict(c, t);
}

describe('the verdict of one boot', () => {
  it('names the worst report and keeps the selftest results', () => {
    const base = verdict(realConsole, realTap);
    expect(base.outcome).toBe('oops');
    expect(base.headline).toBe('BUG: unable to handle page fault for address: 00000000ffef61cc at RIP 0033:0x804a040 (during test_syscall_vdso_32)');
    expect(base.booted).toBe(true);
    expect(base.selftests.counts).toEqual({ pass: 1, fail: 1, skip: 1, timeout: 0, interrupted: 0 });
  });

  it('ranks panic over triple fault over BUG over oops over hang over WARN', () => {
    const f = (kind: BootVerdict['findings'][number]['kind']) => ({ kind, title: kind, rip: null, during: null, lines: [], line: 0, atMs: 0 });
    expect(outcomeOf([])).toBe('booted');
    expect(outcomeOf([f('WARN'), f('hang')])).toBe('hang');
    expect(outcomeOf([f('oops'), f('BUG')])).toBe('BUG');
    expect(outcomeOf([f('BUG'), f('triple-fault')])).toBe('triple-fault');
    expect(outcomeOf([f('triple-fault'), f('panic')])).toBe('panic');
  });

  it('matches the same report across boots despite addresses and counters', () => {
    const a = verdict(realConsole, realTap).findings[0];
    const b = verdict(realConsole.replace(/ffef61cc/g, 'ffa01234').replace('[#1]', '[#3]'), realTap).findings[0];
    expect(findingKey(a)).toBe(findingKey(b));
  });
});

describe('compareBoots', () => {
  it('does not blame a step for what the base does too', () => {
    const base = verdict(realConsole, realTap);
    const step = verdict(realConsole.replace(/ffef61cc/g, 'ffd00000'), realTap);
    const cmp = compareBoots(base, step);
    expect(cmp.relative).toBe('same');
    expect(cmp.newFindings).toEqual([]);
    expect(cmp.findingsOnBaseToo).toHaveLength(1);
    expect(cmp.selftests.failsOnBaseToo).toEqual(['test_syscall_vdso_32']);
    expect(cmp.selftests.regressed).toEqual([]);
    expect(cmp.summary).toMatch(/^same as the base: failing on the base too: test_syscall_vdso_32/);
  });

  it('blames a step for a new BUG and a selftest that passes on the base', () => {
    const cmp = compareBoots(verdict(realConsole, realTap), withBug());
    expect(cmp.relative).toBe('regressed');
    expect(cmp.outcome).toEqual({ base: 'oops', step: 'BUG' });
    expect(cmp.newFindings.map((f) => f.title)).toEqual(['kernel BUG at kernel/auditsc.c:1504!']);
    expect(cmp.selftests.regressed).toEqual(['sysret_rip_64']);
    expect(cmp.summary).toContain('new: kernel BUG at kernel/auditsc.c:1504!');
  });

  it('credits a step that fixes what the base breaks', () => {
    const cmp = compareBoots(withBug(), verdict(realConsole, realTap));
    expect(cmp.relative).toBe('improved');
    expect(cmp.selftests.fixed).toEqual(['sysret_rip_64']);
  });
});

describe('guestChecks (the walk\'s records)', () => {
  it('gives boot, boot:warn and one selftest check per program', () => {
    const checks = guestChecks(withBug());
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['boot', 'fail'],
      ['boot:warn', 'pass'],
      ['selftest:sysret_rip_64', 'fail'],
      ['selftest:test_syscall_vdso_32', 'fail'],
      ['selftest:amx_64', 'skip'],
    ]);
    expect(checks[0].summary).toMatch(/^kernel BUG at kernel\/auditsc\.c:1504! at RIP 0010:__audit_syscall_entry\+0xcd\/0xf0 \(during sysret_rip_64\)/);
    expect(checks[2].summary).toBe('exit 137: killed by SIGKILL');
  });
});

import { describe, expect, it } from 'vitest';
import { evidenceFromWalk } from '../../../workspaces/review/walk-evidence.js';
import type { WalkReport, WalkStep } from '../../../workspaces/host/api/walk.js';

// The emulator suite and the guest are not plugged into the walk yet; this is the shape their results take
// (a ScenarioResult from emulator/kernel/runner.ts as evidence, TAP lines from the selftests).
const step = (index: number, results: WalkStep['results']): WalkStep => ({
  index, subject: `patch ${index}`, patchId: null, commit: `${index}`.repeat(40), applied: index ? 'applied' : 'base', results, seconds: 1, cached: false,
});
const pass = (check: string) => ({ check, status: 'pass' as const, relative: 'pass' as const, summary: 'ok' });

describe('evidence from a walk report', () => {
  it('takes expected/seen and the oops from an emulator scenario, and the failing TAP lines from a selftest', () => {
    const report: WalkReport = {
      workspace: 'w', branch: 'review/ptregs-v1', base: 'a'.repeat(40), config: 'entry-debug', total: 12,
      checks: ['builds', 'emulator:sysret-rcx', 'selftest:sysret_rip_64'],
      steps: [
        step(0, [pass('builds'), pass('emulator:sysret-rcx'), pass('selftest:sysret_rip_64')]),
        step(6, [pass('builds'), pass('emulator:sysret-rcx'), pass('selftest:sysret_rip_64')]),
        step(7, [
          pass('builds'),
          {
            check: 'emulator:sysret-rcx', status: 'fail', relative: 'regressed', summary: 'RCX is the user RIP at SYSRET (expected rcx == 0x401000, seen rcx == 0x0)',
            evidence: { expected: 'rcx == 0x401000', seen: 'rcx == 0x0', evidence: { headline: 'invariant sysret-rcx broken at entry_SYSRETQ_unsafe_stack+0x3/0x6', oops: 'invariant sysret-rcx broken\nRIP: 0010:entry_SYSRETQ_unsafe_stack+0x3/0x6\n' } },
          },
          { check: 'selftest:sysret_rip_64', status: 'fail', relative: 'regressed', summary: 'exit 1', evidence: { lines: ['ok 1 setup', 'not ok 2 sysret to RIP 0x401000 # RCX mismatch'] } },
        ]),
      ],
      firstBad: 7, fixedAt: null, firstBadChecks: ['emulator:sysret-rcx', 'selftest:sysret_rip_64'], breakages: [], patterns: [],
      boot: true, startedAt: '2026-01-01T00:00:00.000Z', seconds: 60,
      reproduce: { tree: '/k', base: 'a'.repeat(40), branch: 'review/ptregs-v1', config: 'entry-debug', compiler: 'gcc', commands: ['git checkout <step commit>', 'make'] },
    };
    const e = evidenceFromWalk(report);
    expect(e.firstBad).toEqual({ index: 7, subject: 'patch 7', commit: '7'.repeat(40) });
    expect(e.lastGood).toEqual({ index: 6, subject: 'patch 6', commit: '6'.repeat(40) });
    expect(e.fixedBy).toBeUndefined();
    expect(e.failures).toEqual([
      { scenario: 'emulator:sysret-rcx', description: 'RCX is the user RIP at SYSRET', expected: 'rcx == 0x401000', seen: 'rcx == 0x0', details: ['invariant sysret-rcx broken at entry_SYSRETQ_unsafe_stack+0x3/0x6'] },
    ]);
    expect(e.oops).toEqual(['invariant sysret-rcx broken', 'RIP: 0010:entry_SYSRETQ_unsafe_stack+0x3/0x6']);
    expect(e.selftests).toEqual(['not ok 2 sysret to RIP 0x401000 # RCX mismatch']);
    expect(e.reproduce).toEqual([`git checkout ${'7'.repeat(40)}`, 'make']);
  });
});

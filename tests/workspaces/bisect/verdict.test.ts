import { describe, expect, it } from 'vitest';
import { breakages, relativeTo, walkVerdict } from '../../../workspaces/bisect/verdict.js';
import { bisectSteps } from '../../../workspaces/bisect/search.js';
import { parseCheckpatch } from '../../../workspaces/bisect/checkpatch.js';
import type { CheckStatus, StepRecord } from '../../../workspaces/bisect/types.js';

/** Steps from a compact table: one string per step, one letter per check (p pass, f fail, e error). */
function walk(checks: string[], rows: string[]): StepRecord[] {
  const code: Record<string, CheckStatus> = { p: 'pass', f: 'fail', e: 'error', s: 'skip' };
  return rows.map((row, index) => ({
    index,
    subject: index === 0 ? 'base' : `patch ${index}`,
    patchId: index === 0 ? null : `id${index}`,
    commit: `c${index}`,
    seconds: 1,
    cached: false,
    results: [...row].map((c, i) => ({ check: checks[i], status: code[c], summary: `${checks[i]} ${code[c]}` })),
  }));
}

describe('results relative to the base', () => {
  it('blames the series only for what passes on the base', () => {
    expect(relativeTo('pass', 'fail')).toBe('regressed');
    expect(relativeTo(undefined, 'fail')).toBe('regressed');
    expect(relativeTo('fail', 'fail')).toBe('fails-on-base');
    expect(relativeTo('fail', 'pass')).toBe('fixed');
    expect(relativeTo('pass', 'error')).toBe('error');
  });

  it('finds a break that a later patch fixes again (non-monotonic)', () => {
    const steps = walk(['builds', 'emulator:fastpath', 'selftest:sysret'], ['ppf', 'ppf', 'ppf', 'pff', 'pff', 'ppf', 'ppf']);
    const v = walkVerdict(steps, 6);
    expect(v.firstBad).toBe(3);
    expect(v.fixedAt).toBe(5);
    expect(v.checks).toEqual(['emulator:fastpath']);
    expect(v.patterns).toEqual(['emulator:fastpath: breaks at 03/06, fixed again at 05/06']);
    // the selftest that fails on the base is never blamed
    expect(breakages(steps).map((b) => b.check)).toEqual(['emulator:fastpath']);
  });

  it('reports a break that stays to the tip, and no fix', () => {
    const v = walkVerdict(walk(['a', 'b'], ['pp', 'pp', 'fp', 'ff']), 3);
    expect(v.firstBad).toBe(2);
    expect(v.fixedAt).toBeNull();
    expect(v.patterns).toEqual(['a: breaks at 02/03', 'b: breaks at 03/03']);
  });

  it('says nothing is bad when nothing regressed', () => {
    expect(walkVerdict(walk(['a'], ['f', 'f', 'p']), 2)).toMatchObject({ firstBad: null, fixedAt: null, patterns: [] });
  });
});

describe('bisect over steps', () => {
  it('finds the first bad step with about log2(N) probes', async () => {
    for (let firstBad = 1; firstBad <= 30; firstBad++) {
      const r = await bisectSteps(30, async (i) => i >= firstBad);
      expect(r.firstBad).toBe(firstBad);
      expect(r.tested.length).toBeLessThanOrEqual(6);
    }
  });

  it('does nothing more when the tip is good, and reuses known verdicts', async () => {
    expect((await bisectSteps(8, async () => false)).firstBad).toBeNull();
    const probes: number[] = [];
    const r = await bisectSteps(8, async (i) => (probes.push(i), i >= 5), new Map([[8, true], [4, false], [6, true]]));
    expect(r.firstBad).toBe(5);
    expect(probes).toEqual([5]);
  });
});

describe('checkpatch output', () => {
  it('counts errors, warnings and checks and keeps the lines', () => {
    const r = parseCheckpatch(
      '-:5: WARNING:COMMIT_MESSAGE: Missing commit description\n-:14: ERROR:TRAILING_WHITESPACE: trailing whitespace\n-:20: CHECK:SPACING: x\nnoise\n',
    );
    expect(r).toEqual({
      errors: 1,
      warnings: 1,
      checks: 1,
      lines: ['-:5: WARNING:COMMIT_MESSAGE: Missing commit description', '-:14: ERROR:TRAILING_WHITESPACE: trailing whitespace', '-:20: CHECK:SPACING: x'],
    });
  });
});

describe('step cache', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { StepCache } = await import('../../../workspaces/bisect/cache.js');
  it('serves a step again only for the same base, step contents, config and checks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cache-'));
    const cache = new StepCache(dir);
    const key = { base: 'b1', steps: ['p1', 'p2'], config: 'entry-min:abc', checks: 'v1' };
    const rec = walk(['a'], ['p', 'f'])[1];
    cache.put(key, rec);
    expect(cache.get(key)).toEqual({ ...rec, cached: true });
    expect(cache.get({ ...key, steps: ['p1', 'p3'] })).toBeNull();
    expect(cache.get({ ...key, steps: ['p1'] })).toBeNull();
    expect(cache.get({ ...key, config: 'entry-compat:abc' })).toBeNull();
    expect(cache.get({ ...key, checks: 'v2' })).toBeNull();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

// Side by side with the real b4 0.12: every difference the comparison finds is explained in
// workspaces/series/B4-DIFFERENCES.md, and every explanation there is still a real difference.
import { describe, expect, it } from 'vitest';
import { compareWithB4, documentedKeys } from '../../../bench/compare-b4.js';

describe('b4 comparison', () => {
  it('finds only documented differences, and the document lists no stale ones', async () => {
    const { differences, compared } = await compareWithB4();
    expect(compared.length).toBeGreaterThanOrEqual(10);
    const documented = documentedKeys();
    const found = new Set(differences.map((d) => d.key));
    expect(differences.filter((d) => !documented.has(d.key))).toEqual([]);
    expect([...documented].filter((k) => !found.has(k))).toEqual([]);
  }, 300_000);
});

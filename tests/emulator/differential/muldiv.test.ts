// Differential test of the muldiv family: the same machine code on this CPU and in the emulator,
// on random registers, memory and flags (fixed seeds); results, memory and flags must agree.
import { expect, it } from 'vitest';
import { muldivForms } from './forms.js';
import { report, runFamily } from './harness.js';

it('muldiv instructions match this CPU', () => {
  const result = runFamily('muldiv', muldivForms());
  console.log(`muldiv: ${report(result, 0).split('\n')[0]}`);
  expect(result.vectors).toBeGreaterThan(1000);
  expect(result.failures, report(result)).toEqual([]);
}, 120_000);

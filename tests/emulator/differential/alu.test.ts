// Differential test of the alu family: the same machine code on this CPU and in the emulator,
// on random registers, memory and flags (fixed seeds); results, memory and flags must agree.
import { expect, it } from 'vitest';
import { aluForms } from './forms.js';
import { report, runFamily } from './harness.js';

it('alu instructions match this CPU', () => {
  const result = runFamily('alu', aluForms());
  console.log(`alu: ${report(result, 0).split('\n')[0]}`);
  expect(result.vectors).toBeGreaterThan(1000);
  expect(result.failures, report(result)).toEqual([]);
}, 120_000);

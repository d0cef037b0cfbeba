// The shipped scenario files: each parses, and its user program's bytes and labels are exactly what
// GNU as makes of its source (ENTRYBENCH_UPDATE_SCENARIOS=1 rewrites them from the source).
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { builtinScenarioDir, formatHexBytes, loadScenarios, parseScenario } from '../../../emulator/kernel/scenario.js';
import { ScenarioError } from '../../../emulator/kernel/errors.js';
import { assembleUser, hex } from './user-asm.js';

const dir = builtinScenarioDir();
const update = process.env.ENTRYBENCH_UPDATE_SCENARIOS === '1';

describe('scenario files', () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

  it.each(files)('%s: bytes and labels match its assembly source', (file) => {
    const full = path.join(dir, file);
    let text = fs.readFileSync(full, 'utf8');
    const raw = JSON.parse(text) as { user: { mode: 64 | 32; base: string; asm: string[] } };
    const asm = assembleUser(raw.user.mode, BigInt(raw.user.base), raw.user.asm);
    const labels = JSON.stringify(asm.labels).replace(/,/g, ', ').replace(/:/g, ': ').replace(/^\{/, '{ ').replace(/\}$/, ' }');
    if (update) {
      text = text.replace(/"bytes": "[^"]*"/, `"bytes": "${formatHexBytes(asm.bytes)}"`).replace(/"labels": \{[^}]*\}/, `"labels": ${labels}`);
      fs.writeFileSync(full, text);
    }
    const s = parseScenario(text, full);
    expect(hex(s.user.bytes)).toBe(hex(asm.bytes));
    expect(s.user.labels).toEqual(asm.labels);
  });

  it('load as one suite with unique names, every one naming invariants', () => {
    const all = loadScenarios();
    expect(all.length).toBe(files.length);
    for (const s of all) expect(s.invariants.length).toBeGreaterThan(0);
  });

  it('reject a malformed scenario with the file and the problem', () => {
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ name: 'x-y', summary: 'a scenario for the test', group: 'syscall64', user: { mode: 64, base: '0x400000', asm: [], bytes: '0f05', labels: { entry: 0 } }, invariants: ['result'], ...patch });
    expect(() => parseScenario('{', 'broken.json')).toThrow(/broken\.json: not valid JSON/);
    expect(() => parseScenario(bad({ group: 'nope' }), 'g.json')).toThrow(ScenarioError);
    expect(() => parseScenario(bad({ user: { mode: 64, base: '0x400001', asm: [], bytes: '0f05', labels: { entry: 0 } } }), 'b.json')).toThrow(/page aligned/);
    expect(() => parseScenario(bad({ user: { mode: 64, base: '0x400000', asm: [], bytes: '0f05', labels: {} } }), 'e.json')).toThrow(/labels\.entry/);
    expect(() => parseScenario(bad({ invariants: [] }), 'i.json')).toThrow(/at least one invariant/);
    expect(() => parseScenario(bad({ run: { until: '@nowhere' } }), 'u.json')).toThrow(/label nowhere/);
  });
});

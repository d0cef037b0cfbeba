// The harness on the bundled demo kernel (its own profile): the demo's base passes what applies to it,
// the rest is skipped with the reason, and patch 03 of the demo series (SYSRET path pops the RCX/R11
// slots into RBX) fails every SYSRET scenario on RBX.
import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { KernelHarness, type ScenarioResult } from '../../../emulator/kernel/runner.js';

const demo = path.resolve(__dirname, '../../../workspaces/demo');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-demo-harness-'));

function build(tree: string, out: string): string {
  execFileSync('make', [`O=${out}`, 'tinyconfig'], { cwd: tree, stdio: 'ignore' });
  execFileSync('nice', ['make', `O=${out}`, '-j2'], { cwd: tree, stdio: 'ignore' });
  return out;
}

async function suite(buildDir: string) {
  const h = await KernelHarness.open(buildDir, { probeCacheDir: path.join(scratch, 'probe') });
  expect(h.facts.profile.name).toBe('entrybench-demo');
  const { results, skipped } = h.runSuite();
  return { results: new Map<string, ScenarioResult>(results.map((r) => [r.name, r])), skipped };
}

describe('kernel harness on the demo kernel', () => {
  let base = '';
  let step3 = '';
  beforeAll(() => {
    base = build(path.join(demo, 'tree'), path.join(scratch, 'base-build'));
    const tree = path.join(scratch, 'tree');
    fs.cpSync(path.join(demo, 'tree'), tree, { recursive: true });
    for (const p of fs.readdirSync(path.join(demo, 'series')).sort().slice(0, 3)) {
      execFileSync('patch', ['-p1', '-s', '-i', path.join(demo, 'series', p)], { cwd: tree });
    }
    step3 = build(tree, path.join(scratch, 'step3-build'));
  }, 300_000);

  it('passes every scenario that applies to the demo, and says why the others do not', async () => {
    const { results, skipped } = await suite(base);
    expect([...results.values()].filter((r) => r.verdict !== 'pass').map((r) => `${r.name}: ${r.invariant} ${r.seen}`)).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(10);
    expect(skipped.find((s) => s.name === 'compat-int80-getpid')?.reason).toBe('needs CONFIG_IA32_EMULATION');
    expect(skipped.find((s) => s.name === 'user-ud2-sigill')?.reason).toMatch(/no user signal handlers/);
    expect(results.get('slowpath-audit-getpid')?.verdict).toBe('pass');
    expect(results.get('sweep-irq-getpid')?.sweep?.points).toBeGreaterThan(100);
  });

  it('catches patch 03 of the demo series: RBX holds the return RIP after SYSRET', async () => {
    const { results } = await suite(step3);
    const failing = [...results.values()].filter((r) => r.verdict !== 'pass').map((r) => r.name);
    expect(failing).toContain('syscall64-getpid');
    expect(results.get('iret-trap-flag')?.verdict).toBe('pass');
    const r = results.get('syscall64-getpid') as ScenarioResult;
    expect([r.invariant, r.expected, r.seen]).toEqual(['registers-preserved', 'RBX = 0x1b1b1b1b1b1b1b1b (as before the syscall)', '0x400002']);
  });
});

// The bundled demo kernel in the guest: built with the project's build code, booted under TCG, its
// TAP read from the second serial port, its prompt used as a terminal, and its broken step 03
// compared with the base: the regression is blamed, what the base does too is not.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { BootVerdict } from '../../../workspaces/host/api/guest.js';
import { buildKernel } from '../../../workspaces/build/kernel-build.js';
import { DEMO_PATCHES_DIR, DEMO_TREE_DIR } from '../../../workspaces/demo/paths.js';
import { GuestService } from '../../../workspaces/guest/service.js';
import { compareBoots, guestChecks } from '../../../workspaces/guest/verdict.js';
import { plain, qemuProcesses, waitFor, within } from './support.js';

let dir: string;
let runRoot: string;
let service: GuestService;
let baseBuild: string;
let base: BootVerdict;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-demo-guest-'));
  runRoot = path.join(dir, 'run');
  service = new GuestService({ dataDir: path.join(dir, 'data'), runRoot });
  const tree = path.join(dir, 'tree');
  fs.cpSync(DEMO_TREE_DIR, tree, { recursive: true });
  baseBuild = (await buildKernel({ tree, config: 'entry-min', buildDir: path.join(dir, 'build-base') })).buildDir;
});

afterEach(() => {
  expect(qemuProcesses(runRoot)).toEqual([]);
});

afterAll(async () => {
  await service?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the demo kernel in the guest', () => {
  it('boots to its prompt with every ABI check passing, read from the TAP port', async () => {
    base = await service.run({ buildDir: baseBuild, accel: 'tcg' });
    expect(base.kind).toBe('multiboot');
    expect(base.outcome).toBe('booted');
    expect(base.ended).toBe('done');
    expect(base.selftests.complete).toBe(true);
    expect(base.selftests.results.length).toBeGreaterThanOrEqual(10);
    expect(base.selftests.results.filter((r) => r.status !== 'pass' && r.status !== 'skip')).toEqual([]);
    expect(fs.readFileSync(base.logs.tap as string, 'utf8')).toMatch(/^TAP version 13/m);
    // Counted once, though the demo prints its TAP on the console as well.
    expect(base.selftests.planned).toBe(base.selftests.results.length);
  });

  it('answers typed commands at its prompt, and powers off through ACPI', async () => {
    const g = await service.start({ buildDir: baseBuild, accel: 'tcg' });
    try {
      let out = '';
      const src = g.consoleSource();
      src.onData((d) => (out += Buffer.from(d).toString('utf8')));
      await waitFor('the demo prompt', () => g.state === 'shell', 60_000, () => plain(out));
      const mark = out.length;
      src.write(Buffer.from('echo hello from the workbench\r'));
      await waitFor('the echo', () => /^hello from the workbench$/m.test(plain(out.slice(mark))), 20_000, () => plain(out));
      src.write(Buffer.from('poweroff\r'));
      const v = await within(g.exited, 30_000, 'the demo to power off');
      // The demo says "reboot: Power down" and then writes the ACPI port: either ends it.
      expect(v.ended).toMatch(/^(power-down|guest-shutdown)$/);
    } finally {
      await g.stop('test over');
    }
  });

  it('blames step 03 of the demo series for the RBX check it breaks, compared with the base', async () => {
    const tree = path.join(dir, 'tree-03');
    fs.cpSync(DEMO_TREE_DIR, tree, { recursive: true });
    const patches = fs.readdirSync(DEMO_PATCHES_DIR).filter((f) => /^0[1-3]-/.test(f)).sort();
    for (const p of patches) execFileSync('git', ['apply', path.join(DEMO_PATCHES_DIR, p)], { cwd: tree });
    const step = await service.run({ buildDir: (await buildKernel({ tree, config: 'entry-min', buildDir: path.join(dir, 'build-03') })).buildDir, accel: 'tcg' });
    const failed = step.selftests.results.filter((r) => r.status === 'fail').map((r) => r.name);
    expect(failed, `${step.headline}\n${fs.readFileSync(step.logs.console, 'utf8').slice(-3000)}`).toContain('rbx preserved across syscall');
    const cmp = compareBoots(base, step);
    expect(cmp.relative).toBe('regressed');
    expect(cmp.selftests.regressed).toEqual(failed);
    expect(cmp.selftests.failsOnBaseToo).toEqual([]);
    expect(cmp.summary).toContain('selftests regressed: rbx preserved across syscall');
    const check = guestChecks(step).find((c) => c.check === 'selftest:rbx preserved across syscall');
    expect(check).toMatchObject({ status: 'fail', summary: expect.stringContaining('rbx') });
  });
});

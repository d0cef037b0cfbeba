// Where the app's own files are found: the checkout when the sources run, a packaged app's resources/
// when its shell says so, and the real file behind an unpacked asar entry.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appRoot, checkWorkerEntry, configsDir, demoDir, rendererDir, runningBundle, scenarioDir, unpackedFromAsar, useAppLayout } from '../../../workspaces/host/paths.js';
import { loadScenarios } from '../../../emulator/kernel/scenario.js';
import { resolveConfig } from '../../../workspaces/build/fragments.js';
import { repoRoot } from '../../helpers/browser.js';

afterEach(() => useAppLayout({}));

describe('app paths from the sources', () => {
  it('finds every resource at its place in the checkout', () => {
    expect(runningBundle()).toBeNull();
    expect(appRoot()).toBe(repoRoot);
    expect(demoDir()).toBe(path.join(repoRoot, 'workspaces', 'demo'));
    expect(configsDir()).toBe(path.join(repoRoot, 'workspaces', 'build', 'configs'));
    expect(scenarioDir()).toBe(path.join(repoRoot, 'emulator', 'kernel', 'scenarios'));
    expect(rendererDir()).toBe(path.join(repoRoot, 'out', 'renderer'));
    for (const dir of [demoDir(), configsDir(), scenarioDir()]) expect(fs.existsSync(dir), dir).toBe(true);
    // The harness's own default and the fragments' resolution agree with this one place.
    expect(loadScenarios(scenarioDir()).map((s) => s.name)).toEqual(loadScenarios().map((s) => s.name));
    expect(resolveConfig('entry-compat').fragments).toEqual([path.join(configsDir(), 'entry-min.config'), path.join(configsDir(), 'entry-compat.config')]);
  });

  it('starts check workers from the sources through tsx', () => {
    const entry = checkWorkerEntry();
    expect(entry).toEqual({ file: path.join(repoRoot, 'workspaces', 'check', 'worker-entry.mjs'), bundled: false });
    expect(fs.existsSync(entry.file)).toBe(true);
  });
});

describe('app paths in a packaged app', () => {
  it('takes the demo, fragments and scenarios from the resources directory the shell names', () => {
    useAppLayout({ root: '/opt/Entrybench/resources/app.asar', resources: '/opt/Entrybench/resources' });
    expect(appRoot()).toBe('/opt/Entrybench/resources/app.asar');
    expect(demoDir()).toBe('/opt/Entrybench/resources/demo');
    expect(configsDir()).toBe('/opt/Entrybench/resources/configs');
    expect(scenarioDir()).toBe('/opt/Entrybench/resources/scenarios');
    expect(resolveConfig('entry-min').fragments).toEqual(['/opt/Entrybench/resources/configs/entry-min.config']);
  });

  it('keeps the checkout layout under `electron-forge start` (a root, no resources directory)', () => {
    useAppLayout({ root: repoRoot, resources: null });
    expect(scenarioDir()).toBe(path.join(repoRoot, 'emulator', 'kernel', 'scenarios'));
  });

  it('lets ENTRYBENCH_APP_ROOT and the per-resource variables override', () => {
    useAppLayout({ root: '/somewhere', resources: '/somewhere/resources' });
    const saved = { ...process.env };
    try {
      process.env.ENTRYBENCH_APP_ROOT = '/elsewhere';
      process.env.ENTRYBENCH_CONFIGS_DIR = '/my/configs';
      expect(appRoot()).toBe('/elsewhere');
      expect(configsDir()).toBe('/my/configs');
      expect(demoDir()).toBe('/somewhere/resources/demo');
    } finally {
      process.env.ENTRYBENCH_APP_ROOT = saved.ENTRYBENCH_APP_ROOT;
      process.env.ENTRYBENCH_CONFIGS_DIR = saved.ENTRYBENCH_CONFIGS_DIR;
      if (saved.ENTRYBENCH_APP_ROOT === undefined) delete process.env.ENTRYBENCH_APP_ROOT;
      if (saved.ENTRYBENCH_CONFIGS_DIR === undefined) delete process.env.ENTRYBENCH_CONFIGS_DIR;
    }
  });

  it('points at the unpacked copy of an asar entry when there is one', () => {
    const res = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-asar-'));
    try {
      const inAsar = path.join(res, 'app.asar', '.vite', 'build', 'check-worker.cjs');
      const unpacked = path.join(res, 'app.asar.unpacked', '.vite', 'build', 'check-worker.cjs');
      expect(unpackedFromAsar(inAsar)).toBe(inAsar);
      fs.mkdirSync(path.dirname(unpacked), { recursive: true });
      fs.writeFileSync(unpacked, '');
      expect(unpackedFromAsar(inAsar)).toBe(unpacked);
      const main = path.join(res, 'app.asar', '.vite', 'build', 'main.cjs');
      expect(unpackedFromAsar(main)).toBe(main);
      expect(unpackedFromAsar('/usr/lib/app.asarx/a.js')).toBe('/usr/lib/app.asarx/a.js');
    } finally {
      fs.rmSync(res, { recursive: true, force: true });
    }
  });
});

// forge.config.ts's packaging rules: what goes into app.asar, what is unpacked beside it, and that they
// agree with the bundles' externals (vite.bundle.config.ts) and with where host/paths.ts looks.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ASAR_UNPACK, EXTRA_RESOURCES, RUNTIME_PACKAGES, packagedFile } from '../../forge.config.js';
import { MAIN_EXTERNALS } from '../../vite.bundle.config.js';
import { configsDir, demoDir, scenarioDir, useAppLayout } from '../../workspaces/host/paths.js';

const require = createRequire(import.meta.url);
// The matcher @electron/asar applies to asar.unpack, with its options.
const minimatch = require('minimatch') as (file: string, pattern: string, opts: { matchBase: boolean }) => boolean;

afterEach(() => useAppLayout({}));

describe('what the packaged app contains', () => {
  it('keeps package.json, the Vite output and the runtime packages', () => {
    for (const f of ['/package.json', '/.vite', '/.vite/build/main.cjs', '/.vite/build/check-worker.cjs', '/.vite/renderer/main_window/index.html', '/node_modules', '/node_modules/ws/lib/websocket.js', '/node_modules/iced-x86/iced_x86_bg.wasm', '/node_modules/iced-x86/iced_x86.js', '/node_modules/node-pty/lib/unixTerminal.js', '/node_modules/node-pty/build/Release/pty.node', `/node_modules/node-pty/prebuilds/${process.platform}-${process.arch}/pty.node`]) {
      expect(packagedFile(f), f).toBe(true);
    }
  });

  it('leaves out the sources, tsx, the other packages and what node-pty needs only to build', () => {
    for (const f of ['/workspaces', '/emulator/kernel/runner.ts', '/electron/main.ts', '/node_modules/tsx', '/node_modules/tsx/dist/cli.mjs', '/node_modules/monaco-editor/package.json', '/node_modules/node-pty/src/unix/pty.cc', '/node_modules/node-pty/deps', '/node_modules/node-pty/build/Makefile', '/node_modules/node-pty/build/Release/obj.target', '/node_modules/node-pty/lib/unixTerminal.test.js', '/node_modules/node-pty/lib/index.js.map', '/node_modules/iced-x86/iced_x86.d.ts', '/node_modules/iced-x86/tests', '/node_modules/node-ptyx/index.js']) {
      expect(packagedFile(f), f).toBe(false);
    }
    const other = process.platform === 'win32' ? 'darwin-x64' : 'win32-x64';
    expect(packagedFile(`/node_modules/node-pty/prebuilds/${other}/pty.node`)).toBe(false);
  });

  it('unpacks node-pty, iced-x86 and the worker bundle, and nothing else of .vite', () => {
    const app = '/opt/Entrybench/resources/app';
    expect(minimatch(`${app}/node_modules/node-pty/build/Release/pty.node`, ASAR_UNPACK, { matchBase: true })).toBe(true);
    expect(minimatch(`${app}/node_modules/iced-x86/iced_x86_bg.wasm`, ASAR_UNPACK, { matchBase: true })).toBe(true);
    expect(minimatch(`${app}/.vite/build/check-worker.cjs`, ASAR_UNPACK, { matchBase: true })).toBe(true);
    expect(minimatch(`${app}/.vite/build/main.cjs`, ASAR_UNPACK, { matchBase: true })).toBe(false);
    expect(minimatch(`${app}/node_modules/ws/index.js`, ASAR_UNPACK, { matchBase: true })).toBe(false);
  });

  it('packages every package the bundles leave to require(), except the optional ws helpers', () => {
    expect(MAIN_EXTERNALS.filter((p) => !RUNTIME_PACKAGES.includes(p)).sort()).toEqual(['bufferutil', 'utf-8-validate']);
    expect(RUNTIME_PACKAGES.filter((p) => !MAIN_EXTERNALS.includes(p))).toEqual([]);
  });

  it('copies the data files to where host/paths.ts looks in a packaged app', () => {
    useAppLayout({ root: '/R/app.asar', resources: '/R' });
    expect([demoDir(), configsDir(), scenarioDir()].map((d) => path.relative('/R', d)).sort()).toEqual(EXTRA_RESOURCES.map((r) => path.basename(r)).sort());
  });
});

// The packaged app, as close as this machine allows. The Electron binary cannot be downloaded here, so
// this runs the SAME Vite builds Electron Forge runs (Forge's own config generator over forge.config.ts:
// main, check worker, preload, renderer, into .vite/ as `npm run package` does), then @electron/packager
// itself with forge.config.ts's packagerConfig (ignore, prune, asar with its unpack rules, extra
// resources) on a stand-in Electron zip, extracts the app.asar it made (@electron/asar, which also copies
// the unpacked files, as Electron's asar reader shows them), and starts .vite/build/main.cjs under plain
// Node with a stand-in for the `electron` module only (tests/fixtures/electron/stub). Then it does what
// the window would: the UI from app://, the host address from the preload's IPC, the demo workspace over
// the WebSocket, a kernel build with the packaged config fragments, a check in the worker bundle with the
// packaged scenarios, a terminal through the packaged node-pty. Not proven here: Electron's asar reader,
// the node-pty rebuild for Electron's ABI, the fuses, the native window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fork, type ChildProcess } from 'node:child_process';
import { build, type InlineConfig, type UserConfig } from 'vite';
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { getElectronVersion } from '@electron-forge/core-utils';
import { packager } from '@electron/packager';
import asar from '@electron/asar';
import forgeConfig, { electronAsDevDependency } from '../../forge.config.js';
import { repoRoot } from '../helpers/browser.js';
import { RpcClient } from '../helpers/host.js';
import { Frame, decodeFrame, encodeFrame } from '../../workspaces/host/channels.js';
import type { HostInfo } from '../../workspaces/host/api/system.js';
import type { WorkspaceSummary } from '../../workspaces/host/api/workspace.js';
import type { OpenSeriesResult } from '../../workspaces/host/api/series.js';
import type { BuildRunResult } from '../../workspaces/host/api/walk.js';
import type { CheckReport, CheckScenarioInfo } from '../../workspaces/host/api/check.js';

const require = createRequire(import.meta.url);
type ViteConfigGeneratorClass = (typeof import('@electron-forge/plugin-vite/dist/ViteConfig.js'))['default'];
/** Forge's Vite plugin builds from this generator's configs (plugin-vite/dist/VitePlugin.js). */
const ViteConfigGenerator = (require('@electron-forge/plugin-vite/dist/ViteConfig.js') as { default: ViteConfigGeneratorClass }).default;

const STUB = path.join(repoRoot, 'tests', 'fixtures', 'electron', 'stub');
/** Taken out of the packaged scenarios: a check that still runs it would not be reading resources/scenarios. */
const REMOVED_SCENARIO = { file: '61-sweep-nmi.json', name: 'sweep-nmi-getpid' };

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-packaged-'));
let resources = '';
let appDir = ''; // resources/app.asar, extracted
let unpackedDir = ''; // resources/app.asar.unpacked, as the packager left it

/** Forge's config after its plugins' resolveForgeConfig hooks (the auto-unpack plugin adds *.node). */
async function resolvedForgeConfig(): Promise<ForgeConfig> {
  const config = forgeConfig;
  for (const plugin of config.plugins ?? []) {
    const hooks = (plugin as { getHooks?: () => Record<string, unknown> }).getHooks?.() ?? {};
    const hook = hooks.resolveForgeConfig as ((c: ForgeConfig) => Promise<ForgeConfig>) | undefined;
    if (typeof hook === 'function') await hook(config);
  }
  return config;
}

/** The Vite builds Forge's prePackage hook runs, from Forge's own generator, into .vite/ as it does. */
async function forgeViteBuilds(): Promise<void> {
  const plugin = forgeConfig.plugins?.find((p): p is VitePlugin => p instanceof VitePlugin);
  if (!plugin) throw new Error('forge.config.ts has no VitePlugin');
  fs.rmSync(path.join(repoRoot, '.vite'), { recursive: true, force: true });
  const generator = new ViteConfigGenerator(plugin.config, repoRoot, true);
  const inline = (cfg: UserConfig): InlineConfig => ({ configFile: false, logLevel: 'warn', ...cfg });
  for (const cfg of await generator.getBuildConfigs()) await build(inline(cfg));
  for (const cfg of await generator.getRendererConfig()) await build(inline(cfg));
}

/** A zip of stored files (what extract-zip reads), with Unix modes. */
function writeZip(file: string, entries: { name: string; data: Buffer; mode: number }[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const crc = zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made on Unix: the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, end]));
}

/**
 * `electron-forge package` minus what needs Electron itself (its zip, the node-pty rebuild against its
 * headers, the fuses): @electron/packager with forge.config.ts's packagerConfig on a stand-in zip.
 */
async function packageApp(): Promise<{ packed: string[]; unpacked: string[]; files: string[] }> {
  const config = await resolvedForgeConfig();
  const pkg = await electronAsDevDependency(config, JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>);
  const electronVersion = await getElectronVersion(repoRoot, pkg as Parameters<typeof getElectronVersion>[1]);
  const zipDir = path.join(stage, 'electron-zip');
  fs.mkdirSync(zipDir);
  writeZip(path.join(zipDir, `electron-v${electronVersion}-linux-${process.arch}.zip`), [
    { name: 'electron', data: Buffer.from('#!/bin/sh\necho "a stand-in for the Electron binary"\n'), mode: 0o100755 },
    { name: 'resources/default_app.asar', data: Buffer.alloc(0), mode: 0o100644 },
    { name: 'version', data: Buffer.from(electronVersion), mode: 0o100644 },
    { name: 'LICENSE', data: Buffer.from('stand-in'), mode: 0o100644 },
  ]);
  const [out] = await packager({ quiet: true, overwrite: true, ...config.packagerConfig, dir: repoRoot, out: path.join(stage, 'out'), platform: 'linux', arch: process.arch as 'x64', electronVersion, electronZipDir: zipDir });
  resources = path.join(out, 'resources');
  const archive = path.join(resources, 'app.asar');
  unpackedDir = `${archive}.unpacked`;
  const listing = asar.listPackage(archive, { isPack: true }).map((l) => /^(pack|unpack)\s*:\s*(.*)$/.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  // Electron reads app.asar as a directory tree; Node needs one on disk.
  const extracted = path.join(stage, 'extracted');
  asar.extractAll(archive, extracted);
  fs.rmSync(archive);
  fs.renameSync(extracted, archive);
  appDir = archive;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(path.relative(appDir, p));
    }
  };
  walk(appDir);
  return { packed: listing.filter((m) => m[1] === 'pack').map((m) => m[2].slice(1)), unpacked: listing.filter((m) => m[1] === 'unpack').map((m) => m[2].slice(1)), files };
}

/** The bundled main process with the stand-in electron module, and the messages the stand-in sends. */
class PackagedApp {
  readonly messages: { type: string; [k: string]: unknown }[] = [];
  readonly output: string[] = [];
  private nextId = 1;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.on('message', (m) => this.messages.push(m as { type: string }));
    child.stdout?.on('data', (d) => this.output.push(String(d)));
    child.stderr?.on('data', (d) => this.output.push(String(d)));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  async waitFor(type: string, timeoutMs: number): Promise<{ type: string; [k: string]: unknown }> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find((x) => x.type === type);
      if (m) return m;
      if (this.child.exitCode !== null) throw new Error(`the app exited with ${this.child.exitCode}:\n${this.output.join('')}`);
      if (Date.now() > end) throw new Error(`no "${type}" from the app in ${timeoutMs} ms:\n${this.output.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async request<T>(msg: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    this.child.send({ ...msg, id });
    const end = Date.now() + 30_000;
    for (;;) {
      const m = this.messages.find((x) => x.type === 'reply' && x.id === id);
      if (m) {
        if (typeof m.error === 'string') throw new Error(m.error);
        return m as T;
      }
      if (Date.now() > end) throw new Error(`no reply to ${String(msg.type)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async fetch(url: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const r = await this.request<{ status: number; headers: Record<string, string>; body: string }>({ type: 'fetch', url });
    return { status: r.status, headers: r.headers ?? {}, body: Buffer.from(r.body ?? '', 'base64') };
  }
}

describe('the packaged app (Forge builds, packager layout, bundled main process under Node)', () => {
  let layout: { packed: string[]; unpacked: string[]; files: string[] };
  let app: PackagedApp;
  let address: { url: string; token: string };
  let client: RpcClient;
  let info: HostInfo;

  beforeAll(async () => {
    const t0 = Date.now();
    await forgeViteBuilds();
    const t1 = Date.now();
    layout = await packageApp();
    fs.rmSync(path.join(resources, 'scenarios', REMOVED_SCENARIO.file));
    console.log(`packaged app: Vite builds ${((t1 - t0) / 1000).toFixed(1)} s, packager ${((Date.now() - t1) / 1000).toFixed(1)} s; ${layout.files.length} files in app.asar, ${layout.unpacked.length} of them unpacked`);

    // A clean environment: no tsx, no vitest, nothing of the checkout but what was packaged.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      NODE_PATH: STUB,
      ENTRYBENCH_STUB_APP: appDir,
      ENTRYBENCH_STUB_RESOURCES: resources,
      ENTRYBENCH_DATA: path.join(stage, 'data'),
      ENTRYBENCH_CACHE: path.join(stage, 'cache'),
    };
    const child = fork(path.join(appDir, '.vite', 'build', 'main.cjs'), [], { cwd: stage, env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    app = new PackagedApp(child);
    await app.waitFor('window', 120_000);
    address = (await app.request<{ value: { url: string; token: string } }>({ type: 'host-address', senderUrl: 'app://entrybench/index.html' })).value;
    client = await RpcClient.connect(address.url, { protocols: ['entrybench.rpc', `entrybench.token.${address.token}`], headers: { Origin: 'app://entrybench' } });
    info = await client.result<HostInfo>('host.info');
  }, 600_000);

  afterAll(async () => {
    client?.close();
    if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
    fs.rmSync(stage, { recursive: true, force: true });
  });

  it('packages the bundles, the runtime packages and the data files, and no sources or tsx', () => {
    expect(layout.files).toEqual(expect.arrayContaining(['package.json', '.vite/build/main.cjs', '.vite/build/check-worker.cjs', '.vite/build/preload.cjs', '.vite/renderer/main_window/index.html', 'node_modules/iced-x86/iced_x86_bg.wasm', 'node_modules/iced-x86/iced_x86.js', 'node_modules/node-pty/build/Release/pty.node', 'node_modules/node-pty/lib/index.js', 'node_modules/ws/index.js']));
    expect(layout.files.filter((f) => f.endsWith('.ts') || f.endsWith('.map'))).toEqual([]);
    expect(layout.files.filter((f) => /^node_modules\/(tsx|vite|esbuild|monaco-editor|typescript)\//.test(f) || f.startsWith('node_modules/node-pty/src/'))).toEqual([]);
    // Real files beside the asar: the addon, the WASM decoder and the worker bundle; the rest stays packed.
    expect(layout.unpacked).toEqual(expect.arrayContaining(['.vite/build/check-worker.cjs', 'node_modules/iced-x86/iced_x86_bg.wasm', 'node_modules/iced-x86/iced_x86.js', 'node_modules/node-pty/build/Release/pty.node']));
    expect(layout.packed).toEqual(expect.arrayContaining(['.vite/build/main.cjs', '.vite/build/preload.cjs', 'node_modules/ws/index.js']));
    for (const f of layout.unpacked) expect(fs.existsSync(path.join(unpackedDir, f)), f).toBe(true);
    for (const f of ['demo/series.mbox', 'demo/tree/Makefile', 'configs/entry-min.config', 'scenarios/10-syscall64-getpid.json']) {
      expect(fs.existsSync(path.join(resources, f)), f).toBe(true);
    }
  });

  it('opens the window on app:// with the packaged preload', async () => {
    const win = await app.waitFor('window', 0);
    expect(win.url).toBe('app://entrybench/index.html');
    const prefs = win.webPreferences as { preload: string; sandbox: boolean; contextIsolation: boolean };
    expect(prefs.preload).toBe(path.join(appDir, '.vite', 'build', 'preload.cjs'));
    expect(fs.existsSync(prefs.preload)).toBe(true);
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true });
  });

  it('serves the packaged UI on app:// with the CSP, and nothing outside the renderer build', async () => {
    const index = await app.fetch('app://entrybench/index.html');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html');
    const port = new URL(address.url).port;
    expect(index.headers['content-security-policy']).toContain(`ws://127.0.0.1:${port}`);
    const html = index.body.toString('utf8');
    const assets = [...html.matchAll(/(?:src|href)="\.\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) {
      const res = await app.fetch(`app://entrybench/${a}`);
      expect(res.status, a).toBe(200);
      expect(res.body.length, a).toBeGreaterThan(100);
    }
    expect((await app.fetch('app://entrybench/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await app.fetch('app://elsewhere/index.html')).status).toBe(404);
  });

  it('gives the host address to its own page only', async () => {
    expect(address.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/rpc$/);
    const foreign = await app.request<{ value: unknown }>({ type: 'host-address', senderUrl: 'https://evil.example/' });
    expect(foreign.value).toBeNull();
  });

  it('starts the host as the Electron shell and opens the bundled demo workspace', async () => {
    expect(info).toMatchObject({ shell: 'electron', nativeDialog: true, version: JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version });
    expect(info.demo).not.toBeNull();
    expect(info.initialWorkspace).toBe(info.demo?.workspace);
    expect(info.demo?.tree.startsWith(path.join(stage, 'data') + path.sep)).toBe(true);
    const ws = await client.result<WorkspaceSummary>('workspace.get', { workspace: info.demo!.workspace });
    const opened = await client.result<OpenSeriesResult>('series.open', { paths: ws.mailPaths });
    expect(fs.readFileSync(ws.mailPaths[0])).toEqual(fs.readFileSync(path.join(resources, 'demo', 'series.mbox')));
    expect(opened.series).toHaveLength(1);
    expect(opened.series[0].parts).toHaveLength(10);
  });

  it('builds the demo kernel with the packaged config fragments', async () => {
    const buildDir = path.join(stage, 'build');
    const r = await client.result<BuildRunResult>('build.run', { tree: info.demo!.tree, buildDir });
    expect(r.config).toBe('entry-min');
    expect(fs.existsSync(r.vmlinux)).toBe(true);
    const config = fs.readFileSync(path.join(buildDir, '.config'), 'utf8');
    // entry-min.config's own lines, as packaged in resources/configs, reached the build's .config.
    const wanted = fs.readFileSync(path.join(resources, 'configs', 'entry-min.config'), 'utf8').split('\n').filter((l) => /^CONFIG_\w+=y$/.test(l));
    expect(wanted.filter((l) => config.split('\n').includes(l)).length).toBeGreaterThan(0);
  }, 300_000);

  it('runs a check in the worker bundle, unpacked from the asar, with the packaged scenarios', async () => {
    const listed = (await client.result<{ scenarios: CheckScenarioInfo[] }>('check.scenarios')).scenarios.map((s) => s.name);
    const packaged = fs.readdirSync(path.join(resources, 'scenarios')).filter((f) => f.endsWith('.json'));
    expect(listed).toHaveLength(packaged.length);
    expect(listed).not.toContain(REMOVED_SCENARIO.name);

    const report = await client.result<CheckReport>('check.run', { buildDir: path.join(stage, 'build') });
    const workers = app.messages.filter((m) => m.type === 'worker').map((m) => m.file);
    expect(workers).toEqual([path.join(unpackedDir, '.vite', 'build', 'check-worker.cjs')]);
    expect(report.profile).toBe('entrybench-demo');
    const ran = report.scenarios.map((s) => s.name);
    expect(ran).toContain('syscall64-getpid');
    expect(ran).toContain('sweep-irq-getpid');
    expect([...ran, ...report.skipped.map((s) => s.name)]).not.toContain(REMOVED_SCENARIO.name);
    expect(report.scenarios.filter((s) => s.verdict !== 'pass').map((s) => `${s.name}: ${s.invariant} ${s.seen}`)).toEqual([]);
  }, 300_000);

  it('runs a terminal through the packaged node-pty', async () => {
    const { channel } = await client.result<{ channel: number }>('terminal.openShell', { cwd: stage });
    client.ws.send(encodeFrame(Frame.input, channel, Buffer.from('echo packaged$((6*7))pty\r')));
    const end = Date.now() + 15_000;
    const output = () =>
      client.frames
        .map((f) => decodeFrame(new Uint8Array(f)))
        .filter((f) => f && f.channel === channel && f.kind === Frame.output)
        .map((f) => Buffer.from(f!.payload).toString('latin1'))
        .join('');
    while (!output().includes('packaged42pty') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(output()).toContain('packaged42pty');
    await client.result('terminal.close', { channel });
  });

  it('quits cleanly: the host and the worker are disposed and the process exits 0', async () => {
    client.close();
    await app.request({ type: 'quit' }).catch(() => {});
    const code = await Promise.race([app.exited, new Promise<string>((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
    expect(code).toBe(0);
  });
});

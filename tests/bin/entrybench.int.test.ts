// bin/entrybench.mjs: the prebuilt CLI bundle (npm run build:cli) when it is newer than every source in
// it, the sources through tsx otherwise; both give the same answers, and checks run in the bundled worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/browser.js';
import type { CheckReport } from '../../workspaces/host/api/check.js';

interface Freshness {
  entry: string | null;
  reason: string | null;
}
const { freshCliBundle } = (await import(pathToFileURL(path.join(repoRoot, 'bin', 'cli-bundle.mjs')).href)) as { freshCliBundle: (root: string) => Freshness };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cli-bundle-'));
// Loaded before the CLI (node --import): names every worker thread's script on stderr, and changes nothing else.
const recordWorkers = path.join(tmp, 'record-workers.mjs');
fs.writeFileSync(
  recordWorkers,
  `import wt from 'node:worker_threads';
import { syncBuiltinESMExports } from 'node:module';
const Real = wt.Worker;
wt.Worker = class extends Real { constructor(file, opts) { super(file, opts); process.stderr.write('worker-thread ' + String(file) + '\\n'); } };
syncBuiltinESMExports();
`,
);

function buildBundle(): void {
  execFileSync(process.execPath, [path.join(repoRoot, 'bin', 'build-cli.mjs'), '--quiet'], { cwd: repoRoot, stdio: 'inherit' });
}

function runOnce(mode: 'tsx' | 'bundle', args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(recordWorkers).href, path.join(repoRoot, 'bin', 'entrybench.mjs'), ...args],
      { cwd: repoRoot, env: { ...process.env, ENTRYBENCH_CLI: mode, ENTRYBENCH_CACHE: path.join(tmp, 'cache') }, maxBuffer: 256 * 1024 * 1024 },
      (err, out, errOut) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: String(out), err: String(errOut) }),
    );
  });
}

/** Run the CLI; others edit this tree meanwhile, so a bundle gone stale is rebuilt once and the run repeated. */
async function cli(mode: 'tsx' | 'bundle', args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runOnce(mode, args);
  if (mode !== 'bundle' || r.code !== 2 || !r.err.includes('the CLI bundle cannot run')) return r;
  buildBundle();
  return runOnce(mode, args);
}

const workerScripts = (stderr: string) => [...stderr.matchAll(/^worker-thread (.+)$/gm)].map((m) => m[1]);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the CLI bundle', () => {
  let buildDir = '';

  beforeAll(async () => {
    buildBundle();
    // A kernel to check: the demo tree, built by the CLI itself.
    const tree = path.join(tmp, 'tree');
    fs.cpSync(path.join(repoRoot, 'workspaces', 'demo', 'tree'), tree, { recursive: true });
    buildDir = path.join(tmp, 'build');
    const r = await cli('bundle', ['build', '--tree', tree, '--build-dir', buildDir, '--json']);
    expect(r.code, r.err).toBe(0);
  }, 300_000);

  it('gives the same output and exit codes as the sources', async () => {
    const mbox = path.join(repoRoot, 'workspaces', 'demo', 'series.mbox');
    for (const args of [['--version'], ['--help'], ['open', '--json', mbox], ['open', mbox], ['check', '--list', '--json'], ['check'], ['no-such-command'], ['open', path.join(tmp, 'missing.mbox')]]) {
      const [fromSources, fromBundle] = [await cli('tsx', args), await cli('bundle', args)];
      expect({ code: fromBundle.code, out: fromBundle.out, err: fromBundle.err }, args.join(' ')).toEqual({ code: fromSources.code, out: fromSources.out, err: fromSources.err });
    }
  }, 120_000);

  it('runs the check in the bundled worker thread, with the verdicts the sources give', async () => {
    const [fromSources, fromBundle] = [await cli('tsx', ['check', '--json', buildDir]), await cli('bundle', ['check', '--json', buildDir])];
    expect(fromBundle.code, fromBundle.err).toBe(0);
    expect(workerScripts(fromSources.err)).toEqual([path.join(repoRoot, 'workspaces', 'check', 'worker-entry.mjs')]);
    expect(workerScripts(fromBundle.err)).toEqual([path.join(repoRoot, 'out', 'cli', 'check-worker.cjs')]);
    const verdicts = (r: { out: string }) => {
      const report = JSON.parse(r.out) as CheckReport;
      return { profile: report.profile, config: report.config, ran: report.scenarios.map((s) => `${s.name} ${s.verdict}`), skipped: report.skipped };
    };
    expect(verdicts(fromBundle)).toEqual(verdicts(fromSources));
    expect(verdicts(fromBundle).ran).toContain('syscall64-getpid pass');
  }, 120_000);
});

describe('when the bundle may run', () => {
  const root = path.join(tmp, 'checkout');
  const manifest = (inputs: string[], builtAt: number) => {
    fs.mkdirSync(path.join(root, 'out', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(root, 'out', 'cli', 'manifest.json'), JSON.stringify({ builtAt, inputs }));
  };
  const source = (rel: string, mtimeMs: number) => {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '// source\n');
    fs.utimesSync(f, mtimeMs / 1000, mtimeMs / 1000);
  };

  it('runs when every source is older than the build, and not otherwise', () => {
    expect(freshCliBundle(root)).toEqual({ entry: null, reason: 'it is not built' });
    const builtAt = Date.now() - 60_000;
    source('workspaces/a.ts', builtAt - 10_000);
    source('emulator/b.ts', builtAt - 5_000);
    manifest(['workspaces/a.ts', 'emulator/b.ts'], builtAt);
    expect(freshCliBundle(root)).toEqual({ entry: null, reason: 'it is incomplete' });
    fs.writeFileSync(path.join(root, 'out', 'cli', 'entrybench.cjs'), '');
    expect(freshCliBundle(root)).toEqual({ entry: path.join(root, 'out', 'cli', 'entrybench.cjs'), reason: null });
    source('emulator/b.ts', builtAt + 1);
    expect(freshCliBundle(root)).toEqual({ entry: null, reason: 'emulator/b.ts changed after it was built' });
    source('emulator/b.ts', builtAt - 1);
    fs.rmSync(path.join(root, 'workspaces', 'a.ts'));
    expect(freshCliBundle(root)).toEqual({ entry: null, reason: 'workspaces/a.ts is gone' });
  });

  it('lists what it was built from: the sources of both entries and the build script', () => {
    const built = JSON.parse(fs.readFileSync(path.join(repoRoot, 'out', 'cli', 'manifest.json'), 'utf8')) as { inputs: string[] };
    expect(built.inputs).toEqual(expect.arrayContaining(['workspaces/host/cli.ts', 'workspaces/check/worker.ts', 'emulator/kernel/runner.ts', 'workspaces/host/paths.ts', 'bin/build-cli.mjs']));
    expect(built.inputs.every((f) => fs.existsSync(path.join(repoRoot, f)))).toBe(true);
    expect(built.inputs.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });
});

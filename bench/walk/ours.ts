// Entrybench's side of bench/walk.bench.ts: `entrybench bisect` and `entrybench walk` run as a user
// runs them (the CLI, --json), each with its own data directory, cache directory (step cache, build
// directory, harness probes) and ccache directory, so "cold" starts from nothing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BisectReport, WalkReport } from '../../workspaces/host/api/walk.js';
import type { StepRecord } from '../../workspaces/bisect/types.js';
import { WorkspaceStore } from '../../workspaces/store/workspace.js';
import { TreeService } from '../../workspaces/tree/service.js';
import { measure, round2, type LoadFigures } from './measure.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'entrybench.mjs');

export interface OursHome {
  data: string;
  cache: string;
  ccache: string;
}

export function oursHome(dir: string): OursHome {
  return { data: path.join(dir, 'data'), cache: path.join(dir, 'cache'), ccache: path.join(dir, 'ccache') };
}

/** Where one step's time went: build, the emulator scenarios, the rest (checkout, checkpatch, loading the build into the harness). */
export interface OursStep {
  index: number;
  seconds: number;
  buildSeconds: number;
  objectsRebuilt: number | null;
  emulatorSeconds: number;
  otherSeconds: number;
  firstFailure: string | null;
}

export interface OursRun<R> {
  command: string;
  seconds: number;
  cpuSeconds: number | null;
  load: LoadFigures;
  report: R;
  /** The steps this run computed (not those it found in the step cache). */
  steps: OursStep[];
  /** Outside the steps: node and tsx start, reading the mail, apply (worktree checkout, git am), restoring the branch. */
  outsideStepsSeconds: number;
}

function stepOf(rec: StepRecord): OursStep {
  const build = rec.results.find((r) => r.check === 'builds');
  const emulator = rec.results.filter((r) => r.check.startsWith('emulator:'));
  const emulatorSeconds = emulator.reduce((a, r) => a + (r.seconds ?? 0), 0);
  const buildSeconds = build?.seconds ?? 0;
  const failed = emulator.find((r) => r.status === 'fail');
  const evidence = build?.evidence as { objectsRebuilt?: number } | undefined;
  return {
    index: rec.index,
    seconds: round2(rec.seconds),
    buildSeconds: round2(buildSeconds),
    objectsRebuilt: evidence?.objectsRebuilt ?? null,
    emulatorSeconds: round2(emulatorSeconds),
    otherSeconds: round2(rec.seconds - buildSeconds - emulatorSeconds),
    firstFailure: failed ? `${failed.check}: ${failed.summary}` : null,
  };
}

/** Every step record in a cache directory's step cache (one run's, since each run has its own). */
function stepRecords(home: OursHome): StepRecord[] {
  const root = path.join(home.cache, 'walk-steps');
  if (!fs.existsSync(root)) return [];
  const out: StepRecord[] = [];
  for (const d of fs.readdirSync(root)) {
    for (const f of fs.readdirSync(path.join(root, d))) {
      if (f.endsWith('.json')) out.push((JSON.parse(fs.readFileSync(path.join(root, d, f), 'utf8')) as { record: StepRecord }).record);
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export interface OursOptions {
  tree: string;
  mbox: string;
  home: OursHome;
  ccache: boolean;
  say(line: string): void;
}

async function runCli<R>(kind: 'bisect' | 'walk', o: OursOptions, known: Set<string>): Promise<OursRun<R>> {
  for (const dir of Object.values(o.home)) fs.mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    ENTRYBENCH_DATA: o.home.data,
    ENTRYBENCH_CACHE: o.home.cache,
    CCACHE_DIR: o.home.ccache,
    // The same compiler command as the reference side: ccache gcc, or gcc.
    ENTRYBENCH_CC_WRAPPER: o.ccache ? 'ccache' : '',
  };
  const args = [CLI, kind, '--tree', o.tree, '--json', o.mbox];
  const run = await measure(process.execPath, args, { cwd: path.dirname(CLI), env });
  if (run.exitCode !== 0) {
    throw new Error(`entrybench ${kind} failed (exit ${run.exitCode}):\n${run.stderr.slice(-3000)}`);
  }
  const report = JSON.parse(run.stdout) as R;
  // Steps computed by this run: records that were not in the cache before it started.
  const fresh = stepRecords(o.home).filter((r) => !known.has(`${r.index}:${r.commit}`));
  for (const r of fresh) known.add(`${r.index}:${r.commit}`);
  const steps = fresh.map(stepOf);
  return {
    command: `entrybench ${kind} --tree ${o.tree} --json ${o.mbox}`,
    seconds: round2(run.seconds),
    cpuSeconds: run.cpuSeconds,
    load: run.load,
    report,
    steps,
    outsideStepsSeconds: round2(run.seconds - steps.reduce((a, s) => a + s.seconds, 0)),
  };
}

/** A cold `entrybench bisect`: fresh data, cache and build directory. */
export async function runBisect(o: OursOptions): Promise<OursRun<BisectReport>> {
  return runCli<BisectReport>('bisect', o, new Set());
}

/** A cold `entrybench walk`, then the same walk again (warm: served from the step cache). */
export async function runWalks(o: OursOptions): Promise<{ cold: OursRun<WalkReport>; warm: OursRun<WalkReport> }> {
  const known = new Set<string>();
  const cold = await runCli<WalkReport>('walk', o, known);
  o.say(`  walk cold: ${cold.seconds.toFixed(1)} s; walking again (warm)`);
  const warm = await runCli<WalkReport>('walk', o, known);
  return { cold, warm };
}

/** The build directory a run used (the only one under its cache's builds/). */
export function buildDirOf(home: OursHome): string | null {
  const root = path.join(home.cache, 'builds');
  const dirs = fs.existsSync(root) ? fs.readdirSync(root) : [];
  return dirs.length === 1 ? path.join(root, dirs[0]) : null;
}

/** Remove the reviews a run made (worktrees and branches in the tree), as `entrybench apply --remove` does. */
export async function removeReviews(home: OursHome, tree: string): Promise<void> {
  if (!fs.existsSync(home.data)) return;
  const service = new TreeService(new WorkspaceStore(home.data));
  for (const r of await service.reviews(tree)) await service.remove(r.tree, r.branch, true).catch(() => {});
}

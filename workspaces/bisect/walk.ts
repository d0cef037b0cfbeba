// Walking a review branch step by step: check out each commit in the review worktree, build it
// incrementally in one build directory, run the checks, and cache every step's results.
import path from 'node:path';
import crypto from 'node:crypto';
import { runGit } from '../tree/git.js';
import { readCommitObjects } from '../tree/cat-file.js';
import { buildKernel, configDigest, defaultBuildDir, BuildFailed, ConfigureFailed, type BuildResult } from '../build/kernel-build.js';
import { resolveConfig } from '../build/fragments.js';
import { Cancelled, errorMessage } from '../errors.js';
import { runCheckpatch } from './checkpatch.js';
import { StepCache, type StepKey } from './cache.js';
import { walkVerdict, relativeTo } from './verdict.js';
import type { CheckResult, StepRecord } from './types.js';

/** What the walk needs to know about one applied patch (the tree service's ApplyStep fits). */
export interface WalkPatch {
  index: number;
  subject: string;
  status: 'applied' | 'applied-3way' | 'conflict' | 'damaged' | 'skipped';
  commit: string | null;
  patchId: string | null;
}

/** A check run on a built step: the emulator suite, the guest boot. */
export interface StepChecker {
  /** Names the checker and its version in the cache key: change it when results would change. */
  readonly id: string;
  run(ctx: StepCheckContext): Promise<CheckResult[]>;
}

export interface StepCheckContext {
  step: number;
  build: BuildResult;
  signal?: AbortSignal;
  say(message: string): void;
}

export interface WalkProgress {
  phase: 'prepare' | 'checkout' | 'style' | 'build' | 'check' | 'restore';
  step: number;
  total: number;
  message: string;
  elapsedMs: number;
  etaMs?: number;
}

export interface WalkPlan {
  /** The reviewer's repository (for git objects) and the review worktree the steps are built in. */
  repo: string;
  worktree: string;
  branch: string;
  base: string;
  patches: WalkPatch[];
  /** The patch as mailed, for checkpatch (null when not available). */
  patchText(index: number): Promise<Uint8Array | string | null>;
  config: string;
  buildDir?: string;
  checkers: StepChecker[];
  cacheDir: string;
  signal?: AbortSignal;
  onProgress?: (p: WalkProgress) => void;
  onStep?: (step: StepRecord) => void;
}

export interface WalkOutcome {
  steps: StepRecord[];
  verdict: ReturnType<typeof walkVerdict>;
  buildDir: string;
  /** Commands that reproduce a step: checkout, build, check. */
  commands: string[];
  compiler: string;
  seconds: number;
}

function configId(config: string): string {
  const choice = resolveConfig(config);
  return `${choice.name}:${configDigest(choice).slice(0, 16)}`;
}

const APPLIED = new Set(['applied', 'applied-3way']);

export class StepRunner {
  readonly cache: StepCache;
  readonly buildDir: string;
  private readonly configKey: string;
  private readonly checksKey: string;
  private lastCompiler = 'unknown';
  private lastCommands: string[] = [];
  private readonly started = Date.now();

  constructor(private readonly plan: WalkPlan) {
    this.cache = new StepCache(plan.cacheDir);
    this.buildDir = plan.buildDir ?? defaultBuildDir(plan.worktree, resolveConfig(plan.config).name);
    this.configKey = configId(plan.config);
    this.checksKey = ['applies', 'style', 'builds', ...plan.checkers.map((c) => c.id)].join('+');
  }

  get total(): number {
    return this.plan.patches.length;
  }

  get compiler(): string {
    return this.lastCompiler;
  }

  get commands(): string[] {
    return this.lastCommands;
  }

  private progress(p: Omit<WalkProgress, 'elapsedMs' | 'total'>): void {
    this.plan.onProgress?.({ ...p, total: this.total, elapsedMs: Date.now() - this.started });
  }

  private stepIds: Promise<string[]> | null = null;

  /**
   * What each patch's step is made of, exactly: the commit's tree (the sources after the patch), author and
   * message, without its parent and committer (which change on every apply of the same mail). Not the
   * patch-id: git patch-id ignores whitespace, and whitespace can break a build (a Makefile's tabs,
   * "ret urn"); nor does it see the commit message, which checkpatch reads.
   */
  private contentIds(): Promise<string[]> {
    this.stepIds ??= (async () => {
      const commits = this.plan.patches.map((p) => (APPLIED.has(p.status) ? p.commit : null));
      const objects = await readCommitObjects(this.plan.worktree, commits.filter((c): c is string => c !== null), this.plan.signal);
      return this.plan.patches.map((p, i) => {
        const text = commits[i] ? objects.get(commits[i] as string) : undefined;
        // A patch that did not apply is named by its position and status; nothing after it builds anyway.
        if (text === undefined) return `unapplied:${p.index}:${p.status}`;
        const split = text.indexOf('\n\n');
        const headers = (split < 0 ? text : text.slice(0, split)).split('\n').filter((l) => /^(tree|author|encoding) /.test(l));
        const message = split < 0 ? '' : text.slice(split + 2);
        return crypto.createHash('sha256').update(headers.join('\n')).update('\n\n').update(message).digest('hex');
      });
    })();
    this.stepIds.catch(() => (this.stepIds = null));
    return this.stepIds;
  }

  private async key(index: number): Promise<StepKey> {
    const ids = (await this.contentIds()).slice(0, index);
    return { base: this.plan.base, steps: ids, config: this.configKey, checks: this.checksKey };
  }

  /** Run (or fetch from the cache) one step: 0 is the base, i is the tree after patch i. */
  async step(index: number, eta?: number): Promise<StepRecord> {
    const signal = this.plan.signal;
    if (signal?.aborted) throw new Cancelled('walk');
    const key = await this.key(index);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const started = Date.now();
    const patch = index === 0 ? null : this.plan.patches[index - 1];
    const record: StepRecord = {
      index,
      subject: patch ? patch.subject : 'base',
      patchId: patch?.patchId ?? null,
      commit: index === 0 ? this.plan.base : (patch?.commit ?? null),
      results: [],
      seconds: 0,
      cached: false,
    };
    const results = record.results;
    if (patch) {
      const ok = APPLIED.has(patch.status) && patch.commit !== null;
      results.push({
        check: 'applies',
        status: ok ? 'pass' : patch.status === 'skipped' ? 'skip' : 'fail',
        summary: ok ? (patch.status === 'applied-3way' ? 'applied with a 3-way merge' : 'applied') : patch.status,
      });
      if (!ok) {
        record.seconds = (Date.now() - started) / 1000;
        return this.finish(key, record, false);
      }
    }
    this.progress({ phase: 'checkout', step: index, message: `checking out ${record.commit?.slice(0, 12)}`, etaMs: eta });
    await runGit(['checkout', '-q', '--detach', '-f', record.commit as string], { cwd: this.plan.worktree, signal });

    if (patch) {
      this.progress({ phase: 'style', step: index, message: 'checkpatch', etaMs: eta });
      const text = await this.plan.patchText(index);
      if (text !== null) {
        const style = await runCheckpatch(this.plan.worktree, text, signal);
        results.push(
          style.available
            ? {
                check: 'style',
                status: style.errors > 0 ? 'fail' : 'pass',
                summary: `checkpatch: ${style.errors} errors, ${style.warnings} warnings, ${style.checks} checks`,
                evidence: { lines: style.lines },
              }
            : { check: 'style', status: 'skip', summary: 'the tree has no scripts/checkpatch.pl' },
        );
      }
    }

    // A check or build that could not run (crashed, tool missing, disk) says nothing about the step: do not cache that.
    let transient = false;
    let build: BuildResult | null = null;
    const buildStarted = Date.now();
    try {
      build = await buildKernel({
        tree: this.plan.worktree,
        config: this.plan.config,
        buildDir: this.buildDir,
        signal,
        onProgress: (p) => this.progress({ phase: 'build', step: index, message: p.message, etaMs: eta }),
      });
      this.lastCompiler = build.compiler.version;
      this.lastCommands = build.commands;
      results.push({
        check: 'builds',
        status: 'pass',
        summary: `built in ${build.seconds.toFixed(1)} s (${build.objectsRebuilt} objects)${build.warnings.length ? `, ${build.warnings.length} warnings` : ''}`,
        evidence: { warnings: build.warnings.map((w) => w.text), objtool: build.objtool, objectsRebuilt: build.objectsRebuilt },
        seconds: build.seconds,
      });
    } catch (err) {
      if (err instanceof Cancelled || signal?.aborted) throw new Cancelled('walk');
      // Only a failed make or Kconfig run is the step's result; anything else is retried on the next walk.
      if (!(err instanceof BuildFailed) && !(err instanceof ConfigureFailed)) transient = true;
      const details = err instanceof BuildFailed ? (err.details as { errors?: unknown[]; tail?: string[]; commands?: string[] }) : {};
      if (details.commands) this.lastCommands = details.commands;
      results.push({
        check: 'builds',
        status: 'fail',
        summary: errorMessage(err),
        evidence: { errors: details.errors ?? [], tail: details.tail ?? [] },
        seconds: (Date.now() - buildStarted) / 1000,
      });
    }

    if (build) {
      for (const checker of this.plan.checkers) {
        this.progress({ phase: 'check', step: index, message: checker.id, etaMs: eta });
        try {
          results.push(
            ...(await checker.run({ step: index, build, signal, say: (m) => this.progress({ phase: 'check', step: index, message: m, etaMs: eta }) })),
          );
        } catch (err) {
          if (err instanceof Cancelled || signal?.aborted) throw new Cancelled('walk');
          transient = true;
          results.push({ check: checker.id.split(':')[0], status: 'error', summary: `the check could not run: ${errorMessage(err)}` });
        }
      }
    }
    record.seconds = (Date.now() - started) / 1000;
    return this.finish(key, record, !transient);
  }

  private finish(key: StepKey, record: StepRecord, cacheable: boolean): StepRecord {
    if (cacheable) this.cache.put(key, record);
    return record;
  }

  /** Put the review branch back in the worktree, whatever happened. */
  async restore(): Promise<void> {
    this.progress({ phase: 'restore', step: this.total, message: `back to ${this.plan.branch}` });
    await runGit(['checkout', '-q', '-f', this.plan.branch], { cwd: this.plan.worktree });
  }
}

/** Walk every step from the base to the tip. */
export async function walkSeries(plan: WalkPlan): Promise<WalkOutcome> {
  const started = Date.now();
  const runner = new StepRunner(plan);
  const steps: StepRecord[] = [];
  const spent: number[] = [];
  try {
    for (let i = 0; i <= runner.total; i++) {
      const avg = spent.length ? spent.reduce((a, b) => a + b, 0) / spent.length : undefined;
      const eta = avg === undefined ? undefined : Math.round(avg * 1000 * (runner.total + 1 - i));
      const rec = await runner.step(i, eta);
      if (!rec.cached) spent.push(rec.seconds);
      steps.push(rec);
      plan.onStep?.(rec);
    }
  } finally {
    await runner.restore().catch(() => {});
  }
  return {
    steps,
    verdict: walkVerdict(steps, runner.total),
    buildDir: runner.buildDir,
    commands: runner.commands,
    compiler: runner.compiler,
    seconds: (Date.now() - started) / 1000,
  };
}

export interface BisectOptions {
  /** The check to bisect on; "emulator" means any emulator scenario. */
  check: string;
}

/** Does this step's result for `check` regress against the base's? */
export function regressed(base: StepRecord, step: StepRecord, check: string): boolean {
  const matches = (name: string) => (check === 'emulator' ? name.startsWith('emulator:') : name === check);
  const baseStatus = new Map(base.results.map((r) => [r.check, r.status]));
  // A step that did not build cannot pass a later check: count it as bad for that check.
  if (check !== 'builds' && check !== 'applies' && step.results.some((r) => (r.check === 'builds' || r.check === 'applies') && r.status === 'fail')) {
    return true;
  }
  return step.results.some((r) => matches(r.check) && relativeTo(baseStatus.get(r.check), r.status) === 'regressed');
}

export function stepFile(dir: string, branch: string): string {
  return path.join(dir, `walk-${branch.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`);
}

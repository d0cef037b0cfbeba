// The walk and bisect service: finds a workspace's review branch, walks or bisects it with the
// configured checkers, and keeps the report in the workspace.
import fs from 'node:fs';
import path from 'node:path';
import type { WorkspaceStore, Workspace } from '../store/workspace.js';
import type { ApplyResult } from '../host/api/tree.js';
import type { BisectReport, WalkReport, WalkStep, WalkCheckResult } from '../host/api/walk.js';
import { writeJsonAtomic } from '../store/atomic.js';
import { NotFound, ReviewError } from '../errors.js';
import { defaultCacheDir } from '../host/paths.js';
import { runGit } from '../tree/git.js';
import { resolveConfig } from '../build/fragments.js';
import { StepRunner, walkSeries, regressed, stepFile, type StepChecker, type WalkOutcome, type WalkPlan, type WalkProgress } from './walk.js';
import { bisectSteps } from './search.js';
import { relativeTo, checkNames } from './verdict.js';
import type { StepRecord } from './types.js';

/** What the tree service keeps in a workspace (section "tree"); only the fields the walk reads. */
interface TreeSectionView {
  reviews?: { branch: string; state: string; tree: string; worktree: string; startedAt: string; result: ApplyResult | null }[];
}

export class NothingToWalk extends ReviewError {}

export interface WalkRequest {
  workspace: string;
  branch?: string;
  config?: string;
  boot?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: WalkProgress) => void;
  onStep?: (step: WalkStep, total: number) => void;
}

/** Makes the checkers for one walk: the emulator suite always, the guest when boot is asked. */
export type CheckerFactory = (opts: { workspace: Workspace; boot: boolean }) => StepChecker[];

export class WalkService {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly checkers: CheckerFactory,
    private readonly cacheDir = path.join(defaultCacheDir(), 'walk-steps'),
  ) {}

  /** The applied review a walk is about: the named branch, or the newest one of the workspace. */
  review(ws: Workspace, branch?: string): ApplyResult {
    const reviews = (ws.section<TreeSectionView>('tree')?.reviews ?? []).filter((r) => r.result && r.state === 'applied');
    const pick = branch
      ? reviews.find((r) => r.branch === branch || r.branch === `review/${branch}`)
      : reviews.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    if (!pick?.result) {
      throw new NothingToWalk(
        branch ? `Workspace ${ws.id} has no applied review branch ${branch}.` : `Workspace ${ws.id} has not been applied to a tree yet.`,
        'Apply the series first (entrybench apply --tree DIR, or Apply in the workbench), then walk it.',
      );
    }
    return pick.result;
  }

  private plan(ws: Workspace, review: ApplyResult, req: WalkRequest, onStep?: (s: StepRecord) => void): WalkPlan {
    if (!fs.existsSync(review.worktree)) {
      throw new NotFound(`The review worktree ${review.worktree} is gone.`, 'Apply the series again; the walk builds in that worktree.');
    }
    return {
      repo: review.tree,
      worktree: review.worktree,
      branch: review.branch,
      base: review.base,
      patches: review.steps,
      // The patch as it went onto the branch, for checkpatch: exactly what the step builds.
      patchText: async (index) => {
        const commit = review.steps[index - 1]?.commit;
        if (!commit) return null;
        return (await runGit(['format-patch', '-1', '--stdout', commit], { cwd: review.worktree, signal: req.signal })).stdoutBytes;
      },
      config: req.config ?? 'entry-compat',
      checkers: this.checkers({ workspace: ws, boot: req.boot ?? false }),
      cacheDir: this.cacheDir,
      signal: req.signal,
      onProgress: req.onProgress,
      onStep,
    };
  }

  async walk(req: WalkRequest): Promise<WalkReport> {
    const ws = this.store.get(req.workspace);
    const review = this.review(ws, req.branch);
    return ws.exclusive(async () => {
      const startedAt = new Date().toISOString();
      let baseResults: StepRecord | null = null;
      const plan = this.plan(ws, review, req, (rec) => {
        if (rec.index === 0) baseResults = rec;
        req.onStep?.(wireStep(rec, baseResults, review), review.steps.length);
      });
      const outcome = await walkSeries(plan);
      const report = buildReport(ws, review, plan.config, req.boot ?? false, startedAt, outcome);
      writeJsonAtomic(stepFile(ws.path('results'), review.branch), report);
      ws.setSection('walk', { last: review.branch, at: report.startedAt, firstBad: report.firstBad, fixedAt: report.fixedAt });
      return report;
    });
  }

  /** The last walk report of a workspace's branch, or null. */
  last(workspace: string, branch?: string): WalkReport | null {
    const ws = this.store.get(workspace);
    const name = branch ?? ws.section<{ last?: string }>('walk')?.last;
    if (!name) return null;
    try {
      return JSON.parse(fs.readFileSync(stepFile(ws.path('results'), name), 'utf8')) as WalkReport;
    } catch {
      return null;
    }
  }

  async bisect(req: WalkRequest & { check?: string }): Promise<BisectReport> {
    const ws = this.store.get(req.workspace);
    const review = this.review(ws, req.branch);
    const check = req.check ?? 'emulator';
    return ws.exclusive(async () => {
      const runner = new StepRunner(this.plan(ws, review, req));
      let built = 0;
      const run = async (i: number) => {
        const rec = await runner.step(i);
        if (!rec.cached) built++;
        return rec;
      };
      try {
        const base = await run(0);
        const records = new Map<number, StepRecord>([[0, base]]);
        if (check !== 'emulator' && check !== 'builds' && check !== 'applies' && !base.results.some((r) => r.check === check)) {
          throw new NotFound(
            `No check named ${check} ran on the base.`,
            `Use one of: emulator (any scenario), ${checkNames([base]).join(', ')}.`,
          );
        }
        const outcome = await bisectSteps(review.steps.length, async (i) => {
          const rec = await run(i);
          records.set(i, rec);
          return regressed(base, rec, check);
        });
        const first = outcome.firstBad === null ? null : records.get(outcome.firstBad)!;
        const bad = first
          ? (first.results.find((r) => (check === 'emulator' ? r.check.startsWith('emulator:') : r.check === check) && relativeTo(base.results.find((b) => b.check === r.check)?.status, r.status) === 'regressed') ??
            first.results.find((r) => r.status === 'fail'))
          : undefined;
        return {
          workspace: ws.id,
          check,
          firstBad: first
            ? { index: first.index, subject: first.subject, check: bad?.check ?? check, summary: bad?.summary ?? '', evidence: bad?.evidence }
            : null,
          stepsBuilt: built,
          tested: outcome.tested,
          note:
            outcome.firstBad === null
              ? 'The tip passes this check, so bisect finds nothing; a walk shows breaks that a later patch fixes again.'
              : null,
        };
      } finally {
        await runner.restore().catch(() => {});
      }
    });
  }
}

export function wireStep(rec: StepRecord, base: StepRecord | null, review: ApplyResult): WalkStep {
  const baseStatus = new Map((base?.results ?? []).map((r) => [r.check, r.status]));
  const results: WalkCheckResult[] = rec.results.map((r) => ({
    ...r,
    relative: rec.index === 0 ? (r.status === 'fail' ? 'fails-on-base' : relativeTo(undefined, r.status)) : relativeTo(baseStatus.get(r.check), r.status),
  }));
  const applied = rec.index === 0 ? 'base' : (review.steps[rec.index - 1]?.status ?? 'skipped');
  return { index: rec.index, subject: rec.subject, patchId: rec.patchId, commit: rec.commit, applied, results, seconds: rec.seconds, cached: rec.cached };
}

function buildReport(ws: Workspace, review: ApplyResult, config: string, boot: boolean, startedAt: string, outcome: WalkOutcome): WalkReport {
  const { steps, seconds } = outcome;
  const base = steps.find((s) => s.index === 0) ?? null;
  const v = outcome.verdict;
  const configName = resolveConfig(config).name;
  return {
    workspace: ws.id,
    branch: review.branch,
    base: review.base,
    config: configName,
    total: review.steps.length,
    checks: checkNames(steps),
    steps: steps.map((s) => wireStep(s, base, review)),
    firstBad: v.firstBad,
    fixedAt: v.fixedAt,
    firstBadChecks: v.checks,
    breakages: v.breakages.map((b) => ({ check: b.check, breaksAt: b.breaksAt, fixedAt: b.fixedAt, summary: b.result.summary })),
    patterns: v.patterns,
    boot,
    startedAt,
    seconds,
    reproduce: {
      tree: review.tree,
      base: review.base,
      branch: review.branch,
      config: configName,
      compiler: outcome.compiler,
      commands: [
        `git -C ${review.worktree} checkout --detach <step commit>`,
        ...outcome.commands,
        `entrybench check --json ${outcome.buildDir}`,
      ],
    },
  };
}

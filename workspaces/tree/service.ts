// The apply engine: a review worktree on its own branch, the series applied patch by patch with
// git am -3, every step recorded in the workspace; the reviewer's branch, index and files untouched.
import fs from 'node:fs';
import path from 'node:path';
import type { ApplyConflict, ApplyResult, ApplyStep, ApplySummary, RangeDiffResult, RemovePlan, ReviewSummary } from '../host/api/tree.js';
import { BadRequest, NotFound, ReviewError } from '../errors.js';
import { withDirLock } from '../build/lock.js';
import { KeyedMutex } from '../store/mutex.js';
import { writeFileAtomic } from '../store/atomic.js';
import type { Workspace, WorkspaceStore } from '../store/workspace.js';
import type { SeriesToApply } from './types.js';
import { DifferentBases, EmptySeries, NotAGitRepository, NotRepositoryTop, ReviewExists, ReviewNotFound } from './errors.js';
import { chooseBase, type BaseChoice } from './base.js';
import { ancestorDirs, checkPatchNames, checkSymlinkAncestors, symlinksOnDisk, type GuardedPatch } from './path-guard.js';
import { withLinkTrailer, DEFAULT_LINK_BASE } from './link.js';
import { bodyText } from './mbox-message.js';
import { hunkHeaders } from './diff-headers.js';
import { amAbort, amQuit, amSkip, amStart, amStoppedAt, type AmAttempt, type AmRun } from './am.js';
import { checkPatchAgainst } from './apply.js';
import { patchIds } from './patch-id.js';
import { commitsInRange } from './log.js';
import { unmergedPaths } from './ls-files.js';
import { resetHard } from './reset.js';
import { dirtyPaths } from './status.js';
import { addWorktree, listWorktrees, pruneWorktrees, removeWorktree } from './worktree.js';
import { branchCommit, checkBranchName, commitsOnlyOn, deleteBranch } from './branch.js';
import { repositoryTop, resolveCommit } from './rev-parse.js';
import { treeEntries, SYMLINK_MODE } from './ls-tree.js';
import { committerEnv } from './var.js';
import { initRepository } from './init.js';
import { addEverything } from './add.js';
import { commitStaged } from './commit.js';
import { rangeDiff, parseRangeDiff } from './range-diff.js';
import { mergeBase } from './merge-base.js';

export interface TreeProgress {
  phase: 'check' | 'base' | 'init' | 'worktree' | 'apply' | 'record';
  message: string;
  done?: number;
  total?: number;
  step?: number;
}

export interface ApplyRequest {
  workspace: Workspace;
  series: SeriesToApply;
  /** The reviewer's kernel tree. */
  tree: string;
  base?: string;
  init?: boolean;
  continuePastConflicts?: boolean;
  signal?: AbortSignal;
  progress?: (p: TreeProgress) => void;
}

export interface TreeServiceOptions {
  /** Archive the `Link:` trailers point at (default lore.kernel.org/r/). */
  linkBase?: string;
  /** Commits touching the series' files searched for matching preimages. */
  historyLimit?: number;
}

/** What a workspace keeps about its review branches (section "tree" of workspace.json). */
export interface TreeSection {
  format: 1;
  reviews: ReviewRecord[];
}

export interface ReviewRecord {
  /** "applying" only while an apply runs, or after a crash in the middle of one. */
  state: 'applying' | 'applied';
  tree: string;
  branch: string;
  worktree: string;
  startedAt: string;
  result: ApplyResult | null;
}

const SECTION = 'tree';
/** Worktree creation and removal change the shared repository (refs, worktree admin files). */
const repoMutex = new KeyedMutex();

export function reviewBranchName(slug: string, version: number): string {
  const s =
    slug
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60)
      .replace(/[-.]+$/, '') || 'series';
  return `review/${s}-v${version}`;
}

function summarize(steps: ApplyStep[]): ApplySummary {
  const count = (s: ApplyStep['status']) => steps.filter((x) => x.status === s).length;
  return { applied: count('applied'), applied3way: count('applied-3way'), conflict: count('conflict'), damaged: count('damaged'), skipped: count('skipped') };
}

function realDir(dir: string): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new NotFound(`No directory at ${abs}.`, 'Give --tree the top directory of your kernel tree.');
  }
  if (!st.isDirectory()) throw new BadRequest(`${abs} is not a directory.`, 'Give --tree the top directory of your kernel tree.');
  return fs.realpathSync(abs);
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  return real(a) === real(b);
}

function kernelVersion(tree: string): string | null {
  try {
    const mk = fs.readFileSync(path.join(tree, 'Makefile'), 'utf8').slice(0, 2000);
    const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S*)`, 'm').exec(mk)?.[1] ?? '';
    const v = get('VERSION');
    return v ? `${v}.${get('PATCHLEVEL')}${get('SUBLEVEL') ? '.' + get('SUBLEVEL') : ''}${get('EXTRAVERSION')}` : null;
  } catch {
    return null;
  }
}

export class TreeService {
  constructor(
    private readonly store: WorkspaceStore,
    private readonly options: TreeServiceOptions = {},
  ) {}

  /** Apply a series; one apply or removal at a time per workspace, across processes too. */
  apply(req: ApplyRequest): Promise<ApplyResult> {
    return req.workspace.exclusive(() => withDirLock(req.workspace.dir, () => this.applyLocked(req)));
  }

  private async applyLocked(req: ApplyRequest): Promise<ApplyResult> {
    const started = Date.now();
    const timings = { initMs: 0, prepareMs: 0, worktreeMs: 0, applyMs: 0, gitAmMs: 0 };
    const { series, signal } = req;
    const say = (p: TreeProgress) => req.progress?.(p);
    if (series.patches.length === 0) throw new EmptySeries(`${series.title || series.slug} v${series.version}`);
    const dir = realDir(req.tree);

    // Names first: nothing on disk is needed to refuse "../" or absolute paths.
    say({ phase: 'check', message: 'checking the paths the patches touch' });
    const guarded = checkPatchNames(series);

    let top = await repositoryTop(dir, signal);
    if (top !== null && fs.realpathSync(top) !== dir && !req.init) throw new NotRepositoryTop(dir, top);
    let initialized = false;
    if (top === null || fs.realpathSync(top) !== dir) {
      if (!req.init) throw new NotAGitRepository(dir);
      if (fs.existsSync(path.join(dir, '.git'))) {
        throw new BadRequest(`${dir} has a .git that git cannot read.`, 'Repair or move that .git away before using --init; it was left as it is.');
      }
      // The symlink check runs on the files themselves, before --init writes anything.
      checkSymlinkAncestors(guarded, symlinksOnDisk(dir, ancestorDirs(guarded)));
      const initStart = Date.now();
      await this.importTree(dir, say, signal);
      timings.initMs = Date.now() - initStart;
      initialized = true;
      top = dir;
    }
    const repo = dir;

    say({ phase: 'base', message: 'choosing the base commit' });
    const base = initialized
      ? await this.importedBase(repo, series, req.base, signal)
      : await chooseBase(repo, series, { explicit: req.base, historyLimit: this.options.historyLimit, signal });
    if (!initialized) await this.checkSymlinksAt(repo, base.commit, guarded, signal);

    const branch = reviewBranchName(series.slug, series.version);
    if (!(await checkBranchName(repo, branch))) {
      throw new BadRequest(`"${branch}" is not a valid branch name.`, 'Give the series a simpler name; this is a bug in the series assembly.');
    }
    const worktree = path.join(req.workspace.dir, 'worktrees', branch.slice('review/'.length));
    if (isInside(worktree, dir)) {
      throw new BadRequest(`The data directory ${req.workspace.dir} is inside the tree ${dir}.`, 'Use a data directory outside your kernel tree (--data DIR or ENTRYBENCH_DATA).');
    }
    await this.refuseExisting(repo, branch, req.workspace);

    const record: ReviewRecord = { state: 'applying', tree: repo, branch, worktree, startedAt: new Date().toISOString(), result: null };
    this.saveRecord(req.workspace, record);
    // From here on the worktree may exist, even half made (a cancelled checkout): rollback looks.
    let created = false;
    try {
      say({ phase: 'worktree', message: `creating ${branch} at ${base.commit.slice(0, 12)} in ${worktree}` });
      fs.mkdirSync(path.dirname(worktree), { recursive: true });
      const worktreeStart = Date.now();
      timings.prepareMs = worktreeStart - started - timings.initMs;
      created = true;
      await repoMutex.run(repo, () => addWorktree(repo, worktree, branch, base.commit, signal));
      const applyStart = Date.now();
      timings.worktreeMs = applyStart - worktreeStart;
      const result = await this.applyPatches(req, { repo, worktree, branch, base, initialized, guarded });
      timings.applyMs = Date.now() - applyStart;
      timings.gitAmMs = result.timings.gitAmMs;
      result.elapsedMs = Date.now() - started;
      result.timings = timings;
      say({ phase: 'record', message: 'recording the result' });
      this.saveRecord(req.workspace, { ...record, state: 'applied', result });
      return result;
    } catch (err) {
      // Nothing half-done survives: the worktree, the branch and the record go; --init's commit stays.
      await this.rollback(repo, worktree, branch, created);
      this.dropRecord(req.workspace, branch);
      throw err;
    }
  }

  private async importTree(dir: string, say: (p: TreeProgress) => void, signal?: AbortSignal): Promise<void> {
    say({ phase: 'init', message: `making ${dir} a git repository with one base commit (a Linux tree takes about half a minute)` });
    try {
      await initRepository(dir, 'master', signal);
      await addEverything(dir, signal);
      const version = kernelVersion(dir);
      const message =
        `Import of ${path.basename(dir)}${version ? ` (Linux ${version})` : ''} as the base for reviews\n\n` +
        'Made by `entrybench apply --init`: the whole tree as it was on disk, files\n' +
        'ignored by .gitignore included, so review branches have a base to grow from.\n';
      await commitStaged(dir, message, await committerEnv(dir), signal);
    } catch (err) {
      // The .git did not exist before this call; a half-made one would only confuse the next try.
      fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
      throw err;
    }
  }

  private async importedBase(repo: string, series: SeriesToApply, explicit: string | undefined, signal?: AbortSignal): Promise<BaseChoice> {
    const head = await resolveCommit(repo, 'HEAD', signal);
    if (!head) throw new ReviewError('The import commit is missing.', 'Run the apply again; if it keeps failing, remove the .git made by --init.');
    if (explicit !== undefined) return chooseBase(repo, series, { explicit, signal });
    const note = series.baseCommit ? `; base-commit ${series.baseCommit.slice(0, 12)} named by the series cannot be in a fresh import` : '';
    return { commit: head, rule: 'head', reason: `--init imported the tree as one commit (${head.slice(0, 12)}), the only possible base${note}` };
  }

  private async checkSymlinksAt(repo: string, commit: string, guarded: GuardedPatch[], signal?: AbortSignal): Promise<void> {
    const dirs = ancestorDirs(guarded);
    const wanted = new Set(dirs);
    const links = new Set<string>();
    for (const e of await treeEntries(repo, commit, dirs, signal)) if (e.mode === SYMLINK_MODE && wanted.has(e.path)) links.add(e.path);
    checkSymlinkAncestors(guarded, links);
  }

  private async refuseExisting(repo: string, branch: string, workspace: Workspace): Promise<void> {
    if (await branchCommit(repo, branch)) {
      const wt = (await listWorktrees(repo)).find((w) => w.branch === branch);
      throw new ReviewExists(branch, wt?.path ?? null, repo);
    }
    // A record left by a crash, with no branch behind it any more: forget it and its directory.
    const stale = this.records(workspace).find((r) => r.branch === branch);
    if (stale) {
      await this.rollback(repo, stale.worktree, branch, true);
      this.dropRecord(workspace, branch);
    }
  }

  private async applyPatches(
    req: ApplyRequest,
    ctx: { repo: string; worktree: string; branch: string; base: BaseChoice; initialized: boolean; guarded: GuardedPatch[] },
  ): Promise<ApplyResult> {
    const { series, signal } = req;
    const say = (p: TreeProgress) => req.progress?.(p);
    const continuePast = req.continuePastConflicts === true;
    const total = series.patches.length;
    const diffs = series.patches.map((p) => bodyText(p.mbox));
    const ids = await patchIds(ctx.repo, diffs, signal);
    const steps: ApplyStep[] = series.patches.map((p, i) => ({
      index: p.index,
      subject: p.subject,
      status: p.damaged.length > 0 ? 'damaged' : 'skipped',
      commit: null,
      patchId: ids[i],
      conflicts: [],
      damaged: [...p.damaged],
      link: null,
      note: null,
    }));

    // Which patches go to git am: all sound ones, or without --continue-past-conflicts those before
    // the first damaged one (the rest would build on a step that is not there).
    const feed: number[] = [];
    for (let i = 0; i < total; i++) {
      if (steps[i].status === 'damaged') {
        if (continuePast) continue;
        break;
      }
      feed.push(i);
    }
    const env = await committerEnv(ctx.worktree);
    const attempts: AmAttempt[] = [];
    let gitAmMs = 0;
    if (feed.length > 0) {
      const parts = feed.map((i) => {
        const p = series.patches[i];
        const linked = withLinkTrailer(p.mbox, p.messageId, this.options.linkBase ?? DEFAULT_LINK_BASE);
        steps[i].link = linked.trailer ? linked.trailer.slice('Link: '.length) : null;
        if (p.messageId && !linked.trailer) steps[i].note = 'no Link: trailer: multipart mail is passed to git am as it is';
        return linked.mbox;
      });
      const mboxFile = path.join(req.workspace.dir, 'results', 'tree', `${ctx.branch.slice('review/'.length)}.mbox`);
      writeFileAtomic(mboxFile, Buffer.concat(parts));
      let seen = 0;
      const onLine = (line: string) => {
        if (!line.startsWith('Applying: ')) return;
        const k = attempts.length + seen++;
        const i = feed[k];
        if (i !== undefined) say({ phase: 'apply', message: `applying ${String(i + 1).padStart(String(total).length, '0')}/${total} ${line.slice(10)}`, done: i, total, step: i + 1 });
      };
      // CRs that belong to the content survive only with --keep-cr, which holds for the whole session.
      const keepCr = feed.some((i) => series.patches[i].keepCr === true);
      const amStarted = Date.now();
      let run: AmRun = await amStart(ctx.worktree, mboxFile, { env, keepCr, signal, onStdoutLine: onLine });
      gitAmMs += Date.now() - amStarted;
      for (;;) {
        seen = 0;
        attempts.push(...run.attempts);
        if (run.exitCode === 0) break;
        const stop = await amStoppedAt(ctx.worktree);
        const k = stop ? stop.number - 1 : -1;
        // An empty patch stops the session before git prints "Applying:" for it.
        if (stop && k === attempts.length && k < feed.length) {
          attempts.push({ subject: series.patches[feed[k]].subject, threeWay: false, alreadyApplied: false, failed: true, conflictLines: [] });
        }
        if (!stop || k < 0 || k !== attempts.length - 1) {
          throw new ReviewError('git am stopped without saying at which patch.', 'Run the apply again; the details hold what git printed.', { errors: run.errors, notes: run.notes, stop });
        }
        attempts[k].failed = true;
        const step = steps[feed[k]];
        step.status = 'conflict';
        const described = await this.describeStop(ctx.worktree, run, attempts[k], stop.patch, signal);
        step.conflicts = described.conflicts;
        step.note = described.note;
        if (!continuePast || k === feed.length - 1) {
          await amQuit(ctx.worktree);
          await resetHard(ctx.worktree, 'HEAD');
          break;
        }
        const skipStarted = Date.now();
        run = await amSkip(ctx.worktree, env, signal, onLine);
        gitAmMs += Date.now() - skipStarted;
      }
    }

    const commits = await commitsInRange(ctx.worktree, `${ctx.base.commit}..HEAD`, signal);
    const made = attempts.map((a, k) => ({ a, i: feed[k] })).filter(({ a }) => !a.failed && !a.alreadyApplied);
    if (made.length !== commits.length) {
      throw new ReviewError(
        `git am made ${commits.length} commits for ${made.length} applied patches.`,
        'Run the apply again; if it happens again, report it with the details.',
        { commits, attempts },
      );
    }
    made.forEach(({ a, i }, n) => {
      steps[i].status = a.threeWay ? 'applied-3way' : 'applied';
      steps[i].commit = commits[n];
    });
    attempts.forEach((a, k) => {
      if (a.alreadyApplied && !a.failed) {
        steps[feed[k]].status = 'applied-3way';
        steps[feed[k]].note = 'already in the base: the 3-way merge changed nothing, so git made no commit';
      }
    });
    // A session that ran through leaves a clean tree; after a stop, make sure nothing of it is left
    // (a status costs a stat of every file of a Linux tree, so only then).
    if (attempts.some((a) => a.failed) && (await dirtyPaths(ctx.worktree)).length > 0) await resetHard(ctx.worktree, 'HEAD');
    const head = (await resolveCommit(ctx.worktree, 'HEAD', signal)) ?? ctx.base.commit;
    return {
      workspace: req.workspace.id,
      tree: ctx.repo,
      worktree: ctx.worktree,
      branch: ctx.branch,
      series: { slug: series.slug, version: series.version, title: series.title },
      base: ctx.base.commit,
      baseRule: ctx.base.rule,
      baseReason: ctx.base.reason,
      head,
      initialized: ctx.initialized,
      continuePastConflicts: continuePast,
      steps,
      summary: summarize(steps),
      appliedAt: new Date().toISOString(),
      elapsedMs: 0,
      timings: { initMs: 0, prepareMs: 0, worktreeMs: 0, applyMs: 0, gitAmMs },
    };
  }

  /** Files, hunks and git's reason for the patch a session stopped at. */
  private async describeStop(worktree: string, run: AmRun, attempt: AmAttempt, patch: string, signal?: AbortSignal): Promise<{ conflicts: ApplyConflict[]; note: string | null }> {
    const unmerged = await unmergedPaths(worktree);
    const check = patch ? await checkPatchAgainst(worktree, 'HEAD', patch, signal) : { failedHunks: [], errors: [] };
    const hunks = hunkHeaders(patch);
    const files: string[] = [];
    const add = (f: string) => {
      if (f && !files.includes(f)) files.push(f);
    };
    unmerged.forEach(add);
    for (const line of attempt.conflictLines) {
      const m = /Merge conflict in (.+)$/.exec(line) ?? /^CONFLICT \([^)]*\): (\S+)/.exec(line);
      if (m) add(m[1]);
    }
    check.failedHunks.forEach((h) => add(h.file));
    const named = (e: string) => /^(.+): (patch does not apply|does not exist in index|already exists in (index|working directory)|does not match index|wrong type|has type \d+, expected \d+)$/.exec(e)?.[1] ?? /\(([^()]+)\)\.?$/.exec(e)?.[1];
    for (const e of [...run.errors, ...check.errors]) {
      const f = named(e);
      if (f && !/^patch failed: /.test(e)) add(f);
    }
    const noAncestor = run.errors.some((e) => e.includes('could not build fake ancestor') || e.includes('sha1 information is lacking'));
    const reasonFor = (file: string): string => {
      const conflict = attempt.conflictLines.find((l) => l.includes(file));
      if (conflict) return conflict;
      const errs = [...run.errors, ...check.errors].filter((e) => named(e) === file && !e.startsWith('patch failed: '));
      let reason = errs.length > 0 ? [...new Set(errs)].join('; ') : 'patch does not apply';
      if (noAncestor) reason += ' (no 3-way merge: the blobs its index lines name are not in this repository)';
      return reason;
    };
    const conflicts: ApplyConflict[] = [];
    for (const file of files) {
      const failed = check.failedHunks.filter((h) => h.file === file);
      const reason = reasonFor(file);
      if (failed.length === 0) conflicts.push({ file, hunk: null, reason });
      for (const h of failed) {
        const header = hunks.get(file)?.find((x) => x.oldStart === h.line)?.header ?? `@@ -${h.line} @@`;
        conflicts.push({ file, hunk: header, reason });
      }
    }
    const said = [...run.notes, ...run.errors.filter((e) => !e.startsWith('Failed to merge') && !files.some((f) => e.includes(f)))];
    return { conflicts, note: said.length > 0 ? [...new Set(said)].join('; ') : null };
  }

  /**
   * Take away a review's worktree and branch. The branch goes only if no other worktree has it
   * checked out: a second apply of the same series that lost the race must not delete the first's.
   */
  private async rollback(repo: string, worktree: string, branch: string, created: boolean): Promise<void> {
    if (!created) return;
    await repoMutex.run(repo, async () => {
      const holder = (await listWorktrees(repo).catch(() => [])).find((w) => w.branch === branch);
      if (holder && !samePath(holder.path, worktree)) return;
      if (fs.existsSync(worktree)) {
        await amAbort(worktree).catch(() => {});
        await removeWorktree(repo, worktree).catch(() => {});
        // A worktree git could not remove (killed mid-write) is ours alone: take it away by hand.
        fs.rmSync(worktree, { recursive: true, force: true });
      }
      await pruneWorktrees(repo).catch(() => {});
      if (await branchCommit(repo, branch).catch(() => null)) await deleteBranch(repo, branch).catch(() => {});
    });
  }

  // --- records -------------------------------------------------------------------------------

  private records(workspace: Workspace): ReviewRecord[] {
    return workspace.section<TreeSection>(SECTION)?.reviews ?? [];
  }

  private saveRecord(workspace: Workspace, record: ReviewRecord): void {
    const others = this.records(workspace).filter((r) => r.branch !== record.branch);
    workspace.setSection(SECTION, { format: 1, reviews: [...others, record] } satisfies TreeSection);
  }

  private dropRecord(workspace: Workspace, branch: string): void {
    const reviews = this.records(workspace).filter((r) => r.branch !== branch);
    workspace.setSection(SECTION, { format: 1, reviews } satisfies TreeSection);
  }

  /** Every recorded review, optionally of one tree, newest first. */
  find(tree?: string): { workspace: Workspace; record: ReviewRecord }[] {
    const want = tree === undefined ? null : realDir(tree);
    const out: { workspace: Workspace; record: ReviewRecord }[] = [];
    for (const meta of this.store.list()) {
      const ws = this.store.get(meta.id);
      for (const record of this.records(ws)) if (want === null || record.tree === want) out.push({ workspace: ws, record });
    }
    return out.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }

  private findOne(tree: string, branch: string): { workspace: Workspace; record: ReviewRecord } {
    const hit = this.find(tree).find((r) => r.record.branch === branch || r.record.branch === `review/${branch}`);
    if (!hit) throw new ReviewNotFound(branch, realDir(tree));
    return hit;
  }

  async reviews(tree?: string): Promise<ReviewSummary[]> {
    const out: ReviewSummary[] = [];
    for (const { workspace, record } of this.find(tree)) {
      const r = record.result;
      const present = fs.existsSync(record.worktree) && (await branchCommit(record.tree, record.branch).catch(() => null)) !== null;
      out.push({
        workspace: workspace.id,
        tree: record.tree,
        branch: record.branch,
        worktree: record.worktree,
        base: r?.base ?? '',
        head: r?.head ?? '',
        series: r?.series ?? { slug: record.branch.replace(/^review\//, ''), version: 0, title: '(interrupted apply)' },
        summary: r?.summary ?? { applied: 0, applied3way: 0, conflict: 0, damaged: 0, skipped: 0 },
        appliedAt: r?.appliedAt ?? record.startedAt,
        present,
      });
    }
    return out;
  }

  review(tree: string, branch: string): ApplyResult {
    const { record } = this.findOne(tree, branch);
    if (!record.result) {
      throw new ReviewError(`The apply of ${record.branch} was interrupted before it finished.`, `Remove it (entrybench apply --tree ${record.tree} --remove ${record.branch} --yes) and apply the series again.`);
    }
    return record.result;
  }

  /** Without confirm: what would be removed. With it: remove the worktree and the branch, nothing else. */
  async remove(tree: string, branch: string, confirm: boolean): Promise<RemovePlan> {
    const { workspace, record } = this.findOne(tree, branch);
    const plan = async (removed: boolean): Promise<RemovePlan> => ({
      worktree: record.worktree,
      branch: record.branch,
      commits: removed ? 0 : (await branchCommit(record.tree, record.branch)) ? await commitsOnlyOn(record.tree, record.branch) : 0,
      removed,
    });
    if (!confirm) return plan(false);
    const before = await plan(false);
    await workspace.exclusive(() =>
      withDirLock(workspace.dir, async () => {
        await this.rollback(record.tree, record.worktree, record.branch, true);
        fs.rmSync(path.join(workspace.dir, 'results', 'tree', `${record.branch.slice('review/'.length)}.mbox`), { force: true });
        this.dropRecord(workspace, record.branch);
      }),
    );
    return { ...before, removed: true };
  }

  /**
   * Every review branch a workspace recorded. Without confirm: what removing them takes. With it: remove
   * each worktree and branch. Works from this workspace's own records, so a kernel tree that is gone
   * does not stand in the way, and another workspace's review on a branch of the same name (made after
   * this one's was deleted by hand) stays: a branch checked out in a worktree not recorded here is left.
   */
  async removeWorkspaceReviews(workspace: Workspace, confirm: boolean): Promise<(RemovePlan & { tree: string })[]> {
    const plans: (RemovePlan & { tree: string })[] = [];
    for (const r of this.records(workspace)) {
      let commits = 0;
      if (fs.existsSync(r.tree)) {
        const holder = (await listWorktrees(r.tree).catch(() => [])).find((w) => w.branch === r.branch);
        const ours = !holder || samePath(holder.path, r.worktree);
        if (ours && (await branchCommit(r.tree, r.branch).catch(() => null))) commits = await commitsOnlyOn(r.tree, r.branch).catch(() => 0);
      }
      plans.push({ tree: r.tree, worktree: r.worktree, branch: r.branch, commits, removed: false });
    }
    if (!confirm) return plans;
    await workspace.exclusive(() =>
      withDirLock(workspace.dir, async () => {
        for (const r of this.records(workspace)) {
          await this.rollback(r.tree, r.worktree, r.branch, true);
          fs.rmSync(path.join(workspace.dir, 'results', 'tree', `${r.branch.slice('review/'.length)}.mbox`), { force: true });
          this.dropRecord(workspace, r.branch);
        }
      }),
    );
    return plans.map((p) => ({ ...p, removed: true }));
  }

  /** git range-diff between two review branches of the same tree, which must share their base. */
  async rangeDiff(tree: string, oldBranch: string, newBranch: string, signal?: AbortSignal): Promise<RangeDiffResult> {
    const a = this.findOne(tree, oldBranch).record;
    const b = this.findOne(tree, newBranch).record;
    if (!a.result || !b.result) throw new ReviewError('One of the two applies did not finish.', 'Apply that version again, then compare.');
    if (a.result.base !== b.result.base) throw new DifferentBases(a.branch, a.result.base, b.branch, b.result.base);
    const base = a.result.base;
    const [oldTip, newTip] = await Promise.all([branchCommit(a.tree, a.branch), branchCommit(b.tree, b.branch)]);
    if (!oldTip || !newTip) throw new ReviewNotFound(!oldTip ? a.branch : b.branch, a.tree);
    if ((await mergeBase(a.tree, oldTip, newTip)) === null) throw new DifferentBases(a.branch, base, b.branch, '(unrelated history)');
    const text = await rangeDiff(a.tree, base, oldTip, newTip, signal);
    const [oldCommits, newCommits] = await Promise.all([commitsInRange(a.tree, `${base}..${oldTip}`), commitsInRange(a.tree, `${base}..${newTip}`)]);
    return { base, old: a.branch, new: b.branch, pairs: parseRangeDiff(text, oldCommits, newCommits), text };
  }
}

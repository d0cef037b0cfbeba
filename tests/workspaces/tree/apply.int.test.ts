// The apply engine against real git on generated repositories: every status, the base rules, safety,
// removal and range-diff, with the reviewer's checkout proven untouched after each test.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TreeService, type TreeProgress } from '../../../workspaces/tree/service.js';
import { PatchPathOutsideTree, NotAGitRepository, ReviewExists, DifferentBases } from '../../../workspaces/tree/errors.js';
import { Cancelled } from '../../../workspaces/errors.js';
import type { ApplyResult } from '../../../workspaces/host/api/tree.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import {
  commitAll,
  editLine,
  git,
  makeRepo,
  newStore,
  removeTmpDirs,
  seriesFromCommits,
  seriesFromMbox,
  snapshotCheckout,
  tmpDir,
  workspaceFor,
  write,
  type CheckoutSnapshot,
} from './helpers.js';

let repo: string;
let base: string;
let before: CheckoutSnapshot | null;
let dataDir: string;
let service: TreeService;
let store: ReturnType<typeof newStore>['store'];

/** Make commits on a side branch "topic" from `from`, return the format-patch range, and go back to master. */
function topic(from: string, build: () => void): string {
  git(repo, 'checkout', '-q', '-b', `topic-${Math.random().toString(36).slice(2, 8)}`, from);
  build();
  const tip = git(repo, 'rev-parse', 'HEAD').trim();
  git(repo, 'checkout', '-q', 'master');
  return `${from}..${tip}`;
}

/** The smallest series: one patch to common.c. */
function onePatch(): string {
  return topic(base, () => {
    editLine(repo, 'arch/x86/entry/common.c', 3, 'x');
    commitAll(repo, 'x86/entry: once');
  });
}

beforeEach(() => {
  before = null;
  repo = makeRepo();
  base = git(repo, 'rev-parse', 'HEAD').trim();
  ({ dataDir, store } = newStore());
  service = new TreeService(store);
});

afterEach(() => {
  if (before) expect(snapshotCheckout(repo)).toEqual(before);
  removeTmpDirs();
});

async function apply(series: ReturnType<typeof seriesFromCommits>, extra: Partial<Parameters<TreeService['apply']>[0]> = {}): Promise<ApplyResult> {
  before = snapshotCheckout(repo);
  return service.apply({ workspace: workspaceFor(store, series), series, tree: repo, ...extra });
}

describe('apply a series to a generated repository', () => {
  it('applies a clean series one commit per patch with author, date, message and a Link: trailer', async () => {
    const range = topic(base, () => {
      editLine(repo, 'arch/x86/entry/entry_64.S', 10, 'entry line 10 changed by patch 1');
      commitAll(repo, 'x86/entry: change line 10\n\nBecause the reviewer asked.\nFrom now on mboxrd must keep this line,\n>From and this one.\n\nSigned-off-by: Ada Reviewer <ada@example.org>', '2024-12-01T10:00:00Z');
      editLine(repo, 'arch/x86/entry/common.c', 20, 'common line 20 changed by patch 2');
      commitAll(repo, 'x86/entry: change common.c', '2024-12-02T11:00:00Z');
      write(repo, 'arch/x86/entry/new_file.c', 'int fresh;\n');
      commitAll(repo, 'x86/entry: add new_file.c', '2024-12-03T12:00:00Z');
    });
    const series = seriesFromCommits(repo, range, { baseCommit: base });
    const progress: TreeProgress[] = [];
    const result = await apply(series, { progress: (p) => progress.push(p) });

    expect(result.branch).toBe('review/x86-entry-test-v1');
    expect(result.base).toBe(base);
    expect(result.baseRule).toBe('base-commit');
    expect(result.baseReason).toContain('base-commit');
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applied']);
    expect(result.summary).toEqual({ applied: 3, applied3way: 0, conflict: 0, damaged: 0, skipped: 0 });
    expect(path.relative(dataDir, result.worktree).startsWith('..')).toBe(false);
    expect(git(result.worktree, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(result.branch);
    expect(git(result.worktree, 'status', '--porcelain')).toBe('');

    // One commit per patch, in order, the same trees as the author's commits.
    const original = git(repo, 'rev-list', '--reverse', range).trim().split('\n');
    expect(result.steps.map((s) => s.commit)).toEqual(git(repo, 'rev-list', '--reverse', `${base}..${result.branch}`).trim().split('\n'));
    original.forEach((c, i) => expect(git(repo, 'rev-parse', `${result.steps[i].commit}^{tree}`)).toBe(git(repo, 'rev-parse', `${c}^{tree}`)));

    const first = git(repo, 'show', '-s', '--format=%an <%ae>%n%aI%n%B', result.steps[0].commit as string);
    expect(first).toContain('Ada Reviewer <ada@example.org>\n2024-12-01T10:00:00+00:00\nx86/entry: change line 10\n\nBecause the reviewer asked.\nFrom now on mboxrd must keep this line,\n>From and this one.\n');
    expect(first).toContain('Signed-off-by: Ada Reviewer <ada@example.org>\nLink: https://lore.kernel.org/r/1-series@example.org\n');
    expect(result.steps[1].link).toBe('https://lore.kernel.org/r/2-series@example.org');

    // patch-id of the mail equals git's own patch-id of the original commit.
    for (let i = 0; i < 3; i++) {
      expect(result.steps[i].patchId).toBe(gitPatchId(original[i]));
    }
    expect(progress.filter((p) => p.phase === 'apply').map((p) => p.step)).toEqual([1, 2, 3]);
  });
});

describe('patches that do not apply as they are', () => {
  /** A three-patch topic on the old base touching entry_64.S, common.c line 30 and syscall_64.c. */
  function threePatches(): string {
    return topic(base, () => {
      editLine(repo, 'arch/x86/entry/entry_64.S', 10, 'entry line 10 by patch 1');
      commitAll(repo, 'x86/entry: patch one');
      editLine(repo, 'arch/x86/entry/common.c', 30, 'common line 30 by patch 2');
      commitAll(repo, 'x86/entry: patch two');
      editLine(repo, 'arch/x86/entry/syscall_64.c', 5, 'syscall line 5 by patch 3');
      commitAll(repo, 'x86/entry: patch three');
    });
  }

  it('reports a conflict with file, hunk and git\'s reason, skips the rest and leaves the worktree clean', async () => {
    const range = threePatches();
    editLine(repo, 'arch/x86/entry/common.c', 30, 'common line 30 rewritten upstream');
    const upstream = commitAll(repo, 'upstream: rewrite common.c line 30');
    const result = await apply(seriesFromCommits(repo, range), { base: 'master' });

    expect(result.base).toBe(upstream);
    expect(result.baseRule).toBe('option');
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'conflict', 'skipped']);
    const conflict = result.steps[1];
    expect(conflict.commit).toBeNull();
    expect(conflict.conflicts).toEqual([
      { file: 'arch/x86/entry/common.c', hunk: '@@ -27,7 +27,7 @@ common line 26', reason: 'CONFLICT (content): Merge conflict in arch/x86/entry/common.c' },
    ]);
    expect(result.head).toBe(result.steps[0].commit);
    expect(git(result.worktree, 'rev-parse', 'HEAD').trim()).toBe(result.head);
    expect(git(result.worktree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
    expect(fs.existsSync(path.join(git(result.worktree, 'rev-parse', '--absolute-git-dir').trim(), 'rebase-apply'))).toBe(false);
  });

  it('with continuePastConflicts applies the rest on top of the last good step', async () => {
    const range = threePatches();
    editLine(repo, 'arch/x86/entry/common.c', 30, 'common line 30 rewritten upstream');
    commitAll(repo, 'upstream: rewrite common.c line 30');
    const result = await apply(seriesFromCommits(repo, range), { base: 'master', continuePastConflicts: true });
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'conflict', 'applied']);
    expect(git(repo, 'rev-parse', `${result.steps[2].commit}^`).trim()).toBe(result.steps[0].commit);
    expect(result.head).toBe(result.steps[2].commit);
    expect(git(result.worktree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('marks a patch that only goes in through a 3-way merge as applied-3way', async () => {
    const range = threePatches();
    // Upstream changed a context line of patch 2's hunk, not the line it edits.
    editLine(repo, 'arch/x86/entry/common.c', 27, 'common line 27 touched upstream');
    commitAll(repo, 'upstream: touch common.c line 27');
    const result = await apply(seriesFromCommits(repo, range), { base: 'master' });
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied-3way', 'applied']);
    const merged = git(repo, 'show', `${result.head}:arch/x86/entry/common.c`);
    expect(merged).toContain('common line 27 touched upstream\n');
    expect(merged).toContain('common line 30 by patch 2\n');
  });

  it('says why no 3-way merge was possible when the preimage blobs are not in the repository', async () => {
    // The author's tree had a different common.c: its blobs exist only in the author's clone.
    const clone = tmpDir('clone');
    git(clone, 'clone', '-q', repo, '.');
    editLine(clone, 'arch/x86/entry/common.c', 29, 'author-only line 29');
    commitAll(clone, 'author: local change');
    const from = git(clone, 'rev-parse', 'HEAD').trim();
    editLine(clone, 'arch/x86/entry/common.c', 30, 'common line 30 by the author');
    commitAll(clone, 'x86/entry: change line 30');
    const series = seriesFromCommits(clone, `${from}..HEAD`);
    const result = await apply(series);
    expect(result.baseRule).toBe('head');
    expect(result.baseReason).toContain('not in this repository');
    expect(result.steps[0].status).toBe('conflict');
    expect(result.steps[0].conflicts).toHaveLength(1);
    expect(result.steps[0].conflicts[0]).toMatchObject({ file: 'arch/x86/entry/common.c', hunk: '@@ -27,7 +27,7 @@ common line 26' });
    expect(result.steps[0].conflicts[0].reason).toContain('no 3-way merge');
  });

  it('records a patch already in the base as applied-3way with no commit', async () => {
    const range = threePatches();
    git(repo, 'cherry-pick', `${range.split('..')[1]}~2`);
    const result = await apply(seriesFromCommits(repo, range), { base: 'master' });
    expect(result.steps.map((s) => s.status)).toEqual(['applied-3way', 'applied', 'applied']);
    expect(result.steps[0].commit).toBeNull();
    expect(result.steps[0].note).toContain('already in the base');
    expect(git(repo, 'rev-list', '--count', `master..${result.branch}`).trim()).toBe('2');
  });

  it('stops at a mail that carries no diff, says so, and goes on past it when asked', async () => {
    const range = threePatches();
    const mails = git(repo, 'format-patch', '--stdout', '--pretty=mboxrd', range);
    const starts = [...mails.matchAll(/^From [0-9a-f]{40} /gm)].map((m) => m.index as number);
    const second = mails.slice(starts[1], starts[2]);
    const wordsOnly = second.slice(0, second.indexOf('\n---\n') + 1) + '\n';
    const mbox = mails.slice(0, starts[1]) + wordsOnly + mails.slice(starts[2]);
    const stopped = await apply(seriesFromMbox(mbox));
    expect(stopped.steps.map((s) => s.status)).toEqual(['applied', 'conflict', 'skipped']);
    expect(stopped.steps[1].note).toContain('Patch is empty.');
    expect(stopped.steps[1].patchId).toBeNull();
    const goneOn = await apply(seriesFromMbox(mbox, { version: 2 }), { continuePastConflicts: true });
    expect(goneOn.steps.map((s) => s.status)).toEqual(['applied', 'conflict', 'applied']);
  });

  it('does not try a damaged patch, and skips what follows unless asked to go on', async () => {
    const range = threePatches();
    const stopped = await apply(seriesFromCommits(repo, range, { damaged: { 2: ['line wrapped by the mailer'] } }));
    expect(stopped.steps.map((s) => s.status)).toEqual(['applied', 'damaged', 'skipped']);
    expect(stopped.steps[1].damaged).toEqual(['line wrapped by the mailer']);
    const goneOn = await apply(seriesFromCommits(repo, range, { version: 2, damaged: { 2: ['line wrapped by the mailer'] } }), {
      continuePastConflicts: true,
    });
    expect(goneOn.steps.map((s) => s.status)).toEqual(['applied', 'damaged', 'applied']);
  });
});

describe('what git diffs carry besides text', () => {
  it('applies renames, mode changes and binary patches to the same trees the author had', async () => {
    const png = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));
    const range = topic(base, () => {
      git(repo, 'mv', 'arch/x86/entry/syscall_64.c', 'arch/x86/entry/syscall_64_table.c');
      editLine(repo, 'arch/x86/entry/syscall_64_table.c', 3, 'syscall line 3 after the rename');
      commitAll(repo, 'x86/entry: rename syscall_64.c');
      fs.chmodSync(path.join(repo, 'scripts/check.sh'), 0o755);
      commitAll(repo, 'scripts: make check.sh executable');
      write(repo, 'Documentation/entry.bin', png);
      commitAll(repo, 'Documentation: add a binary');
      const changed = Buffer.from(png);
      changed[7] = 0;
      changed[100] = 255;
      write(repo, 'Documentation/entry.bin', changed);
      commitAll(repo, 'Documentation: change the binary');
    });
    const series = seriesFromCommits(repo, range);
    expect(series.patches[0].mbox.toString()).toContain('rename from arch/x86/entry/syscall_64.c');
    expect(series.patches[1].mbox.toString()).toContain('new mode 100755');
    expect(series.patches[2].mbox.toString()).toContain('GIT binary patch');
    const result = await apply(series);
    expect(result.baseRule).toBe('index');
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const original = git(repo, 'rev-list', '--reverse', range).trim().split('\n');
    original.forEach((c, i) => expect(git(repo, 'rev-parse', `${result.steps[i].commit}^{tree}`)).toBe(git(repo, 'rev-parse', `${c}^{tree}`)));
    expect(fs.statSync(path.join(result.worktree, 'scripts/check.sh')).mode & 0o111).not.toBe(0);
    expect(result.steps.every((s) => s.patchId !== null)).toBe(true);
  });
});

describe('choosing the base', () => {
  it('finds the newest commit whose blobs match the index lines when base-commit is missing', async () => {
    const range = topic(base, () => {
      editLine(repo, 'arch/x86/entry/common.c', 10, 'common line 10 by the series');
      commitAll(repo, 'x86/entry: common.c');
      editLine(repo, 'arch/x86/entry/entry_64.S', 40, 'entry line 40 by the series');
      commitAll(repo, 'x86/entry: entry_64.S');
    });
    write(repo, 'Makefile', 'VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\n');
    const unrelated = commitAll(repo, 'Linux 6.13-rc1');
    editLine(repo, 'arch/x86/entry/common.c', 50, 'common line 50 changed upstream later');
    commitAll(repo, 'upstream: later common.c change');
    const result = await apply(seriesFromCommits(repo, range, { baseCommit: '0123456789abcdef0123456789abcdef01234567' }));
    expect(result.baseRule).toBe('index');
    expect(result.base).toBe(unrelated);
    expect(result.baseReason).toContain('base-commit 0123456789ab named by the series is not in this repository');
    expect(result.baseReason).toContain('match');
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
  });

  it('falls back to HEAD and says why when neither base-commit nor the index lines help', async () => {
    const range = topic(base, () => {
      write(repo, 'arch/x86/entry/brand_new.c', 'int x;\n');
      commitAll(repo, 'x86/entry: new file only');
    });
    const result = await apply(seriesFromCommits(repo, range));
    expect(result.baseRule).toBe('head');
    expect(result.base).toBe(base);
    expect(result.baseReason).toContain('the series names no base-commit');
    expect(result.baseReason).toContain('HEAD');
  });
});

describe('safety', () => {
  function cleanPatch(): string {
    const range = topic(base, () => {
      write(repo, 'arch/x86/entry/escape.c', 'int escaped;\n');
      commitAll(repo, 'x86/entry: add escape.c');
    });
    return git(repo, 'format-patch', '--stdout', '--pretty=mboxrd', range);
  }

  async function expectRefused(mbox: string, file: RegExp): Promise<void> {
    const series = seriesFromMbox(mbox);
    before = snapshotCheckout(repo);
    const ws = workspaceFor(store, series);
    const err = await service.apply({ workspace: ws, series, tree: repo }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PatchPathOutsideTree);
    expect((err as PatchPathOutsideTree).message).toMatch(file);
    expect((err as PatchPathOutsideTree).message).toContain('Nothing was applied or written');
    expect(git(repo, 'branch', '--list', 'review/*')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(fs.existsSync(path.join(ws.dir, 'worktrees'))).toBe(false);
    expect(ws.section('tree')).toBeUndefined();
  }

  it('refuses a patch that climbs out of the tree with ../ before writing anything', async () => {
    const outside = path.join(path.dirname(repo), 'outside-escape.c');
    const mbox = cleanPatch().replaceAll('arch/x86/entry/escape.c', `../${path.basename(outside)}`);
    await expectRefused(mbox, /climbs out of the tree/);
    expect(fs.existsSync(outside)).toBe(false);
  });

  it('refuses absolute paths', async () => {
    const mbox = cleanPatch().replaceAll('a/arch/x86/entry/escape.c', '/tmp/entrybench-abs.c').replaceAll('b/arch/x86/entry/escape.c', '/tmp/entrybench-abs.c');
    await expectRefused(mbox, /absolute path/);
    expect(fs.existsSync('/tmp/entrybench-abs.c')).toBe(false);
  });

  it('refuses writing through a symlink in the base tree', async () => {
    const target = tmpDir('link-target');
    const mbox = cleanPatch().replaceAll('arch/x86/entry/escape.c', 'arch/x86/outlink/escape.c');
    fs.symlinkSync(target, path.join(repo, 'arch/x86/outlink'));
    commitAll(repo, 'add a symlink to a directory outside the tree');
    await expectRefused(mbox, /symbolic link arch\/x86\/outlink/);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('refuses writing through a symlink an earlier patch of the series creates', async () => {
    const linkRange = topic(base, () => {
      fs.symlinkSync('../../..', path.join(repo, 'arch/x86/up'));
      commitAll(repo, 'x86: add a symlink up and out');
    });
    const first = git(repo, 'format-patch', '--stdout', '--pretty=mboxrd', linkRange);
    const second = cleanPatch().replaceAll('arch/x86/entry/escape.c', 'arch/x86/up/escape.c');
    await expectRefused(first + second, /patch 2 .*symbolic link arch\/x86\/up/i);
  });

  it('refuses patches writing into .git', async () => {
    const mbox = cleanPatch().replaceAll('arch/x86/entry/escape.c', '.git/hooks/post-checkout');
    await expectRefused(mbox, /\.git directory/);
  });

  it('refuses a data directory inside the tree, where the worktree would show up as files', async () => {
    const range = onePatch();
    const insideStore = new WorkspaceStore(path.join(repo, '.data'));
    const series = seriesFromCommits(repo, range);
    const err = await new TreeService(insideStore).apply({ workspace: workspaceFor(insideStore, series), series, tree: repo }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('is inside the tree');
    expect(git(repo, 'branch', '--list', 'review/*')).toBe('');
  });

  it('never reuses a review branch that exists', async () => {
    const range = onePatch();
    const first = await apply(seriesFromCommits(repo, range));
    const err = await service.apply({ workspace: workspaceFor(store, seriesFromCommits(repo, range)), series: seriesFromCommits(repo, range), tree: repo }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReviewExists);
    expect(git(repo, 'rev-parse', first.branch).trim()).toBe(first.head);
  });

  it('keeps the winner when two workspaces race to apply the same series version', async () => {
    const series = seriesFromCommits(repo, onePatch());
    before = snapshotCheckout(repo);
    const outcomes = await Promise.allSettled([0, 1].map(() => service.apply({ workspace: workspaceFor(store, series), series, tree: repo })));
    const won = outcomes.filter((o): o is PromiseFulfilledResult<ApplyResult> => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const winner = won[0].value;
    expect(git(repo, 'rev-parse', winner.branch).trim()).toBe(winner.head);
    expect(fs.existsSync(winner.worktree)).toBe(true);
    expect(git(winner.worktree, 'status', '--porcelain')).toBe('');
  });

  it('leaves nothing behind when the apply is cancelled half-way', async () => {
    const range = onePatch();
    const series = seriesFromCommits(repo, range);
    const ws = workspaceFor(store, series);
    const ctl = new AbortController();
    before = snapshotCheckout(repo);
    const err = await service
      .apply({ workspace: ws, series, tree: repo, signal: ctl.signal, progress: (p) => p.phase === 'apply' && ctl.abort() })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Cancelled);
    expect(fs.readdirSync(path.join(ws.dir, 'worktrees'))).toEqual([]);
    expect(git(repo, 'branch', '--list', 'review/*')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(ws.section<{ reviews: unknown[] }>('tree')?.reviews).toEqual([]);
  });

  it('serializes two applies on one workspace', async () => {
    const range = onePatch();
    const a = seriesFromCommits(repo, range, { slug: 'first' });
    const b = seriesFromCommits(repo, range, { slug: 'second' });
    const ws = workspaceFor(store, a);
    before = snapshotCheckout(repo);
    const events: string[] = [];
    const [ra, rb] = await Promise.all([
      service.apply({ workspace: ws, series: a, tree: repo, progress: (p) => events.push(`a:${p.phase}`) }),
      service.apply({ workspace: ws, series: b, tree: repo, progress: (p) => events.push(`b:${p.phase}`) }),
    ]);
    const lastA = events.map((e) => e.startsWith('a:')).lastIndexOf(true);
    const firstB = events.findIndex((e) => e.startsWith('b:'));
    expect(lastA).toBeLessThan(firstB);
    expect([ra.summary.applied, rb.summary.applied]).toEqual([1, 1]);
    expect(ws.section<{ reviews: unknown[] }>('tree')?.reviews).toHaveLength(2);
  });
});

describe('the reviewer\'s repository', () => {
  it('runs none of its hooks on mail content', async () => {
    const marker = path.join(tmpDir('hooks'), 'ran');
    for (const hook of ['post-checkout', 'applypatch-msg', 'pre-applypatch', 'post-applypatch', 'post-commit', 'pre-commit']) {
      write(repo, `.git/hooks/${hook}`, `#!/bin/sh\necho ${hook} >> ${marker}\n`, 0o755);
    }
    const range = onePatch();
    fs.rmSync(marker, { force: true });
    const result = await apply(seriesFromCommits(repo, range));
    expect(result.summary.applied).toBe(1);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('lists an apply a crash interrupted, and removes what it left', async () => {
    const series = seriesFromCommits(repo, onePatch());
    const ws = workspaceFor(store, series);
    const worktree = path.join(ws.dir, 'worktrees', 'x86-entry-test-v1');
    before = snapshotCheckout(repo);
    // What a process killed between "worktree add" and the final record leaves behind.
    git(repo, 'worktree', 'add', '-q', '-b', 'review/x86-entry-test-v1', worktree, base);
    ws.setSection('tree', { format: 1, reviews: [{ state: 'applying', tree: fs.realpathSync(repo), branch: 'review/x86-entry-test-v1', worktree, startedAt: new Date().toISOString(), result: null }] });
    const [listed] = await service.reviews(repo);
    expect(listed).toMatchObject({ branch: 'review/x86-entry-test-v1', present: true, series: { title: '(interrupted apply)' } });
    expect(() => service.review(repo, 'review/x86-entry-test-v1')).toThrow(/interrupted/);
    await service.remove(repo, 'review/x86-entry-test-v1', true);
    expect(fs.existsSync(worktree)).toBe(false);
    expect(git(repo, 'branch', '--list', 'review/*')).toBe('');
    expect(await service.reviews(repo)).toEqual([]);
  });
});

describe('a tree that is not a git repository', () => {
  function plainTree(): { plain: string; range: string; source: string } {
    const plain = tmpDir('plain');
    write(plain, '.gitignore', '# Debian: the packaged tree is not a git checkout\n/*\n');
    write(plain, '.clang-format', 'BasedOnStyle: LLVM\n');
    write(plain, 'Makefile', 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 57\nEXTRAVERSION =\n');
    write(plain, 'arch/x86/entry/entry_64.S', 'SYM_CODE_START(entry_SYSCALL_64)\n\tswapgs\n\tret\n');
    write(plain, 'scripts/run.sh', '#!/bin/sh\n', 0o755);
    const source = tmpDir('source');
    fs.cpSync(plain, source, { recursive: true });
    git(source, 'init', '-q', '-b', 'master');
    git(source, 'add', '-f', '-A');
    commitAll(source, 'import');
    write(source, 'arch/x86/entry/entry_64.S', 'SYM_CODE_START(entry_SYSCALL_64)\n\tswapgs\n\tnop\n\tret\n');
    commitAll(source, 'x86/entry: add a nop');
    return { plain, range: 'HEAD~1..HEAD', source };
  }

  it('says so, and suggests --init, without creating anything', async () => {
    const { plain, range, source } = plainTree();
    const series = seriesFromCommits(source, range);
    const err = await service.apply({ workspace: workspaceFor(store, series), series, tree: plain }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAGitRepository);
    expect((err as NotAGitRepository).hint).toContain('--init');
    expect(fs.existsSync(path.join(plain, '.git'))).toBe(false);
  });

  it('with --init still refuses a path through a symlink of the tree before making .git', async () => {
    const { plain, range, source } = plainTree();
    const series = seriesFromCommits(source, range);
    fs.renameSync(path.join(plain, 'arch/x86/entry'), path.join(plain, 'arch/x86/entry.real'));
    fs.symlinkSync(tmpDir('elsewhere'), path.join(plain, 'arch/x86/entry'));
    const err = await service.apply({ workspace: workspaceFor(store, series), series, tree: plain, init: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PatchPathOutsideTree);
    expect(fs.existsSync(path.join(plain, '.git'))).toBe(false);
  });

  it('with --init makes one base commit holding the whole tree, ignored files included', async () => {
    const { plain, range, source } = plainTree();
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .filter((f) => !f.startsWith('.git/'))
        .sort();
    const onDisk = files(plain);
    const series = seriesFromCommits(source, range);
    const result = await service.apply({ workspace: workspaceFor(store, series), series, tree: plain, init: true });
    expect(result.initialized).toBe(true);
    expect(result.baseRule).toBe('head');
    expect(result.baseReason).toContain('--init imported the tree');
    expect(git(plain, 'ls-tree', '-r', '--name-only', 'HEAD').trim().split('\n').sort()).toEqual(onDisk);
    expect(git(plain, 'log', '--format=%s', 'HEAD')).toContain('(Linux 6.12.57)');
    expect(git(plain, 'status', '--porcelain', '--ignored')).toBe('');
    expect(result.steps.map((s) => s.status)).toEqual(['applied']);
    expect(fs.readFileSync(path.join(result.worktree, 'arch/x86/entry/entry_64.S'), 'utf8')).toContain('\tnop\n');
    expect(fs.readFileSync(path.join(plain, 'arch/x86/entry/entry_64.S'), 'utf8')).not.toContain('nop');
  });
});

describe('after applying', () => {
  it('removes a review: without confirmation it only says what would go; then worktree and branch, nothing else', async () => {
    const range = topic(base, () => {
      editLine(repo, 'arch/x86/entry/common.c', 3, 'x');
      commitAll(repo, 'x86/entry: one');
      editLine(repo, 'arch/x86/entry/common.c', 4, 'y');
      commitAll(repo, 'x86/entry: two');
    });
    const result = await apply(seriesFromCommits(repo, range));
    const plan = await service.remove(repo, result.branch, false);
    expect(plan).toEqual({ worktree: result.worktree, branch: result.branch, commits: 2, removed: false });
    expect(fs.existsSync(result.worktree)).toBe(true);
    const done = await service.remove(repo, result.branch, true);
    expect(done.removed).toBe(true);
    expect(fs.existsSync(result.worktree)).toBe(false);
    expect(git(repo, 'branch', '--list', 'review/*')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(await service.reviews(repo)).toEqual([]);
  });

  it('range-diffs two versions applied on the same base, and refuses different bases', async () => {
    const v1 = topic(base, () => {
      editLine(repo, 'arch/x86/entry/entry_64.S', 10, 'entry 10 v1');
      commitAll(repo, 'x86/entry: first');
      editLine(repo, 'arch/x86/entry/common.c', 10, 'common 10 v1');
      commitAll(repo, 'x86/entry: second');
    });
    const v2 = topic(base, () => {
      editLine(repo, 'arch/x86/entry/entry_64.S', 10, 'entry 10 v1');
      commitAll(repo, 'x86/entry: first');
      editLine(repo, 'arch/x86/entry/common.c', 10, 'common 10 v2, after review');
      commitAll(repo, 'x86/entry: second');
      editLine(repo, 'arch/x86/entry/syscall_64.c', 10, 'syscall 10 new in v2');
      commitAll(repo, 'x86/entry: third, new in v2');
    });
    const r1 = await apply(seriesFromCommits(repo, v1, { version: 1 }));
    const r2 = await apply(seriesFromCommits(repo, v2, { version: 2 }));
    expect(r1.steps[0].patchId).toBe(r2.steps[0].patchId);
    expect(r1.steps[1].patchId).not.toBe(r2.steps[1].patchId);
    const diff = await service.rangeDiff(repo, r1.branch, r2.branch);
    expect(diff.base).toBe(base);
    expect(diff.pairs.map((p) => [p.relation, p.old?.index ?? null, p.new?.index ?? null])).toEqual([
      ['=', 1, 1],
      ['!', 2, 2],
      ['>', null, 3],
    ]);
    expect(diff.pairs[1].old?.commit).toBe(r1.steps[1].commit);
    expect(diff.pairs[1].diff).toContain('common 10 v2, after review');

    editLine(repo, 'Makefile', 1, 'VERSION = 7');
    commitAll(repo, 'upstream moves on');
    const r3 = await apply(seriesFromCommits(repo, v2, { version: 3 }), { base: 'master' });
    await expect(service.rangeDiff(repo, r1.branch, r3.branch)).rejects.toBeInstanceOf(DifferentBases);
  });
});


/** git's own patch-id of a commit, the reference the engine's mail-based ids must equal. */
function gitPatchId(commit: string): string {
  return execFileSync('git', ['patch-id', '--stable'], { cwd: repo, input: git(repo, 'show', commit), encoding: 'utf8' }).split(' ')[0];
}

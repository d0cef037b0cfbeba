// The apply engine on Debian's linux-source-6.12: a small series against arch/x86/entry/ applied to
// the cached Linux repository, and --init on a plain copy of the tarball's tree (.gitignore "/*").
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLinuxRepo, ensureLinuxSource, linuxUnavailable } from '../../helpers/linux.js';
import { TreeService } from '../../../workspaces/tree/service.js';
import { commitPatches, formatPatches, insertAfter, type PlannedPatch } from './linux-series.js';
import { git, newStore, removeTmpDirs, seriesFromMbox, tmpDir, workspaceFor } from './helpers.js';

const unavailable = linuxUnavailable();
if (unavailable) console.warn(`skipping the Linux apply tests: ${unavailable}`);

const SERIES: PlannedPatch[] = [
  {
    subject: 'x86/entry/64: note where SYSCALL lands',
    edits: [{ path: 'arch/x86/entry/entry_64.S', edit: insertAfter(/^SYM_CODE_START\(entry_SYSCALL_64\)/, '\t/* SYSCALL: RCX = user RIP, R11 = user RFLAGS */') }],
  },
  {
    subject: 'x86/entry: say why do_syscall_64 checks the SYSRET conditions',
    edits: [{ path: 'arch/x86/entry/common.c', edit: insertAfter(/^__visible noinstr bool do_syscall_64/, '/* SYSRET needs canonical RCX == RIP and R11 == RFLAGS */') }],
  },
  {
    subject: 'x86/entry: add a note file',
    edits: [{ path: 'arch/x86/entry/REVIEW-NOTES', edit: () => 'Notes for the entrybench apply test.\n' }],
  },
  {
    subject: 'x86/entry/64: second note in entry_64.S',
    edits: [{ path: 'arch/x86/entry/entry_64.S', edit: insertAfter(/^SYM_CODE_START\(entry_SYSCALL_64\)/, '\t/* (second note) */') }],
  },
];

// The Linux repository is shared by every test run: review branch names of this run are its own.
const SLUG = `x86-entry-notes-${crypto.randomBytes(3).toString('hex')}`;

describe.skipIf(unavailable !== null)('apply on Debian linux-source-6.12', () => {
  let repo: string;
  let base: string;
  let mbox: string;
  let service: TreeService;
  let store: ReturnType<typeof newStore>['store'];

  beforeAll(async () => {
    repo = await ensureLinuxRepo();
    base = git(repo, 'rev-parse', 'master').trim();
    mbox = formatPatches(repo, base, commitPatches(repo, base, SERIES));
    ({ store } = newStore());
    service = new TreeService(store);
  });

  afterAll(async () => {
    // Remove what the tests made in the shared Linux repository: review branches and worktrees.
    if (service) for (const r of await service.reviews()) await service.remove(r.tree, r.branch, true).catch(() => {});
    removeTmpDirs();
  });

  it('applies a series to arch/x86/entry on its base-commit, leaving the checkout alone', async () => {
    const indexFile = path.join(repo, '.git', 'index');
    const before = { head: fs.readFileSync(path.join(repo, '.git', 'HEAD'), 'utf8'), master: base, index: sha(indexFile) };
    const series = seriesFromMbox(mbox, { slug: SLUG, baseCommit: /^base-commit: (\w+)/m.exec(mbox)?.[1] ?? null });
    const result = await service.apply({ workspace: workspaceFor(store, series), series, tree: repo });

    expect(result.baseRule).toBe('base-commit');
    expect(result.base).toBe(base);
    expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(result.steps.every((s) => s.patchId && s.link?.startsWith('https://lore.kernel.org/r/'))).toBe(true);
    const entry = fs.readFileSync(path.join(result.worktree, 'arch/x86/entry/entry_64.S'), 'utf8');
    expect(entry).toContain('SYM_CODE_START(entry_SYSCALL_64)\n\t/* (second note) */\n\t/* SYSCALL: RCX = user RIP, R11 = user RFLAGS */\n');
    expect(git(result.worktree, 'log', '--format=%s', `${base}..HEAD`).trim().split('\n').reverse()).toEqual(SERIES.map((p) => p.subject));
    expect(git(result.worktree, 'status', '--porcelain')).toBe('');

    expect(fs.readFileSync(path.join(repo, '.git', 'HEAD'), 'utf8')).toBe(before.head);
    expect(git(repo, 'rev-parse', 'master').trim()).toBe(before.master);
    expect(sha(indexFile)).toBe(before.index);
    expect(git(repo, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });

  it('finds the base by the index lines when base-commit is not given', async () => {
    const series = seriesFromMbox(mbox, { slug: SLUG, version: 2 });
    const result = await service.apply({ workspace: workspaceFor(store, series), series, tree: repo });
    expect(result.baseRule).toBe('index');
    expect(result.base).toBe(base);
    expect(result.summary.applied).toBe(4);
  });

  it('with --init imports the plain tarball tree whole, though its .gitignore ignores everything', async () => {
    const pristine = await ensureLinuxSource();
    expect(fs.readFileSync(path.join(pristine, '.gitignore'), 'utf8')).toMatch(/^\/\*$/m);
    const plain = path.join(tmpDir('linux-init'), 'linux-source-6.12');
    // Hard links: git reads the files and never writes them, and the copy costs seconds, not gigabytes.
    execFileSync('cp', ['-al', pristine, plain]);
    fs.rmSync(path.join(plain, '.entrybench-unpacked'), { force: true });
    try {
      const onDisk = execFileSync('find', ['.', '(', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '.'], { cwd: plain, maxBuffer: 1 << 24 }).length;
      const series = seriesFromMbox(mbox, { slug: SLUG, version: 3, baseCommit: base });
      const result = await service.apply({ workspace: workspaceFor(store, series), series, tree: plain, init: true });
      expect(result.initialized).toBe(true);
      expect(result.baseRule).toBe('head');
      const tracked = git(plain, 'ls-tree', '-r', '--name-only', '-z', 'HEAD').split('\0').filter(Boolean).length;
      expect(tracked).toBe(onDisk);
      expect(git(plain, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('');
      expect(result.steps.map((s) => s.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      // Same content as the cached repository, so the same blobs: the series applies to the import too.
      const topLevel = (dir: string, rev: string) => git(dir, 'ls-tree', rev).split('\n').filter((l) => l && !l.endsWith('\t.entrybench-unpacked'));
      expect(topLevel(plain, 'HEAD')).toEqual(topLevel(repo, base));
      await service.remove(plain, result.branch, true);
    } finally {
      fs.rmSync(path.dirname(plain), { recursive: true, force: true });
    }
  });
});

function sha(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

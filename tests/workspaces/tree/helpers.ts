// Test helpers for the apply engine: small real git repositories, series made with git format-patch,
// and a snapshot of the reviewer's checkout to prove it was not touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { scanDiffHeaders } from '../../../workspaces/tree/diff-headers.js';
import type { PatchToApply, SeriesToApply } from '../../../workspaces/tree/types.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';

export const IDENTITY = {
  GIT_AUTHOR_NAME: 'Ada Reviewer',
  GIT_AUTHOR_EMAIL: 'ada@example.org',
  GIT_COMMITTER_NAME: 'Ada Reviewer',
  GIT_COMMITTER_EMAIL: 'ada@example.org',
};

/** Run git in a test repository (tests may use the shell-free sync API; the engine never does). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

const made: string[] = [];

/** A fresh temporary directory, removed by removeTmpDirs(). */
export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `entrybench-tree-${prefix}-`));
  made.push(dir);
  return dir;
}

export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export function write(dir: string, file: string, content: string | Buffer, mode?: number): void {
  const p = path.join(dir, file);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  if (mode !== undefined) fs.chmodSync(p, mode);
}

export function commitAll(dir: string, message: string, date?: string): string {
  git(dir, 'add', '-A');
  execFileSync('git', ['commit', '-q', '-m', message], {
    cwd: dir,
    env: { ...process.env, ...IDENTITY, ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}) },
  });
  return git(dir, 'rev-parse', 'HEAD').trim();
}

/** A repository with a few files on branch "master": what a reviewer's kernel checkout looks like, small. */
export function makeRepo(): string {
  const dir = tmpDir('repo');
  git(dir, 'init', '-q', '-b', 'master');
  const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag} line ${i + 1}`).join('\n') + '\n';
  write(dir, 'arch/x86/entry/entry_64.S', lines('entry', 60));
  write(dir, 'arch/x86/entry/common.c', lines('common', 60));
  write(dir, 'arch/x86/entry/syscall_64.c', lines('syscall', 40));
  write(dir, 'scripts/check.sh', '#!/bin/sh\necho ok\n');
  write(dir, 'Makefile', 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\n');
  commitAll(dir, 'Linux 6.12', '2024-11-17T12:00:00Z');
  return dir;
}

/** Replace line `n` (1-based) of a file. */
export function editLine(dir: string, file: string, n: number, text: string): void {
  const p = path.join(dir, file);
  const lines = fs.readFileSync(p, 'utf8').split('\n');
  lines[n - 1] = text;
  fs.writeFileSync(p, lines.join('\n'));
}

export interface SeriesOptions {
  slug?: string;
  version?: number;
  baseCommit?: string | null;
  /** Message-IDs per patch; default "<n>-series@example.org". Null for none. */
  messageIds?: (string | null)[];
  damaged?: Record<number, string[]>;
}

/** Split mboxrd text at its From_ lines. */
export function splitMbox(text: string): string[] {
  const starts: number[] = [];
  const re = /^From [^\n]*\n/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) starts.push(m.index);
  return starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
}

/** A series as the series assembly would hand it over, from `git format-patch --pretty=mboxrd`. */
export function seriesFromCommits(dir: string, range: string, opts: SeriesOptions = {}): SeriesToApply {
  const mbox = git(dir, 'format-patch', '--stdout', '--pretty=mboxrd', '--binary', '-M', range);
  return seriesFromMbox(mbox, opts);
}

export function seriesFromMbox(mbox: string, opts: SeriesOptions = {}): SeriesToApply {
  const messages = splitMbox(mbox);
  const patches: PatchToApply[] = messages.map((text, i) => {
    const subject = /^Subject: (?:\[PATCH[^\]]*\] )?(.*)$/m.exec(text)?.[1] ?? `patch ${i + 1}`;
    const headers = scanDiffHeaders(text);
    const id = opts.messageIds ? opts.messageIds[i] : `${i + 1}-series@example.org`;
    return {
      index: i + 1,
      subject,
      messageId: id ?? null,
      mbox: Buffer.from(text, 'utf8'),
      damaged: opts.damaged?.[i + 1] ?? [],
      paths: [...new Set(headers.flatMap((h) => [h.oldPath, h.newPath]).filter((p): p is string => p !== null))],
      preimages: headers.filter((h) => h.oldPath && h.oldBlob).map((h) => ({ path: h.oldPath as string, blob: h.oldBlob as string })),
    };
  });
  return {
    slug: opts.slug ?? 'x86-entry-test',
    version: opts.version ?? 1,
    title: 'x86/entry: test series',
    baseCommit: opts.baseCommit ?? null,
    patches,
  };
}

export function newStore(): { dataDir: string; store: WorkspaceStore } {
  const dataDir = tmpDir('data');
  return { dataDir, store: new WorkspaceStore(dataDir) };
}

/** A workspace holding the series' mail, as the CLI makes one. */
export function workspaceFor(store: WorkspaceStore, series: SeriesToApply) {
  return store.create([{ name: `${series.slug}.mbox`, bytes: Buffer.concat(series.patches.map((p) => p.mbox)) }], series.title);
}

export interface CheckoutSnapshot {
  head: string;
  headRef: string;
  index: string;
  status: string;
  files: Record<string, string>;
  branches: string;
}

function hashTree(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (r === '.git') continue;
    const full = path.join(dir, r);
    if (e.isDirectory()) Object.assign(out, hashTree(dir, r));
    else if (e.isSymbolicLink()) out[r] = `link:${fs.readlinkSync(full)}`;
    else {
      const st = fs.statSync(full);
      out[r] = `${st.mode.toString(8)}:${st.mtimeMs}:${crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`;
    }
  }
  return out;
}

/** Everything of the reviewer's checkout an apply must leave alone: branch, HEAD, index, files. */
export function snapshotCheckout(dir: string): CheckoutSnapshot {
  const indexFile = path.join(dir, '.git', 'index');
  return {
    head: git(dir, 'rev-parse', 'HEAD').trim(),
    headRef: fs.readFileSync(path.join(dir, '.git', 'HEAD'), 'utf8'),
    index: fs.existsSync(indexFile) ? crypto.createHash('sha256').update(fs.readFileSync(indexFile)).digest('hex') + ':' + fs.statSync(indexFile).mtimeMs : '',
    status: git(dir, 'status', '--porcelain', '--untracked-files=all'),
    files: hashTree(dir),
    branches: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/', 'refs/tags/')
      .split('\n')
      .filter((l) => l && !l.startsWith('refs/heads/review/'))
      .join('\n'),
  };
}

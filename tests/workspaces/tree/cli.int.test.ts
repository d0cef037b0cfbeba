// `entrybench apply` and the tree.* host methods end to end: format-patch files read by the series
// assembly, applied with real git; text and --json output, exit statuses, list, remove, range-diff.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../workspaces/host/cli.js';
import type { ApplyResult, RangeDiffResult, RemovePlan, ReviewSummary } from '../../../workspaces/host/api/tree.js';
import { startTestHost, RpcClient } from '../../helpers/host.js';
import { commitAll, editLine, git, makeRepo, removeTmpDirs, snapshotCheckout, tmpDir } from './helpers.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), stdin: async () => Buffer.alloc(0) },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

let repo: string;
let data: string;

/** Patches of a topic branch as `git format-patch --thread --cover-letter` files (with Message-IDs). */
function formatPatchFiles(version: number, edits: [string, number, string][]): string[] {
  const base = git(repo, 'rev-parse', 'master').trim();
  git(repo, 'checkout', '-q', '-b', `v${version}-${Math.random().toString(36).slice(2, 7)}`, base);
  for (const [file, line, text] of edits) {
    editLine(repo, file, line, text);
    // A date per version: format-patch's Message-IDs come from the commit, so the versions' ids differ.
    commitAll(repo, `x86/entry: set ${path.basename(file)} line ${line}`, `2024-12-0${version}T10:00:00Z`);
  }
  const out = tmpDir(`fp-v${version}`);
  git(repo, 'format-patch', '-q', '--thread', '--cover-letter', `-v${version}`, `--base=${base}`, '-o', out, `${base}..HEAD`);
  git(repo, 'checkout', '-q', 'master');
  // A cover letter with a real subject, as a sender would write it.
  const cover = fs.readdirSync(out).find((f) => f.includes('0000-cover-letter')) as string;
  const p = path.join(out, cover);
  fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace('*** SUBJECT HERE ***', 'x86/entry: tidy the syscall path'));
  return fs.readdirSync(out).sort().map((f) => path.join(out, f));
}

async function cli(...args: string[]) {
  const c = capture();
  const code = await runCli(['apply', '--data', data, ...args], c.io);
  return { code, out: c.out, err: c.err };
}

beforeEach(() => {
  repo = makeRepo();
  data = tmpDir('cli-data');
});

afterEach(() => removeTmpDirs());

describe('entrybench apply', () => {
  it('applies format-patch files and prints each step, then lists, range-diffs and removes reviews', async () => {
    const before = snapshotCheckout(repo);
    const v1 = formatPatchFiles(1, [['arch/x86/entry/common.c', 5, 'five'], ['arch/x86/entry/entry_64.S', 7, 'seven']]);
    const v2 = formatPatchFiles(2, [['arch/x86/entry/common.c', 5, 'five'], ['arch/x86/entry/entry_64.S', 7, 'seven, as review asked']]);
    const snap = snapshotCheckout(repo);

    const a = await cli('--tree', repo, ...v1);
    expect(a.code).toBe(0);
    expect(a.out).toContain('x86/entry: tidy the syscall path v1 on review/x86-entry-tidy-the-syscall-path-v1');
    expect(a.out).toMatch(/base {6}[0-9a-f]{12} {2}chosen by base-commit: the series names base-commit/);
    expect(a.out).toMatch(/1\/2 {2}applied {7}[0-9a-f]{12} {2}x86\/entry: set common.c line 5/);
    expect(a.out).toContain('2 of 2 applied.');
    expect(a.err).toContain('apply: applying 2/2 x86/entry: set entry_64.S line 7');

    const b = await cli('--tree', repo, '--json', ...v2);
    expect(b.code).toBe(0);
    const r2 = JSON.parse(b.out) as ApplyResult;
    expect(Object.keys(r2)).toEqual(expect.arrayContaining(['worktree', 'branch', 'base', 'baseReason', 'steps']));
    expect(r2.steps.map((s) => Object.keys(s))).toEqual(r2.steps.map(() => expect.arrayContaining(['index', 'subject', 'status', 'commit', 'patchId', 'conflicts'])));
    expect(r2.steps[0].link).toMatch(/^https:\/\/lore\.kernel\.org\/r\/.+@/);
    expect(git(repo, 'log', '-1', '--format=%B', r2.steps[0].commit as string)).toContain(`Link: ${r2.steps[0].link}`);
    expect(b.err).toBe('');

    const list = await cli('--tree', repo, '--list', '--json');
    expect((JSON.parse(list.out) as ReviewSummary[]).map((r) => [r.branch, r.present])).toEqual([
      [r2.branch, true],
      ['review/x86-entry-tidy-the-syscall-path-v1', true],
    ]);

    const diff = await cli('--tree', repo, '--range-diff', `review/x86-entry-tidy-the-syscall-path-v1..${r2.branch}`, '--json');
    expect(diff.code).toBe(0);
    // Every resend has new Message-IDs, so git sees each commit message change: only the Link: line did.
    expect((JSON.parse(diff.out) as RangeDiffResult).pairs.map((p) => [p.relation, p.codeChanged, p.messageChanged])).toEqual([
      ['!', false, false],
      ['!', true, false],
    ]);

    const ask = await cli('--tree', repo, '--remove', r2.branch);
    expect(ask.code).toBe(1);
    expect(ask.out).toContain('Run again with --yes');
    expect(fs.existsSync(r2.worktree)).toBe(true);
    const removed = await cli('--tree', repo, '--remove', r2.branch, '--yes', '--json');
    expect((JSON.parse(removed.out) as RemovePlan).removed).toBe(true);
    expect(fs.existsSync(r2.worktree)).toBe(false);
    expect(snapshotCheckout(repo)).toEqual(snap);
    expect(before.head).toBe(snap.head);
  });

  it('exits 3 when the review branch holds only some patches, and shows the conflict', async () => {
    const files = formatPatchFiles(1, [['arch/x86/entry/common.c', 30, 'series line 30'], ['arch/x86/entry/syscall_64.c', 2, 'two']]);
    editLine(repo, 'arch/x86/entry/common.c', 30, 'upstream line 30');
    commitAll(repo, 'upstream');
    const r = await cli('--tree', repo, '--base', 'master', ...files);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/1\/2 {2}conflict {6}- +x86\/entry: set common.c line 30/);
    expect(r.out).toContain('arch/x86/entry/common.c  @@ -27,7 +27,7 @@');
    expect(r.out).toContain('CONFLICT (content): Merge conflict in arch/x86/entry/common.c');
    expect(r.out).toContain('1 skipped (--continue-past-conflicts tries them');
  });

  it('says what to do when the tree is not a git repository, and refuses bad usage', async () => {
    const plain = tmpDir('plain');
    const files = formatPatchFiles(1, [['arch/x86/entry/common.c', 5, 'five']]);
    const r = await cli('--tree', plain, ...files);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${fs.realpathSync(plain)} is not a git repository.`);
    expect(r.err).toContain('Pass --init');
    expect(fs.readdirSync(path.join(data, 'workspaces')).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect((await cli('--tree', repo)).code).toBe(2);
    expect((await cli('--tree', repo, '--list', '--remove', 'x')).code).toBe(2);
    expect((await cli('--tree', repo, '--range-diff', 'just-one')).err).toContain('OLD..NEW');
  });
});

describe('tree.* host methods', () => {
  it('applies over JSON-RPC with progress, and refuses params that are neither files nor a workspace', async () => {
    const files = formatPatchFiles(1, [['arch/x86/entry/common.c', 5, 'five']]);
    const t = await startTestHost();
    try {
      const client = await RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, {
        protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`],
        origin: `http://127.0.0.1:${t.server.port}`,
      });
      const result = await client.result<ApplyResult>('tree.apply', { tree: repo, files });
      expect(result.summary.applied).toBe(1);
      const phases = client.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { phase: string }).phase);
      expect(phases).toEqual(expect.arrayContaining(['check', 'base', 'worktree', 'apply', 'record']));
      expect(await client.result<ApplyResult>('tree.review', { tree: repo, branch: result.branch })).toEqual(result);
      const bad = await client.call('tree.apply', { tree: repo });
      expect(bad.error?.message).toContain('Give either files or workspace');
      const plan = await client.result<RemovePlan>('tree.remove', { tree: repo, branch: result.branch });
      expect(plan.removed).toBe(false);
      expect((await client.result<RemovePlan>('tree.remove', { tree: repo, branch: result.branch, confirm: true })).removed).toBe(true);
      expect(await client.result<ReviewSummary[]>('tree.reviews', { tree: repo })).toEqual([]);
      client.close();
    } finally {
      await t.close();
    }
  });
});

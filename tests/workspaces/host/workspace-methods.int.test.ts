// Workspace methods over the real WebSocket: create from files and from pasted text, list, get, rename.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';

let t: TestHost;
let c: RpcClient;
beforeAll(async () => {
  t = await startTestHost();
  c = await RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`] });
});
afterAll(async () => {
  c.close();
  await t.close();
});

describe('workspace methods', () => {
  it('creates a workspace holding the mail, which series.open then reads', async () => {
    const mbox = path.join(t.dataDir, 'in.mbox');
    fs.writeFileSync(
      mbox,
      'From x Thu Jan  1 00:00:00 1970\nFrom: A U Thor <a@example.org>\nSubject: [PATCH] x86/entry: one\nMessage-ID: <1@example.org>\nDate: Thu, 1 Jan 2015 00:00:00 +0000\n\nBody\n---\n a | 1 +\n\ndiff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1,2 @@\n a\n+b\n',
    );
    const ws = await c.result<{ id: string; mailPaths: string[]; title: string }>('workspace.create', { paths: [mbox], title: 'one patch' });
    expect(ws.title).toBe('one patch');
    expect(fs.readFileSync(ws.mailPaths[0])).toEqual(fs.readFileSync(mbox));
    const opened = await c.result<{ series: { parts: { subject: string }[] }[] }>('series.open', { paths: ws.mailPaths });
    expect(opened.series[0].parts[0].subject).toBe('[PATCH] x86/entry: one');
    const renamed = await c.result<{ title: string }>('workspace.rename', { workspace: ws.id, title: 'renamed' });
    expect(renamed.title).toBe('renamed');
    const list = await c.result<{ id: string }[]>('workspace.list');
    expect(list.map((w) => w.id)).toContain(ws.id);
  });

  it('stores pasted archive text and refuses ambiguous or missing input with a hint', async () => {
    const ws = await c.result<{ mailPaths: string[] }>('workspace.create', { text: 'Subject: [PATCH 1/2] x\n', name: 'page.txt' });
    expect(fs.readFileSync(ws.mailPaths[0], 'utf8')).toBe('Subject: [PATCH 1/2] x\n');
    const both = await c.call('workspace.create', { text: 'x', paths: ['/etc/hostname'] });
    expect(both.error?.message).toBe('Give either paths or text.');
    const missing = await c.call('workspace.create', { paths: [path.join(t.dataDir, 'nope')] });
    expect(missing.error?.message).toContain('No such file or directory');
    const unknown = await c.call('workspace.get', { workspace: 'no-such-workspace' });
    expect((unknown.error?.data as { hint: string }).hint).toContain('open the series again');
  });
});

describe('removing a workspace', () => {
  it('says what would go, then removes its review worktree and branch and nothing else of the tree', async () => {
    const { miniSeries, BREAK_AND_FIX, git } = await import('../../helpers/mini-tree.js');
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'mini-'));
    const { repo, mbox } = miniSeries(dir, BREAK_AND_FIX);
    const applied = await c.result<{ workspace: string; worktree: string; branch: string }>('tree.apply', { tree: repo, files: [mbox] });
    fs.writeFileSync(path.join(t.host.workspaces.get(applied.workspace).path('drafts'), 'd1.json'), '{}');
    const plan = await c.result<{ reviews: { branch: string; commits: number }[]; drafts: number; removed: boolean }>('workspace.remove', { workspace: applied.workspace });
    expect(plan.removed).toBe(false);
    expect(plan.reviews).toEqual([{ tree: fs.realpathSync(repo), branch: applied.branch, worktree: applied.worktree, commits: 3 }]);
    expect(plan.drafts).toBe(1);
    expect(fs.existsSync(applied.worktree)).toBe(true);

    const done = await c.result<{ removed: boolean }>('workspace.remove', { workspace: applied.workspace, confirm: true });
    expect(done.removed).toBe(true);
    expect(fs.existsSync(applied.worktree)).toBe(false);
    expect(git(repo, 'branch', '--list', applied.branch).trim()).toBe('');
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('master');
    expect(git(repo, 'status', '--porcelain').trim()).toBe('');
    expect((await c.call('workspace.get', { workspace: applied.workspace })).error?.message).toContain('No workspace');
  });

  it('removes a workspace whose kernel tree has gone meanwhile', async () => {
    const { miniSeries, BREAK_AND_FIX } = await import('../../helpers/mini-tree.js');
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'gone-'));
    const { repo, mbox } = miniSeries(dir, BREAK_AND_FIX);
    const applied = await c.result<{ workspace: string; worktree: string; branch: string }>('tree.apply', { tree: repo, files: [mbox] });
    const ws = t.host.workspaces.get(applied.workspace);
    fs.rmSync(repo, { recursive: true, force: true });
    const plan = await c.result<{ reviews: { branch: string; commits: number }[] }>('workspace.remove', { workspace: applied.workspace });
    expect(plan.reviews).toEqual([{ tree: expect.any(String), branch: applied.branch, worktree: applied.worktree, commits: 0 }]);
    const done = await c.result<{ removed: boolean }>('workspace.remove', { workspace: applied.workspace, confirm: true });
    expect(done.removed).toBe(true);
    expect(fs.existsSync(ws.dir)).toBe(false);
  });

  it("leaves another workspace's review of the same branch alone", async () => {
    const { miniSeries, BREAK_AND_FIX, git } = await import('../../helpers/mini-tree.js');
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'twice-'));
    const { repo, mbox } = miniSeries(dir, BREAK_AND_FIX);
    const first = await c.result<{ workspace: string; worktree: string; branch: string }>('tree.apply', { tree: repo, files: [mbox] });
    // The reviewer throws the first review away by hand, leaving its record, and applies the mail again.
    git(repo, 'worktree', 'remove', '--force', first.worktree);
    git(repo, 'branch', '-D', first.branch);
    const second = await c.result<{ workspace: string; worktree: string; branch: string; head: string }>('tree.apply', { tree: repo, files: [mbox] });
    expect(second.branch).toBe(first.branch);
    expect(second.workspace).not.toBe(first.workspace);

    const plan = await c.result<{ reviews: { commits: number }[] }>('workspace.remove', { workspace: first.workspace });
    expect(plan.reviews.map((r) => r.commits)).toEqual([0]);
    await c.result('workspace.remove', { workspace: first.workspace, confirm: true });
    expect(fs.existsSync(second.worktree)).toBe(true);
    expect(git(repo, 'rev-parse', second.branch).trim()).toBe(second.head);
    const left = await c.result<{ branch: string; workspace: string; present: boolean }[]>('tree.reviews', { tree: repo });
    expect(left).toEqual([expect.objectContaining({ branch: second.branch, workspace: second.workspace, present: true })]);
  });
});

// tree.fileAtStep over the host's WebSocket: a file of a real review branch before and after each step,
// added and deleted files, the base, and the errors a user can hit (no such step, a patch that did not apply).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyResult, StepFile } from '../../../workspaces/host/api.js';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';
import { commitAll, editLine, git, makeRepo, removeTmpDirs, tmpDir, write } from './helpers.js';

let repo: string;
let th: TestHost;
let rpc: RpcClient;

/** Three patches: edit entry_64.S, add a file, delete syscall_64.c; as format-patch files. */
function series(): string[] {
  const base = git(repo, 'rev-parse', 'master').trim();
  git(repo, 'checkout', '-q', '-b', 'topic');
  editLine(repo, 'arch/x86/entry/entry_64.S', 10, '\tswapgs\t/* step one */');
  commitAll(repo, 'x86/entry/64: step one');
  write(repo, 'arch/x86/entry/new.c', 'int new_file(void) { return 2; }\n');
  commitAll(repo, 'x86/entry: step two adds a file');
  git(repo, 'rm', '-q', 'arch/x86/entry/syscall_64.c');
  commitAll(repo, 'x86/entry: step three deletes a file');
  const out = tmpDir('fp');
  git(repo, 'format-patch', '-q', '--thread', `--base=${base}`, '-o', out, `${base}..HEAD`);
  git(repo, 'checkout', '-q', 'master');
  return fs.readdirSync(out).sort().map((f) => path.join(out, f));
}

beforeEach(async () => {
  repo = makeRepo();
  th = await startTestHost();
  rpc = await RpcClient.connect(`ws://127.0.0.1:${th.server.port}/rpc`, {
    protocols: ['entrybench.rpc', `entrybench.token.${th.server.token}`],
    origin: `http://127.0.0.1:${th.server.port}`,
  });
});

afterEach(async () => {
  rpc.close();
  await th.close();
  removeTmpDirs();
});

describe('tree.fileAtStep', () => {
  it('reads a file before and after each step from the review branch', async () => {
    const applied = await rpc.result<ApplyResult>('tree.apply', { tree: repo, files: series() });
    expect(applied.summary.applied).toBe(3);
    const at = (step: number, p: string) => rpc.result<StepFile>('tree.fileAtStep', { tree: repo, branch: applied.branch, step, path: p });

    const one = await at(1, 'arch/x86/entry/entry_64.S');
    expect(one.before?.commit).toBe(applied.base);
    expect(one.after.commit).toBe(applied.steps[0].commit);
    expect(one.before?.text?.split('\n')[9]).toBe('entry line 10');
    expect(one.after.text?.split('\n')[9]).toBe('\tswapgs\t/* step one */');

    const two = await at(2, 'arch/x86/entry/new.c');
    expect(two.before?.text).toBeNull();
    expect(two.after.text).toBe('int new_file(void) { return 2; }\n');

    const three = await at(3, 'arch/x86/entry/syscall_64.c');
    expect(three.before?.text).toContain('syscall line 40');
    expect(three.after.text).toBeNull();

    const base = await at(0, 'arch/x86/entry/entry_64.S');
    expect(base.before).toBeNull();
    expect(base.after.text?.split('\n')[9]).toBe('entry line 10');

    // The reviewer's checkout and the worktree stay as they were: nothing was checked out.
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(applied.worktree, 'status', '--porcelain')).toBe('');
  });

  it('says what to do for a step that does not exist or a path outside the tree', async () => {
    const applied = await rpc.result<ApplyResult>('tree.apply', { tree: repo, files: series() });
    const missing = await rpc.call('tree.fileAtStep', { tree: repo, branch: applied.branch, step: 9, path: 'Makefile' });
    expect(missing.error?.message).toMatch(/has no step 9/);
    expect((missing.error?.data as { hint: string }).hint).toMatch(/from 0 \(the base\) to 3/);
    const outside = await rpc.call('tree.fileAtStep', { tree: repo, branch: applied.branch, step: 1, path: '../../etc/passwd' });
    expect(outside.error?.message).toMatch(/not a path inside the tree/);
  });

  it('refuses a step whose patch did not apply', async () => {
    const files = series();
    // The reviewer's tree moved on: the first patch no longer applies here.
    editLine(repo, 'arch/x86/entry/entry_64.S', 10, 'something else');
    commitAll(repo, 'a local change');
    const applied = await rpc.result<ApplyResult>('tree.apply', { tree: repo, files, base: 'master' });
    expect(applied.steps[0].status).toBe('conflict');
    const r = await rpc.call('tree.fileAtStep', { tree: repo, branch: applied.branch, step: 1, path: 'arch/x86/entry/entry_64.S' });
    expect(r.error?.message).toMatch(/Patch 1 is not on .* \(conflict\)/);
  });
});

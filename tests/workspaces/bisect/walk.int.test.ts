// The walk over real git, make and gcc on a small tree the test generates: a patch that breaks the
// build and a later one that fixes it, the cache on a second walk, bisect, and the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { TreeService } from '../../../workspaces/tree/service.js';
import { applyMail } from '../../../workspaces/tree/from-series.js';
import { WalkService } from '../../../workspaces/bisect/service.js';
import { runCli } from '../../../workspaces/host/cli.js';
import { BREAK_AND_FIX, git, miniSeries } from '../../helpers/mini-tree.js';
import { defaultBuildDir } from '../../../workspaces/build/kernel-build.js';

let tmp: string;
let repo: string;
let mbox: string;
let store: WorkspaceStore;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-walk-'));
  process.env.ENTRYBENCH_CACHE = path.join(tmp, 'cache');
  ({ repo, mbox } = miniSeries(
    tmp,
    [...BREAK_AND_FIX, { entry: '/* entry code */\nint main(void) { return 1 - 1; }\n', subject: 'x86/entry: Reword the comment' }],
    { coverLetter: true },
  ));
  store = new WorkspaceStore(path.join(tmp, 'data'));
});

afterAll(() => {
  delete process.env.ENTRYBENCH_CACHE;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('walk', () => {
  let workspace: string;

  it('finds the step that breaks the build and the step that fixes it again', async () => {
    const applied = await applyMail(new TreeService(store), store, { tree: repo, files: [mbox] });
    workspace = applied.workspace;
    const progress: string[] = [];
    const report = await new WalkService(store, () => []).walk({ workspace, onProgress: (p) => progress.push(`${p.step}:${p.phase}`) });
    const builds = report.steps.map((s) => s.results.find((r) => r.check === 'builds')?.status);
    expect(builds).toEqual(['pass', 'pass', 'fail', 'pass', 'pass']);
    expect(report.firstBad).toBe(2);
    expect(report.fixedAt).toBe(3);
    expect(report.patterns).toEqual(['builds: breaks at 02/04, fixed again at 03/04']);
    const failed = report.steps[2].results.find((r) => r.check === 'builds')!;
    expect(failed.summary).toMatch(/^The kernel build failed at entry\.c:2: expected ['‘];['’] before/);
    expect(failed.relative).toBe('regressed');
    expect(report.steps.every((s) => !s.cached)).toBe(true);
    expect(progress).toContain('2:build');
    // The worktree is back on the review branch afterwards.
    expect(git(applied.worktree, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(applied.branch);
  }, 120_000);

  it('serves a second walk from the cache', async () => {
    const report = await new WalkService(store, () => []).walk({ workspace });
    expect(report.steps.map((s) => s.cached)).toEqual([true, true, true, true, true]);
    expect(report.firstBad).toBe(2);
  }, 60_000);

  it('bisects builds to the first bad step without building what the cache knows', async () => {
    const r = await new WalkService(store, () => []).bisect({ workspace, check: 'builds' });
    // The tip builds, so a bisect on builds finds nothing: the walk is what shows the break.
    expect(r.firstBad).toBeNull();
    expect(r.note).toContain('a walk shows breaks that a later patch fixes again');
    expect(r.stepsBuilt).toBe(0);
  }, 60_000);

  it('refuses --boot rather than walk without booting and report boot: true', async () => {
    const { defaultCheckers } = await import('../../../workspaces/bisect/checkers.js');
    const err = await new WalkService(store, defaultCheckers).walk({ workspace, boot: true }).catch((e: unknown) => e);
    expect((err as { kind?: string }).kind).toBe('BootCheckUnavailable');
    let said = '';
    const io = { out: () => {}, err: (t: string) => void (said += t), stdin: async () => Buffer.alloc(0) };
    expect(await runCli(['walk', '--boot', '--data', path.join(tmp, 'data'), '--workspace', workspace], io)).toBe(1);
    expect(said).toContain('The walk cannot boot each step yet');
  }, 60_000);

  it('prints the matrix and the one-line verdict from the CLI, and the documented JSON', async () => {
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => {}, stdin: async () => Buffer.alloc(0) };
    expect(await runCli(['walk', '--data', path.join(tmp, 'data'), '--workspace', workspace], io)).toBe(0);
    expect(out).toMatch(/^step\s+applies\s+style\s+builds/m);
    expect(out).toContain('first bad: [PATCH 02/04] x86/entry: Drop a semicolon -- builds: The kernel build failed at entry.c:2');
    expect(out).toContain('fixed again at [PATCH 03/04] x86/entry: Compute the return value');
    expect(out).toContain('  builds: breaks at 02/04, fixed again at 03/04');
    expect(out).toMatch(/^02\/04 {2}ok +- +BAD +x86\/entry: Drop a semicolon$/m);
    out = '';
    expect(await runCli(['walk', '--json', '--data', path.join(tmp, 'data'), '--tree', repo, mbox], io)).toBe(0);
    const json = JSON.parse(out);
    expect(json.firstBad).toBe(2);
    expect(json.fixedAt).toBe(3);
    expect(json.steps[2]).toMatchObject({ index: 2, applies: true, builds: false, emulator: { pass: 0, fail: 0, failed: [] }, boot: null });
    expect(json.base).toMatch(/^[0-9a-f]{40}$/);
    expect(json.config).toBe('entry-compat');
  }, 60_000);
});

describe('walk cache', () => {
  it('does not serve a step from the cache for a patch that differs only in whitespace git patch-id ignores', async () => {
    const dir = path.join(tmp, 'whitespace');
    const message = 'x86/entry: Compute the return value\n\nThe reason for the change.\n\nSigned-off-by: A U Thor <author@example.org>';
    const { repo: tree, mbox: v1 } = miniSeries(dir, [{ entry: 'int main(void) { return 1 - 1; }\n', subject: 'x86/entry: Compute the return value' }]);
    // v2 of the same patch on the same base: one space inside a keyword, which only the compiler notices.
    fs.writeFileSync(path.join(tree, 'entry.c'), 'int main(void) { ret urn 1 - 1; }\n');
    git(tree, 'commit', '-q', '-a', '-m', message);
    const v2 = path.join(dir, 'v2.mbox');
    fs.writeFileSync(v2, git(tree, 'format-patch', '--stdout', '-1', '--subject-prefix=PATCH v2'));
    git(tree, 'reset', '-q', '--hard', 'HEAD~1');

    const service = new WalkService(store, () => []);
    const first = await service.walk({ workspace: (await applyMail(new TreeService(store), store, { tree, files: [v1] })).workspace });
    const second = await service.walk({ workspace: (await applyMail(new TreeService(store), store, { tree, files: [v2] })).workspace });
    expect(second.steps[1].patchId).toBe(first.steps[1].patchId);
    expect(first.steps[1].results.find((r) => r.check === 'builds')?.status).toBe('pass');
    expect(second.steps[1].cached).toBe(false);
    expect(second.steps[1].results.find((r) => r.check === 'builds')?.status).toBe('fail');
    expect(second.steps[0].cached).toBe(true); // the same base is still served from the cache
  }, 120_000);

  it('does not cache a build that could not run, and builds the step on the next walk', async () => {
    const dir = path.join(tmp, 'transient');
    const { repo: tree, mbox } = miniSeries(dir, BREAK_AND_FIX.slice(0, 1));
    const applied = await applyMail(new TreeService(store), store, { tree, files: [mbox] });
    // The build directory cannot be made: a file stands where it goes.
    const buildDir = defaultBuildDir(applied.worktree, 'entry-compat');
    fs.mkdirSync(path.dirname(buildDir), { recursive: true });
    fs.writeFileSync(buildDir, 'not a directory');
    // A cache of its own: another test's tree may have the very same base commit (same content, same second).
    const service = new WalkService(store, () => [], path.join(tmp, 'transient-steps'));
    const broken = await service.walk({ workspace: applied.workspace });
    expect(broken.steps.map((s) => s.results.find((r) => r.check === 'builds')?.status)).toEqual(['fail', 'fail']);
    fs.rmSync(buildDir);
    const again = await service.walk({ workspace: applied.workspace });
    expect(again.steps.map((s) => s.cached)).toEqual([false, false]);
    expect(again.steps.map((s) => s.results.find((r) => r.check === 'builds')?.status)).toEqual(['pass', 'pass']);
  }, 120_000);
});

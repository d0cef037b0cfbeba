// The walk and bisect on Debian's linux-source-6.12: a cover letter and eight patches to
// arch/x86/entry/, one that clobbers RBX on the SYSRET path, a later one that repairs it, and one
// near the end that swaps two pt_regs pushes for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLinuxRepo, linuxUnavailable } from '../../helpers/linux.js';
import { walkSeriesMbox } from '../../helpers/linux-walk-series.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { TreeService } from '../../../workspaces/tree/service.js';
import { applyMail } from '../../../workspaces/tree/from-series.js';
import { WalkService } from '../../../workspaces/bisect/service.js';
import { defaultCheckers } from '../../../workspaces/bisect/checkers.js';
import type { WalkReport } from '../../../workspaces/host/api/walk.js';

const unavailable = linuxUnavailable();

let tmp: string;
let store: WorkspaceStore;
let service: WalkService;
let workspace: string;
let walk: WalkReport;

describe.skipIf(unavailable)('walk and bisect on Linux 6.12', () => {
  beforeAll(async () => {
    const repo = await ensureLinuxRepo();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-linux-walk-'));
    const mbox = walkSeriesMbox(repo, tmp);
    store = new WorkspaceStore(path.join(tmp, 'data'));
    const applied = await applyMail(new TreeService(store), store, { tree: repo, files: [mbox] });
    expect(applied.summary.applied).toBe(8);
    workspace = applied.workspace;
    service = new WalkService(store, defaultCheckers, path.join(tmp, 'walk-steps'));
  }, 1_800_000);

  afterAll(async () => {
    if (workspace) {
      const t = new TreeService(store);
      for (const r of await t.reviews()) await t.remove(r.tree, r.branch, true).catch(() => {});
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('bisect names the first bad patch, probing about log2(N) steps', async () => {
    const r = await service.bisect({ workspace, check: 'emulator:syscall64-getpid' });
    expect(r.firstBad?.index).toBe(3);
    expect(r.firstBad?.subject).toBe('x86/entry/64: Use RBX for the trampoline stack switch');
    expect(r.firstBad?.summary).toMatch(/RBX/);
    expect(r.tested.length).toBeLessThanOrEqual(4);
    expect(r.stepsBuilt).toBe(r.tested.length + 1); // the probes and the base
  }, 1_800_000);

  it('walk shows the break at 03, the repair at 05 and the new break at 07', async () => {
    walk = await service.walk({ workspace });
    const emulatorBad = walk.steps.map((s) => s.results.some((r) => r.check.startsWith('emulator:') && r.relative === 'regressed'));
    expect(emulatorBad).toEqual([false, false, false, true, true, false, false, true, true]);
    expect(walk.steps.every((s) => s.results.find((r) => r.check === 'builds')?.status === 'pass')).toBe(true);
    expect(walk.firstBad).toBe(3);
    expect(walk.fixedAt).toBe(5);
    expect(walk.patterns.some((p) => p.endsWith('breaks at 03/08, fixed again at 05/08'))).toBe(true);
    expect(walk.patterns.some((p) => p.endsWith('breaks at 07/08'))).toBe(true);
    const at3 = walk.steps[3].results.find((r) => r.check === 'emulator:syscall64-getpid');
    expect(at3?.summary).toMatch(/RBX/);
    const style = walk.steps[1].results.find((r) => r.check === 'style');
    expect(style?.status).toBe('pass'); // the tree's own checkpatch.pl ran
    // The steps bisect already ran come from the cache.
    expect(walk.steps.filter((s) => s.cached).length).toBeGreaterThanOrEqual(3);
  }, 1_800_000);

  it('serves a second walk entirely from the cache', async () => {
    const again = await service.walk({ workspace });
    expect(again.steps.every((s) => s.cached)).toBe(true);
    expect(again.firstBad).toBe(walk.firstBad);
    expect(again.seconds).toBeLessThan(walk.seconds / 10);
  }, 600_000);
});

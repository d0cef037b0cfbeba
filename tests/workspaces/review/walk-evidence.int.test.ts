// From a real walk (git am, make, gcc on a tiny tree the test generates) to the evidence block of the reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { TreeService } from '../../../workspaces/tree/service.js';
import { applyMail } from '../../../workspaces/tree/from-series.js';
import { WalkService } from '../../../workspaces/bisect/service.js';
import { runCli } from '../../../workspaces/host/cli.js';
import { evidenceFromWalk, walkResultId } from '../../../workspaces/review/walk-evidence.js';
import { ReviewService } from '../../../workspaces/review/service.js';
import { SendConfigFile } from '../../../workspaces/review/send.js';
import { loadWorkspaceSeries } from '../../../workspaces/review/series-source.js';
import type { WalkReport } from '../../../workspaces/host/api/walk.js';
import { ME, parseMail } from './series-fixture.js';
import { BREAK_AND_FIX, miniSeries } from '../../helpers/mini-tree.js';

let tmp: string;
let repo: string;
let store: WorkspaceStore;
let workspace: string;
let report: WalkReport;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-walk-evidence-'));
  process.env.ENTRYBENCH_CACHE = path.join(tmp, 'cache');
  const made = miniSeries(tmp, BREAK_AND_FIX);
  repo = made.repo;
  const mbox = made.mbox;
  store = new WorkspaceStore(path.join(tmp, 'data'));
  workspace = (await applyMail(new TreeService(store), store, { tree: repo, files: [mbox] })).workspace;
  report = await new WalkService(store, () => []).walk({ workspace });
}, 300_000);

afterAll(() => {
  delete process.env.ENTRYBENCH_CACHE;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('evidence from a walk', () => {
  it('names the first bad patch, what failed there, the patch that fixes it again, and how to reproduce', () => {
    expect(report.firstBad).toBe(2);
    const e = evidenceFromWalk(report);
    expect(e.result).toBe(walkResultId(report));
    expect(e.firstBad).toMatchObject({ index: 2, subject: 'x86/entry: Drop a semicolon', commit: report.steps[2].commit });
    expect(e.lastGood).toMatchObject({ index: 1, subject: 'x86/entry: Add a comment' });
    expect(e.fixedBy).toMatchObject({ index: 3, subject: 'x86/entry: Compute the return value' });
    expect(e.failures?.map((f) => f.scenario)).toEqual(['builds']);
    // a build has no expected/seen: what gcc said is the evidence
    expect(e.failures?.[0]).toMatchObject({ description: expect.stringMatching(/entry\.c:2: expected/), details: [expect.stringMatching(/^entry\.c:2:\d+: error: expected ';'/)] });
    expect(e.failures?.[0].expected).toBeUndefined();
    expect(e.config?.name).toBe(report.config);
    // the walk's commands with the first bad step's commit filled in
    expect(e.reproduce?.length).toBe(report.reproduce.commands.length);
    expect(e.reproduce?.join('\n')).not.toContain('<step commit>');
    expect(e.reproduce?.join('\n')).toContain(report.steps[2].commit as string);
  });

  it('goes into the reply with `reply --workspace --walk-evidence`, with a comment written on the walk result', async () => {
    const service = new ReviewService({ store, loadSeries: loadWorkspaceSeries, sendConfig: new SendConfigFile(path.join(tmp, 'send.json')) });
    await service.addAnnotation(workspace, { kind: 'walk', result: walkResultId(report), scenario: 'builds' }, 'gcc says it plainly.');
    const file = path.join(tmp, 'reply.eml');
    let err = '';
    const io = { out: () => {}, err: (t: string) => void (err += t), stdin: async () => Buffer.alloc(0) };
    const code = await runCli(['reply', '--data', path.join(tmp, 'data'), '--workspace', workspace, '--patch', '2', '--walk-evidence', '--from', `${ME.name} <${ME.email}>`, '-o', file], io);
    expect(code, err).toBe(0);
    const [m] = parseMail([file]);
    expect(m.subject).toBe('Re: [PATCH 2/3] x86/entry: Drop a semicolon');
    const body = m.body;
    if (process.env.SHOW_REPLY) console.log(body);
    expect(body).toContain('\nLast good patch: 1/3 ("x86/entry: Add a comment") at ');
    expect(body).toContain('\nFirst bad patch: 2/3 ("x86/entry: Drop a semicolon") at ');
    expect(body).toContain('\nPasses again from: 3/3 ("x86/entry: Compute the return value") at ');
    expect(body).toMatch(/\nFailing check: builds: The kernel build failed at entry\.c:2: .*\n {2}entry\.c:2:\d+: error: .*\n\ngcc says it plainly\.\n/);
    expect(body).toContain(`\nConfig: ${report.config}\n`);
    expect(body).toContain(`\nTo reproduce:\n  ${report.reproduce.commands[0].replace('<step commit>', report.steps[2].commit as string)}\n`);
  });

  it('is refused with a hint when the workspace was never walked', async () => {
    const other = store.create([{ path: path.join(tmp, 'series.mbox') }]);
    let err = '';
    const io = { out: () => {}, err: (t: string) => void (err += t), stdin: async () => Buffer.alloc(0) };
    expect(await runCli(['reply', '--data', path.join(tmp, 'data'), '--workspace', other.id, '--patch', '1', '--walk-evidence', '--from', ME.email], io)).toBe(1);
    expect(err).toContain('has not been walked yet');
  });
});

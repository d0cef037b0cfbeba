import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import type { AnnotationList, DraftExport, DraftPreview, DraftView, ResolvedAnnotation, SendPreview, SendResult } from '../../../workspaces/host/api.js';
import { generateSeries, ME, parseMail } from './series-fixture.js';

let tmp: string;
let th: TestHost;
let rpc: RpcClient;
let workspace: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-review-host-'));
  const gen = generateSeries(tmp);
  th = await startTestHost();
  // v1 and v2 in one workspace: comments written on v1 are placed in v2
  workspace = new WorkspaceStore(th.dataDir).create([...gen.v1, ...gen.v2].map((p) => ({ path: p })), 'x86 entry clarifications').id;
  rpc = await RpcClient.connect(`ws://127.0.0.1:${th.server.port}/rpc`, { headers: { cookie: `entrybench_token=${th.server.token}` } });
});
afterAll(async () => {
  rpc?.close();
  await th?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('review host methods over the WebSocket', () => {
  it('refuse bad arguments with the fields named', async () => {
    const res = await rpc.call('review.annotations.add', { workspace, target: { kind: 'diff', patch: 1, file: 'x', line: 0 }, text: 'x', colour: 'red' });
    expect(res.error?.code).toBe(-32602);
    const issues = (res.error?.data as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['colour', 'target.line']));
    const kind = await rpc.call('review.annotations.add', { workspace, target: { kind: 'hunk' }, text: 'x' });
    expect(kind.error?.message).toMatch(/target\.kind: expected one of "diff", "message", "cover", "walk"/);
  });

  it('answer a line the diff does not show with what to do', async () => {
    const res = await rpc.call('review.annotations.add', { workspace, version: 1, target: { kind: 'diff', patch: 1, file: 'entry_64.S', line: 10 }, text: 'x' });
    expect(res.error?.code).toBe(-32000);
    expect(res.error?.data).toMatchObject({ kind: 'BadRequest', hint: expect.stringContaining('89-95, 138-145') });
  });

  it('store comments on v1 and place them in v2: carried over or outdated', async () => {
    const kept = await rpc.result<ResolvedAnnotation>('review.annotations.add', {
      workspace,
      version: 1,
      target: { kind: 'diff', patch: 1, file: 'arch/x86/entry/entry_64.S', line: 92 },
      text: 'Until pt_regs is built, or until we switch stacks?',
    });
    expect(kept.status).toBe('current');
    await rpc.result('review.annotations.add', { workspace, version: 1, target: { kind: 'diff', patch: 1, file: 'entry_64.S', line: 141 }, text: 'old wording' });
    const list = await rpc.result<AnnotationList>('review.annotations.list', { workspace });
    expect(list.version).toBe(2);
    expect(list.versions).toEqual([1, 2]);
    expect(list.annotations.map((a) => [a.annotation.text, a.status, a.location && 'line' in a.location ? a.location.line : null])).toEqual([
      ['Until pt_regs is built, or until we switch stacks?', 'carried-over', 95],
      ['old wording', 'outdated', null],
    ]);
    const edited = await rpc.result<{ revision: number }>('review.annotations.update', { workspace, id: kept.annotation.id, text: 'Until pt_regs is built?', revision: 1 });
    expect(edited.revision).toBe(2);
    const stale = await rpc.call('review.annotations.update', { workspace, id: kept.annotation.id, text: 'again', revision: 1 });
    expect(stale.error?.data).toMatchObject({ kind: 'EditConflict' });
  });

  it('compose a draft, edit it, export it, and send it only after the confirmed preview', async () => {
    const d = await rpc.result<DraftView>('review.drafts.create', {
      workspace,
      target: { kind: 'patch', patch: 1 },
      trailers: ['reviewed-by'],
      from: ME,
      evidence: { firstBad: { index: 1, subject: 'x86/entry/64: Say what RCX and R11 hold around SYSRET' }, selftests: ['not ok 3 sysret_rip'] },
    });
    expect(d.target).toEqual({ kind: 'patch', version: 2, patch: 1 });
    expect(d.unplaced).toHaveLength(1);
    expect(d.body).toContain('\n\nUntil pt_regs is built?\n\nFirst bad patch: 1/3 ("x86/entry/64: Say what RCX and R11 hold around SYSRET")\n');
    expect(d.body).toContain('Failing selftests:\n  not ok 3 sysret_rip\n');
    expect(fs.readFileSync(d.file, 'utf8')).toBe(d.message);

    const e = await rpc.result<DraftView>('review.drafts.update', { workspace, id: d.id, revision: 1, body: d.body.replace('Until pt_regs is built?', 'Until pt_regs is built? (asked in v1 too)') });
    expect(e.edited).toBe(true);
    expect(fs.readFileSync(e.file, 'utf8')).toContain('(asked in v1 too)');

    const mbox = await rpc.result<DraftExport>('review.drafts.export', { workspace, format: 'mbox', path: path.join(tmp, 'out.mbox') });
    expect(mbox.messages).toBe(1);
    expect(parseMail([mbox.file])[0].subject).toBe('Re: [PATCH v2 1/3] x86/entry/64: Say what RCX and R11 hold around SYSRET');

    const noConfig = await rpc.call('review.send.preview', { workspace, id: d.id });
    expect(noConfig.error?.data).toMatchObject({ kind: 'SendNotConfigured' });

    const sendmail = path.join(tmp, 'sendmail');
    fs.writeFileSync(sendmail, `#!/bin/sh\ncat > '${tmp}/sent.eml'\n`, { mode: 0o755 });
    await rpc.result('review.send.setConfig', { config: { method: 'sendmail', path: sendmail } });
    const p = await rpc.result<SendPreview>('review.send.preview', { workspace, id: d.id });
    expect(p.command[0]).toBe(sendmail);
    expect(fs.existsSync(path.join(tmp, 'sent.eml'))).toBe(false);
    const r = await rpc.result<SendResult>('review.send.confirm', { token: p.token });
    expect(r.draft.sent?.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'sent.eml'), 'utf8')).toBe(p.message);
    const again = await rpc.call('review.send.confirm', { token: p.token });
    expect(again.error?.data).toMatchObject({ kind: 'SendNotConfirmed' });
  });

  it('place a comment on a walk result under the check it is about, in a preview that stores nothing', async () => {
    await rpc.result('review.annotations.add', { workspace, target: { kind: 'walk', result: 'walk-7', scenario: 'emulator:sysret-rcx' }, text: 'RCX is the user RIP only after the POP_REGS.' });
    const before = await rpc.result<unknown[]>('review.drafts.list', { workspace });
    const p = await rpc.result<DraftPreview>('review.drafts.compose', {
      workspace,
      target: { kind: 'patch', patch: 1 },
      from: ME,
      evidence: { result: 'walk-7', failures: [{ scenario: 'emulator:sysret-rcx', expected: 'rcx == rip', seen: 'rcx == 0' }] },
    });
    expect(p.body).toContain('Failing check: emulator:sysret-rcx\n  expected: rcx == rip\n  seen:     rcx == 0\n\nRCX is the user RIP only after the POP_REGS.\n');
    expect(p.message).toContain(`In-Reply-To: <${p.headers.inReplyTo}>`);
    // evidence of another walk result does not pick the comment up
    const other = await rpc.result<DraftPreview>('review.drafts.compose', { workspace, target: { kind: 'patch', patch: 1 }, from: ME, evidence: { result: 'walk-8', selftests: ['not ok 1 x'] } });
    expect(other.body).not.toContain('POP_REGS');
    expect(await rpc.result<unknown[]>('review.drafts.list', { workspace })).toHaveLength(before.length);
  });

  it('say who I am from git config', async () => {
    const me = await rpc.result<{ email: string; source: string }>('review.identity', {});
    expect(me.email).toMatch(/@/);
    expect(me.source).toMatch(/sendemail\.from|user\.name\/user\.email/);
  });
});

// series.* over the real host: a WebSocket client as the renderer uses it, with progress and errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';
import type { MessageDetail, OpenSeriesResult, PatchDetail } from '../../../workspaces/host/api.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
let t: TestHost;
let client: RpcClient;

beforeAll(async () => {
  t = await startTestHost();
  client = await RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, { headers: { cookie: `entrybench_token=${t.server.token}` } });
}, 60_000);
afterAll(async () => {
  client?.ws.close();
  await t?.close();
});

describe('series methods', () => {
  it('opens mail by path, then gives a message and a patch of that load', async () => {
    const opened = await client.result<OpenSeriesResult>('series.open', { paths: [path.join(fixtures, 'series-v1.mbox'), path.join(fixtures, 'series-v2.mbox.gz')] });
    expect(opened.messages).toBe(15);
    expect(opened.series.map((s) => [s.versionText, s.latest])).toEqual([[null, false], ['v2', false], ['v2', true]]);
    expect(client.notifications.some((n) => n.method === '$/progress' && (n.params as { phase: string }).phase === 'read')).toBe(true);

    const latest = opened.series.find((s) => s.latest)!;
    const patch = await client.result<PatchDetail>('series.patch', { loadId: opened.loadId, series: latest.key, index: 2 });
    expect(patch.damageReasons).toEqual([]);
    expect(patch.files.map((f) => f.newPath)).toEqual(['arch/x86/entry/common.c', 'arch/x86/entry/entry_64.S']);
    expect(patch.mbox?.startsWith('From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Andy Lutomirski <luto@kernel.org>\n')).toBe(true);

    const msg = await client.result<MessageDetail>('series.message', { loadId: opened.loadId, message: latest.parts[0].message });
    expect(msg.headers.find((h) => h.name === 'Subject')?.value).toBe('[PATCH v2 1/3] x86/syscalls: Add syscall entry qualifiers');
    expect(msg.body).toContain('diff --git a/arch/x86/entry/syscall_64.c');
  });

  it('opens pasted archive text and refuses to give an mbox for its damaged patch', async () => {
    const text = fs.readFileSync('/work/shared/fixtures/archive-pages/mail-archive-ptregs-slow-path-07-12.txt', 'utf8');
    const opened = await client.result<OpenSeriesResult>('series.openText', { text, name: 'pasted page' });
    expect(opened).toMatchObject({ messages: 11, duplicates: 11, threads: 1 });
    const s = opened.series[0];
    expect(s.parts[0].damaged).toBe(true);
    const patch = await client.result<PatchDetail>('series.patch', { loadId: opened.loadId, series: s.key, index: 7 });
    expect(patch.mbox).toBeNull();
    expect(patch.damageReasons.length).toBeGreaterThan(1);
  });

  it('answers with errors that say what to do', async () => {
    expect((await client.call('series.patch', { loadId: 'nope', series: 'x', index: 1 })).error).toMatchObject({ code: -32000, data: { kind: 'NotFound', hint: 'Open the mail again; the host keeps only the last few.' } });
    const opened = await client.result<OpenSeriesResult>('series.open', { paths: ['/work/shared/fixtures/archive-pages/mail-archive-ptregs-slow-path-07-12.txt'] });
    expect((await client.call('series.patch', { loadId: opened.loadId, series: opened.series[0].key, index: 3 })).error).toMatchObject({
      data: { kind: 'NotFound', hint: 'It is missing from the input: open a mailbox that holds the whole series.' },
    });
    expect((await client.call('series.open', { paths: [] })).error).toMatchObject({ code: -32602 });
    const missing = await client.result<OpenSeriesResult>('series.open', { paths: ['/nonexistent.mbox'] });
    expect(missing.diagnostics).toEqual([{ severity: 'error', where: '/nonexistent.mbox', message: 'does not exist' }]);
  });
});

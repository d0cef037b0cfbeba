import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { ReviewService } from '../../../workspaces/review/service.js';
import { SendConfigFile } from '../../../workspaces/review/send.js';
import { loadWorkspaceSeries } from '../../../workspaces/review/series-source.js';
import { SendFailed, SendNotConfigured, SendNotConfirmed } from '../../../workspaces/review/errors.js';
import { generateSeries, ME, parseMail, type GeneratedSeries } from './series-fixture.js';

let tmp: string;
let gen: GeneratedSeries;
let service: ReviewService;
let wsId: string;
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };

/** git send-email is Debian's git-email package; it needs Mail::Address (libmailtools-perl). */
const hasGitSendEmail =
  spawnSync('git', ['send-email', '-h'], { encoding: 'utf8' }).stdout.includes('--smtp-server') &&
  spawnSync('perl', ['-MMail::Address', '-e', '1']).status === 0;

/** A sendmail-compatible program as a user might configure one: it keeps its arguments and the message. */
function fakeSendmail(name: string, exitCode = 0): { path: string; args: string; stdin: string } {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const script = path.join(dir, 'sendmail');
  const args = path.join(dir, 'args');
  const stdin = path.join(dir, 'stdin');
  fs.writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > '${args}'\ncat > '${stdin}'\n${exitCode ? `echo "smtp: 451 try again later" >&2\nexit ${exitCode}\n` : ''}`, { mode: 0o755 });
  return { path: script, args, stdin };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-send-'));
  // git send-email reads the user's config: an empty home keeps this machine's out of the test
  process.env.HOME = path.join(tmp, 'home');
  process.env.XDG_CONFIG_HOME = path.join(tmp, 'home', '.config');
  fs.mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true });
  gen = generateSeries(tmp);
  const store = new WorkspaceStore(path.join(tmp, 'data'));
  wsId = store.create(gen.v2.map((p) => ({ path: p }))).id;
  service = new ReviewService({
    store,
    loadSeries: loadWorkspaceSeries,
    sendConfig: new SendConfigFile(path.join(tmp, 'data', 'review-send.json')),
    identity: async () => ({ identity: { ...ME, source: 'given' }, myAddresses: [ME.email] }),
  });
});
afterAll(() => {
  process.env.HOME = saved.HOME;
  process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function draft() {
  await service.addAnnotation(wsId, { kind: 'diff', patch: 1, file: 'entry_64.S', line: 95 }, 'Until pt_regs is built?');
  return service.createDraft(wsId, { target: { kind: 'patch', patch: 1 }, trailers: ['reviewed-by'] });
}

const RECIPIENTS = ['joro@8bytes.example', 'linux-kernel@vger.kernel.example', 'luto@kernel.example', 'x86@kernel.example'];

describe('sending through a sendmail path', () => {
  it('needs a configured command, an absolute path that exists', async () => {
    const d = await draft();
    await expect(service.previewSend(wsId, d.id)).rejects.toThrow(SendNotConfigured);
    expect(() => service.setSendConfig({ method: 'sendmail', path: 'sendmail' })).toThrow(/not absolute/);
    expect(() => service.setSendConfig({ method: 'sendmail', path: path.join(tmp, 'nope') })).toThrow(/no program/);
  });

  it('previews the exact command, recipients and message, sends only on confirmation, and only once', async () => {
    const sm = fakeSendmail('ok');
    service.setSendConfig({ method: 'sendmail', path: sm.path });
    const d = await draft();
    const p = await service.previewSend(wsId, d.id);
    expect(p.command).toEqual([sm.path, '-i', '-f', ME.email, '--', ...RECIPIENTS]);
    expect(p.commandLine).toBe(`${sm.path} -i -f ${ME.email} -- ${RECIPIENTS.join(' ')}`);
    expect(p.recipients).toEqual(RECIPIENTS);
    expect(p.to).toEqual(['Jörg Rödel <joro@8bytes.example>']);
    expect(p.cc).toEqual(['linux-kernel@vger.kernel.example', '"Lutomirski, Andy" <luto@kernel.example>', 'x86@kernel.example']);
    expect(p.message).toContain(`Message-ID: <${d.headers.messageId}>`);
    expect(fs.readFileSync(p.file, 'utf8')).toBe(p.message);
    expect(fs.existsSync(sm.stdin)).toBe(false); // a preview sends nothing

    const r = await service.confirmSend(p.token);
    expect(r.exitCode).toBe(0);
    expect(fs.readFileSync(sm.args, 'utf8')).toBe(p.command.slice(1).join('\n') + '\n');
    expect(fs.readFileSync(sm.stdin, 'utf8')).toBe(p.message);
    expect(r.draft.sent).toMatchObject({ command: p.command, exitCode: 0 });
    expect(service.getDraft(wsId, d.id).sent).not.toBeNull();
    await expect(service.confirmSend(p.token)).rejects.toThrow(SendNotConfirmed);
    await expect(service.confirmSend('0'.repeat(32))).rejects.toThrow(/unknown or was already used/);
  });

  it('refuses a confirmation when the draft or the message file changed after the preview', async () => {
    service.setSendConfig({ method: 'sendmail', path: fakeSendmail('changed').path });
    const d = await draft();
    const p1 = await service.previewSend(wsId, d.id);
    await service.editDraft(wsId, d.id, { body: `${d.body}\nOne more thing.\n` });
    await expect(service.confirmSend(p1.token)).rejects.toThrow(/changed after the preview/);
    const p2 = await service.previewSend(wsId, d.id);
    fs.appendFileSync(p2.file, 'tampered\n');
    await expect(service.confirmSend(p2.token)).rejects.toThrow(/file changed after the preview/);
  });

  it('reports a failing command with its output and leaves the draft unsent', async () => {
    service.setSendConfig({ method: 'sendmail', path: fakeSendmail('fails', 75).path });
    const d = await draft();
    const p = await service.previewSend(wsId, d.id);
    const err = await service.confirmSend(p.token).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendFailed);
    expect((err as SendFailed).message).toMatch(/exited with 75: smtp: 451 try again later/);
    expect(service.getDraft(wsId, d.id).sent).toBeNull();
  });
});

describe.skipIf(!hasGitSendEmail)('sending through git send-email', () => {
  it('shows the recipients git send-email itself will use, then sends the draft threaded as it is', async () => {
    const smtp = fakeSendmail('git-send-email');
    service.setSendConfig({ method: 'git-send-email', args: [`--smtp-server=${smtp.path}`] });
    const d = await draft();
    const p = await service.previewSend(wsId, d.id);
    expect(p.command.slice(0, 2)).toEqual(['git', 'send-email']);
    expect(p.command).toContain(`--in-reply-to=<${d.headers.inReplyTo}>`);
    expect(p.command.at(-1)).toBe(p.file);
    expect([...p.recipients].sort()).toEqual(RECIPIENTS);
    expect(p.warnings).toEqual([]);
    expect(fs.existsSync(smtp.stdin)).toBe(false); // the dry run sent nothing

    await service.confirmSend(p.token);
    const [sent] = parseMail([smtp.stdin]);
    expect(fs.readFileSync(smtp.args, 'utf8').split('\n').filter((a) => a.includes('@')).sort()).toEqual(RECIPIENTS);
    expect(sent.messageId).toBe(d.headers.messageId);
    expect(sent.inReplyTo).toBe(d.headers.inReplyTo);
    expect(sent.references).toEqual(d.headers.references);
    expect(sent.subject).toBe(d.headers.subject);
    expect(sent.from).toEqual(ME);
    expect(sent.to).toEqual(d.headers.to);
    expect(sent.cc).toEqual(d.headers.cc);
    expect(sent.body).toBe(d.body);
  });
});

if (!hasGitSendEmail) console.warn('git send-email test skipped: install the Debian packages git-email and libmailtools-perl');

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../workspaces/host/cli.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { ReviewService } from '../../../workspaces/review/service.js';
import { SendConfigFile } from '../../../workspaces/review/send.js';
import { loadWorkspaceSeries } from '../../../workspaces/review/series-source.js';
import { generateSeries, ME, parseMail, type GeneratedSeries } from './series-fixture.js';

let tmp: string;
let gen: GeneratedSeries;
let v2dir: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-reply-cli-'));
  gen = generateSeries(tmp);
  v2dir = path.dirname(gen.v2[0]);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(['reply', ...argv], { out: (t) => void (out += t), err: (t) => void (err += t), stdin: async () => Buffer.alloc(0) });
  return { code, out, err };
}

const FROM = ['--from', `${ME.name} <${ME.email}>`];

describe('entrybench reply', () => {
  it('writes the reply to a patch of a format-patch folder as an .eml, with comments and my trailer', async () => {
    const file = path.join(tmp, 'reply.eml');
    const r = await cli(
      '--series', v2dir, '--patch', '2', ...FROM,
      '--comment', 'arch/x86/entry/common.c:80:Is regs->ax still -ENOSYS when a tracer skipped the syscall?',
      '--comment', ':2:Which tracer?',
      '--trailer', 'Reviewed-by',
      '-o', file,
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain(`wrote ${file}: Re: [PATCH v2 2/3] x86/entry: Reject -1 before trying the x32 table`);
    expect(r.err).toContain('2 comment(s) placed');
    const [m] = parseMail([file]);
    expect(m.from).toEqual(ME);
    expect(m.inReplyTo).toMatch(/\.git\.joro@8bytes\.example$/);
    const body = m.body.split('\n');
    const at = body.indexOf('Is regs->ax still -ENOSYS when a tracer skipped the syscall?');
    expect(body[at - 2]).toBe('> +\tif (nr != -1 && !do_syscall_x64(regs, nr) && !do_syscall_x32(regs, nr)) {');
    expect(body[body.indexOf('Which tracer?') - 2]).toBe('> looks at nr == -1. Check -1 first so that a skipped syscall never reaches');
    expect(body.at(-2)).toBe(`Reviewed-by: ${ME.name} <${ME.email}>`);
  });

  it('prints JSON with --json, and the message itself when there is no -o', async () => {
    const r = await cli('--series', ...gen.v2, '--cover', ...FROM, '--comment', '::Thanks, this reads better.', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { file: null; headers: { subject: string }; placed: number; message: string };
    expect(j.headers.subject).toBe('Re: [PATCH v2 0/3] x86/entry: small clarifications around SYSCALL/SYSRET');
    expect(j.placed).toBe(1);
    expect(j.message).toContain('\n> Three small changes to the 64-bit SYSCALL path.\n\nThanks, this reads better.\n');
  });

  it('takes evidence from a JSON file, and names the field that does not fit', async () => {
    const good = path.join(tmp, 'walk.json');
    fs.writeFileSync(good, JSON.stringify({ firstBad: { index: 2, subject: 'x86/entry: Reject -1 before trying the x32 table' }, failures: [{ scenario: 'emulator:nr-minus-1', expected: 'rax = -ENOSYS', seen: 'rax = 0' }] }));
    const r = await cli('--series', v2dir, '--patch', '2', ...FROM, '--evidence', good);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('\nFirst bad patch: 2/3 ("x86/entry: Reject -1 before trying the x32 table")\n\nFailing check: emulator:nr-minus-1\n  expected: rax = -ENOSYS\n  seen:     rax = 0\n');
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ firstBad: { index: 'two' } }));
    const b = await cli('--series', v2dir, '--patch', '2', ...FROM, '--evidence', bad);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/firstBad\.index: expected integer/);
  });

  it('writes mbox for a .mbox output', async () => {
    const file = path.join(tmp, 'reply.mbox');
    const r = await cli('--series', v2dir, '--patch', '1', ...FROM, '-o', file);
    expect(r.code, r.err).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^From reviewer@example\.org \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nFrom: /);
  });

  it('places the comments stored in a workspace, and replies to the version asked for', async () => {
    const data = path.join(tmp, 'data');
    const store = new WorkspaceStore(data);
    const ws = store.create([...gen.v1, ...gen.v2].map((p) => ({ path: p })));
    const service = new ReviewService({ store, loadSeries: loadWorkspaceSeries, sendConfig: new SendConfigFile(path.join(data, 'send.json')) });
    await service.addAnnotation(ws.id, { kind: 'diff', patch: 1, file: 'entry_64.S', line: 141 }, 'Stored on v1.', 1);
    const v1 = await cli('--workspace', ws.id, '--data', data, '--patch', '1', '--version', '1', ...FROM);
    expect(v1.code, v1.err).toBe(0);
    expect(v1.out).toContain('SYSRET consumes them. */\n\nStored on v1.\n');
    // in v2 that hunk changed: the comment is reported, not placed
    const v2 = await cli('--workspace', ws.dir, '--data', data, '--patch', '1', ...FROM);
    expect(v2.code, v2.err).toBe(0);
    expect(v2.out).not.toContain('Stored on v1.');
    expect(v2.err).toMatch(/not placed: a-[0-9a-z]+-[0-9a-f]{8}: outdated: the hunk of arch\/x86\/entry\/entry_64\.S .* changed in v2 patch 1/);
  });

  it('says what is wrong with the arguments', async () => {
    expect((await cli('--series', v2dir)).err).toContain('give --patch N or --cover');
    expect((await cli('--patch', '1')).code).toBe(2);
    expect((await cli('--series', v2dir, '--workspace', 'x', '--patch', '1')).err).toContain('not both');
    expect((await cli('--series', v2dir, '--patch', '1', '--trailer', 'signed-off-by')).err).toContain('use reviewed-by, tested-by or acked-by');
    expect((await cli('--series', v2dir, '--patch', '1', '--comment', 'entry_64.S:x')).err).toContain('is not PATH:LINE:TEXT');
    const line = await cli('--series', v2dir, '--patch', '1', ...FROM, '--comment', 'entry_64.S:10:here');
    expect(line.code).toBe(1);
    expect(line.err).toContain('Line 10 of arch/x86/entry/entry_64.S (new side) is not in the diff of patch 1.\n  Its hunks show lines 92-98, 141-148');
    expect((await cli('--series', path.join(tmp, 'missing.mbox'), '--patch', '1')).err).toContain('No such file');
  });

  it('says which output file it cannot write, without a stack trace', async () => {
    const blocker = path.join(tmp, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    const r = await cli('--series', v2dir, '--patch', '1', ...FROM, '-o', path.join(blocker, 'reply.eml'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `entrybench reply: Cannot write ${path.join(blocker, 'reply.eml')}: a part of its path is not a directory (EEXIST).\n` +
        '  Choose a place that exists and that you can write to; nothing was changed there.\n',
    );
  });
});

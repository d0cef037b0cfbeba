// `entrybench open`: readable summary, --json shape, stdin, and errors a user can act on.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../../workspaces/host/cli.js';
import type { OpenSeriesResult } from '../../../workspaces/host/api.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
function capture(stdin: Buffer = Buffer.alloc(0)) {
  const c = { out: '', err: '', io: { out: (t: string) => void (c.out += t), err: (t: string) => void (c.err += t), stdin: async () => stdin } };
  return c;
}

describe('entrybench open', () => {
  it('prints a readable summary of series, parts, damage, trailers and problems', async () => {
    const c = capture();
    expect(await runCli(['open', path.join(fixtures, 'series-v1.mbox'), '/work/shared/fixtures/archive-pages/mail-archive-ptregs-slow-path-07-12.txt'], c.io)).toBe(0);
    expect(c.out).toContain('series-v1.mbox: mboxrd, 11 message(s)');
    expect(c.out).toContain('22 message(s) (11 duplicate copies dropped), 2 thread(s), 3 series');
    expect(c.out).toContain('v1 "x86/entry/64: Move ptregs syscalls off the fast path", 3 of 3 patch(es) (versions v1, v2)');
    expect(c.out).toContain('  01 x86/syscalls: Add syscall entry qualifiers\n     Andy Lutomirski <luto@kernel.org>, +3 -1 in 1 file(s), 2 replies\n');
    expect(c.out).toContain('     + Tested-by: Kees Cook <keescook@chromium.org> (not from the person named)\n');
    expect(c.out).toContain('     + Acked-by: Ingo Molnar <mingo@kernel.org> (to the cover)\n');
    expect(c.out).toContain('  missing: 01, 02, 03, 04, 05, 06, 08, 09, 10, 11, 12\n');
    expect(c.out).toContain('     DAMAGED, cannot be applied as-is:\n');
  });

  it('gives the JSON the issue asks for', async () => {
    const c = capture();
    expect(await runCli(['open', '--json', path.join(fixtures, 'series-v1.mbox')], c.io)).toBe(0);
    const j = JSON.parse(c.out) as Omit<OpenSeriesResult, 'loadId'>;
    expect(j).toMatchObject({ messages: 11, duplicates: 0, threads: 1, diagnostics: [] });
    expect('loadId' in j).toBe(false);
    const s = j.series[0];
    expect(s).toMatchObject({ title: 'x86/entry/64: Move ptregs syscalls off the fast path', version: 1, rfc: false, total: 3, missing: [], cover: { subject: '[PATCH 0/3] x86/entry/64: Move ptregs syscalls off the fast path' } });
    expect(s.parts[0]).toMatchObject({ index: 1, subject: '[PATCH 1/3] x86/syscalls: Add syscall entry qualifiers', author: 'Andy Lutomirski <luto@kernel.org>', messageId: '1a2b3c.1449524950.git.luto@kernel.org', damaged: false, replies: 2 });
    expect(s.parts[0].trailers.map((t) => ({ name: t.name, value: t.value }))).toEqual([
      { name: 'Reviewed-by', value: 'Brian Gerst <brgerst@gmail.com>' },
      { name: 'Tested-by', value: 'Kees Cook <keescook@chromium.org>' },
      { name: 'Acked-by', value: 'Ingo Molnar <mingo@kernel.org>' },
    ]);
    expect(j.messageList).toHaveLength(11);
    expect(j.threadTrees[0].children.map((n) => n.subject)[0]).toBe('[PATCH 1/3] x86/syscalls: Add syscall entry qualifiers');
  });

  it('reads standard input for "-"', async () => {
    const c = capture(fs.readFileSync(path.join(fixtures, 'mboxo.mbox')));
    expect(await runCli(['open', '--json', '-'], c.io)).toBe(0);
    const j = JSON.parse(c.out) as OpenSeriesResult;
    expect(j.messages).toBe(2);
    expect(j.sources[0].name).toBe('<stdin>');
  });

  it('says what to do when nothing could be read', async () => {
    const c = capture();
    expect(await runCli(['open', '/nonexistent/t.mbox.gz'], c.io)).toBe(1);
    expect(c.out).toContain('error: /nonexistent/t.mbox.gz: does not exist');
    expect(c.err).toContain('no mail could be read');
    const u = capture();
    expect(await runCli(['open'], u.io)).toBe(2);
    expect(u.err).toContain('name at least one FILE (or - for standard input)');
  });
});

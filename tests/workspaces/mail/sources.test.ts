// Every input form loads: mbox (rd/o), .gz, maildir, .eml, format-patch folders, stdin bytes, pasted text,
// and broken input turns into diagnostics while the rest loads.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { loadMail } from '../../../workspaces/series/index.js';
import { detectContent } from '../../../workspaces/mail/sources.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const f = (name: string) => path.join(fixtures, name);

describe('input kinds', () => {
  it('reads a gzip-compressed lore mbox', async () => {
    const load = await loadMail([f('series-v2.mbox.gz')]);
    expect(load.sources).toEqual([{ name: f('series-v2.mbox.gz'), kind: 'mboxrd', gzip: true, bytes: fs.statSync(f('series-v2.mbox.gz')).size, messages: 4 }]);
    expect(load.messages.map((m) => m.subject)).toEqual([
      '[PATCH v2 0/3] x86/entry/64: Move ptregs syscalls off the fast path',
      '[PATCH v2 1/3] x86/syscalls: Add syscall entry qualifiers',
      '[PATCH v2 2/3] x86/entry/64: Always run ptregs-using syscalls on the slow path',
      '[PATCH v2 3/3] x86/entry/64: Move the fork stubs next to the 64-bit entry',
    ]);
    // offsets count decompressed bytes
    const plain = zlib.gunzipSync(fs.readFileSync(f('series-v2.mbox.gz')));
    const m = load.messages[2];
    expect(plain.subarray(m.origin.offset!, m.origin.offset! + m.origin.length).equals(Buffer.from(m.raw))).toBe(true);
    expect(load.diagnostics).toEqual([]);
  });

  it('reads a maildir: new/ and cur/, not tmp/', async () => {
    const load = await loadMail([f('maildir')]);
    expect(load.sources.map((s) => [s.kind, s.messages])).toEqual([['maildir', 3]]);
    expect(load.messages.map((m) => m.messageId).sort()).toEqual(['maildir-1@kernel.org', 'maildir-2@mail.gmail.com', 'maildir-3@kernel.org']);
    expect(load.threads).toHaveLength(1);
    expect(load.series[0].parts[0].replies.map((r) => [r.messageId, r.depth])).toEqual([
      ['maildir-2@mail.gmail.com', 1],
      ['maildir-3@kernel.org', 2],
    ]);
    expect(load.series[0].parts[0].trailers.map((t) => `${t.name}: ${t.value}`)).toEqual(['Reviewed-by: Brian Gerst <brgerst@gmail.com>']);
  });

  it('reads a single .eml with decoded names, commas in names and a folded encoded subject', async () => {
    const load = await loadMail([f('single-qp.eml')]);
    expect(load.sources[0].kind).toBe('eml');
    const m = load.messages[0];
    expect(m.from).toEqual({ name: 'Lutomirski, Andy', email: 'luto@kernel.org' });
    expect(m.to).toEqual([{ name: 'Gerst, Brian', email: 'brgerst@gmail.com' }, { name: '', email: 'x86@kernel.org' }]);
    expect(m.cc).toEqual([{ name: 'Jürgen Groß', email: 'jgross@suse.com' }, { name: 'Frédéric Weisbecker', email: 'fweisbec@gmail.com' }]);
    expect(m.subject).toBe('[PATCH 1/3] x86/syscalls: Add syscall entry qualifiers — ptregs first');
    expect(m.date?.toISOString()).toBe('2015-12-07T21:51:01.000Z');
    expect(Buffer.from(m.raw).equals(fs.readFileSync(f('single-qp.eml')))).toBe(true);
    expect(load.series[0].parts[0].author).toEqual({ name: 'Lutomirski, Andy', email: 'luto@kernel.org' });
  });

  it('reads a git format-patch folder in name order and joins its unthreaded patches into one series', async () => {
    const load = await loadMail([f('format-patch')]);
    expect(load.sources.map((s) => s.kind)).toEqual(['format-patch', 'format-patch', 'format-patch', 'format-patch']);
    expect(load.messages.map((m) => m.origin.fromLine?.slice(0, 5))).toEqual(['From ', 'From ', 'From ', 'From ']);
    expect(load.series).toHaveLength(1);
    const s = load.series[0];
    expect(s.title).toBe('x86/entry/64: Move ptregs syscalls off the fast path');
    expect(s.cover?.subject.raw).toBe('[PATCH 0/3] x86/entry/64: Move ptregs syscalls off the fast path');
    expect(s.parts.map((p) => p.index)).toEqual([1, 2, 3]);
    expect(s.missing).toEqual([]);
    expect(s.baseCommit).toMatch(/^[0-9a-f]{40}$/);
    // format-patch writes no Message-ID: that is normal there, not worth a warning
    expect(load.diagnostics).toEqual([]);
  });

  it('reads bytes (stdin) and pasted text, and gzip bytes too', async () => {
    const bytes = fs.readFileSync(f('mboxo.mbox'));
    const a = await loadMail([{ bytes, name: '<stdin>' }]);
    expect(a.messages).toHaveLength(2);
    expect(a.sources[0]).toMatchObject({ name: '<stdin>', kind: 'mboxo', messages: 2 });
    const b = await loadMail([{ bytes: zlib.gzipSync(bytes) }]);
    expect(b.messages).toHaveLength(2);
    const page = fs.readFileSync('/work/shared/fixtures/archive-pages/lkml-iu-complete-pt-regs-4-5.txt', 'utf8');
    const c = await loadMail([{ text: page, name: 'pasted' }]);
    expect(c.sources[0]).toMatchObject({ name: 'pasted', kind: 'archive-lkml', messages: 1 });
  });

  it('reads a CRLF mailbox into the same messages as the LF one', async () => {
    const lf = await loadMail([f('mboxo.mbox')]);
    const crlf = await loadMail([f('crlf.mbox')]);
    expect(crlf.messages.map((m) => m.crlf)).toEqual([true, true]);
    expect(crlf.messages.map((m) => m.body)).toEqual(lf.messages.map((m) => m.body));
    expect(crlf.series[0].parts[0].damaged).toEqual([]);
    expect(crlf.series[0].parts[0].diffText).toBe(lf.series[0].parts[0].diffText);
  });

  it('tells mail from archive pages from other text', () => {
    expect(detectContent(Buffer.from('From a@b Mon Dec  7 16:51:02 2015\nFrom: a\n'))).toBe('mbox');
    expect(detectContent(Buffer.from('Received: from x\nFrom: a@b\nSubject: s\n\nbody'))).toBe('eml');
    expect(detectContent(Buffer.from('Re: [PATCH] x\n\n2015-12-09 Thread Brian Gerst\nOn ...'))).toBe('archive');
    expect(detectContent(Buffer.from('Re: [PATCH] x\n\nhello\n'))).toBe('unknown');
  });
});

describe('bad input', () => {
  it('says a pipe is not mail instead of waiting forever for someone to write to it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-mail-'));
    try {
      const fifo = path.join(dir, 'series.mbox');
      execFileSync('mkfifo', [fifo]);
      const load = await loadMail([fifo, f('mboxo.mbox')]);
      expect(load.diagnostics.map((x) => `${x.severity} ${x.where}: ${x.message}`)).toContain(`error ${fifo}: is not a file or a directory (a pipe, device or socket) and was not read`);
      expect(load.messages.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 10_000);

  it('loads what it can from a broken mailbox and says what was wrong where', async () => {
    const load = await loadMail([f('broken.mbox')]);
    expect(load.messages).toHaveLength(4);
    const d = load.diagnostics.map((x) => `${x.severity} ${x.where.replace(fixtures + '/', '')}: ${x.message}`);
    expect(d).toContain('warning broken.mbox: 60 bytes before the first "From " line are not a message and were skipped');
    expect(d.some((x) => /broken\.mbox message 2 at byte \d+: has 1 malformed header line\(s\), e\.g\. "this header line has no colon"/.test(x))).toBe(true);
    expect(d.some((x) => /message 2 at byte \d+: has no Message-ID/.test(x))).toBe(true);
    expect(d.some((x) => /message 2 at byte \d+: has an unreadable Date "yesterday, around lunch"/.test(x))).toBe(true);
    expect(d.some((x) => /message 2 .*multipart\/mixed part is missing its closing boundary "--b0und--"/.test(x))).toBe(true);
    expect(d.some((x) => /message 4 .*has only an HTML body/.test(x))).toBe(true);
    // the message that answers itself is threaded without a cycle
    expect(load.threads.reduce((n, t) => n + t.size, 0)).toBe(4);
    // base64 with junk still decodes what is there
    expect(load.messages[2].body).toContain('Reviewed-by: Brian Gerst <brgerst@gmail.com>');
  });

  it('reports missing files, unreadable gzip, empty and non-mail files, and loads the rest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-mail-'));
    try {
      fs.writeFileSync(path.join(dir, 'empty.mbox'), '');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'shopping list\n- milk\n');
      const gz = zlib.gzipSync(fs.readFileSync(f('mboxo.mbox')));
      fs.writeFileSync(path.join(dir, 'cut.mbox.gz'), gz.subarray(0, gz.length - 40));
      const load = await loadMail([path.join(dir, 'nope.mbox'), path.join(dir, 'empty.mbox'), path.join(dir, 'notes.txt'), path.join(dir, 'cut.mbox.gz'), f('mboxo.mbox')]);
      const d = load.diagnostics.map((x) => `${x.severity} ${path.basename(x.where)}: ${x.message}`);
      expect(d).toContain('error nope.mbox: does not exist');
      expect(d).toContain('warning empty.mbox: is empty');
      expect(d).toContain('error notes.txt: is not mail: no mbox "From " line, no message headers and no archive page layout were found');
      expect(d.some((x) => x.startsWith('error cut.mbox.gz: gzip data is damaged after'))).toBe(true);
      // the two messages before the damage loaded; the intact copies of them are duplicates
      expect(load.messages.map((m) => path.basename(m.origin.file))).toEqual(['cut.mbox.gz', 'cut.mbox.gz']);
      expect(load.duplicates.map((x) => [path.basename(x.origin.file), x.reason])).toEqual([
        ['mboxo.mbox', 'message-id'],
        ['mboxo.mbox', 'message-id'],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with Cancelled when asked to', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(loadMail([f('series-v1.mbox')], { signal: ac.signal })).rejects.toMatchObject({ kind: 'Cancelled' });
  });
});

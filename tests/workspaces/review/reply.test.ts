import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { analyseSeries, makeAnchor, resolveAnnotations, type AnalysedSeries } from '../../../workspaces/review/anchors.js';
import { attributionLine, composeReply, replyRecipients, replyThreading, type ComposeOptions } from '../../../workspaces/review/compose.js';
import { renderMbox, renderMessage } from '../../../workspaces/review/message.js';
import { loadReviewSeries } from '../../../workspaces/review/series-source.js';
import { replySubject, patchTitle } from '../../../workspaces/review/subject.js';
import { loadMail } from '../../../workspaces/series/index.js';
import type { Annotation, AnnotationTargetInput, ReplyTargetMessage } from '../../../workspaces/review/types.js';
import { AUTHOR, generateSeries, ME, parseMail, type GeneratedSeries, type ParsedMail } from './series-fixture.js';

let tmp: string;
let gen: GeneratedSeries;
let v2: AnalysedSeries;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-reply-'));
  gen = generateSeries(tmp);
  v2 = await analyseSeries((await loadReviewSeries(gen.v2))[0]);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const me: ComposeOptions = { identity: { ...ME, source: 'given' }, myAddresses: [ME.email] };
let n = 0;
function note(target: AnnotationTargetInput, text: string): Annotation {
  return { id: `a-test-${String(n++).padStart(8, '0')}`, revision: 1, createdAt: '', updatedAt: '', text, anchor: makeAnchor(v2, target) };
}

function writeEml(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

const ENTRY = 'arch/x86/entry/entry_64.S';
const LONG_COMMENT =
  'RCX and R11 are only the user RIP and RFLAGS if nothing wrote regs->cx or regs->r11 on the way out; ptrace can, and then the SYSRET check in do_syscall_64() sends us to IRET anyway.';

describe('reply to a patch, parsed back by Python email', () => {
  let parsed: ParsedMail;
  let eml: string;
  let body: string[];
  const comments: Annotation[] = [];
  beforeAll(() => {
    comments.push(
      note({ kind: 'message', patch: 1, line: 2 }, 'Which code? Name the labels.'),
      note({ kind: 'diff', patch: 1, file: ENTRY, line: 95 }, 'Until pt_regs is built, or until we switch stacks?'),
      note({ kind: 'diff', patch: 1, file: ENTRY, line: 144 }, LONG_COMMENT),
    );
    const reply = composeReply(v2, { kind: 'patch', version: 2, patch: 1 }, resolveAnnotations(v2, comments), { ...me, trailers: ['reviewed-by'] });
    eml = renderMessage(reply.headers, reply.body);
    [parsed] = parseMail([writeEml('reply.eml', eml)]);
    body = parsed.body.split('\n');
    if (process.env.SHOW_REPLY) console.log(eml);
  });

  it('has reply-all recipients: To the author, Cc their To and Cc without me', () => {
    expect(parsed.defects).toEqual([]);
    expect(parsed.from).toEqual(ME);
    expect(parsed.to).toEqual([AUTHOR]);
    expect(parsed.cc).toEqual([
      { name: '', email: 'linux-kernel@vger.kernel.example' },
      { name: 'Lutomirski, Andy', email: 'luto@kernel.example' },
      { name: '', email: 'x86@kernel.example' },
    ]);
    // the non-ASCII name went out as an RFC 2047 encoded word, and every header line is ASCII
    expect(parsed.raw.to[0]).toMatch(/^=\?UTF-8\?Q\?J=C3=B6rg_R=C3=B6del\?= <joro@8bytes\.example>$/);
    const head = eml.slice(0, eml.indexOf('\n\n'));
    expect(head).toMatch(/^[\x00-\x7f]*$/);
    for (const l of head.split('\n')) expect(l.length).toBeLessThanOrEqual(998);
  });

  it('threads under the patch: Subject with one Re:, In-Reply-To, References, a new Message-ID, a Date', () => {
    const patch = v2.patches[0].message;
    expect(parsed.subject).toBe('Re: [PATCH v2 1/3] x86/entry/64: Say what RCX and R11 hold around SYSRET');
    expect(parsed.inReplyTo).toBe(patch.messageId);
    expect(parsed.references).toEqual([v2.series.cover?.messageId, patch.messageId]);
    expect(parsed.messageId).toMatch(/^\d{14}\.[0-9a-f]{12}@example\.org$/);
    expect(parsed.messageId).not.toBe(patch.messageId);
    expect(Math.abs(Date.parse(parsed.date as string) - Date.now())).toBeLessThan(60_000);
    expect(parsed.contentType).toBe('text/plain');
    expect(parsed.charset).toBe('utf-8');
    expect(parsed.multipart).toBe(false);
    expect(parsed.raw['content-type'][0]).not.toMatch(/flowed/);
  });

  it('quotes with "> ", each comment right under its line, trimmed parts as [...], nothing after the last comment', () => {
    expect(body[0]).toBe('On Tue, Nov 05, 2024 at 02:06:00PM +0100, Jörg Rödel wrote:');
    const original = v2.patches[0].body.lines;
    // every quoted line is a line of the patch, byte for byte, in order
    let at = 0;
    for (const l of body) {
      if (!l.startsWith('>')) continue;
      const text = l === '>' ? '' : l.slice(2);
      const found = original.indexOf(text, at);
      expect(found, `quoted line not in the patch, or out of order: ${l}`).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
    const under = (comment: string) => {
      const i = body.findIndex((l) => l.startsWith(comment));
      expect(i, comment).toBeGreaterThan(1);
      expect(body[i - 1]).toBe('');
      return body[i - 2];
    };
    expect(under('Which code? Name the labels.')).toBe('> consumes RCX and R11 as the user RIP and RFLAGS. Neither is obvious from');
    expect(under('Until pt_regs is built, or until we switch stacks?')).toBe('> +\t/* tss.sp2 is scratch space: the user RSP stays there until pt_regs is built. */');
    expect(under('RCX and R11 are only the user RIP and RFLAGS if nothing wrote')).toBe(
      '> +\t/* From here RCX = user RIP and R11 = user RFLAGS, as SYSRET expects. */',
    );
    // the diff is trimmed between the comments; the diffstat and the hunk lines nobody commented are not quoted
    expect(body.filter((l) => l === '[...]').length).toBeGreaterThanOrEqual(2);
    expect(parsed.body).not.toContain('> ---\n');
    expect(parsed.body).not.toMatch(/^> .*\| +\d+ /m);
    // quoted diff lines are never re-wrapped, even past 78 columns; comment prose is wrapped at 72
    expect(body.some((l) => l.length > 78 && l.startsWith('> +'))).toBe(true);
    for (const l of body) if (!l.startsWith('>')) expect(l.length, l).toBeLessThanOrEqual(72);
    // nothing quoted after the last comment: then only my trailer
    const last = body.findIndex((l) => l.endsWith('sends us to IRET anyway.'));
    expect(last).toBeGreaterThan(0);
    expect(body.slice(last + 1).filter((l) => l !== '')).toEqual([`Reviewed-by: ${ME.name} <${ME.email}>`]);
  });

  it('reads the same through git mailinfo', () => {
    const info = execFileSync('git', ['mailinfo', '-k', path.join(tmp, 'mi-msg'), path.join(tmp, 'mi-patch')], { input: eml, encoding: 'utf8' });
    expect(info).toContain(`Author: ${ME.name}\nEmail: ${ME.email}\n`);
    expect(info).toContain('Subject: Re: [PATCH v2 1/3] x86/entry/64: Say what RCX and R11 hold around SYSRET\n');
  });

  it('imported back with the series, it threads under the patch it answers', async () => {
    const load = await loadMail([...gen.v2, path.join(tmp, 'reply.eml')]);
    const s = load.series.find((x) => x.version === 2);
    expect(s).toBeTruthy();
    const replies = s?.parts.find((p) => p.index === 1)?.replies ?? [];
    expect(replies.map((r) => r.messageId)).toEqual([parsed.messageId]);
    expect(replies[0].depth).toBe(1);
    for (const p of s?.parts ?? []) if (p.index !== 1) expect(p.replies).toEqual([]);
  });
});

describe('reply headers', () => {
  const base: ReplyTargetMessage = {
    messageId: 'p7@kernel.example',
    from: { name: 'Andy Lutomirski', email: 'luto@kernel.example' },
    to: [{ name: '', email: 'x86@kernel.example' }],
    cc: [],
    replyTo: [],
    subject: '[PATCH 07/12] x86/entry/64: Always run ptregs-using syscalls on the slow path',
    date: new Date('2015-12-08T00:51:29Z'),
    dateText: 'Mon,  7 Dec 2015 16:51:29 -0800',
    inReplyTo: 'cover@kernel.example',
    references: ['cover@kernel.example'],
    body: 'text\n',
  };

  it('has exactly one Re: whatever the original mixed', () => {
    expect(replySubject('[PATCH] x')).toBe('Re: [PATCH] x');
    expect(replySubject('Re: [PATCH] x')).toBe('Re: [PATCH] x');
    expect(replySubject('RE: Re: AW: Fwd: re:[PATCH] x')).toBe('Re: [PATCH] x');
    expect(replySubject('Re[2]: Aw: FW: SV:  [PATCH v3 2/9]   x86: y')).toBe('Re: [PATCH v3 2/9] x86: y');
    expect(replySubject('[PATCH] Re: the bug')).toBe('Re: [PATCH] Re: the bug');
    expect(patchTitle('Re: [PATCH RFC v2 03/12] [tip] x86/entry: Foo')).toBe('x86/entry: Foo');
  });

  it('sends to Reply-To when there is one, and drops every address of mine and every duplicate from Cc', () => {
    const m: ReplyTargetMessage = {
      ...base,
      replyTo: [{ name: 'x86 list', email: 'x86@kernel.example' }],
      to: [{ name: 'Me', email: 'Reviewer@Example.org' }, { name: '', email: 'X86@kernel.example' }, { name: 'B', email: 'bp@alien8.example' }],
      cc: [{ name: 'B again', email: 'BP@alien8.example' }, { name: 'Andy', email: 'luto@kernel.example' }, { name: 'Me at work', email: 'rev@work.example' }],
    };
    expect(replyRecipients(m, ['reviewer@example.org', 'rev@work.example'])).toEqual({
      to: [{ name: 'x86 list', email: 'x86@kernel.example' }],
      cc: [{ name: 'B', email: 'bp@alien8.example' }, { name: 'Andy', email: 'luto@kernel.example' }],
    });
  });

  it('takes References from In-Reply-To when the original had none, and adds its Message-ID once', () => {
    expect(replyThreading({ ...base, references: [] })).toEqual({ inReplyTo: 'p7@kernel.example', references: ['cover@kernel.example', 'p7@kernel.example'] });
    expect(replyThreading({ ...base, references: ['a@x', 'p7@kernel.example'] }).references).toEqual(['a@x', 'p7@kernel.example']);
    expect(replyThreading({ ...base, messageId: null, references: [], inReplyTo: null })).toEqual({ inReplyTo: null, references: [] });
  });

  it('encodes non-ASCII subjects and names so a real parser decodes them exactly, however long', async () => {
    const s = await analyseSeries({
      version: 1,
      title: 't',
      total: 1,
      cover: null,
      patches: [
        {
          index: 1,
          message: {
            ...base,
            from: { name: 'Łukasz "luk" Żółć, Jr.', email: 'lz@example.pl' },
            to: [{ name: 'Ingo Molnár', email: 'mingo@kernel.example' }],
            subject: '[PATCH] x86/entry: Änderung für SYSRET — über die Rückkehr nach Userspace, mit sehr vielen Wörtern, die umbrochen werden müssen =?utf-8?q?not_a_word?=',
          },
        },
      ],
    });
    const reply = composeReply(s, { kind: 'patch', version: 1, patch: 1 }, [], { ...me, identity: { name: 'Rév Iewer', email: ME.email, source: 'given' } });
    const eml = renderMessage(reply.headers, reply.body);
    const [p] = parseMail([writeEml('intl.eml', eml)]);
    expect(p.defects).toEqual([]);
    expect(p.subject).toBe(`Re: ${s.patches[0].message.subject}`);
    expect(p.from).toEqual({ name: 'Rév Iewer', email: ME.email });
    expect(p.to).toEqual([{ name: 'Łukasz "luk" Żółć, Jr.', email: 'lz@example.pl' }]);
    expect(p.cc).toEqual([{ name: 'Ingo Molnár', email: 'mingo@kernel.example' }]);
    const head = eml.slice(0, eml.indexOf('\n\n'));
    for (const l of head.split('\n')) expect(l.length, l).toBeLessThanOrEqual(78);
    for (const w of head.match(/=\?[^?]+\?[QB]\?[^?]*\?=/gi) ?? []) expect(w.length).toBeLessThanOrEqual(75);
    expect(head).toMatch(/\n .*=\?UTF-8\?Q\?/); // long encoded text was folded
    // no comments: the commit message is quoted whole, under the attribution in the sender's zone
    expect(p.body).toBe('On Mon, Dec 07, 2015 at 04:51:29PM -0800, Łukasz "luk" Żółć, Jr. wrote:\n> text\n');
  });
});

describe('export', () => {
  it('writes mbox that git mailsplit --mboxrd splits back into the exact messages', () => {
    const m = (subject: string, body: string) =>
      renderMessage(
        { from: ME, to: [AUTHOR], cc: [], subject, inReplyTo: 'x@y', references: ['x@y'], date: 'Tue, 05 Nov 2024 14:06:00 +0100', messageId: `${subject.length}@example.org` },
        body,
      );
    const a = m('Re: one', 'From the start of a line\n>From an escaped line\n');
    const b = m('Re: two', 'plain\n');
    const file = writeEml('drafts.mbox', renderMbox([a, b].map((eml) => ({ eml, sender: ME.email, date: new Date('2024-11-05T13:06:00Z') }))));
    expect(fs.readFileSync(file, 'utf8')).toContain('\n>From the start of a line\n>>From an escaped line\n');
    const out = path.join(tmp, 'split');
    fs.mkdirSync(out);
    execFileSync('git', ['mailsplit', '--mboxrd', '-o' + out, file]);
    // mailsplit keeps the From_ line and the blank separator; in between, the exact message, unescaped
    const fromLine = 'From reviewer@example.org Tue Nov  5 13:06:00 2024\n';
    expect(fs.readFileSync(path.join(out, '0001'), 'utf8')).toBe(`${fromLine}${a}\n`);
    expect(fs.readFileSync(path.join(out, '0002'), 'utf8')).toBe(`${fromLine}${b}\n`);
    expect(parseMail([file]).map((x) => x.subject)).toEqual(['Re: one', 'Re: two']);
  });

  it('sends a body with a line over 998 bytes as quoted-printable that decodes to the same text', () => {
    const long = `> +${'x'.repeat(1500)}\n`;
    const eml = renderMessage({ from: ME, to: [AUTHOR], cc: [], subject: 'Re: long', inReplyTo: null, references: [], date: 'Tue, 05 Nov 2024 14:06:00 +0100', messageId: 'l@example.org' }, `Jörg wrote:\n${long}`);
    for (const l of eml.split('\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(78);
    const [p] = parseMail([writeEml('long.eml', eml)]);
    expect(p.transferEncoding).toBe('quoted-printable');
    expect(p.body).toBe(`Jörg wrote:\n${long}`);
  });
});

describe('attribution', () => {
  const m = (dateText: string, date: string): ReplyTargetMessage => ({
    messageId: null, from: { name: 'Andy Lutomirski', email: '' }, to: [], cc: [], replyTo: [], subject: 's', date: new Date(date), dateText, inReplyTo: null, references: [], body: '',
  });
  it('keeps the sender\'s zone, named or numeric, and says only the day when the archive gave no time', () => {
    expect(attributionLine(m('Tue Aug 05 2014 - 19:02:53 EST', '2014-08-06T00:02:53Z'))).toBe('On Tue, Aug 05, 2014 at 07:02:53PM -0500, Andy Lutomirski wrote:');
    expect(attributionLine(m('Wed, 9 Dec 2015 01:21:00 +0530 (IST)', '2015-12-08T19:51:00Z'))).toBe('On Wed, Dec 09, 2015 at 01:21:00AM +0530, Andy Lutomirski wrote:');
    expect(attributionLine(m('2015-12-07', '2015-12-07T00:00:00Z'))).toBe('On Mon, Dec 07, 2015, Andy Lutomirski wrote:');
    expect(attributionLine({ ...m('x', '2015-12-07T00:00:00Z'), date: null })).toBe('Andy Lutomirski wrote:');
  });
});

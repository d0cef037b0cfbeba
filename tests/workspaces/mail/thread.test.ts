// Threading: JWZ containers, placeholders, cycle guard, subject grouping; quoted-text parents for archive pages.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { buildThreads, type ThreadInput } from '../../../workspaces/mail/thread.js';
import { loadMail, walkNodes, type MailThread } from '../../../workspaces/series/index.js';
import { parseAttribution, replyStructure } from '../../../workspaces/mail/quote.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const msg = (id: string | null, subject: string, refs: string[] = [], at = 0, irt: string | null = null): ThreadInput => ({
  messageId: id, subject, references: refs, inReplyTo: irt ?? refs[refs.length - 1] ?? null, date: new Date(Date.UTC(2015, 11, 7) + at * 60_000),
});
const shape = (t: MailThread, names: string[]): string[] => {
  const out: string[] = [];
  walkNodes(t.root, (n, d) => out.push(`${'  '.repeat(d)}${n.message === null ? `(${n.messageId ?? n.subject})` : names[n.message]}`));
  return out;
};

describe('JWZ threading', () => {
  it('nests by References, keeps date order and a placeholder for a parent that is missing', () => {
    const names = ['cover', 'p1', 'p2', 'r-p2', 'r-r-p2', 'late-p1'];
    const ms = [
      msg('c@x', '[PATCH 0/2] t'),
      msg('p1@x', '[PATCH 1/2] a', ['c@x'], 1),
      msg('p2@x', '[PATCH 2/2] b', ['c@x'], 2),
      msg('r2@x', 'Re: [PATCH 2/2] b', ['c@x', 'p2@x'], 10),
      msg('rr2@x', 'Re: [PATCH 2/2] b', ['c@x', 'p2@x', 'r2@x'], 20),
      msg('r1@x', 'Re: [PATCH 1/2] a', ['c@x', 'p1@x', 'gone@x'], 30),
    ];
    const threads = buildThreads(ms);
    expect(threads).toHaveLength(1);
    expect(shape(threads[0], names)).toEqual(['cover', '  p1', '    (gone@x)', '      late-p1', '  p2', '    r-p2', '      r-r-p2']);
    expect(threads[0].order).toEqual([0, 1, 5, 2, 3, 4]);
  });

  it('refuses links that would make a cycle', () => {
    const ms = [msg('a@x', 'a', ['b@x']), msg('b@x', 'Re: a', ['a@x'], 1), msg('c@x', 'self', ['c@x'], 2, 'c@x')];
    const threads = buildThreads(ms);
    const all = threads.flatMap((t) => t.order).sort();
    expect(all).toEqual([0, 1, 2]);
  });

  it('puts an orphan reply under the root of its subject, or under a placeholder of that subject', () => {
    const ms = [msg('p@x', '[PATCH] x86: foo'), msg(null, 'Re: [PATCH] x86: foo', [], 5), msg(null, 'RE: AW: [PATCH] x86: bar', [], 6)];
    const threads = buildThreads(ms);
    expect(threads.map((t) => shape(t, ['patch', 'reply', 'orphan']))).toEqual([
      ['patch', '  reply'],
      ['([PATCH] x86: bar)', '  orphan'],
    ]);
  });

  it('keeps two messages with one Message-ID apart instead of merging them', () => {
    const threads = buildThreads([msg('same@x', 'one'), msg('same@x', 'two', [], 1)]);
    expect(threads.flatMap((t) => t.order).sort()).toEqual([0, 1]);
  });
});

describe('reply text', () => {
  it('reads attribution lines of the common mailers', () => {
    expect(parseAttribution('On Mon, Dec 7, 2015 at 4:51 PM, Andy Lutomirski <luto@amacapital.net> wrote:')).toEqual({ name: 'Andy Lutomirski', email: 'luto@amacapital.net' });
    expect(parseAttribution('On Aug 6, 2014 12:17 AM, "Denys Vlasenko" <dvlasenk@xxxxxxxxxx> wrote:')).toEqual({ name: 'Denys Vlasenko', email: 'dvlasenk@xxxxxxxxxx' });
    expect(parseAttribution('* Brian Gerst <brgerst@gmail.com> wrote:')).toEqual({ name: 'Brian Gerst', email: 'brgerst@gmail.com' });
    expect(parseAttribution('On 08/05/2014 04:53 PM, Andy Lutomirski wrote:')).toEqual({ name: 'Andy Lutomirski', email: '' });
    expect(parseAttribution('I wrote: nothing')).toBeNull();
  });
  it('splits own text from quoted text and drops the signature', () => {
    const st = replyStructure('On Mon, Dec 7, 2015, Andy Lutomirski wrote:\n> a\n>> b\n\nmine\n-- \nsig\n');
    expect(st.quoted).toEqual(['a', '> b', '']);
    expect(st.own.filter(Boolean)).toEqual(['mine']);
    expect(st.attributions).toEqual([{ name: 'Andy Lutomirski', email: '' }]);
  });
});

describe('archive pages that lost their line breaks', () => {
  it('still finds every message, drops the copies and lists the replies flat under the patch', async () => {
    const load = await loadMail([path.join(fixtures, 'archive-mail-archive-one-line.txt')]);
    expect(load.sources[0].kind).toBe('archive-mail-archive');
    expect(load.messages).toHaveLength(11);
    expect(load.duplicates).toHaveLength(11);
    expect(load.messages.map((m) => m.from?.name).sort()).toEqual([
      'Andy Lutomirski', 'Andy Lutomirski', 'Andy Lutomirski', 'Andy Lutomirski', 'Andy Lutomirski',
      'Brian Gerst', 'Brian Gerst', 'Brian Gerst', 'Brian Gerst', 'Brian Gerst', 'Ingo Molnar',
    ]);
    expect(load.threads).toHaveLength(1);
    expect(load.threads[0].root.children).toHaveLength(10);
    expect(load.threads[0].root.children.every((c) => c.children.length === 0)).toBe(true);
    const s = load.series[0];
    expect(s.parts.map((p) => p.index)).toEqual([7]);
    expect(s.parts[0].damaged).toContain('the diff lost its line breaks');
    expect(s.parts[0].replies).toHaveLength(10);
    expect(load.diagnostics.map((d) => d.message)).toContain(
      'the page lost its line breaks: message bodies are one line each, their patches cannot be used, and replies are listed flat under the first message of their subject',
    );
  });

  it('reads a one-line lkml.iu.edu page', async () => {
    const load = await loadMail([path.join(fixtures, 'archive-lkml-iu-one-line.txt')]);
    expect(load.messages).toHaveLength(1);
    expect(load.messages[0].from?.name).toBe('Andy Lutomirski');
    expect(load.messages[0].subject).toBe('Re: [PATCH 4/5] x86: entry_64.S: always allocate complete "struct pt_regs"');
    expect(load.threads[0].root.subject).toBe('[PATCH 4/5] x86: entry_64.S: always allocate complete "struct pt_regs"');
  });
});

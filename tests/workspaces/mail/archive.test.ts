// Archive page layouts: mail-archive.com, lkml.iu.edu and lkml.org, with their quirks.
import { describe, expect, it } from 'vitest';
import { parseArchivePage, detectArchivePage } from '../../../workspaces/mail/archive.js';

describe('archive pages', () => {
  it('reads lkml.org pages: tab-separated Date, From and Subject, addresses blanked', () => {
    const page = [
      'Date\tTue, 8 Dec 2015 20:43:10 -0500',
      'From\tBrian Gerst <>',
      'Subject\tRe: [PATCH 07/12] x86/entry/64: Always run ptregs-using syscalls on the slow path',
      'On Mon, Dec 7, 2015 at 4:51 PM, Andy Lutomirski <luto@kernel.org> wrote:',
      '> 64-bit syscalls currently have an optimization in which they are',
      '',
      'Fails to boot, bisected to this patch:',
      '',
    ].join('\n');
    expect(detectArchivePage(page)).toBe('archive-lkml');
    const p = parseArchivePage(page, 'lkml.org.txt');
    expect(p.messages).toHaveLength(1);
    const m = p.messages[0];
    expect(m.from).toEqual({ name: 'Brian Gerst', email: '' });
    expect(m.date?.toISOString()).toBe('2015-12-09T01:43:10.000Z');
    expect(m.subject).toBe('Re: [PATCH 07/12] x86/entry/64: Always run ptregs-using syscalls on the slow path');
    expect(m.body.startsWith('On Mon, Dec 7, 2015 at 4:51 PM')).toBe(true);
    expect(m.synthetic).toBe(true);
  });

  it('drops the navigation lines lkml.iu.edu puts around a message', () => {
    const page = 'Re: [PATCH] x86: foo\n\nFrom: Andy Lutomirski\nDate: Tue Aug 05 2014 - 19:02:53 EST\n\n\nRight :)\n\n--Andy\n\n* Next message: Ingo Molnar: "Re: [PATCH] x86: foo"\n* Previous message: Denys Vlasenko\n';
    const p = parseArchivePage(page, 'iu.txt');
    expect(p.messages[0].body).toBe('Right :)\n\n--Andy\n');
  });

  it('says when it finds nothing', () => {
    expect(detectArchivePage('hello\n')).toBeNull();
    expect(parseArchivePage('hello\n', 'x.txt', 'archive-mail-archive').problems).toEqual(['no messages were recognised on this page']);
  });
});

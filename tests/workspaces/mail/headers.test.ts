// Header fields: folding, RFC 2047 words, address lists with commas in names, Message-IDs, dates.
import { describe, expect, it } from 'vitest';
import {
  decodeEncodedWords,
  parseAddressList,
  parseHeaderBlock,
  parseMailDate,
  parseMessageIds,
} from '../../../workspaces/mail/headers.js';

describe('RFC 2047', () => {
  it('decodes Q and B words in any charset', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?Lutomirski=2C_Andy?=')).toBe('Lutomirski, Andy');
    expect(decodeEncodedWords('=?utf-8?b?SsO8cmdlbiBHcm/Dnw==?=')).toBe('Jürgen Groß');
    expect(decodeEncodedWords('=?iso-8859-1?q?Fr=E9d=E9ric_Weisbecker?=')).toBe('Frédéric Weisbecker');
  });
  it('drops the space between adjacent words and joins bytes split across them', () => {
    expect(decodeEncodedWords('=?UTF-8?Q?a?= =?UTF-8?Q?b?=')).toBe('ab');
    // "—" (E2 80 94) split over two words
    expect(decodeEncodedWords('x =?UTF-8?Q?=E2=80?= =?UTF-8?Q?=94?= y')).toBe('x — y');
  });
  it('keeps text that only looks encoded', () => {
    expect(decodeEncodedWords('a =? b ?= c')).toBe('a =? b ?= c');
    expect(decodeEncodedWords('=?bogus-charset?Q?plain?=')).toBe('plain');
  });
});

describe('header block', () => {
  it('unfolds continuation lines and decodes values', () => {
    const raw = Buffer.from('Subject: [PATCH 1/3] x86/syscalls: Add syscall entry qualifiers =?UTF-8?Q?=E2=80=94?=\n =?UTF-8?Q?_ptregs_first?=\nX-Empty:\n\nbody');
    const hb = parseHeaderBlock(raw);
    expect(hb.fields.map((f) => f.name)).toEqual(['Subject', 'X-Empty']);
    expect(hb.fields[0].value).toBe('[PATCH 1/3] x86/syscalls: Add syscall entry qualifiers — ptregs first');
    expect(hb.fields[0].raw).toContain('\n =?UTF-8?Q?_ptregs_first?=');
    expect(raw.subarray(hb.bodyStart).toString()).toBe('body');
  });
  it('lists lines that are not fields instead of failing', () => {
    const hb = parseHeaderBlock(Buffer.from('Subject: x\nthis header line has no colon\nDate: y\n\n'));
    expect(hb.fields.map((f) => f.name)).toEqual(['Subject', 'Date']);
    expect(hb.strayLines).toEqual(['this header line has no colon']);
  });
  it('handles CRLF header blocks', () => {
    const raw = Buffer.from('Subject: a\r\n b\r\nFrom: c@d\r\n\r\nbody\r\n');
    const hb = parseHeaderBlock(raw);
    expect(hb.fields[0].value).toBe('a b');
    expect(hb.crlf).toBe(true);
    expect(raw.subarray(hb.bodyStart).toString()).toBe('body\r\n');
  });
});

describe('addresses', () => {
  it('keeps commas inside encoded and quoted names', () => {
    expect(parseAddressList('=?UTF-8?Q?Lutomirski=2C_Andy?= <luto@kernel.org>, "Gerst, Brian" <brgerst@gmail.com>')).toEqual([
      { name: 'Lutomirski, Andy', email: 'luto@kernel.org' },
      { name: 'Gerst, Brian', email: 'brgerst@gmail.com' },
    ]);
  });
  it('reads bare addresses, comments, groups and archive-obfuscated addresses', () => {
    expect(parseAddressList('x86@kernel.org')).toEqual([{ name: '', email: 'x86@kernel.org' }]);
    expect(parseAddressList('luto@kernel.org (Andy Lutomirski)')).toEqual([{ name: 'Andy Lutomirski', email: 'luto@kernel.org' }]);
    expect(parseAddressList('undisclosed-recipients:;')).toEqual([]);
    expect(parseAddressList('list: a@b, c@d;')).toEqual([{ name: '', email: 'a@b' }, { name: '', email: 'c@d' }]);
    expect(parseAddressList('"Denys Vlasenko" <dvlasenk@xxxxxxxxxx>')).toEqual([{ name: 'Denys Vlasenko', email: 'dvlasenk@xxxxxxxxxx' }]);
  });
  it('reads a name without an address', () => {
    expect(parseAddressList('Andy Lutomirski')).toEqual([{ name: 'Andy Lutomirski', email: '' }]);
  });
});

describe('Message-IDs and dates', () => {
  it('reads ids in brackets, in order, and bare ones as a fallback', () => {
    expect(parseMessageIds('<a@b>\n <c@d> (comment) <e@f>')).toEqual(['a@b', 'c@d', 'e@f']);
    expect(parseMessageIds('a@b')).toEqual(['a@b']);
    expect(parseMessageIds('')).toEqual([]);
  });
  it('parses RFC 5322 dates with zones, comments and two-digit years', () => {
    expect(parseMailDate('Mon,  7 Dec 2015 16:51:02 -0800')?.toISOString()).toBe('2015-12-08T00:51:02.000Z');
    expect(parseMailDate('Tue, 8 Dec 2015 20:56:00 +0100 (CET)')?.toISOString()).toBe('2015-12-08T19:56:00.000Z');
    expect(parseMailDate('8 Dec 15 20:56 GMT')?.toISOString()).toBe('2015-12-08T20:56:00.000Z');
    expect(parseMailDate('Tue, 5 Aug 2014 19:02:53 EST')?.toISOString()).toBe('2014-08-06T00:02:53.000Z');
    expect(parseMailDate('yesterday, around lunch')).toBeNull();
  });
});

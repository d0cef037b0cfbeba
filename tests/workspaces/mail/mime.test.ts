// MIME: transfer encodings, charsets with fallback, multipart trees, attachments, flowed text, CRs.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { decodeQuotedPrintable, parseContentType, splitMultipart, unflow, isConsistentCrlf } from '../../../workspaces/mail/mime.js';
import { decodeBytes } from '../../../workspaces/mail/charset.js';
import { parseMessage } from '../../../workspaces/mail/message.js';
import type { MessageOrigin } from '../../../workspaces/mail/types.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const origin = (file: string): MessageOrigin => ({ file, kind: 'eml', gzip: false, offset: 0, length: 0, position: 0, fromLine: null });
const load = (name: string) => parseMessage(fs.readFileSync(path.join(fixtures, name)), origin(name));

describe('transfer encodings', () => {
  it('decodes quoted-printable soft breaks, =XX and keeps literal trailing spaces', () => {
    const qp = Buffer.from('a=3Db=\nc =20\nd  \n=E2=80=94\n= lone');
    expect(Buffer.from(decodeQuotedPrintable(qp)).toString('utf8')).toBe('a=bc  \nd  \n—\n= lone');
  });
  it('reads a quoted-printable patch byte for byte', () => {
    const { message, problems } = load('single-qp.eml');
    expect(problems).toEqual([]);
    expect(message.parts[0].transferEncoding).toBe('quoted-printable');
    expect(message.body).toContain('+#define __SYSCALL_64(nr, sym, qual) [nr] = __SYSCALL_64_QUAL_##qual(sym),\n');
    // an empty context line is " " on the wire as "=20": it must come back as one space
    expect(message.body).toContain('\n #undef __SYSCALL_64\n \n-#define __SYSCALL_64(nr, sym, qual) [nr] = sym,\n');
  });
  it('reads base64 text in its declared charset', () => {
    const { message, problems } = load('base64-latin1.eml');
    expect(problems).toEqual([]);
    expect(message.parts[0].charset).toBe('iso-8859-1');
    expect(message.body).toContain('Reported-by: Frédéric Weisbecker <fweisbec@gmail.com>');
  });
});

describe('charsets', () => {
  it('falls back to windows-1252 when text declared UTF-8 is not, and says so', () => {
    const { message, problems } = load('cp1252-mislabeled.eml');
    expect(message.body).toContain('The “slow path” is fine – ship it.');
    expect(message.parts[0].decodedWith).toBe('windows-1252');
    expect(problems).toEqual(['text declared as utf-8 was read as windows-1252']);
  });
  it('decodes unknown charsets as UTF-8, then windows-1252', () => {
    expect(decodeBytes(Buffer.from('caf\xc3\xa9', 'latin1'), 'x-no-such-charset')).toEqual({ text: 'café', charset: 'utf-8', fellBack: true });
    expect(decodeBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9]), null).text).toBe('café');
    expect(decodeBytes(Buffer.from([0xe9]), 'koi8-r').text).toBe('И');
  });
});

describe('multipart', () => {
  it('reads the message text and the text/x-patch attachment with its RFC 2231 name', () => {
    const { message, problems } = load('multipart-attachment.eml');
    expect(problems).toEqual([]);
    expect(message.parts.map((p) => [p.contentType, p.disposition, p.isPatch])).toEqual([
      ['text/plain', 'inline', false],
      ['text/x-patch', 'attachment', true],
    ]);
    expect(message.parts[1].filename).toBe('0003-x86-entry-64-Move-the-fork-stubs.patch');
    expect(message.parts[0].flowed).toBe(true);
    // the body is the text, then the patch
    expect(message.body.indexOf('Rename stubs.S')).toBeLessThan(message.body.indexOf('diff --git a/arch/x86/entry/stubs.S'));
    expect(message.body).toContain('GIT binary patch\nliteral 12\n');
  });
  it('splits at boundary lines only, with the line break before a delimiter belonging to it', () => {
    const body = Buffer.from('preamble\n--xx\nA: 1\n\none\n--xx not a delimiter\n--xx\n\ntwo\n--xx--\nepilogue');
    const r = splitMultipart(body, 'xx');
    expect(r.closed).toBe(true);
    expect(r.parts.map((p) => Buffer.from(p).toString())).toEqual(['A: 1\n\none\n--xx not a delimiter', '\ntwo']);
  });
  it('parses content types with quoted and continued parameters', () => {
    expect(parseContentType('text/plain; charset="utf-8"; format=flowed; delsp=yes')).toEqual({
      type: 'text/plain', params: { charset: 'utf-8', format: 'flowed', delsp: 'yes' },
    });
    expect(parseContentType("attachment; filename*0*=UTF-8''a%C3%A9; filename*1=.patch", 'x/x').params.filename).toBe('aé.patch');
    expect(parseContentType('garbage').type).toBe('text/plain');
  });
});

describe('format=flowed', () => {
  it('is never applied to the text: patch lines keep their trailing spaces', () => {
    const { message } = load('flowed.eml');
    expect(message.parts[0].flowed).toBe(true);
    expect(message.body).toContain('\n \t.macro FORK_LIKE func \n ENTRY(stub_\\func)\n');
    expect(message.body).toContain('This \nline was wrapped');
  });
  it('can be undone for showing reply text', () => {
    expect(unflow('This \nline was wrapped.\n> quoted \n> too\nlast', true)).toBe('Thisline was wrapped.\n> quotedtoo\nlast');
    expect(unflow('This \nline was wrapped.', false)).toBe('This line was wrapped.');
  });
});

describe('line ends', () => {
  it('strips CRLF that the transport added and keeps CRs that are content', () => {
    expect(isConsistentCrlf(Buffer.from('a\r\nb\r\n'))).toBe(true);
    expect(isConsistentCrlf(Buffer.from('a\r\nb\n'))).toBe(false);
    const { message } = load('cr-content.eml');
    expect(message.crlf).toBe(false);
    expect(message.body).toContain('+sigreturn_64\r\n+syscall_nt_64\r\n');
    const crlf = Buffer.from(fs.readFileSync(path.join(fixtures, 'cr-content.eml')).toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    const again = parseMessage(crlf, origin('crlf copy'));
    expect(again.message.crlf).toBe(true);
    expect(again.message.body).toBe(message.body);
    expect(again.message.raw).toBe(crlf);
  });
});

// Property tests (fast-check): 100,000 generated cases for each of the mbox splitter, MIME decoding, the subject
// parser and the diff parser. Nothing may throw; round trips must give back what went in.
// PROPERTY_RUNS=n overrides the count per area (the 100,000 default is what the issue asks for).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MboxSplitter, escapeMboxrd, splitMbox } from '../../../workspaces/mail/mbox.js';
import { decodeQuotedPrintable, decodeBase64, parseMimeBody } from '../../../workspaces/mail/mime.js';
import { decodeEncodedWords, parseHeaderBlock, parseAddressList } from '../../../workspaces/mail/headers.js';
import { parseMessage } from '../../../workspaces/mail/message.js';
import { parseSubject } from '../../../workspaces/series/subject.js';
import { parseDiff, formatDiff } from '../../../workspaces/series/diff.js';
import type { MessageOrigin } from '../../../workspaces/mail/types.js';

const PER_AREA = Number(process.env.PROPERTY_RUNS ?? 100_000);
const TIMEOUT = 600_000;
const origin: MessageOrigin = { file: 'prop', kind: 'mboxrd', gzip: false, offset: 0, length: 0, position: 0, fromLine: null };

// ---- generators ----
const lineChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789\t-+>:.,@<()[]=?_/\\'.split(''));
const line = fc.oneof(
  { weight: 6, arbitrary: fc.array(lineChars, { maxLength: 30 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('From here on', '>From there', '>>From far', 'From x Mon Dec  7 16:51:02 2015', '', '-- ', '---') },
);
const body = fc.array(line, { maxLength: 12 }).map((l) => (l.length ? l.join('\n') + '\n' : ''));
const header = fc.tuple(fc.constantFrom('From', 'Subject', 'To', 'X-Test', 'Message-ID'), fc.array(lineChars, { maxLength: 20 }).map((a) => a.join('').trim() || 'x'));
const message = fc.tuple(fc.array(header, { minLength: 1, maxLength: 5 }), body).map(([hs, b]) => `${hs.map(([n, v]) => `${n}: ${v}`).join('\n')}\n\n${b}`);

describe('mbox splitter', () => {
  it('round-trips any list of messages through mboxrd, whatever the chunk size', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 64 }), (msgs, chunk) => {
        const file = Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\n'), Buffer.from(escapeMboxrd(Buffer.from(m))), Buffer.from('\n')])));
        const got: string[] = [];
        const s = new MboxSplitter((b) => got.push(Buffer.from(b).toString()), { initialCapacity: 8 });
        for (let i = 0; i < file.length; i += chunk) s.push(file.subarray(i, i + chunk));
        s.end();
        expect(got).toEqual(msgs);
      }),
      { numRuns: Math.ceil(PER_AREA / 2) },
    );
  }, TIMEOUT);
  it('never throws on arbitrary bytes, and loses none of them', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.oneof(line, fc.constant('From a@b Mon Dec  7 16:51:02 2015'), fc.constant('Subject: s'))).map((l) => Buffer.from(l.join('\n')))), (bytes) => {
        let total = 0;
        const s = new MboxSplitter((b, info) => {
          total += info.length;
          parseMessage(Buffer.from(b), origin);
        });
        s.push(bytes);
        s.end();
        expect(total).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: Math.floor(PER_AREA / 2) },
    );
  }, TIMEOUT);
});

// a reference quoted-printable encoder for the round trip
function qpEncode(bytes: Uint8Array): string {
  const lines: string[] = [];
  let cur = '';
  const push = (t: string) => {
    if (cur.length + t.length > 75) {
      lines.push(cur + '=');
      cur = '';
    }
    cur += t;
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a) {
      lines.push(cur.replace(/[ \t]$/, (m) => (m === ' ' ? '=20' : '=09')));
      cur = '';
    } else if (b === 0x3d || b < 0x20 || b > 0x7e) {
      if (b === 0x09) push('\t');
      else push(`=${b.toString(16).toUpperCase().padStart(2, '0')}`);
    } else push(String.fromCharCode(b));
  }
  lines.push(cur.replace(/[ \t]$/, (m) => (m === ' ' ? '=20' : '=09')));
  return lines.join('\n');
}

function encodedWords(s: string, cuts: number[], b: boolean): string {
  const bytes = Buffer.from(s, 'utf8');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
  const pieces: Buffer[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    if (p > last) pieces.push(bytes.subarray(last, p));
    last = Math.max(last, p);
  }
  return pieces
    .map((p) => (b ? `=?UTF-8?B?${p.toString('base64')}?=` : `=?UTF-8?Q?${[...p].map((c) => (c === 0x20 ? '_' : /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : `=${c.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`))
    .join(' ');
}

describe('MIME decoding', () => {
  it('round-trips bytes through quoted-printable and base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(Buffer.from(decodeQuotedPrintable(Buffer.from(qpEncode(bytes), 'latin1'))).equals(Buffer.from(bytes))).toBe(true);
        const b64 = Buffer.from(bytes).toString('base64').replace(/.{76}/g, '$&\r\n');
        expect(Buffer.from(decodeBase64(Buffer.from(b64))).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: Math.ceil(PER_AREA / 4) },
    );
  }, TIMEOUT);
  it('round-trips text through RFC 2047 words split anywhere, even inside a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (s, cuts, b) => {
        fc.pre(!s.includes('\uFFFD'));
        expect(decodeEncodedWords(encodedWords(s, cuts, b))).toBe(s);
      }),
      { numRuns: Math.ceil(PER_AREA / 4) },
    );
  }, TIMEOUT);
  it('never throws on arbitrary headers, MIME trees and addresses', () => {
    const part = fc.tuple(fc.constantFrom('text/plain', 'text/x-patch', 'application/octet-stream', 'multipart/mixed; boundary=b', 'text/html', 'garbage'), fc.constantFrom('7bit', 'base64', 'quoted-printable', 'x-weird'), body);
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), fc.string({ maxLength: 60 }), (parts, addr) => {
        const mime = `Content-Type: multipart/mixed; boundary="b"\n\n${parts.map(([ct, te, b]) => `--b\nContent-Type: ${ct}\nContent-Transfer-Encoding: ${te}\n\n${b}`).join('\n')}\n--b--\n`;
        const hb = parseHeaderBlock(Buffer.from(mime));
        const r = parseMimeBody(hb.fields, Buffer.from(mime).subarray(hb.bodyStart));
        expect(Array.isArray(r.parts)).toBe(true);
        parseAddressList(addr);
        decodeEncodedWords(addr);
        const m = parseMessage(Buffer.from(`From: ${addr}\nSubject: ${addr}\n${mime}`), origin);
        expect(typeof m.message.body).toBe('string');
      }),
      { numRuns: Math.floor(PER_AREA / 2) },
    );
  }, TIMEOUT);
});

describe('subject parser', () => {
  const title = fc.array(fc.constantFrom('x86/entry:', 'Fix', 'the', 'ptregs', 'stub', 'v2', '1/2', 'RFC', 'of'), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
  it('gives back the parts a subject was built from', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('Re: ', 'RE: ', 'AW: ', 'Re:', 'SV: ', 'Re[2]: '), { maxLength: 3 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 2, max: 99 }), { nil: null }),
        fc.option(fc.constantFrom('net-next', 'tip', '4.4', 'for-next'), { nil: null }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('PATCH', 'PATCHv'),
        title,
        (replies, rfc, version, tree, total, rawIndex, patchWord, t) => {
          const index = rawIndex % (total + 1);
          const v = version === null ? '' : patchWord === 'PATCHv' ? `${version}` : ` v${version}`;
          const word = patchWord === 'PATCHv' && version !== null ? 'PATCHv' : 'PATCH';
          const subject = `${replies.join('')}[${rfc ? 'RFC ' : ''}${word}${v}${tree ? ` ${tree}` : ''} ${String(index).padStart(String(total).length, '0')}/${total}] ${t}`;
          const p = parseSubject(subject);
          expect(p).toMatchObject({ isPatch: true, isReply: replies.length > 0, replyDepth: replies.length, rfc, version: version ?? 1, index, total, treeTag: tree, cleaned: t });
        },
      ),
      { numRuns: Math.ceil(PER_AREA / 2) },
    );
  }, TIMEOUT);
  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.constantFrom('[', ']', 'PATCH', 'v', '1', '/', 'Re:', ' ', 'of', ',', 'RFC'), { maxLength: 20 }).map((a) => a.join(''))), (s) => {
        const p = parseSubject(s);
        expect(typeof p.cleaned).toBe('string');
        if (p.index !== null && p.total !== null) expect(p.index).toBeLessThanOrEqual(p.total);
      }),
      { numRuns: Math.floor(PER_AREA / 2) },
    );
  }, TIMEOUT);
});

describe('diff parser', () => {
  const path = fc.array(fc.constantFrom('arch', 'x86', 'entry', 'entry_64.S', 'common.c', 'a b', 'tést'), { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
  const content = fc.array(fc.constantFrom('\tmovq\t%rax, %rbx', 'x', '', ' ', '-', '+', '@@', '\\', 'diff --git', '--- a', '\r'), { maxLength: 3 }).map((a) => a.join(''));
  const hunkLines = fc.array(fc.tuple(fc.constantFrom(' ', '+', '-'), content), { minLength: 1, maxLength: 10 });
  const file = fc.tuple(path, fc.array(hunkLines, { minLength: 1, maxLength: 3 }), fc.boolean());
  /** Hunks laid out in order with headers that match their lines. */
  const render = (files: [string, [string, string][][], boolean][]) =>
    files
      .map(([p, hunks, git], k) => {
        const name = `${p}${k}`;
        let oldAt = 1;
        let newAt = 1;
        const hs = hunks.map((lines) => {
          const o = lines.filter(([c]) => c !== '+').length;
          const n = lines.filter(([c]) => c !== '-').length;
          const h = `@@ -${oldAt},${o} +${newAt},${n} @@\n${lines.map(([c, t]) => `${c}${t}`).join('\n')}\n`;
          oldAt += o + 3;
          newAt += n + 3;
          return h;
        });
        return `${git ? `diff --git a/${name} b/${name}\nindex 1111111..2222222 100644\n` : ''}--- a/${name}\n+++ b/${name}\n${hs.join('')}`;
      })
      .join('');
  it('parses generated diffs back to the same text and counts', () => {
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 3 }), (files) => {
        fc.pre(files.every(([p]) => !p.includes(' ')) || files.every(([, , git]) => git));
        const text = render(files);
        const d = parseDiff(text);
        expect(d.problems).toEqual([]);
        expect(d.files).toHaveLength(files.length);
        expect(d.files.map((f) => f.additions)).toEqual(files.map(([, hunks]) => hunks.flat().filter(([c]) => c === '+').length));
        if (files.every(([, , git]) => git)) expect(formatDiff(d)).toBe(text);
      }),
      { numRuns: Math.ceil(PER_AREA / 2) },
    );
  }, TIMEOUT);
  it('never throws on mangled diffs', () => {
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 2 }), fc.array(fc.nat(), { maxLength: 5 }), (files, cuts) => {
        const lines = render(files).split('\n');
        for (const c of cuts) lines.splice(c % (lines.length + 1), 1, lines[c % lines.length]?.trimStart() ?? '');
        const d = parseDiff(lines.join('\n'));
        expect(Array.isArray(d.files)).toBe(true);
        splitMbox(Buffer.from(lines.join('\n')));
      }),
      { numRuns: Math.floor(PER_AREA / 2) },
    );
  }, TIMEOUT);
});

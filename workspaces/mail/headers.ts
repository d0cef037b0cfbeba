// Header fields: find the header block, unfold it, decode RFC 2047 words, read addresses, Message-IDs and dates.
import { isUtf8 } from 'node:buffer';
import type { Address, HeaderField } from './types.js';
import { decodeBytes, latin1 } from './charset.js';

export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset of the first body byte in the message bytes. */
  bodyStart: number;
  /** Lines in the header block that were neither a field nor a continuation (kept out of the fields). */
  strayLines: string[];
  /** The header block ended with CRLF line ends. */
  crlf: boolean;
}

const NL = 0x0a;
const CR = 0x0d;

/** Where the header block ends: the first empty line. Returns [endOfHeaders, bodyStart]. */
export function findHeaderEnd(bytes: Uint8Array, start = 0): [number, number] {
  if (bytes[start] === NL) return [start, start + 1];
  if (bytes[start] === CR && bytes[start + 1] === NL) return [start, start + 2];
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = start;
  for (;;) {
    const nl = buf.indexOf(NL, i);
    if (nl < 0) return [bytes.length, bytes.length];
    const next = nl + 1;
    if (next >= bytes.length) return [bytes.length, bytes.length];
    if (bytes[next] === NL) return [next, next + 1];
    if (bytes[next] === CR && bytes[next + 1] === NL) return [next, next + 2];
    i = next;
  }
}

/** Decode header bytes: UTF-8 when valid (RFC 6532), else windows-1252, so 8-bit junk still reads. */
export function headerText(bytes: Uint8Array, start: number, end: number): string {
  const slice = bytes.subarray(start, end);
  for (let i = 0; i < slice.length; i++) {
    if (slice[i] > 0x7f) return isUtf8(slice) ? Buffer.from(slice).toString('utf8') : decodeBytes(slice, 'windows-1252').text;
  }
  return latin1(slice);
}

const FIELD_NAME = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;

/** Parse the header block at the start of a message. Never throws. */
export function parseHeaderBlock(bytes: Uint8Array, start = 0, decodeValues = true): HeaderBlock {
  const [end, bodyStart] = findHeaderEnd(bytes, start);
  const text = headerText(bytes, start, end);
  const crlf = text.includes('\r\n');
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const fields: HeaderField[] = [];
  const strayLines: string[] = [];
  let current: string[] | null = null;
  const flush = () => {
    if (!current) return;
    const raw = current.join('\n');
    const m = FIELD_NAME.exec(raw);
    if (m) {
      const unfolded = raw.slice(m[0].length).replace(/\r?\n(?=[ \t])/g, '');
      const value = unfolded.replace(/\r/g, '').trim();
      fields.push({ name: m[1], value: decodeValues ? decodeEncodedWords(value) : value, raw: raw.replace(/\r(?=\n|$)/g, '') });
    }
    current = null;
  };
  for (const line of lines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && current) {
      current.push(line);
    } else if (FIELD_NAME.test(line)) {
      flush();
      current = [line];
    } else {
      flush();
      if (line.replace(/\r$/, '') !== '') strayLines.push(line.replace(/\r$/, ''));
    }
  }
  flush();
  return { fields, bodyStart, strayLines, crlf };
}

/** First field with this name (case-insensitive). */
export function headerValue(fields: HeaderField[], name: string): string | null {
  const lower = name.toLowerCase();
  for (const f of fields) if (f.name.toLowerCase() === lower) return f.value;
  return null;
}

export function headerValues(fields: HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === lower).map((f) => f.value);
}

// ---- RFC 2047 encoded words ----

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function qDecode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) out.push(0x20);
    else if (c === 0x3d && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

function bDecode(text: string): Uint8Array {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Decode every RFC 2047 encoded word; whitespace between adjacent words is dropped, bytes split across words join. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Uint8Array[] } | null = null;
  const flushPending = () => {
    if (!pending) return;
    const d = decodeBytes(Buffer.concat(pending.bytes), pending.charset);
    out += d.text;
    pending = null;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    const between = value.slice(last, m.index);
    const adjacent = pending !== null && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      flushPending();
      out += between;
    }
    const charset = m[1].replace(/\*.*$/, '').toLowerCase(); // RFC 2231 language suffix
    const bytes = m[2].toLowerCase() === 'b' ? bDecode(m[3]) : qDecode(m[3]);
    const p = pending as { charset: string; bytes: Uint8Array[] } | null;
    if (p && p.charset === charset) p.bytes.push(bytes);
    else {
      flushPending();
      pending = { charset, bytes: [bytes] };
    }
    last = m.index + m[0].length;
  }
  flushPending();
  out += value.slice(last);
  return out;
}

// ---- addresses ----

type Token =
  | { t: 'word'; v: string; quoted: boolean }
  | { t: 'comment'; v: string }
  | { t: 'angle'; v: string }
  | { t: 'sep'; v: ',' | ';' | ':' };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        v += s[i++];
      }
      i++;
      out.push({ t: 'word', v, quoted: true });
    } else if (c === '(') {
      let depth = 1;
      let v = '';
      i++;
      while (i < s.length && depth > 0) {
        if (s[i] === '\\' && i + 1 < s.length) {
          v += s[i + 1];
          i += 2;
          continue;
        }
        if (s[i] === '(') depth++;
        else if (s[i] === ')') {
          depth--;
          if (depth === 0) break;
        }
        v += s[i++];
      }
      i++;
      out.push({ t: 'comment', v });
    } else if (c === '<') {
      const close = s.indexOf('>', i);
      const v = close < 0 ? s.slice(i + 1) : s.slice(i + 1, close);
      i = close < 0 ? s.length : close + 1;
      out.push({ t: 'angle', v: v.trim() });
    } else if (c === ',' || c === ';' || c === ':') {
      out.push({ t: 'sep', v: c });
      i++;
    } else {
      let v = '';
      while (i < s.length && !' \t\r\n"(<,;:'.includes(s[i])) v += s[i++];
      // "a@b" glued to a quote or a colon inside a word stays one word
      out.push({ t: 'word', v, quoted: false });
    }
  }
  return out;
}

function cleanName(words: string[]): string {
  return decodeEncodedWords(words.join(' ')).replace(/\s+/g, ' ').trim();
}

/**
 * Parse an address list from a RAW (not RFC 2047 decoded) header value, so that a comma inside an encoded
 * display name ("=?UTF-8?Q?Lutomirski=2C_Andy?=") never splits the address.
 */
export function parseAddressList(raw: string): Address[] {
  const tokens = tokenize(raw);
  const out: Address[] = [];
  let words: Token[] = [];
  let angle: string | null = null;
  let comment: string | null = null;
  const finish = () => {
    const plain = words.filter((w) => w.t === 'word') as { t: 'word'; v: string; quoted: boolean }[];
    if (angle !== null) {
      out.push({ name: cleanName(plain.map((w) => w.v)) || cleanName(comment ? [comment] : []), email: angle });
    } else if (plain.length) {
      const at = plain.findIndex((w) => !w.quoted && w.v.includes('@'));
      if (at >= 0) {
        const nameWords = plain.filter((_, k) => k !== at).map((w) => w.v);
        out.push({ name: cleanName(comment ? [comment] : nameWords), email: plain[at].v });
      } else {
        out.push({ name: cleanName(plain.map((w) => w.v)), email: '' });
      }
    } else if (comment) {
      out.push({ name: cleanName([comment]), email: '' });
    }
    words = [];
    angle = null;
    comment = null;
  };
  for (const tok of tokens) {
    if (tok.t === 'sep') {
      if (tok.v === ':') {
        // group name ("undisclosed-recipients:") or a colon inside a name: a group only when no address yet
        if (angle === null) words = [];
        continue;
      }
      finish();
    } else if (tok.t === 'angle') angle = tok.v;
    else if (tok.t === 'comment') comment = comment === null ? tok.v : `${comment} ${tok.v}`;
    else words.push(tok);
  }
  finish();
  return out.filter((a) => a.name !== '' || a.email !== '');
}

/** A single address (the first of the list), or null. */
export function parseAddress(raw: string | null): Address | null {
  if (raw === null) return null;
  return parseAddressList(raw)[0] ?? null;
}

/** Message-IDs in a header value, without angle brackets, in order. Falls back to bare tokens with '@'. */
export function parseMessageIds(value: string | null): string[] {
  if (!value) return [];
  const ids: string[] = [];
  const re = /<([^<>\s]+)>/g;
  for (let m = re.exec(value); m; m = re.exec(value)) ids.push(m[1]);
  if (ids.length === 0) {
    for (const w of value.split(/[\s,]+/)) if (w.includes('@') && !w.includes('"')) ids.push(w.replace(/^<|>$/g, ''));
  }
  return ids;
}

/** The Message-ID of a field value, or null. */
export function parseMessageId(value: string | null): string | null {
  return parseMessageIds(value)[0] ?? null;
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420, cet: 60, cest: 120 };

/** RFC 5322 dates (and the sloppy ones lists carry), or null. */
export function parseMailDate(value: string | null): Date | null {
  if (!value) return null;
  const v = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,5})?/.exec(v);
  if (m) {
    const month = MONTHS[m[2].toLowerCase()];
    if (month !== undefined) {
      let year = Number(m[3]);
      if (m[3].length === 2) year += year < 50 ? 2000 : 1900;
      let offset = 0;
      const z = m[7];
      if (z && /^[+-]\d{4}$/.test(z)) offset = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
      else if (z) offset = ZONES[z.toLowerCase()] ?? 0;
      const t = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)) - offset * 60_000;
      if (Number.isFinite(t)) return new Date(t);
    }
  }
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t) : null;
}

// Writing header fields: RFC 2047 encoded words for non-ASCII text, addresses, dates, Message-IDs and folding.
import crypto from 'node:crypto';
import os from 'node:os';
import type { MailAddress } from './types.js';

const MAX_LINE = 78;
// "=?UTF-8?Q?" + "?=": what an encoded word costs around its text. RFC 2047 allows 75 characters a word;
// 66 keeps "Subject: " plus one word within 78 columns, so no line needs to be longer.
const WORD_OVERHEAD = 12;
const MAX_WORD = 66;

function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** Characters a Q-encoded word may carry as they are, even inside a phrase (RFC 2047 section 5 (3)). */
const Q_SAFE = /[A-Za-z0-9!*+\-/]/;

function qEncodeChar(ch: string): string {
  if (ch === ' ') return '_';
  if (Q_SAFE.test(ch)) return ch;
  return Array.from(Buffer.from(ch, 'utf8'))
    .map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/**
 * Encode text as one or more UTF-8 Q encoded words, each at most 75 characters, never splitting a character.
 * Words are separated by a space, which decoders drop between adjacent encoded words.
 */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let current = '';
  for (const ch of text) {
    const enc = qEncodeChar(ch);
    if (current.length + enc.length + WORD_OVERHEAD > MAX_WORD) {
      words.push(`=?UTF-8?Q?${current}?=`);
      current = '';
    }
    current += enc;
  }
  if (current || words.length === 0) words.push(`=?UTF-8?Q?${current}?=`);
  return words.join(' ');
}

/** An unstructured field value (Subject): ASCII words stay readable, runs of non-ASCII words are encoded. */
export function encodeUnstructured(text: string): string {
  if (isPrintableAscii(text)) return text;
  const tokens = text.split(' ');
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) out.push(encodeWords(run.join(' ')));
    run = [];
  };
  for (const t of tokens) {
    // A word that looks like an encoded word must be encoded too, or a decoder would decode it.
    if (isPrintableAscii(t) && !t.includes('=?')) {
      flush();
      out.push(t);
    } else {
      // The space before a word joining a run goes inside the encoding: decoders drop space between encoded words.
      run.push(t);
    }
  }
  flush();
  return out.join(' ');
}

const SPECIALS = /[()<>[\]:;@\\,."]/;

function quoteIfNeeded(word: string): string {
  return SPECIALS.test(word) || word.includes('=?') ? `"${word.replace(/(["\\])/g, '\\$1')}"` : word;
}

/**
 * A display name as a phrase: ASCII words stay readable (quoted when they hold specials), runs of non-ASCII
 * words become one encoded word. Keeping encoded words apart from each other matters: Python's address parser
 * puts a space between adjacent encoded words where RFC 2047 says none.
 */
export function formatPhrase(name: string): string {
  if (isPrintableAscii(name)) return quoteIfNeeded(name);
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) out.push(encodeWords(run.join(' ')));
    run = [];
  };
  for (const word of name.split(' ')) {
    if (isPrintableAscii(word)) {
      flush();
      out.push(quoteIfNeeded(word));
    } else run.push(word);
  }
  flush();
  return out.join(' ');
}

/** "Name <a@b>", with the name quoted when it has specials and encoded when it is not ASCII. */
export function formatAddress(a: MailAddress): string {
  const name = a.name.replace(/\s+/g, ' ').trim();
  if (!name || name === a.email) return a.email;
  const phrase = formatPhrase(name);
  return a.email ? `${phrase} <${a.email}>` : phrase;
}

/** Split at spaces that are not inside a quoted string: the places a header may fold. */
function foldPoints(item: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < item.length; i++) {
    const c = item[i];
    if (c === '\\' && quoted) {
      cur += c + (item[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ' ' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * One header field, folded at spaces (never inside a quoted name) so lines stay within 78 characters where
 * they can; list items are separated by ", ".
 */
export function foldItems(name: string, items: string[], separator: ' ' | ', '): string {
  const tokens: string[] = [];
  items.forEach((item, i) => {
    const parts = separator === ', ' ? foldPoints(item) : [item];
    if (separator === ', ' && i < items.length - 1) parts[parts.length - 1] += ',';
    tokens.push(...parts);
  });
  let out = `${name}:`;
  let lineLen = out.length;
  tokens.forEach((t, i) => {
    if (i > 0 && lineLen + 1 + t.length > MAX_LINE) {
      out += `\n ${t}`;
      lineLen = 1 + t.length;
    } else {
      out += ` ${t}`;
      lineLen += 1 + t.length;
    }
  });
  return out;
}

/** An unstructured field folded at its spaces. */
export function foldField(name: string, value: string): string {
  return foldItems(name, value.split(' '), ' ');
}

export function addressField(name: string, addresses: MailAddress[]): string {
  return foldItems(name, addresses.map(formatAddress), ', ');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function zone(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** The wall-clock fields of `d` in a zone `offsetMinutes` east of UTC. */
function fieldsAt(d: Date, offsetMinutes: number): Date {
  return new Date(d.getTime() + offsetMinutes * 60_000);
}

/** RFC 5322 date: "Tue, 08 Dec 2015 21:45:03 -0800". Default zone: this machine's. */
export function formatMailDate(d: Date, offsetMinutes = -d.getTimezoneOffset()): string {
  const t = fieldsAt(d, offsetMinutes);
  return `${DAYS[t.getUTCDay()]}, ${pad(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} ${zone(offsetMinutes)}`;
}

/** The zone a Date header was written in ("-0800" → -480), or null when it names none. */
export function zoneOfDateText(text: string | null): number | null {
  if (!text) return null;
  const m = /([+-])(\d{2})(\d{2})(?:\s*\([^)]*\))?\s*$/.exec(text.trim());
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  // RFC 822's zone names, which archives still print
  const named: Record<string, number> = { GMT: 0, UTC: 0, UT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420 };
  const z = /\b([A-Z]{1,3})\s*$/i.exec(text.trim());
  return z && z[1].toUpperCase() in named ? named[z[1].toUpperCase()] : null;
}

/** The Date text names a time of day (archive pages often give only the day). */
export function hasTimeOfDay(text: string | null): boolean {
  return text === null || /\d{1,2}:\d{2}/.test(text);
}

/**
 * The attribution's date, as mutt writes it, in the sender's zone: "Mon, Dec 07, 2015 at 01:51:29PM -0800";
 * only the day when the time is not known.
 */
export function formatAttributionDate(d: Date, offsetMinutes: number, withTime = true): string {
  const t = fieldsAt(d, offsetMinutes);
  if (!withTime) return `${DAYS[t.getUTCDay()]}, ${MONTHS[t.getUTCMonth()]} ${pad(t.getUTCDate())}, ${t.getUTCFullYear()}`;
  const h = t.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${DAYS[t.getUTCDay()]}, ${MONTHS[t.getUTCMonth()]} ${pad(t.getUTCDate())}, ${t.getUTCFullYear()} at ${pad(h12)}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${h < 12 ? 'AM' : 'PM'} ${zone(offsetMinutes)}`;
}

/** A new Message-ID (without brackets) under the domain of my address, or this host's name. */
export function newMessageId(email: string, now = new Date()): string {
  const domain = /@([A-Za-z0-9.-]+)$/.exec(email)?.[1] ?? (os.hostname() || 'localhost');
  const t = now;
  const stamp = `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
  return `${stamp}.${crypto.randomBytes(6).toString('hex')}@${domain}`;
}

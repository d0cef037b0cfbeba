// indexMail: a header-only index of mailboxes of any size (split, headers, dedupe, threads, series outline),
// streaming, so memory holds the index and one read chunk, never the mailbox. Bodies are read back on demand
// from `file`/`offset`/`length` (or opened with loadMail for the series one wants to review).
import type { Address, MailDiagnostic, MailThread } from '../mail/types.js';
import { readMailInputs, type MailInput, type ReadProgress, type SourceSummary } from '../mail/sources.js';
import { decodeEncodedWords, parseAddress, parseMailDate, parseMessageIds } from '../mail/headers.js';
import { buildThreads } from '../mail/thread.js';
import { parseSubject } from './subject.js';
import { groupSeries, parentsOf, sortBySent, type SeriesHead } from './assemble.js';

export interface IndexedMessage {
  messageId: string | null;
  from: Address | null;
  subject: string;
  /** Milliseconds since the epoch, or null. */
  date: number | null;
  inReplyTo: string | null;
  references: string[];
  file: string;
  /** Where the message is in the (decompressed) input, for reading it back. */
  offset: number | null;
  length: number;
  hasDiff: boolean;
}

export interface SeriesOutline {
  title: string;
  version: number;
  versionText: string | null;
  rfc: boolean;
  total: number;
  cover: number | null;
  parts: { index: number; message: number }[];
  missing: number[];
  latest: boolean;
  versions: number[];
  partialReroll: boolean;
  thread: number;
}

export interface MailIndex {
  messages: IndexedMessage[];
  duplicates: number;
  threads: MailThread[];
  series: SeriesOutline[];
  diagnostics: MailDiagnostic[];
  sources: SourceSummary[];
  /** Bytes of mail read (decompressed). */
  bytes: number;
}

export interface IndexOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  chunkSize?: number;
}

const WANTED = ['message-id', 'from', 'subject', 'date', 'in-reply-to', 'references'] as const;
type Wanted = (typeof WANTED)[number];
const WANTED_BYTES = WANTED.map((n) => Buffer.from(n + ':', 'latin1'));
const DIFF_MARK = Buffer.from('\ndiff --git ', 'latin1');
const PLAIN_DIFF_MARK = Buffer.from('\n+++ ', 'latin1');

function lowerEq(buf: Buffer, at: number, name: Buffer): boolean {
  if (at + name.length > buf.length) return false;
  for (let k = 0; k < name.length; k++) {
    let c = buf[at + k];
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== name[k]) return false;
  }
  return true;
}

function hasHigh(buf: Buffer, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (buf[i] > 0x7f) return true;
  return false;
}

/** The few header fields an index needs, read straight from the bytes (fresh strings, no slices of big text). */
export function scanHeaders(bytes: Uint8Array): { fields: Partial<Record<Wanted, string>>; bodyStart: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: Partial<Record<Wanted, string>> = {};
  let i = 0;
  const n = buf.length;
  while (i < n) {
    if (buf[i] === 0x0a) return { fields, bodyStart: i + 1 };
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a) return { fields, bodyStart: i + 2 };
    let lineEnd = buf.indexOf(0x0a, i);
    if (lineEnd < 0) lineEnd = n;
    // a field runs on over continuation lines
    let end = lineEnd;
    while (end + 1 < n && (buf[end + 1] === 0x20 || buf[end + 1] === 0x09)) {
      const e = buf.indexOf(0x0a, end + 1);
      end = e < 0 ? n : e;
    }
    const c = buf[i] | 0x20;
    if (c === 0x6d || c === 0x66 || c === 0x73 || c === 0x64 || c === 0x69 || c === 0x72) {
      for (let k = 0; k < WANTED.length; k++) {
        const name = WANTED[k];
        if (fields[name] === undefined && lowerEq(buf, i, WANTED_BYTES[k])) {
          const a = i + WANTED_BYTES[k].length;
          const text = buf.toString(hasHigh(buf, a, end) ? 'utf8' : 'latin1', a, end);
          fields[name] = text.replace(/\r?\n[ \t]/g, ' ').replace(/\r/g, '').trim();
          break;
        }
      }
    }
    i = end + 1;
  }
  return { fields, bodyStart: n };
}

/** Index mailboxes. Like loadMail, bad input becomes diagnostics; only cancellation throws. */
export async function indexMail(inputs: MailInput[], opts: IndexOptions = {}): Promise<MailIndex> {
  const diagnostics: MailDiagnostic[] = [];
  const messages: IndexedMessage[] = [];
  const seenIds = new Set<string>();
  const interned = new Map<string, string>();
  const intern = (s: string): string => {
    const have = interned.get(s);
    if (have !== undefined) return have;
    interned.set(s, s);
    return s;
  };
  let duplicates = 0;
  let bytes = 0;
  const sources = await readMailInputs(
    inputs,
    (item) => {
      if (item.kind === 'parsed') {
        const m = item.message;
        messages.push({
          messageId: m.messageId, from: m.from, subject: m.subject, date: m.date?.getTime() ?? null, inReplyTo: m.inReplyTo,
          references: m.references, file: m.origin.file, offset: m.origin.offset, length: m.origin.length,
          hasDiff: /^diff --git /m.test(m.body),
        });
        return;
      }
      bytes += item.bytes.length;
      const { fields, bodyStart } = scanHeaders(item.bytes);
      const ids = parseMessageIds(fields['message-id'] ?? null);
      const messageId = ids[0] ? intern(ids[0]) : null;
      if (messageId) {
        if (seenIds.has(messageId)) {
          duplicates++;
          return;
        }
        seenIds.add(messageId);
      }
      const buf = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
      const hasDiff = buf.indexOf(DIFF_MARK, Math.max(0, bodyStart - 1)) >= 0 || buf.indexOf(PLAIN_DIFF_MARK, Math.max(0, bodyStart - 1)) >= 0;
      const fromRaw = fields.from ?? null;
      const subject = fields.subject !== undefined ? decodeEncodedWords(fields.subject).replace(/\s+/g, ' ').trim() : '';
      const refs = parseMessageIds(fields.references ?? null).map(intern);
      const irt = parseMessageIds(fields['in-reply-to'] ?? null)[0];
      if (!fields.from && !fields.subject && !fields['message-id']) {
        diagnostics.push({ severity: 'warning', where: `${item.origin.file} message ${item.origin.position + 1} at byte ${item.origin.offset}`, message: 'has no header fields' });
      }
      messages.push({
        messageId,
        from: parseAddress(fromRaw),
        subject,
        date: parseMailDate(fields.date ?? null)?.getTime() ?? null,
        inReplyTo: irt ? intern(irt) : null,
        references: refs,
        file: item.origin.file,
        offset: item.origin.offset,
        length: item.origin.length,
        hasDiff,
      });
    },
    (d) => diagnostics.push(d),
    { signal: opts.signal, onProgress: opts.onProgress, chunkSize: opts.chunkSize },
  );
  interned.clear();

  const threads = buildThreads(messages);
  const threadOf: number[] = new Array(messages.length).fill(-1);
  threads.forEach((t, k) => {
    for (const m of t.order) threadOf[m] = k;
  });
  const heads: SeriesHead[] = messages.map((m) => ({ subject: parseSubject(m.subject), fromEmail: m.from?.email || m.from?.name || '', date: m.date, hasDiff: m.hasDiff }));
  const groups = groupSeries(heads, threadOf, parentsOf(threads, messages.length));
  const series: SeriesOutline[] = groups.map((g) => {
    const indices = [...g.parts.keys()].sort((a, b) => a - b);
    const titleMsg = g.cover ?? g.parts.get(1) ?? g.parts.get(indices[0]);
    const missing: number[] = [];
    for (let k = 1; k <= g.total; k++) if (!g.parts.has(k)) missing.push(k);
    const members = [g.cover, ...g.parts.values()].filter((x): x is number => x !== null);
    return {
      title: titleMsg === undefined ? '' : heads[titleMsg].subject.cleaned,
      version: g.version,
      versionText: g.versionText,
      rfc: members.some((m) => heads[m].subject.rfc),
      total: g.total,
      cover: g.cover,
      parts: indices.map((index) => ({ index, message: g.parts.get(index)! })),
      missing,
      latest: g.latest,
      versions: g.versions,
      partialReroll: g.partialReroll,
      thread: g.thread,
    };
  });
  const sorted = sortBySent(series, (s) => [s.cover, ...s.parts.map((p) => p.message)], (m) => messages[m].date);
  return { messages, duplicates, threads, series: sorted, diagnostics, sources, bytes };
}

// Saved or pasted text of list archive pages (mail-archive.com, lkml.iu.edu, lkml.org) rebuilt as messages.
// The pages carry no Message-IDs and mangle text (addresses, "<...>", "&", whitespace); messages built
// from them are marked synthetic so nothing downstream takes their patch text as applicable.
import type { MailPart, MessageOrigin, SourceKind } from './types.js';
import type { ParsedMessage } from './message.js';

export interface ArchivePage {
  kind: Extract<SourceKind, 'archive-mail-archive' | 'archive-lkml'>;
  messages: ParsedMessage[];
  /** The page's line breaks were lost (text pasted as one line): bodies are single lines. */
  lostLineBreaks: boolean;
  problems: string[];
}

const MAIL_ARCHIVE_MARKER = /^(\d{4}-\d{2}-\d{2}) Thread (\S.*?)\s*$/;
const MAIL_ARCHIVE_INLINE = /(\d{4}-\d{2}-\d{2}) Thread /g;
const LKML_IU_DATE = /^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{4}) - (\d{1,2}):(\d{2}):(\d{2}) ([A-Z]{1,5})$/;
const LKML_IU_INLINE = /From: (.{1,120}?) Date: ([A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{4} - \d{1,2}:\d{2}:\d{2} [A-Z]{1,5})\s*/g;
const NAV_LINE = /^\s*(?:\*\s*)?(?:Next message|Previous message|Next in thread|Previous in thread|In reply to|Messages sorted by|Reply via email to|Prev by Date|Next by Date|Prev by thread|Next by thread|Indexes)\s*:/i;
const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const ZONES: Record<string, number> = { UTC: 0, GMT: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7, CET: 1, CEST: 2 };

/** Does this text look like an archive page we can read? Returns its kind or null. */
export function detectArchivePage(text: string): ArchivePage['kind'] | null {
  const head = text.slice(0, 200_000);
  if (/^\d{4}-\d{2}-\d{2} Thread \S/m.test(head) || /\b\d{4}-\d{2}-\d{2} Thread [A-Z]/.test(head)) return 'archive-mail-archive';
  if (/^From: .+\nDate: [A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d{4} - /m.test(head) || LKML_IU_INLINE.test(head)) {
    LKML_IU_INLINE.lastIndex = 0;
    return 'archive-lkml';
  }
  LKML_IU_INLINE.lastIndex = 0;
  if (/^Date\t.+\nFrom\t.+\nSubject\t.+/m.test(head)) return 'archive-lkml';
  return null;
}

function lostBreaks(text: string): boolean {
  const lines = text.split('\n');
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return longest > 2000 || (text.length > 2000 && text.length / Math.max(1, lines.length) > 400);
}

interface Block {
  subject: string;
  author: string;
  date: Date | null;
  dateText: string;
  body: string;
  text: string;
  pageOffset: number;
}

/** Read an archive page. `file` names it in origins and diagnostics. */
export function parseArchivePage(input: string, file: string, kind?: ArchivePage['kind']): ArchivePage {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const k = kind ?? detectArchivePage(text) ?? 'archive-mail-archive';
  const lost = lostBreaks(text);
  const problems: string[] = [];
  let blocks: Block[];
  if (k === 'archive-mail-archive') blocks = lost ? mailArchiveInline(text) : mailArchiveLines(text);
  else blocks = lost ? lkmlInline(text) : lkmlLines(text);
  if (lost) problems.push('the page lost its line breaks: message bodies are one line each, their patches cannot be used, and replies are listed flat under the first message of their subject');
  if (blocks.length === 0) problems.push('no messages were recognised on this page');
  const messages = blocks.map((b, i) => toMessage(b, i, file, k));
  return { kind: k, messages, lostLineBreaks: lost, problems };
}

function toMessage(b: Block, position: number, file: string, kind: SourceKind): ParsedMessage {
  const raw = Buffer.from(b.text, 'utf8');
  const origin: MessageOrigin = { file, kind, gzip: false, offset: b.pageOffset, length: raw.length, position, fromLine: null };
  const part: MailPart = {
    contentType: 'text/plain', charset: 'utf-8', decodedWith: 'utf-8', transferEncoding: '8bit', disposition: 'inline',
    filename: null, flowed: false, delSp: false, bytes: Buffer.from(b.body, 'utf8'), text: b.body, isPatch: false,
  };
  return {
    messageId: null,
    from: { name: b.author, email: '' },
    to: [], cc: [], replyTo: [],
    subject: b.subject,
    date: b.date,
    dateText: b.dateText,
    inReplyTo: null,
    references: [],
    headers: [],
    body: b.body,
    parts: [part],
    raw,
    origin,
    synthetic: true,
    crlf: false,
  };
}

function cleanBody(lines: string[]): string {
  const kept = lines.filter((l) => !NAV_LINE.test(l));
  while (kept.length && kept[0].trim() === '') kept.shift();
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  return kept.length ? kept.join('\n') + '\n' : '';
}

function offsetsOfLines(lines: string[]): number[] {
  const out: number[] = [];
  let o = 0;
  for (const l of lines) {
    out.push(o);
    o += l.length + 1;
  }
  return out;
}

function dayDate(ymd: string): Date | null {
  const t = Date.parse(`${ymd}T00:00:00Z`);
  return Number.isFinite(t) ? new Date(t) : null;
}

function mailArchiveLines(text: string): Block[] {
  const lines = text.split('\n');
  const offsets = offsetsOfLines(lines);
  const markers: { line: number; subjectLine: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!MAIL_ARCHIVE_MARKER.test(lines[i])) continue;
    let s = i - 1;
    while (s >= 0 && lines[s].trim() === '' && i - s <= 3) s--;
    markers.push({ line: i, subjectLine: s >= 0 && lines[s].trim() !== '' ? s : -1 });
  }
  return markers.map((m, k) => {
    const next = markers[k + 1];
    const end = next ? (next.subjectLine >= 0 ? next.subjectLine : next.line) : lines.length;
    const mm = MAIL_ARCHIVE_MARKER.exec(lines[m.line])!;
    const start = m.subjectLine >= 0 ? m.subjectLine : m.line;
    return {
      subject: m.subjectLine >= 0 ? lines[m.subjectLine].trim() : '',
      author: mm[2].trim(),
      date: dayDate(mm[1]),
      dateText: mm[1],
      body: cleanBody(lines.slice(m.line + 1, end)),
      text: lines.slice(start, end).join('\n').replace(/\n+$/, '\n'),
      pageOffset: offsets[start] ?? 0,
    };
  });
}

/** Names of people the page mentions in attributions and sign-offs, longest first. */
function knownNames(text: string): string[] {
  const names = new Set<string>();
  const re = /(?:,|\*|^|\s)\s*([A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})\s+(?:<[^>]*>\s*)?wrote:/g;
  for (let m = re.exec(text); m; m = re.exec(text)) names.add(m[1]);
  const sob = /(?:Signed-off-by|Reviewed-by|Acked-by|Tested-by): ([A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})/g;
  for (let m = sob.exec(text); m; m = sob.exec(text)) names.add(m[1]);
  return [...names].sort((a, b) => b.length - a.length);
}

function nameAt(text: string, names: string[]): string {
  for (const n of names) if (text.startsWith(n) && !/[\w'-]/.test(text[n.length] ?? ' ')) return n;
  const m = /^([A-Z][\w'.-]+(?: [A-Z][\w'.-]+)?)/.exec(text);
  return m ? m[1] : '';
}

/** The subject that ends right before `end`: the last "Re: [PATCH ...] ..." run, or a subject seen before. */
function subjectBefore(text: string, from: number, end: number, seen: string[]): { subject: string; start: number } {
  const window = text.slice(Math.max(from, end - 600), end);
  const base = Math.max(from, end - 600);
  for (const s of seen) {
    const trimmed = window.trimEnd();
    if (trimmed.endsWith(s)) {
      let start = base + trimmed.length - s.length;
      const pre = /((?:(?:Re|RE|Aw|AW|Fwd|Fw|FW)\s*:\s*)+)$/.exec(text.slice(Math.max(from, start - 40), start));
      if (pre) start -= pre[1].length;
      return { subject: text.slice(start, base + trimmed.length).trim(), start };
    }
  }
  // the last "[PATCH ...]"-like bracket, extended back over reply prefixes
  let at = -1;
  const bracket = /\[([^\]]{0,80})\]/g;
  for (let m = bracket.exec(window); m; m = bracket.exec(window)) if (/PATCH|RFC|RESEND|\d+\/\d+/i.test(m[1])) at = m.index;
  if (at >= 0) {
    const pre = /((?:(?:Re|RE|re|Aw|AW|Fwd|FWD|Fw|FW|SV|Sv)\s*:\s*)+)$/.exec(window.slice(0, at));
    const startInWindow = pre ? at - pre[1].length : at;
    return { subject: window.slice(startInWindow).trim(), start: base + startInWindow };
  }
  return { subject: seen[0] ?? '', start: end };
}

function baseSubject(s: string): string {
  return s.replace(/^(?:(?:Re|RE|Aw|AW|Fwd|Fw|FW)\s*:\s*)+/, '').trim();
}

/** The subject that stands before each header marker of a flattened page, and where it starts. */
function attachSubjects<T extends { at: number; end: number }>(flat: string, marks: T[]): (T & { subject: string; subjectStart: number })[] {
  const seen: string[] = [];
  return marks.map((mk, k) => {
    const prevEnd = k === 0 ? 0 : marks[k - 1].end;
    const s = k === 0 ? { subject: flat.slice(0, mk.at).trim(), start: 0 } : subjectBefore(flat, prevEnd, mk.at, seen);
    const b = baseSubject(s.subject);
    if (b && !seen.includes(b)) seen.push(b);
    return { ...mk, subject: s.subject, subjectStart: s.start };
  });
}

function mailArchiveInline(text: string): Block[] {
  const flat = text.replace(/\n/g, ' ');
  const names = knownNames(flat);
  const markers: { at: number; end: number; ymd: string }[] = [];
  MAIL_ARCHIVE_INLINE.lastIndex = 0;
  for (let m = MAIL_ARCHIVE_INLINE.exec(flat); m; m = MAIL_ARCHIVE_INLINE.exec(flat)) markers.push({ at: m.index, end: m.index + m[0].length, ymd: m[1] });
  const heads = attachSubjects(flat, markers);
  return heads.map((h, k) => {
    const next = heads[k + 1];
    const bodyEnd = next ? next.subjectStart : flat.length;
    const rest = flat.slice(h.end, bodyEnd);
    const author = nameAt(rest, names);
    const body = rest.slice(author.length).trim();
    return {
      subject: h.subject,
      author,
      date: dayDate(h.ymd),
      dateText: h.ymd,
      body: body ? body + '\n' : '',
      text: flat.slice(h.subjectStart, bodyEnd).trim() + '\n',
      pageOffset: h.subjectStart,
    };
  });
}

function lkmlDate(text: string): Date | null {
  const m = LKML_IU_DATE.exec(text.trim());
  if (!m) {
    const t = Date.parse(text);
    return Number.isFinite(t) ? new Date(t) : null;
  }
  const month = MONTHS[m[2]];
  if (month === undefined) return null;
  const zone = ZONES[m[8]] ?? 0;
  return new Date(Date.UTC(Number(m[4]), month, Number(m[3]), Number(m[5]) - zone, Number(m[6]), Number(m[7])));
}

function lkmlLines(text: string): Block[] {
  const lines = text.split('\n');
  const offsets = offsetsOfLines(lines);
  const heads: { subjectLine: number; headerEnd: number; author: string; dateText: string; subject: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    // lkml.iu.edu: "From: Name" then "Date: Tue Aug 05 2014 - 19:02:53 EST"
    const iu = /^From: (.+)$/.exec(lines[i]);
    if (iu && /^Date: /.test(lines[i + 1] ?? '')) {
      let s = i - 1;
      while (s >= 0 && lines[s].trim() === '') s--;
      const subjectField = /^Subject: (.+)$/.exec(lines[i + 2] ?? '');
      heads.push({
        subjectLine: s >= 0 && i - s <= 3 ? s : i,
        headerEnd: i + (subjectField ? 3 : 2),
        author: iu[1].replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
        dateText: lines[i + 1].slice(6).trim(),
        subject: subjectField ? subjectField[1].trim() : s >= 0 && i - s <= 3 ? lines[s].trim() : '',
      });
      i++;
      continue;
    }
    // lkml.org: "Date<TAB>...", "From<TAB>...", "Subject<TAB>..."
    const org = /^Date\t(.+)$/.exec(lines[i]);
    const orgFrom = /^From\t(.+)$/.exec(lines[i + 1] ?? '');
    const orgSubject = /^Subject\t(.+)$/.exec(lines[i + 2] ?? '');
    if (org && orgFrom && orgSubject) {
      heads.push({
        subjectLine: i,
        headerEnd: i + 3,
        author: orgFrom[1].replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
        dateText: org[1].trim(),
        subject: orgSubject[1].trim(),
      });
      i += 2;
    }
  }
  return heads.map((h, k) => {
    const next = heads[k + 1];
    const end = next ? next.subjectLine : lines.length;
    return {
      subject: h.subject,
      author: h.author,
      date: lkmlDate(h.dateText),
      dateText: h.dateText,
      body: cleanBody(lines.slice(h.headerEnd, end)),
      text: lines.slice(h.subjectLine, end).join('\n').replace(/\n+$/, '\n'),
      pageOffset: offsets[h.subjectLine] ?? 0,
    };
  });
}

function lkmlInline(text: string): Block[] {
  const flat = text.replace(/\n/g, ' ');
  const heads: { at: number; end: number; author: string; dateText: string }[] = [];
  LKML_IU_INLINE.lastIndex = 0;
  for (let m = LKML_IU_INLINE.exec(flat); m; m = LKML_IU_INLINE.exec(flat))
    heads.push({ at: m.index, end: m.index + m[0].length, author: m[1].replace(/<[^>]*>/g, '').trim(), dateText: m[2] });
  const withSubjects = attachSubjects(flat, heads);
  return withSubjects.map((h, k) => {
    const next = withSubjects[k + 1];
    const bodyEnd = next ? next.subjectStart : flat.length;
    const body = flat.slice(h.end, bodyEnd).trim();
    return {
      subject: h.subject,
      author: h.author,
      date: lkmlDate(h.dateText),
      dateText: h.dateText,
      body: body ? body + '\n' : '',
      text: flat.slice(h.subjectStart, bodyEnd).trim() + '\n',
      pageOffset: h.subjectStart,
    };
  });
}

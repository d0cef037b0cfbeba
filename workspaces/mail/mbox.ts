// Streaming mbox splitter: finds From_ separators in chunks of any size, undoes mboxrd/mboxo escaping.
// Memory stays at one chunk plus the message being read, whatever the size of the file.

/** How "From " lines inside bodies were escaped. "none": git format-patch output, which escapes nothing. */
export type MboxEscaping = 'mboxrd' | 'mboxo' | 'none';

export interface MboxMessageInfo {
  /** Byte offset of the message (the line after the From_ line) in the whole input. */
  offset: number;
  /** Length of the message in the input, escaped form, separator blank line excluded. */
  length: number;
  /** The From_ line without its line end, or null for text before the first From_ line. */
  fromLine: string | null;
  position: number;
  escaping: MboxEscaping;
}

/** Receives each message. `bytes` are unescaped; they may be a view into the splitter's buffer: copy to keep. */
export type MboxMessageSink = (bytes: Uint8Array, info: MboxMessageInfo) => void;

const NL = 0x0a;
const SEPARATOR = Buffer.from('\nFrom ', 'latin1');
const FROM = Buffer.from('From ', 'latin1');
const ESCAPED_FROM = Buffer.from('>From ', 'latin1');
const FIELD_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/** A From_ line: "From SENDER DATE" with a time and a year somewhere in it. */
export function isFromLine(line: string): boolean {
  if (!line.startsWith('From ') || line.length > 400) return false;
  if (!/^From \S/.test(line)) return false;
  return /\b\d{1,2}:\d{2}\b/.test(line) && /\b\d{4}\b/.test(line);
}

/** The escaping a From_ line announces. */
export function escapingFor(fromLine: string): MboxEscaping {
  if (/^From mboxrd@z /.test(fromLine)) return 'mboxrd';
  if (/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\s*$/.test(fromLine)) return 'none';
  return 'mboxo';
}

/** Undo mbox escaping: mboxrd removes one '>' from every /^>+From /, mboxo from /^>From / only. */
export function unescapeFrom(bytes: Uint8Array, escaping: MboxEscaping): Uint8Array {
  if (escaping === 'none') return bytes;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = buf.indexOf(ESCAPED_FROM);
  if (at < 0) return bytes;
  const drops: number[] = [];
  while (at >= 0) {
    // walk back over the run of '>' to the line start
    let start = at;
    while (start > 0 && buf[start - 1] === 0x3e) start--;
    const lineStart = start === 0 || buf[start - 1] === NL;
    if (lineStart && (escaping === 'mboxrd' || start === at)) drops.push(start);
    at = buf.indexOf(ESCAPED_FROM, at + 1);
  }
  if (drops.length === 0) return bytes;
  const out = Buffer.allocUnsafe(buf.length - drops.length);
  let o = 0;
  let from = 0;
  for (const d of drops) {
    o += buf.copy(out, o, from, d);
    from = d + 1;
  }
  buf.copy(out, o, from);
  return out;
}

/** Escape a message body for mboxrd: one more '>' on every /^>*From / line. */
export function escapeMboxrd(bytes: Uint8Array): Uint8Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const inserts: number[] = [];
  let i = 0;
  while (i <= buf.length) {
    let j = i;
    while (buf[j] === 0x3e) j++;
    if (j + FROM.length <= buf.length && buf.compare(FROM, 0, FROM.length, j, j + FROM.length) === 0) inserts.push(i);
    const nl = buf.indexOf(NL, i);
    if (nl < 0) break;
    i = nl + 1;
  }
  if (inserts.length === 0) return bytes;
  const out = Buffer.allocUnsafe(buf.length + inserts.length);
  let o = 0;
  let from = 0;
  for (const at of inserts) {
    o += buf.copy(out, o, from, at);
    out[o++] = 0x3e;
    from = at;
  }
  buf.copy(out, o, from);
  return out;
}

/**
 * Push chunks in, get messages out. A line is a separator when it is a From_ line (see isFromLine) at the
 * start of the input or after a newline, and the next line is a header field.
 */
export class MboxSplitter {
  private buf: Buffer;
  private len = 0;
  /** Absolute input offset of buf[0]. */
  private base = 0;
  /** Start (in buf) of the current message's From_ line, or -1 before the first. */
  private msgFrom = -1;
  private scan = 0;
  private position = 0;
  private escapingMode: MboxEscaping | null;
  private ended = false;
  /** Bytes before the first From_ line (not a message). */
  leadingBytes = 0;

  constructor(
    private readonly sink: MboxMessageSink,
    opts: { escaping?: MboxEscaping; initialCapacity?: number } = {},
  ) {
    this.buf = Buffer.allocUnsafe(opts.initialCapacity ?? 1 << 20);
    this.escapingMode = opts.escaping ?? null;
  }

  get escaping(): MboxEscaping | null {
    return this.escapingMode;
  }

  get messages(): number {
    return this.position;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('MboxSplitter: push after end');
    this.compact(chunk.length);
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    this.process(false);
  }

  end(): void {
    if (this.ended) return;
    this.process(true);
    if (this.msgFrom >= 0) this.emit(this.len, true);
    else this.leadingBytes += this.len;
    this.ended = true;
  }

  private compact(incoming: number): void {
    const keep = this.msgFrom >= 0 ? this.msgFrom : Math.max(0, Math.min(this.scan, this.len) - 1);
    if (keep > 0) {
      if (this.msgFrom < 0) this.leadingBytes += keep;
      this.buf.copyWithin(0, keep, this.len);
      this.len -= keep;
      this.base += keep;
      this.scan -= keep;
      if (this.msgFrom >= 0) this.msgFrom -= keep;
    }
    if (this.len + incoming > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + incoming));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
  }

  /** Check a candidate From_ line starting at `at`; null means "need more input". */
  private separatorAt(at: number, final: boolean): boolean | null {
    const lineEnd = this.buf.indexOf(NL, at);
    if (lineEnd < 0 || lineEnd >= this.len) {
      if (!final) return null;
      return false;
    }
    const line = this.buf.toString('latin1', at, lineEnd).replace(/\r$/, '');
    if (!isFromLine(line)) return false;
    const nextEnd = this.buf.indexOf(NL, lineEnd + 1);
    if ((nextEnd < 0 || nextEnd >= this.len) && !final) return null;
    const next = this.buf.toString('latin1', lineEnd + 1, nextEnd < 0 || nextEnd >= this.len ? this.len : nextEnd);
    return FIELD_LINE.test(next);
  }

  private process(final: boolean): void {
    if (this.msgFrom < 0 && this.scan === 0 && this.len >= FROM.length) {
      if (this.buf.compare(FROM, 0, FROM.length, 0, FROM.length) === 0) {
        const ok = this.separatorAt(0, final);
        if (ok === null) return;
        if (ok) this.startMessage(0);
      }
      this.scan = 1;
    }
    for (;;) {
      const hit = this.buf.indexOf(SEPARATOR, Math.max(0, this.scan - 1));
      if (hit < 0 || hit + SEPARATOR.length > this.len) {
        this.scan = Math.max(this.scan, this.len - SEPARATOR.length + 1);
        return;
      }
      const ok = this.separatorAt(hit + 1, final);
      if (ok === null) {
        this.scan = hit + 1;
        return;
      }
      if (ok) {
        if (this.msgFrom >= 0) this.emit(hit + 1, false);
        else this.leadingBytes += hit + 1;
        this.startMessage(hit + 1);
      }
      this.scan = hit + 2;
    }
  }

  private startMessage(at: number): void {
    this.msgFrom = at;
    if (this.escapingMode === null) {
      const lineEnd = this.buf.indexOf(NL, at);
      this.escapingMode = escapingFor(this.buf.toString('latin1', at, lineEnd < 0 ? this.len : lineEnd).replace(/\r$/, ''));
    }
  }

  /** Emit the message whose From_ line is at msgFrom and which ends before `end`. */
  private emit(end: number, last: boolean): void {
    const from = this.msgFrom;
    let lineEnd = this.buf.indexOf(NL, from);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end - 1;
    const fromLine = this.buf.toString('latin1', from, lineEnd).replace(/\r$/, '');
    const start = Math.min(lineEnd + 1, end);
    let stop = end;
    // the blank line before the next From_ line is the separator, not message text
    if (!last || stop === this.len) {
      if (stop - start >= 2 && this.buf[stop - 1] === NL && this.buf[stop - 2] === NL) stop -= 1;
      else if (stop - start >= 4 && this.buf[stop - 1] === NL && this.buf[stop - 2] === 0x0d && this.buf[stop - 3] === NL && this.buf[stop - 4] === 0x0d) stop -= 2;
    }
    const escaping = this.escapingMode ?? 'mboxo';
    const bytes = unescapeFrom(this.buf.subarray(start, stop), escaping);
    const info: MboxMessageInfo = { offset: this.base + start, length: stop - start, fromLine, position: this.position++, escaping };
    this.msgFrom = -1;
    this.sink(bytes, info);
  }
}

/** Split a whole buffer (tests, stdin). */
export function splitMbox(bytes: Uint8Array, opts: { escaping?: MboxEscaping } = {}): { bytes: Uint8Array; info: MboxMessageInfo }[] {
  const out: { bytes: Uint8Array; info: MboxMessageInfo }[] = [];
  const s = new MboxSplitter((b, info) => out.push({ bytes: Uint8Array.from(b), info }), { ...opts, initialCapacity: bytes.length + 16 });
  s.push(bytes);
  s.end();
  return out;
}

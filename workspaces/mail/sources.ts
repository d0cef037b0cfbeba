// Inputs to messages: files (mbox, .gz, .eml, archive pages), directories (maildir, format-patch folders), bytes.
// Files stream through the mbox splitter in chunks, so a mailbox of any size reads in constant memory.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { MailDiagnostic, MessageOrigin, SourceKind } from './types.js';
import type { ParsedMessage } from './message.js';
import { MboxSplitter, isFromLine, type MboxEscaping } from './mbox.js';
import { detectArchivePage, parseArchivePage } from './archive.js';
import { decodeBytes } from './charset.js';
import { Cancelled } from '../errors.js';

/** One input: a path, bytes (stdin, an upload) or text (a pasted archive page). */
export type MailInput = string | { path: string } | { bytes: Uint8Array; name?: string } | { text: string; name?: string };

/** What a source yields: message bytes to parse, or a message already built (archive pages). */
export type SourceItem =
  | { kind: 'raw'; bytes: Uint8Array; origin: MessageOrigin }
  | { kind: 'parsed'; message: ParsedMessage };

export interface SourceSummary {
  name: string;
  kind: SourceKind | 'directory';
  gzip: boolean;
  /** Bytes read (compressed size for .gz). */
  bytes: number;
  messages: number;
}

export interface ReadProgress {
  file: string;
  bytesRead: number;
  bytesTotal: number;
  messages: number;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** Read size; 4 MiB by default. */
  chunkSize?: number;
}

type Sink = (item: SourceItem) => void;
type Diag = (d: MailDiagnostic) => void;

const MAX_WHOLE_FILE = 512 * 1024 * 1024;
const HEADER_NAMES = /^(from|date|subject|message-id|received|return-path|mime-version|delivered-to|to|in-reply-to|references|x-[\w-]+|dkim-signature|arc-[\w-]+|authentication-results|content-type)[ \t]*:/im;

/** What a file holds, from its first bytes. */
export function detectContent(head: Uint8Array): 'mbox' | 'eml' | 'archive' | 'unknown' {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 65536)).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const trimmed = text.replace(/^(?:[ \t]*\r?\n)+/, '');
  const first = trimmed.split('\n', 1)[0].replace(/\r$/, '');
  if (isFromLine(first)) return 'mbox';
  // an mbox with some junk before its first message: a From_ line after a blank line, followed by a field
  const head400 = text.split('\n', 400);
  for (let i = 1; i + 1 < head400.length; i++) {
    const l = head400[i].replace(/\r$/, '');
    if (head400[i - 1].replace(/\r$/, '') === '' && isFromLine(l) && /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(head400[i + 1])) return 'mbox';
  }
  if (detectArchivePage(decodeBytes(head.subarray(0, 200_000), 'utf-8').text)) return 'archive';
  const block = trimmed.split(/\r?\n\r?\n/, 1)[0];
  const lines = block.split(/\r?\n/);
  const fieldLines = lines.filter((l) => /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(l));
  if (fieldLines.length > 0 && fieldLines.some((l) => HEADER_NAMES.test(l)) && /^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(lines[0])) return 'eml';
  return 'unknown';
}

function kindOfEscaping(e: MboxEscaping): SourceKind {
  return e === 'mboxrd' ? 'mboxrd' : e === 'none' ? 'format-patch' : 'mboxo';
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Cancelled('reading of the mail');
}

/** Chunks of a file. Plain files reuse one read buffer (no garbage per chunk): callers copy what they keep. */
async function* fileChunks(file: string, chunkSize: number, gzip: boolean, read: { bytes: number }): AsyncGenerator<Uint8Array> {
  if (!gzip) {
    const fh = await fs.promises.open(file, 'r');
    try {
      // two buffers: the next read runs while the caller works on the current chunk
      const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
      let k = 0;
      let pending = fh.read(bufs[0], 0, chunkSize, null);
      for (;;) {
        const { bytesRead } = await pending;
        if (bytesRead === 0) return;
        read.bytes += bytesRead;
        const current = bufs[k];
        k ^= 1;
        pending = fh.read(bufs[k], 0, chunkSize, null);
        yield current.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  const stream = fs.createReadStream(file, { highWaterMark: chunkSize });
  stream.on('data', (c) => void (read.bytes += c.length));
  const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
  stream.pipe(gunzip);
  stream.on('error', (err) => gunzip.destroy(err));
  for await (const c of gunzip) yield c as Buffer;
}

/** Stream one file into messages. Errors reading it become diagnostics. */
async function readFile(file: string, sink: Sink, diag: Diag, opts: ReadOptions, kindHint: SourceKind | null): Promise<SourceSummary> {
  const summary: SourceSummary = { name: file, kind: 'unknown', gzip: false, bytes: 0, messages: 0 };
  let size = 0;
  try {
    size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    const magic = Buffer.alloc(2);
    fs.readSync(fd, magic, 0, 2, 0);
    fs.closeSync(fd);
    summary.gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  } catch (err) {
    diag({ severity: 'error', where: file, message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return summary;
  }
  summary.bytes = size;
  const chunkSize = opts.chunkSize ?? 4 << 20;
  let mode = 'undecided' as 'undecided' | 'mbox' | 'whole';
  let head: Buffer[] = [];
  let headLen = 0;
  let splitter: MboxSplitter | null = null;
  let decompressed = 0;
  const fileRead = { bytes: 0 };
  const emitRaw = (bytes: Uint8Array, origin: MessageOrigin) => {
    summary.messages++;
    sink({ kind: 'raw', bytes, origin });
  };
  const startMbox = () => {
    splitter = new MboxSplitter((bytes, info) => {
      const kind = kindHint === 'format-patch' && info.escaping !== 'mboxrd' ? 'format-patch' : kindOfEscaping(info.escaping);
      summary.kind = kind;
      emitRaw(bytes, { file, kind, gzip: summary.gzip, offset: info.offset, length: info.length, position: info.position, fromLine: info.fromLine });
    });
  };
  const decide = (final: boolean) => {
    if (headLen < 4096 && !final) return;
    const all = Buffer.concat(head, headLen);
    const content = detectContent(all);
    if (content === 'mbox') {
      mode = 'mbox';
      startMbox();
      splitter!.push(all);
    } else {
      mode = 'whole';
      summary.kind = content === 'eml' ? (kindHint ?? 'eml') : content === 'archive' ? 'archive-mail-archive' : 'unknown';
      return;
    }
    head = [];
    headLen = 0;
  };
  try {
    for await (const chunk of fileChunks(file, chunkSize, summary.gzip, fileRead)) {
      checkAbort(opts.signal);
      decompressed += chunk.length;
      if (mode === 'mbox') splitter!.push(chunk);
      else {
        head.push(Buffer.from(chunk)); // the chunk buffer is reused by the reader
        headLen += chunk.length;
        if (mode === 'undecided') decide(false);
        if (mode === 'whole' && headLen > MAX_WHOLE_FILE) {
          diag({ severity: 'error', where: file, message: `is larger than ${MAX_WHOLE_FILE >> 20} MiB and is not an mbox; it was not read` });
          return summary;
        }
      }
      opts.onProgress?.({ file, bytesRead: Math.min(fileRead.bytes, size), bytesTotal: size, messages: summary.messages });
    }
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    diag({
      severity: 'error',
      where: file,
      message: summary.gzip
        ? `gzip data is damaged after ${decompressed} decompressed bytes (${code ?? String(err)}); the messages before it were loaded`
        : `reading failed after ${decompressed} bytes (${code ?? String(err)})`,
    });
  }
  if (mode === 'undecided') decide(true);
  if (mode === 'mbox') {
    const s = splitter as MboxSplitter | null;
    s?.end();
    if (s && s.leadingBytes > 2) {
      diag({ severity: 'warning', where: file, message: `${s.leadingBytes} bytes before the first "From " line are not a message and were skipped` });
    }
  } else if (mode === 'whole') {
    readWhole(Buffer.concat(head, headLen), file, summary, kindHint, sink, diag);
  }
  opts.onProgress?.({ file, bytesRead: size, bytesTotal: size, messages: summary.messages });
  return summary;
}

/** A whole non-mbox input: one message, an archive page, or something we cannot read. */
function readWhole(bytes: Buffer, name: string, summary: SourceSummary, kindHint: SourceKind | null, sink: Sink, diag: Diag): void {
  const content = detectContent(bytes);
  if (content === 'mbox') {
    const s = new MboxSplitter((b, info) => {
      summary.messages++;
      summary.kind = kindOfEscaping(info.escaping);
      sink({ kind: 'raw', bytes: b, origin: { file: name, kind: summary.kind, gzip: summary.gzip, offset: info.offset, length: info.length, position: info.position, fromLine: info.fromLine } });
    }, { initialCapacity: bytes.length + 16 });
    s.push(bytes);
    s.end();
    return;
  }
  if (content === 'eml') {
    summary.kind = kindHint ?? 'eml';
    summary.messages = 1;
    sink({ kind: 'raw', bytes, origin: { file: name, kind: summary.kind, gzip: summary.gzip, offset: 0, length: bytes.length, position: 0, fromLine: null } });
    return;
  }
  if (content === 'archive') {
    const text = decodeBytes(bytes, 'utf-8').text;
    const page = parseArchivePage(text, name);
    summary.kind = page.kind;
    for (const p of page.problems) diag({ severity: 'warning', where: name, message: p });
    for (const m of page.messages) {
      summary.messages++;
      sink({ kind: 'parsed', message: m });
    }
    return;
  }
  summary.kind = 'unknown';
  if (bytes.length === 0) diag({ severity: 'warning', where: name, message: 'is empty' });
  else diag({ severity: 'error', where: name, message: 'is not mail: no mbox "From " line, no message headers and no archive page layout were found' });
}

async function readDirectory(dir: string, sink: Sink, diag: Diag, opts: ReadOptions, depth: number): Promise<SourceSummary[]> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    diag({ severity: 'error', where: dir, message: `cannot be listed: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isMaildir = entries.some((e) => e.isDirectory() && (e.name === 'cur' || e.name === 'new'));
  const out: SourceSummary[] = [];
  if (isMaildir) {
    const summary: SourceSummary = { name: dir, kind: 'maildir', gzip: false, bytes: 0, messages: 0 };
    let position = 0;
    for (const sub of ['new', 'cur']) {
      const d = path.join(dir, sub);
      if (!fs.existsSync(d)) continue;
      const files = fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
      files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const f of files) {
        checkAbort(opts.signal);
        const file = path.join(d, f.name);
        try {
          const bytes = fs.readFileSync(file);
          summary.bytes += bytes.length;
          summary.messages++;
          // some tools write a From_ line into maildir files; it is not part of the message
          const first = bytes.subarray(0, Math.max(0, bytes.indexOf(0x0a))).toString('latin1').replace(/\r$/, '');
          const body = isFromLine(first) ? bytes.subarray(first.length + 1 + (bytes[first.length] === 0x0d ? 1 : 0)) : bytes;
          sink({ kind: 'raw', bytes: body, origin: { file, kind: 'maildir', gzip: false, offset: 0, length: bytes.length, position: position++, fromLine: null } });
        } catch (err) {
          diag({ severity: 'error', where: file, message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
        }
      }
    }
    out.push(summary);
    return out;
  }
  const patchNames = entries.filter((e) => e.isFile() && /^\d{4}-.+\.patch$/.test(e.name)).length;
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < 4) out.push(...(await readDirectory(full, sink, diag, opts, depth + 1)));
      continue;
    }
    if (!e.isFile()) continue;
    const hint: SourceKind | null = patchNames > 0 && /\.patch$/.test(e.name) ? 'format-patch' : null;
    out.push(await readFile(full, sink, diag, opts, hint));
  }
  return out;
}

function readBytes(bytes: Uint8Array, name: string, sink: Sink, diag: Diag): SourceSummary {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const gzip = buf[0] === 0x1f && buf[1] === 0x8b;
  const summary: SourceSummary = { name, kind: 'unknown', gzip, bytes: buf.length, messages: 0 };
  let data: Buffer = buf;
  if (gzip) {
    try {
      data = zlib.gunzipSync(buf);
    } catch (err) {
      diag({ severity: 'error', where: name, message: `is gzip data that does not decompress (${String((err as Error).message)})` });
      return summary;
    }
  }
  readWhole(data, name, summary, null, sink, diag);
  return summary;
}

/** Read every input, in order, handing each message to `sink`. Never throws except for cancellation. */
export async function readMailInputs(inputs: MailInput[], sink: Sink, diag: Diag, opts: ReadOptions = {}): Promise<SourceSummary[]> {
  const out: SourceSummary[] = [];
  for (const input of inputs) {
    checkAbort(opts.signal);
    if (typeof input === 'string' || 'path' in input) {
      const p = typeof input === 'string' ? input : input.path;
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        diag({ severity: 'error', where: p, message: code === 'ENOENT' ? 'does not exist' : `cannot be read: ${code ?? String(err)}` });
        out.push({ name: p, kind: 'unknown', gzip: false, bytes: 0, messages: 0 });
        continue;
      }
      if (!st.isFile() && !st.isDirectory()) {
        // Opening a pipe blocks the whole host until someone writes to it; a device may never end.
        diag({ severity: 'error', where: p, message: 'is not a file or a directory (a pipe, device or socket) and was not read' });
        out.push({ name: p, kind: 'unknown', gzip: false, bytes: 0, messages: 0 });
      } else if (st.isDirectory()) {
        const before = out.length;
        out.push(...(await readDirectory(p, sink, diag, opts, 0)));
        if (out.length === before) diag({ severity: 'warning', where: p, message: 'is a directory with no mail in it' });
      } else out.push(await readFile(p, sink, diag, opts, null));
    } else if ('bytes' in input) {
      out.push(readBytes(input.bytes, input.name ?? '<stdin>', sink, diag));
    } else {
      out.push(readBytes(Buffer.from(input.text, 'utf8'), input.name ?? '<pasted text>', sink, diag));
    }
  }
  return out;
}

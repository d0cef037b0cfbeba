// MIME bodies: content types with RFC 2231 parameters, multipart trees, base64 and quoted-printable, charsets.
import type { HeaderField, MailPart } from './types.js';
import { parseHeaderBlock, headerValue, decodeEncodedWords } from './headers.js';
import { decodeBytes, latin1 } from './charset.js';

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

/** Parse "text/plain; charset=utf-8; format=flowed", with RFC 2231 continuations and charsets. */
export function parseContentType(value: string | null, fallback = 'text/plain'): ContentType {
  if (!value) return { type: fallback, params: {} };
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params = parseParams(semi < 0 ? '' : value.slice(semi + 1));
  return { type: /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : fallback, params };
}

function parseParams(text: string): Record<string, string> {
  const raw: [string, string][] = [];
  const re = /\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*;?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') break;
    let v = m[2].trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    raw.push([m[1].toLowerCase(), v]);
  }
  const out: Record<string, string> = {};
  const continued = new Map<string, { parts: Map<number, { v: string; enc: boolean }> }>();
  for (const [k, v] of raw) {
    const m = /^([^*]+)\*(\d+)?(\*)?$/.exec(k);
    if (!m) {
      if (!(k in out)) out[k] = v;
      continue;
    }
    const name = m[1];
    if (m[2] === undefined) {
      out[name] = decode2231(v, true);
      continue;
    }
    const entry = continued.get(name) ?? { parts: new Map() };
    entry.parts.set(Number(m[2]), { v, enc: m[3] === '*' });
    continued.set(name, entry);
  }
  for (const [name, { parts }] of continued) {
    const ordered = [...parts.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    const first = ordered[0];
    if (first?.enc) {
      const charset = first.v.split("'")[0] || 'utf-8';
      const bytes: number[] = [];
      ordered.forEach((p, i) => {
        const v = i === 0 ? first.v.split("'").slice(2).join("'") : p.v;
        if (p.enc) pushPercent(bytes, v);
        else for (const ch of Buffer.from(v, 'latin1')) bytes.push(ch);
      });
      out[name] = decodeBytes(Uint8Array.from(bytes), charset).text;
    } else {
      out[name] = ordered.map((p) => p.v).join('');
    }
  }
  return out;
}

function pushPercent(out: number[], v: string): void {
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '%' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
      out.push(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(v.charCodeAt(i) & 0xff);
  }
}

function decode2231(v: string, extended: boolean): string {
  if (!extended) return v;
  const parts = v.split("'");
  if (parts.length < 3) return v;
  const bytes: number[] = [];
  pushPercent(bytes, parts.slice(2).join("'"));
  return decodeBytes(Uint8Array.from(bytes), parts[0] || 'utf-8').text;
}

/** Quoted-printable to bytes. Literal trailing spaces are kept: patch context lines may end in one. */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(input.length);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== 0x3d) {
      out[o++] = c;
      continue;
    }
    const a = input[i + 1];
    if (a === 0x0a) {
      i += 1; // soft line break "=\n"
      continue;
    }
    if (a === 0x0d && input[i + 2] === 0x0a) {
      i += 2; // soft line break "=\r\n"
      continue;
    }
    const h = hexVal(a);
    const l = hexVal(input[i + 2]);
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i += 2;
      continue;
    }
    // "=  \n": soft break with transport padding before it
    let j = i + 1;
    while (input[j] === 0x20 || input[j] === 0x09) j++;
    if (input[j] === 0x0a || (input[j] === 0x0d && input[j + 1] === 0x0a)) {
      i = input[j] === 0x0a ? j : j + 1;
      continue;
    }
    out[o++] = c; // a lone "=" is kept as written
  }
  return out.subarray(0, o);
}

function hexVal(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

export function decodeBase64(input: Uint8Array): Uint8Array {
  return Buffer.from(latin1(input).replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Every LF is preceded by CR (and there is at least one): the CRs belong to the transport, not the text. */
export function isConsistentCrlf(bytes: Uint8Array): boolean {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = buf.indexOf(0x0a);
  if (i < 0) return false;
  while (i >= 0) {
    if (i === 0 || buf[i - 1] !== 0x0d) return false;
    i = buf.indexOf(0x0a, i + 1);
  }
  return true;
}

/** Remove one CR before each LF. */
export function stripCrlf(bytes: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(bytes.length);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) continue;
    out[o++] = bytes[i];
  }
  return out.subarray(0, o);
}

const PATCH_TYPES = new Set(['text/x-patch', 'text/x-diff', 'application/x-patch', 'application/x-diff', 'text/diff', 'text/patch']);
const DIFF_IN_TEXT = /^(?:diff --git |diff -|Index: |--- [^\n]*\n\+\+\+ |GIT binary patch)/m;

/** A text has a diff in it (git or plain unified). */
export function textHasDiff(text: string): boolean {
  return DIFF_IN_TEXT.test(text);
}

export interface MimeResult {
  parts: MailPart[];
  problems: string[];
}

const MAX_DEPTH = 20;

/**
 * Walk a message's MIME tree and return its leaf parts. `fields` are the message headers, `body` the bytes after
 * them (already CRLF-normalised when the whole message was CRLF). Never throws: problems are listed.
 */
export function parseMimeBody(fields: HeaderField[], body: Uint8Array): MimeResult {
  const parts: MailPart[] = [];
  const problems: string[] = [];
  walk(fields, body, 0, parts, problems, null);
  return { parts, problems };
}

function walk(fields: HeaderField[], body: Uint8Array, depth: number, parts: MailPart[], problems: string[], parentType: string | null): void {
  const ct = parseContentType(headerValue(fields, 'content-type'), parentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain');
  if (ct.type.startsWith('multipart/')) {
    if (depth >= MAX_DEPTH) {
      problems.push(`MIME parts nested deeper than ${MAX_DEPTH} levels were skipped`);
      return;
    }
    const boundary = ct.params.boundary;
    if (!boundary) {
      problems.push(`${ct.type} without a boundary: read as plain text`);
      parts.push(leaf(fields, body, { type: 'text/plain', params: {} }, problems));
      return;
    }
    const children = splitMultipart(body, boundary);
    if (!children.closed) problems.push(`${ct.type} part is missing its closing boundary "--${boundary}--"`);
    if (children.parts.length === 0) {
      problems.push(`${ct.type} has no parts`);
      return;
    }
    const childList = children.parts.map((bytes) => {
      const hb = parseHeaderBlock(bytes);
      return { fields: hb.fields, body: bytes.subarray(hb.bodyStart) };
    });
    if (ct.type === 'multipart/alternative') {
      // one alternative: the plain text one when there is one
      const pick =
        childList.find((c) => parseContentType(headerValue(c.fields, 'content-type')).type === 'text/plain') ?? childList[0];
      walk(pick.fields, pick.body, depth + 1, parts, problems, ct.type);
      return;
    }
    for (const c of childList) walk(c.fields, c.body, depth + 1, parts, problems, ct.type);
    return;
  }
  if (ct.type === 'message/rfc822' && depth < MAX_DEPTH) {
    // a forwarded message: its text counts as text of this one
    const decoded = transferDecode(fields, body, problems);
    const hb = parseHeaderBlock(decoded);
    walk(hb.fields, decoded.subarray(hb.bodyStart), depth + 1, parts, problems, ct.type);
    return;
  }
  parts.push(leaf(fields, body, ct, problems));
}

function transferDecode(fields: HeaderField[], body: Uint8Array, problems: string[]): Uint8Array {
  const cte = (headerValue(fields, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (cte === 'base64') {
    const junk = latin1(body).replace(/[A-Za-z0-9+/=\s]/g, '').length;
    if (junk) problems.push(`base64 text holds ${junk} character(s) that are not base64; they were skipped`);
    return decodeBase64(body);
  }
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (!['7bit', '8bit', 'binary', ''].includes(cte)) problems.push(`unknown Content-Transfer-Encoding "${cte}": read as 8bit`);
  return body;
}

function leaf(fields: HeaderField[], body: Uint8Array, ct: ContentType, problems: string[]): MailPart {
  const cte = (headerValue(fields, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  let bytes = transferDecode(fields, body, problems);
  const disp = headerValue(fields, 'content-disposition');
  const dispType = (disp ?? '').split(';')[0].trim().toLowerCase();
  const dispParams = disp ? parseContentType(`x/x;${disp.slice(disp.indexOf(';') + 1)}`).params : {};
  const rawName = dispParams.filename ?? ct.params.name ?? null;
  const filename = rawName === null ? null : decodeEncodedWords(rawName);
  const isTextual =
    ct.type.startsWith('text/') ||
    PATCH_TYPES.has(ct.type) ||
    (filename !== null && /\.(patch|diff)$/i.test(filename));
  let text: string | null = null;
  let decodedWith: string | null = null;
  if (isTextual && ct.type !== 'text/html') {
    if (isConsistentCrlf(bytes)) bytes = stripCrlf(bytes);
    const d = decodeBytes(bytes, ct.params.charset ?? null);
    text = d.text;
    decodedWith = d.charset;
    if (d.fellBack && ct.params.charset) problems.push(`text declared as ${ct.params.charset} was read as ${d.charset}`);
  } else if (ct.type === 'text/html') {
    const d = decodeBytes(bytes, ct.params.charset ?? null);
    text = d.text;
    decodedWith = d.charset;
  }
  const isPatch =
    PATCH_TYPES.has(ct.type) || (filename !== null && /\.(patch|diff)$/i.test(filename)) || (text !== null && ct.type !== 'text/html' && textHasDiff(text));
  return {
    contentType: ct.type,
    charset: ct.params.charset?.toLowerCase() ?? null,
    decodedWith,
    transferEncoding: cte,
    disposition: dispType === 'attachment' ? 'attachment' : 'inline',
    filename,
    flowed: (ct.params.format ?? '').toLowerCase() === 'flowed',
    delSp: (ct.params.delsp ?? '').toLowerCase() === 'yes',
    bytes,
    text,
    isPatch,
  };
}

/** Split a multipart body at its boundary lines. The line break before a delimiter belongs to the delimiter. */
export function splitMultipart(body: Uint8Array, boundary: string): { parts: Uint8Array[]; closed: boolean } {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Uint8Array[] = [];
  let pos = 0;
  let partStart = -1;
  let closed = false;
  while (pos <= buf.length) {
    const at = buf.indexOf(delim, pos);
    if (at < 0) break;
    const atLineStart = at === 0 || buf[at - 1] === 0x0a;
    if (!atLineStart) {
      pos = at + 1;
      continue;
    }
    let after = at + delim.length;
    const isClose = buf[after] === 0x2d && buf[after + 1] === 0x2d;
    if (isClose) after += 2;
    // only transport padding may follow the delimiter on its line
    let eol = after;
    while (buf[eol] === 0x20 || buf[eol] === 0x09 || buf[eol] === 0x0d) eol++;
    if (eol < buf.length && buf[eol] !== 0x0a) {
      pos = at + 1;
      continue;
    }
    if (partStart >= 0) {
      let end = at;
      if (end > partStart && buf[end - 1] === 0x0a) end--;
      if (end > partStart && buf[end - 1] === 0x0d) end--;
      parts.push(body.subarray(partStart, Math.max(partStart, end)));
    }
    if (isClose) {
      closed = true;
      break;
    }
    partStart = Math.min(eol + 1, buf.length);
    pos = partStart;
  }
  if (!closed && partStart >= 0 && partStart < buf.length) parts.push(body.subarray(partStart));
  return { parts, closed };
}

/**
 * RFC 3676 unflowing, for display of reply text only. Never call this on patch text: a context line that ends
 * in a space would be joined to the next one.
 */
export function unflow(text: string, delSp: boolean): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let acc: string | null = null;
  let accDepth = -1;
  for (const line of lines) {
    if (line === '-- ') {
      if (acc !== null) out.push(acc);
      acc = null;
      out.push(line);
      continue;
    }
    const depth = /^>*/.exec(line)![0].length;
    let content = line.slice(depth);
    if (content.startsWith(' ')) content = content.slice(1); // space-stuffing
    const soft = content.endsWith(' ');
    const piece = soft && delSp ? content.slice(0, -1) : content;
    if (acc !== null && depth === accDepth) acc += piece;
    else {
      if (acc !== null) out.push(acc);
      acc = (depth ? '>'.repeat(depth) + ' ' : '') + piece;
      accDepth = depth;
    }
    if (!soft) {
      out.push(acc);
      acc = null;
    }
  }
  if (acc !== null) out.push(acc);
  return out.join('\n');
}

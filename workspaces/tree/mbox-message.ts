// One mboxrd message as git am reads it: From_ line, header block, body; transfer encodings undone.
// Only what feeding git needs; the series assembly (workspaces/series) does the real mail parsing.

export interface MboxMessage {
  /** The From_ line with its line end, or "" when the bytes start with the headers. */
  fromLine: string;
  /** Header block (latin1 text, so bytes survive the round trip), up to and excluding the blank line. */
  headers: string;
  /** Line end the header block uses. */
  eol: '\n' | '\r\n';
  body: Buffer;
}

const FROM_LINE = /^From [^\n]*\n/;

export function splitMboxMessage(bytes: Uint8Array): MboxMessage {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const from = FROM_LINE.exec(text);
  const fromLine = from ? from[0] : '';
  const rest = text.slice(fromLine.length);
  const m = /\r?\n\r?\n/.exec(rest);
  const eol = m && m[0].startsWith('\r') ? '\r\n' : '\n';
  if (!m) return { fromLine, headers: rest.replace(/\r?\n$/, ''), eol, body: Buffer.alloc(0) };
  return { fromLine, headers: rest.slice(0, m.index), eol, body: Buffer.from(rest.slice(m.index + m[0].length), 'latin1') };
}

/** The value of the first header field of that name (unfolded), or null. */
export function headerValue(headers: string, name: string): string | null {
  const lines = headers.split(/\r?\n/);
  const lower = name.toLowerCase() + ':';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].toLowerCase().startsWith(lower)) {
      let v = lines[i].slice(lower.length);
      while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1])) v += ' ' + lines[++i].trim();
      return v.trim();
    }
  }
  return null;
}

function withoutHeader(headers: string, name: string, eol: string): string {
  const lines = headers.split(/\r?\n/);
  const lower = name.toLowerCase() + ':';
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].toLowerCase().startsWith(lower)) {
      while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1])) i++;
      continue;
    }
    out.push(lines[i]);
  }
  return out.join(eol);
}

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

/** mboxrd: a body line matching /^>*From / gets one more ">". */
export function escapeMboxrd(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/^(>*From )/gm, '>$1'), 'latin1');
}

export function unescapeMboxrd(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/^>(>*From )/gm, '$1'), 'latin1');
}

export type BodyEncoding = 'plain' | 'base64' | 'quoted-printable' | 'multipart';

export function bodyEncoding(msg: MboxMessage): BodyEncoding {
  if (/^multipart\//i.test(headerValue(msg.headers, 'Content-Type') ?? '')) return 'multipart';
  const cte = (headerValue(msg.headers, 'Content-Transfer-Encoding') ?? '').toLowerCase();
  if (cte === 'base64') return 'base64';
  if (cte === 'quoted-printable') return 'quoted-printable';
  return 'plain';
}

/**
 * The message with its body as 8-bit text (base64 and quoted-printable undone, mboxrd escaping kept),
 * or null for multipart mail, which git am takes apart itself.
 */
export function toEightBit(msg: MboxMessage): MboxMessage | null {
  const enc = bodyEncoding(msg);
  if (enc === 'multipart') return null;
  if (enc === 'plain') return msg;
  const raw = unescapeMboxrd(msg.body);
  const decoded = enc === 'base64' ? Buffer.from(raw.toString('latin1'), 'base64') : decodeQuotedPrintable(raw);
  const headers = withoutHeader(msg.headers, 'Content-Transfer-Encoding', msg.eol) + `${msg.eol}Content-Transfer-Encoding: 8bit`;
  return { ...msg, headers, body: escapeMboxrd(decoded) };
}

/** The body as text for scanning (diff headers), or null when it cannot be had without a MIME parser. */
export function bodyText(bytes: Uint8Array): string | null {
  const msg = toEightBit(splitMboxMessage(bytes));
  return msg ? unescapeMboxrd(msg.body).toString('latin1') : null;
}

export function joinMboxMessage(msg: MboxMessage): Buffer {
  const fromLine = msg.fromLine || 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';
  const head = Buffer.from(`${fromLine}${msg.headers}${msg.eol}${msg.eol}`, 'latin1');
  const body = msg.body.length === 0 || msg.body[msg.body.length - 1] === 0x0a ? msg.body : Buffer.concat([msg.body, Buffer.from('\n')]);
  return Buffer.concat([head, body]);
}

// One message from its bytes: headers, addresses, ids, date, MIME parts and the text body. Never throws.
import type { HeaderField, MailMessage, MailPart, MessageOrigin } from './types.js';
import {
  headerValue,
  parseAddress,
  parseAddressList,
  parseHeaderBlock,
  parseMailDate,
  parseMessageId,
  parseMessageIds,
} from './headers.js';
import { isConsistentCrlf, parseMimeBody, stripCrlf } from './mime.js';

/** A parsed message before it gets its place in the loaded list. */
export type ParsedMessage = Omit<MailMessage, 'index'>;

export interface ParseResult {
  message: ParsedMessage;
  /** What was wrong with this message; it still loaded. */
  problems: string[];
}

/** The raw (undecoded) value of a field: folding removed, encoded words kept, so addresses split correctly. */
export function rawFieldValue(field: HeaderField): string {
  const colon = field.raw.indexOf(':');
  return field.raw.slice(colon + 1).replace(/\n(?=[ \t])/g, '').trim();
}

function rawHeader(fields: HeaderField[], name: string): string | null {
  const lower = name.toLowerCase();
  const f = fields.find((x) => x.name.toLowerCase() === lower);
  return f ? rawFieldValue(f) : null;
}

function rawHeaders(fields: HeaderField[], name: string): string[] {
  const lower = name.toLowerCase();
  return fields.filter((x) => x.name.toLowerCase() === lower).map(rawFieldValue);
}

/** Parts whose text is part of the message body: inline text, and patches whatever their disposition. */
export function bodyParts(parts: MailPart[]): MailPart[] {
  return parts.filter(
    (p) => p.text !== null && p.contentType !== 'text/html' && (p.isPatch || (p.disposition === 'inline' && p.contentType.startsWith('text/'))),
  );
}

export function joinBodyText(parts: MailPart[]): string {
  let body = '';
  for (const p of bodyParts(parts)) {
    if (body && !body.endsWith('\n')) body += '\n';
    body += p.text;
  }
  return body;
}

export function parseMessage(raw: Uint8Array, origin: MessageOrigin): ParseResult {
  const problems: string[] = [];
  try {
    return parseUnsafe(raw, origin, problems);
  } catch (err) {
    // A parser bug must not lose the message: keep its bytes and say what happened.
    problems.push(`could not be decoded (${err instanceof Error ? err.message : String(err)}); kept as raw text`);
    return {
      message: {
        messageId: null, from: null, to: [], cc: [], replyTo: [], subject: '', date: null, dateText: null, inReplyTo: null,
        references: [], headers: [], body: Buffer.from(raw).toString('latin1'), parts: [], raw, origin, synthetic: false, crlf: false,
      },
      problems,
    };
  }
}

function parseUnsafe(raw: Uint8Array, origin: MessageOrigin, problems: string[]): ParseResult {
  const crlf = isConsistentCrlf(raw);
  const work = crlf ? stripCrlf(raw) : raw;
  const hb = parseHeaderBlock(work);
  const fields = hb.fields;
  if (fields.length === 0) problems.push('has no header fields');
  else if (hb.strayLines.length) problems.push(`has ${hb.strayLines.length} malformed header line(s), e.g. "${hb.strayLines[0].slice(0, 60)}"`);

  const messageIdRaw = headerValue(fields, 'message-id');
  const messageId = parseMessageId(messageIdRaw);
  if (fields.length && !messageId) problems.push(messageIdRaw ? `has an unreadable Message-ID "${messageIdRaw.slice(0, 80)}"` : 'has no Message-ID');
  const fromRaw = rawHeader(fields, 'from');
  const from = parseAddress(fromRaw);
  if (fields.length && !from) problems.push('has no From');
  const dateText = headerValue(fields, 'date');
  const date = parseMailDate(dateText);
  if (dateText && !date) problems.push(`has an unreadable Date "${dateText.slice(0, 60)}"`);
  const references = parseMessageIds(rawHeaders(fields, 'references').join(' ')).filter((id) => id !== messageId);
  const inReplyTo = parseMessageIds(headerValue(fields, 'in-reply-to')).find((id) => id !== messageId) ?? null;

  const body = work.subarray(hb.bodyStart);
  const mime = parseMimeBody(fields, body);
  for (const p of mime.problems) problems.push(p);
  const parts = mime.parts;
  const text = joinBodyText(parts);
  if (!text && parts.some((p) => p.contentType === 'text/html')) problems.push('has only an HTML body; its text is not shown');

  return {
    message: {
      messageId,
      from,
      to: rawHeaders(fields, 'to').flatMap(parseAddressList),
      cc: rawHeaders(fields, 'cc').flatMap(parseAddressList),
      replyTo: rawHeaders(fields, 'reply-to').flatMap(parseAddressList),
      subject: (headerValue(fields, 'subject') ?? '').replace(/\s+/g, ' ').trim(),
      date,
      dateText,
      inReplyTo,
      references,
      headers: fields,
      body: text,
      parts,
      raw,
      origin,
      synthetic: false,
      crlf,
    },
    problems,
  };
}

// The `Link:` trailer that points each review commit back at its mail on the archive.
import { joinMboxMessage, splitMboxMessage, toEightBit } from './mbox-message.js';

export const DEFAULT_LINK_BASE = 'https://lore.kernel.org/r/';

/** The archive URL of a Message-ID (angle brackets optional), the way kernel trailers spell it. */
export function linkFor(messageId: string, base = DEFAULT_LINK_BASE): string {
  const id = messageId.trim().replace(/^<|>$/g, '');
  return base + encodeURIComponent(id).replace(/%40/g, '@');
}

const TRAILER = /^[A-Za-z0-9][A-Za-z0-9-]*:\s/;

/** Where git mailinfo ends the commit message and starts the patch (its patchbreak()). */
function isPatchBreak(line: string): boolean {
  return line.startsWith('diff -') || line.startsWith('Index: ') || /^---\s*$/.test(line) || /^--- \S/.test(line);
}

/**
 * Add `Link: URL` at the end of the commit message in a body: after the trailer block when the
 * message ends with one (Signed-off-by: ...), else as a new paragraph. Returns null if already there.
 */
export function addTrailerToBody(body: string, trailer: string): string | null {
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body.split(/\r?\n/);
  let end = lines.findIndex(isPatchBreak);
  if (end < 0) end = lines.length;
  const message = lines.slice(0, end);
  if (message.some((l) => l.trim() === trailer)) return null;
  while (message.length > 0 && message[message.length - 1].trim() === '') message.pop();
  let start = message.length;
  while (start > 0 && message[start - 1].trim() !== '') start--;
  const last = message.slice(start);
  const endsWithTrailers = last.length > 0 && TRAILER.test(last[0]) && last.every((l) => TRAILER.test(l) || /^[ \t]/.test(l));
  const added = endsWithTrailers ? [...message, trailer] : message.length > 0 ? [...message, '', trailer] : [trailer];
  // The patch break follows the trailers directly, as format-patch writes it.
  const rest = lines.slice(end);
  return [...added, ...rest].join(eol);
}

export interface LinkedMessage {
  mbox: Buffer;
  /** The trailer line added, or null when the message could not take one (multipart) or had it. */
  trailer: string | null;
}

/** The mbox message with a `Link:` trailer for messageId in its commit message. */
export function withLinkTrailer(mbox: Uint8Array, messageId: string | null, base = DEFAULT_LINK_BASE): LinkedMessage {
  const parsed = splitMboxMessage(mbox);
  const msg = messageId ? toEightBit(parsed) : null;
  if (!messageId || !msg) return { mbox: joinMboxMessage(parsed), trailer: null };
  const trailer = `Link: ${linkFor(messageId, base)}`;
  const body = addTrailerToBody(msg.body.toString('latin1'), trailer);
  if (body === null) return { mbox: joinMboxMessage(msg), trailer };
  return { mbox: joinMboxMessage({ ...msg, body: Buffer.from(body, 'latin1') }), trailer };
}

// One patch as an mboxrd message for `git am --patch-format=mboxrd`: the original From, Date, Subject and
// Message-ID fields, and the patch body byte for byte as the sender's part decoded to.
import type { MailMessage, HeaderField } from '../mail/types.js';
import type { CollectedTrailer, Series, SeriesPart } from './types.js';
import { escapeMboxrd } from '../mail/mbox.js';
import { bodyParts } from '../mail/message.js';
import { ReviewError } from '../errors.js';

/** The patch text was damaged in transit (archive page, broken hunks): applying it would be a guess. */
export class PatchDamaged extends ReviewError {}

/** A synthetic message (archive page) has no mail to render. */
export class NoOriginalMail extends ReviewError {}

export interface RenderOptions {
  /** Render even when the patch is marked damaged (for showing it, never for applying it silently). */
  allowDamaged?: boolean;
  /** Add the collected trailers that name their sender and are not in the commit yet, as b4 does. */
  addTrailers?: boolean;
}

export interface RenderedPatch {
  /** The mboxrd message, From_ line included, ending in a blank line. */
  bytes: Buffer;
  /** The diff has CRs that belong to the content: run `git am --keep-cr`, or git drops them. */
  keepCr: boolean;
  /** Trailers that were added to the commit message. */
  addedTrailers: CollectedTrailer[];
}

const FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';
const KEEP_HEADERS = ['from', 'date', 'subject', 'message-id'];

function headerLines(fields: HeaderField[]): string[] {
  const out: string[] = [];
  for (const name of KEEP_HEADERS) {
    const f = fields.find((x) => x.name.toLowerCase() === name);
    if (f) out.push(f.raw);
  }
  return out;
}

/** The bytes of the body the patch is in, and the charset to declare for them. */
function bodyBytes(msg: MailMessage): { bytes: Buffer; charset: string } {
  const parts = bodyParts(msg.parts);
  if (parts.length === 1) {
    const p = parts[0];
    // the part's own bytes keep text that is not UTF-8 exact; git mailinfo converts it like the original
    return { bytes: Buffer.from(p.bytes), charset: p.decodedWith ?? p.charset ?? 'utf-8' };
  }
  return { bytes: Buffer.from(msg.body, 'utf8'), charset: 'utf-8' };
}

function insertTrailers(body: Buffer, trailers: CollectedTrailer[]): Buffer {
  const text = body.toString('utf8');
  const lines = text.split('\n');
  let sep = lines.findIndex((l) => /^---[ \t\r]*$/.test(l) || l.startsWith('diff --git '));
  if (sep < 0) sep = lines.length;
  let end = sep;
  while (end > 0 && lines[end - 1].trim() === '') end--;
  const add = trailers.map((t) => `${t.name}: ${t.value}`);
  const lastIsTrailer = end > 0 && /^[A-Za-z][\w-]*:\s/.test(lines[end - 1]);
  const out = [...lines.slice(0, end), ...(lastIsTrailer ? [] : ['']), ...add, ...lines.slice(end)];
  return Buffer.from(out.join('\n'), 'utf8');
}

/** Render one part. Throws PatchDamaged for a damaged part unless allowDamaged. */
export function renderPatchForGitAm(msg: MailMessage, part: SeriesPart, opts: RenderOptions = {}): RenderedPatch {
  if (part.damaged.length && !opts.allowDamaged) {
    throw new PatchDamaged(
      `Patch ${part.index} ("${part.subject.cleaned}") is damaged and cannot be applied as-is: ${part.damaged.join('; ')}.`,
      'Get the series as an mbox from lore.kernel.org (the t.mbox.gz link) or from the author, and open that.',
      { reasons: part.damaged },
    );
  }
  if (msg.synthetic || msg.headers.length === 0) {
    throw new NoOriginalMail(
      `Patch ${part.index} ("${part.subject.cleaned}") comes from archive page text, not from a mail.`,
      'Open the original mail (an mbox or .eml of the series) to apply it.',
    );
  }
  let { bytes, charset } = bodyBytes(msg);
  const addedTrailers = opts.addTrailers ? part.trailers.filter((t) => t.senderMatches && !t.inCommit) : [];
  if (addedTrailers.length) {
    bytes = insertTrailers(bytes, addedTrailers);
    if (!/^utf-?8$/i.test(charset)) charset = 'utf-8';
  }
  const keepCr = /\r\n/.test(part.diffText);
  const head = [
    ...headerLines(msg.headers),
    'MIME-Version: 1.0',
    `Content-Type: text/plain; charset=${charset}`,
    'Content-Transfer-Encoding: 8bit',
  ].join('\n');
  const escaped = Buffer.from(escapeMboxrd(bytes));
  const tail = escaped.length && escaped[escaped.length - 1] !== 0x0a ? '\n\n' : '\n';
  return {
    bytes: Buffer.concat([Buffer.from(FROM_LINE + head + '\n\n', 'utf8'), escaped, Buffer.from(tail, 'latin1')]),
    keepCr,
    addedTrailers,
  };
}

/** All parts of a series, in order, as one mboxrd. Throws when a part is missing or damaged. */
export function renderSeriesForGitAm(messages: MailMessage[], series: Series, opts: RenderOptions = {}): RenderedPatch {
  if (series.missing.length && !opts.allowDamaged) {
    throw new PatchDamaged(
      `The series "${series.title}" misses patch(es) ${series.missing.join(', ')} of ${series.total}.`,
      'Open a mailbox that holds the whole series (lore.kernel.org t.mbox.gz).',
      { missing: series.missing },
    );
  }
  const rendered = series.parts.map((p) => renderPatchForGitAm(messages[p.message], p, opts));
  return {
    bytes: Buffer.concat(rendered.map((r) => r.bytes)),
    keepCr: rendered.some((r) => r.keepCr),
    addedTrailers: rendered.flatMap((r) => r.addedTrailers),
  };
}

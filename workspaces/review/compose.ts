// Composing a reply: reply-all headers, the attribution, the quote with the comments, the evidence and my trailers.
import { BadRequest, NotFound } from '../errors.js';
import { patchByIndex, type AnalysedPatch, type AnalysedSeries } from './anchors.js';
import { hasEvidence, renderEvidence, type WalkComment } from './evidence.js';
import { formatAttributionDate, formatMailDate, hasTimeOfDay, newMessageId, zoneOfDateText } from './mime-headers.js';
import { bodyLines } from './patch-body.js';
import { firstParagraphEnd, quoteWithComments, type PlacedComment, type QuoteOptions } from './quote.js';
import { replySubject } from './subject.js';
import type {
  ComposedReply,
  DraftTarget,
  MailAddress,
  ReplyIdentity,
  ReplyTargetMessage,
  ResolvedAnnotation,
  ReviewEvidence,
  TrailerKind,
} from './types.js';

export interface ComposeOptions extends QuoteOptions {
  identity: ReplyIdentity;
  /** Every address that is me, kept out of Cc (lower-case). */
  myAddresses?: string[];
  trailers?: TrailerKind[];
  evidence?: ReviewEvidence | null;
  now?: Date;
  messageId?: string;
}

const TRAILER_NAMES: Record<TrailerKind, string> = { 'reviewed-by': 'Reviewed-by', 'tested-by': 'Tested-by', 'acked-by': 'Acked-by' };

export function trailerLine(kind: TrailerKind, me: MailAddress): string {
  return `${TRAILER_NAMES[kind]}: ${me.name ? `${me.name} <${me.email}>` : `<${me.email}>`}`;
}

function key(a: MailAddress): string {
  return a.email.trim().toLowerCase();
}

/** Reply-all: To = Reply-To or From; Cc = their To and Cc, once each, without me and without anyone in To. */
export function replyRecipients(msg: ReplyTargetMessage, myAddresses: string[]): { to: MailAddress[]; cc: MailAddress[] } {
  const mine = new Set(myAddresses.map((a) => a.toLowerCase()));
  const seen = new Set<string>();
  const take = (list: MailAddress[], dropMe: boolean): MailAddress[] => {
    const out: MailAddress[] = [];
    for (const a of list) {
      const k = key(a);
      if (!k || seen.has(k) || (dropMe && mine.has(k))) continue;
      seen.add(k);
      out.push({ name: a.name, email: a.email.trim() });
    }
    return out;
  };
  const to = take(msg.replyTo.length ? msg.replyTo : msg.from ? [msg.from] : [], false);
  const cc = take([...msg.to, ...msg.cc], true);
  return { to, cc };
}

/** Threading: In-Reply-To is their Message-ID; References are theirs (or their In-Reply-To) plus it. */
export function replyThreading(msg: ReplyTargetMessage): { inReplyTo: string | null; references: string[] } {
  const refs = msg.references.length ? [...msg.references] : msg.inReplyTo ? [msg.inReplyTo] : [];
  if (msg.messageId) refs.push(msg.messageId);
  return { inReplyTo: msg.messageId, references: [...new Set(refs)] };
}

export function attributionLine(msg: ReplyTargetMessage): string {
  const who = msg.from ? msg.from.name || msg.from.email : 'someone';
  if (!msg.date) return `${who} wrote:`;
  const zone = zoneOfDateText(msg.dateText) ?? 0;
  return `On ${formatAttributionDate(msg.date, zone, hasTimeOfDay(msg.dateText))}, ${who} wrote:`;
}

function looksObfuscated(a: MailAddress): boolean {
  return /@x{3,}$|@\.\.\.|\.\.\.@|\s|^[^@]*$/.test(a.email) || a.email.includes('...');
}

/** The message a draft answers. */
export function targetMessage(s: AnalysedSeries, target: DraftTarget): ReplyTargetMessage {
  if (target.kind === 'cover') {
    if (!s.series.cover) throw new NotFound(`Version ${s.series.version} of the series has no cover letter.`, 'Reply to one of its patches instead.');
    return s.series.cover;
  }
  return patchByIndex(s, target.patch).message;
}

/**
 * Is this comment about the message being answered (the patch, or the cover letter when `patch` is null)? Placed
 * ones say where they are; an outdated one is about the patch with its title (or, failing that, its number).
 */
function isAbout(r: ResolvedAnnotation, patch: AnalysedPatch | null): boolean {
  const a = r.annotation.anchor;
  if (a.kind === 'cover' || a.kind === 'walk') return a.kind === 'cover' && patch === null;
  if (!patch) return false;
  if (r.location) return 'patch' in r.location && r.location.patch === patch.index;
  return a.patch.subject === patch.title || a.patch.index === patch.index;
}

/** Compose the reply to a patch or the cover letter, with the annotations resolved against this version. */
export function composeReply(s: AnalysedSeries, target: DraftTarget, resolved: ResolvedAnnotation[], opts: ComposeOptions): ComposedReply {
  if (target.version !== s.series.version) throw new BadRequest(`The draft is for v${target.version}, the series given is v${s.series.version}.`, 'Compose against the version you reply to.');
  const msg = targetMessage(s, target);
  const now = opts.now ?? new Date();
  const warnings: string[] = [];
  const placedIds: string[] = [];
  const unplaced: { annotation: string; reason: string }[] = [];
  const comments: PlacedComment[] = [];
  const walkComments: WalkComment[] = [];
  const evidence = opts.evidence && hasEvidence(opts.evidence) ? opts.evidence : null;

  let lines: string[];
  let quoteAllOf: number[] = [];
  let generalAt: number;
  const patch = target.kind === 'patch' ? patchByIndex(s, target.patch) : null;
  if (patch) {
    lines = patch.body.lines;
    quoteAllOf = patch.body.messageLines;
    generalAt = firstParagraphEnd(lines, patch.body.messageLines);
  } else {
    lines = bodyLines(msg.body);
    const all = lines.map((_l, i) => i);
    generalAt = firstParagraphEnd(lines, all);
    quoteAllOf = generalAt >= 0 ? all.slice(0, generalAt + 1) : [];
  }

  for (const r of resolved) {
    const a = r.annotation;
    const anchor = a.anchor;
    if (anchor.kind === 'walk') {
      if (!r.location) continue;
      if (evidence && evidence.result === anchor.result) {
        walkComments.push({ step: anchor.step, scenario: anchor.scenario, text: a.text });
        placedIds.push(a.id);
      }
      continue;
    }
    if (!isAbout(r, patch)) continue;
    const loc = r.location;
    if (!loc) {
      unplaced.push({ annotation: a.id, reason: `outdated: ${r.reason ?? 'its lines changed'}` });
      continue;
    }
    let after: number | null = null;
    if (loc.kind === 'diff' && patch) {
      const file = patch.body.files.find((f) => f.path === loc.file);
      for (const h of file?.hunks ?? []) {
        const l = h.lines.find((x) => (loc.side === 'new' ? x.newLine : x.oldLine) === loc.line);
        if (l) {
          after = l.bodyLine;
          break;
        }
      }
    } else if (loc.kind === 'message' && patch) {
      after = loc.line === null ? generalAt : patch.body.messageLines[loc.line - 1] ?? null;
    } else if (loc.kind === 'cover' && !patch) {
      after = loc.line === null ? generalAt : loc.line - 1;
    }
    if (after === null) {
      unplaced.push({ annotation: a.id, reason: 'its line is not in this message' });
      continue;
    }
    // A comment on an empty line of text goes under the text above it, not under a bare ">".
    if (loc.kind !== 'diff') while (after > 0 && lines[after].trim() === '') after--;
    comments.push({ after, text: a.text });
    placedIds.push(a.id);
  }
  comments.sort((x, y) => x.after - y.after);

  const parts: string[][] = [];
  const quoted = quoteWithComments(lines, patch?.body ?? null, comments, { maxContext: opts.maxContext, wrap: opts.wrap, quoteAllOf });
  if (quoted.length) parts.push([attributionLine(msg), ...quoted]);
  if (evidence) parts.push(renderEvidence(evidence, s.series.total || s.patches.length, walkComments, opts.wrap ?? 72));
  const trailers = [...new Set(opts.trailers ?? [])];
  if (trailers.length) parts.push(trailers.map((t) => trailerLine(t, opts.identity)));
  if (parts.length === 0) parts.push([attributionLine(msg)]);
  const body = parts.map((p) => p.join('\n')).join('\n\n') + '\n';

  if (trailers.includes('tested-by') && evidence?.firstBad && patch && evidence.firstBad.index === patch.index) {
    warnings.push(`The evidence names this patch as the first bad one, and the reply gives it a Tested-by.`);
  }
  const { to, cc } = replyRecipients(msg, opts.myAddresses ?? [opts.identity.email]);
  if (to.length === 0) warnings.push('The message has no From or Reply-To address: fill in To before sending.');
  const odd = [...to, ...cc].filter(looksObfuscated);
  if (odd.length) warnings.push(`These addresses look obfuscated by a mail archive and will not deliver: ${odd.map((a) => a.email).join(', ')}.`);
  const threading = replyThreading(msg);
  if (!threading.inReplyTo) warnings.push('The message has no Message-ID (an archive page?), so the reply cannot be threaded under it.');

  return {
    headers: {
      from: { name: opts.identity.name, email: opts.identity.email },
      to,
      cc,
      subject: replySubject(msg.subject),
      inReplyTo: threading.inReplyTo,
      references: threading.references,
      date: formatMailDate(now),
      messageId: opts.messageId ?? newMessageId(opts.identity.email, now),
    },
    body,
    placed: placedIds,
    unplaced,
    warnings,
  };
}

// loadMail: inputs → decoded, deduplicated messages → threads → series, with a diagnostic for every problem.
import type { DuplicateMessage, MailDiagnostic, MailMessage } from '../mail/types.js';
import type { MailLoad } from './types.js';
import { readMailInputs, type MailInput, type ReadProgress } from '../mail/sources.js';
import { parseMessage, type ParsedMessage } from '../mail/message.js';
import { DuplicateFilter } from '../mail/dedupe.js';
import { buildThreads, parentsFromQuotes } from '../mail/thread.js';
import { assembleSeries } from './assemble.js';

export type { MailInput, ReadProgress };

export interface LoadOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
}

/** "file message 3 at byte 1234": where a message problem is. */
export function whereOf(m: Pick<ParsedMessage, 'origin'>): string {
  const o = m.origin;
  const at = o.offset !== null && o.kind !== 'eml' && o.kind !== 'maildir' ? ` at byte ${o.offset}` : '';
  const pos = o.kind === 'eml' ? '' : ` message ${o.position + 1}`;
  return `${o.file}${pos}${at}`;
}

/** Problems that are normal for a kind of input are not worth a diagnostic (format-patch files have no Message-ID). */
function worthReporting(problem: string, m: ParsedMessage): boolean {
  if (problem === 'has no Message-ID' && (m.origin.kind === 'format-patch' || m.origin.kind === 'eml')) return false;
  return true;
}

/**
 * Load mail from paths (files, directories, .gz), bytes (stdin) or pasted text. Bad input never throws: every
 * broken message gets a diagnostic and the rest loads. Only cancellation (opts.signal) throws a Cancelled.
 */
export async function loadMail(inputs: MailInput[], opts: LoadOptions = {}): Promise<MailLoad> {
  const diagnostics: MailDiagnostic[] = [];
  const messages: MailMessage[] = [];
  const duplicates: DuplicateMessage[] = [];
  const filter = new DuplicateFilter();
  const add = (parsed: ParsedMessage, problems: string[]) => {
    const subject = parsed.subject ? ` ("${parsed.subject.slice(0, 70)}")` : '';
    for (const p of problems) {
      if (!worthReporting(p, parsed)) continue;
      diagnostics.push({ severity: p.startsWith('could not be decoded') ? 'error' : 'warning', where: whereOf(parsed), message: `${p}${subject}` });
    }
    const dup = filter.check(parsed, messages.length);
    if (dup) {
      if (dup.longer) {
        // the kept copy was cut short: keep this fuller text in its place
        const short = messages[dup.kept];
        messages[dup.kept] = { ...parsed, index: dup.kept };
        duplicates.push({ keptIndex: dup.kept, messageId: short.messageId, origin: short.origin, reason: dup.reason });
      } else duplicates.push({ keptIndex: dup.kept, messageId: parsed.messageId, origin: parsed.origin, reason: dup.reason });
      return;
    }
    messages.push({ ...parsed, index: messages.length });
  };
  const sources = await readMailInputs(
    inputs,
    (item) => {
      if (item.kind === 'parsed') add(item.message, []);
      else {
        // the reader's bytes may be a view into its buffer: keep a copy
        const r = parseMessage(Buffer.from(item.bytes), item.origin);
        add(r.message, r.problems);
      }
    },
    (d) => diagnostics.push(d),
    { signal: opts.signal, onProgress: opts.onProgress },
  );
  return assembleLoad(messages, duplicates, diagnostics, sources);
}

/** Threads and series for messages already read. */
export function assembleLoad(
  messages: MailMessage[],
  duplicates: DuplicateMessage[],
  diagnostics: MailDiagnostic[],
  sources: MailLoad['sources'],
): MailLoad {
  // archive messages have no ids: their parents come from what they quote
  const synthetic = messages.filter((m) => m.synthetic && !m.messageId && !m.inReplyTo);
  const extra = synthetic.length
    ? parentsFromQuotes(synthetic.map((m) => ({ index: m.index, subject: m.subject, author: m.from?.name ?? '', date: m.date, body: m.body })))
    : new Map<number, number>();
  const threads = buildThreads(messages, extra);
  const threadOf: number[] = new Array(messages.length).fill(-1);
  threads.forEach((t, k) => {
    for (const m of t.order) threadOf[m] = k;
  });
  const series = assembleSeries({ messages, threads, threadOf });
  for (const s of series) {
    for (const p of s.parts) {
      if (p.damaged.length && !messages[p.message].synthetic) {
        diagnostics.push({
          severity: 'warning',
          where: whereOf(messages[p.message]),
          message: `patch ${p.index}/${s.total} of "${s.title}" is damaged and cannot be applied as-is: ${p.damaged[0]}`,
        });
      }
    }
  }
  return { messages, duplicates, threads, threadOf, series, diagnostics, sources };
}

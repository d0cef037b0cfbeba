// Threading after JWZ / RFC 5256 REFERENCES: containers, placeholders for missing parents, a cycle guard,
// subject grouping of orphan replies; and, for archive text without Message-IDs, parents found from quoted text.
import type { MailThread, ThreadNode } from './types.js';
import { replyStructure, stripSignature } from './quote.js';

/** What threading needs to know about a message. */
export interface ThreadInput {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  /** A Date, or milliseconds since the epoch (the header-only index keeps numbers). */
  date: Date | number | null;
}

interface Container {
  id: string;
  message: number | null;
  parent: Container | null;
  children: Container[];
  subjectGuess: string;
}

const REPLY_PREFIX = /^(?:\s*(?:re|aw|fwd?|sv|antw|wg|tr|vs|r|odp|res)(?:\[\d+\])?\s*:\s*)+/i;

/** Subject without reply prefixes, lower-case, whitespace collapsed: the key for subject grouping. */
export function threadSubjectKey(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject);
}

function isAncestor(a: Container, of: Container): boolean {
  // is `a` an ancestor of (or equal to) `of`? bounded walk: the guard against cycles in bad References
  let c: Container | null = of;
  for (let n = 0; c && n < 100_000; n++, c = c.parent) if (c === a) return true;
  return false;
}

function link(parent: Container, child: Container): boolean {
  if (child.parent === parent) return true;
  if (isAncestor(child, parent)) return false; // would make a cycle
  if (child.parent) child.parent.children.splice(child.parent.children.indexOf(child), 1);
  child.parent = parent;
  parent.children.push(child);
  return true;
}

/**
 * Build the threads. `extraParents` gives parents found another way (quoted text) for messages that have
 * neither In-Reply-To nor References. Children and roots come in date order, then input order.
 */
export function buildThreads(msgs: ThreadInput[], extraParents: Map<number, number> = new Map()): MailThread[] {
  const byId = new Map<string, Container>();
  const ofMessage: Container[] = new Array(msgs.length);
  const container = (id: string): Container => {
    let c = byId.get(id);
    if (!c) {
      c = { id, message: null, parent: null, children: [], subjectGuess: '' };
      byId.set(id, c);
    }
    return c;
  };
  for (let i = 0; i < msgs.length; i++) {
    const id = msgs[i].messageId;
    let c = id ? byId.get(id) : undefined;
    if (c && c.message !== null) c = undefined; // a second message with the same id: keep it apart
    if (!c) c = container(id && !byId.has(id) ? id : `\0#${i}`);
    c.message = i;
    ofMessage[i] = c;
  }
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i];
    const refs = [...m.references];
    if (m.inReplyTo && refs[refs.length - 1] !== m.inReplyTo) refs.push(m.inReplyTo);
    let prev: Container | null = null;
    for (const ref of refs) {
      const c = container(ref);
      if (prev && !c.parent && c !== prev) link(prev, c);
      prev = c;
    }
    const self = ofMessage[i];
    if (prev && prev !== self) {
      link(prev, self); // refused when it would make a cycle: the message then keeps its place
      if (!prev.subjectGuess && prev.message === null) prev.subjectGuess = m.subject.replace(REPLY_PREFIX, '').trim();
    }
  }
  for (const [child, parent] of extraParents) {
    const c = ofMessage[child];
    const p = ofMessage[parent];
    if (c && p && !c.parent) link(p, c);
  }

  // roots; placeholders without children are dropped
  let roots = [...new Set([...byId.values(), ...ofMessage])].filter((c) => !c.parent && (c.message !== null || c.children.length > 0));

  // orphan replies join the root with their subject, or a placeholder for the message they answer
  const bySubject = new Map<string, Container>();
  for (const r of roots) {
    if (r.message === null) continue;
    const s = msgs[r.message].subject;
    if (!isReplySubject(s)) {
      const k = threadSubjectKey(s);
      if (k && !bySubject.has(k)) bySubject.set(k, r);
    }
  }
  for (const r of roots) {
    if (r.message === null) {
      const k = threadSubjectKey(r.subjectGuess);
      if (k && !bySubject.has(k)) bySubject.set(k, r);
    }
  }
  const next: Container[] = [];
  for (const r of roots) {
    if (r.message === null || !isReplySubject(msgs[r.message].subject)) {
      next.push(r);
      continue;
    }
    const k = threadSubjectKey(msgs[r.message].subject);
    let target = k ? bySubject.get(k) : undefined;
    if (!target && k) {
      target = { id: `\0subject:${k}`, message: null, parent: null, children: [], subjectGuess: msgs[r.message].subject.replace(REPLY_PREFIX, '').trim() };
      bySubject.set(k, target);
      next.push(target);
    }
    if (target && target !== r && link(target, r)) continue;
    next.push(r);
  }
  roots = next;

  const when = (c: Container): number => {
    if (c.message !== null) {
      const d = msgs[c.message].date;
      return d === null ? Number.POSITIVE_INFINITY : typeof d === 'number' ? d : d.getTime();
    }
    let best = Number.POSITIVE_INFINITY;
    for (const ch of c.children) best = Math.min(best, when(ch));
    return best;
  };
  const firstIndex = (c: Container): number => {
    if (c.message !== null) return c.message;
    let best = Number.POSITIVE_INFINITY;
    for (const ch of c.children) best = Math.min(best, firstIndex(ch));
    return best;
  };
  const order = (a: Container, b: Container) => when(a) - when(b) || firstIndex(a) - firstIndex(b);

  const toNode = (c: Container): ThreadNode => {
    const kids = [...c.children].sort(order);
    return {
      message: c.message,
      messageId: c.id.startsWith('\0') ? (c.message !== null ? msgs[c.message].messageId : null) : c.id,
      subject: c.message !== null ? msgs[c.message].subject : c.subjectGuess,
      children: kids.map(toNode),
    };
  };
  return roots.sort(order).map((r) => {
    const root = toNode(r);
    const list: number[] = [];
    walkNodes(root, (n) => {
      if (n.message !== null) list.push(n.message);
    });
    return { root, size: list.length, order: list };
  });
}

/** Depth-first visit in thread order. Iterative, so deep threads cannot overflow the stack. */
export function walkNodes(root: ThreadNode, visit: (node: ThreadNode, depth: number, parent: ThreadNode | null) => void): void {
  const stack: [ThreadNode, number, ThreadNode | null][] = [[root, 0, null]];
  while (stack.length) {
    const [n, d, p] = stack.pop()!;
    visit(n, d, p);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i], d + 1, n]);
  }
}

// ---- parents from quoted text (archive pages) ----

export interface QuoteThreadInput {
  index: number;
  subject: string;
  author: string;
  date: Date | null;
  body: string;
}

const FOOTER = /^To unsubscribe from this list:/m;

// "On Mon, Dec 7, 2015 at 4:51 PM, Andy Lutomirski wrote:" repeats in every later quote: it says little
const ATTRIBUTION_TEXT = /(?:\bOn [^\n>]{5,140}? wrote:|\* [^\n>*]{3,80}? wrote:)/g;

function words(text: string): string[] {
  return text
    .replace(FOOTER, '')
    .replace(ATTRIBUTION_TEXT, ' ')
    .toLowerCase()
    .replace(/[>|*]/g, ' ')
    .split(/[^\p{L}\p{N}_$%./-]+/u)
    .filter((w) => w.length > 0);
}

function shingles(text: string, n = 4): Set<string> {
  const w = words(text);
  const out = new Set<string>();
  if (w.length < n) {
    if (w.length) out.add(w.join(' '));
    return out;
  }
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(' '));
  return out;
}

function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const s of small) if (big.has(s)) n++;
  return n;
}

function sameName(a: string, b: string): boolean {
  const n = (s: string) => s.toLowerCase().replace(/[^a-z\p{L}]+/gu, ' ').trim();
  return n(a) !== '' && n(a) === n(b);
}

/**
 * For messages without Message-IDs: the parent of each reply is the earlier message of the same subject whose
 * text it quotes most; candidates that quote the reply itself (its descendants) are excluded, and the
 * "On ..., NAME wrote:" attribution narrows the choice. Day-only dates make same-day messages candidates.
 * Replies whose line breaks were lost go flat under the first message of the subject.
 */
export function parentsFromQuotes(items: QuoteThreadInput[]): Map<number, number> {
  const result = new Map<number, number>();
  const prepared = items.map((m) => {
    const st = replyStructure(m.body);
    const noSig = stripSignature(m.body);
    const lineless = !m.body.trimEnd().includes('\n') && m.body.length > 300;
    return {
      m,
      key: threadSubjectKey(m.subject),
      reply: isReplySubject(m.subject),
      all: shingles(noSig),
      own: shingles(st.own.join('\n')),
      quoted: shingles(st.quoted.join('\n')),
      attributed: st.attributions[0]?.name ?? '',
      day: m.date ? Math.floor(m.date.getTime() / 86_400_000) : null,
      lineless,
    };
  });
  for (const r of prepared) {
    if (!r.reply) continue;
    if (r.lineless) {
      // without line breaks the quote levels are gone and so is any honest guess at the parent:
      // such replies hang flat under the first message of their subject, in date order
      const root = prepared.find((p) => p !== r && !p.reply && p.key === r.key);
      if (root) result.set(r.m.index, root.m.index);
      continue;
    }
    const candidates = prepared.filter((p) => {
      if (p === r || p.key !== r.key) return false;
      if (r.day !== null && p.day !== null && p.day > r.day) return false;
      // a candidate that quotes this message's own words answers it: it is below, not above
      if (r.own.size >= 3 && overlap(r.own, p.quoted) >= Math.max(3, r.own.size * 0.5)) return false;
      return true;
    });
    let scored = candidates.map((p) => ({ p, score: overlap(r.quoted, p.all) })).filter((s) => s.score > 0);
    if (r.attributed) {
      const named = scored.filter((s) => sameName(s.p.m.author, r.attributed));
      if (named.length) scored = named;
    }
    scored.sort((a, b) => b.score - a.score || (b.p.m.date?.getTime() ?? 0) - (a.p.m.date?.getTime() ?? 0) || b.p.all.size - a.p.all.size);
    let parent: (typeof prepared)[number] | undefined = scored[0]?.p;
    if (!parent) parent = candidates.find((p) => !p.reply); // no quote: the thread's first message
    if (parent) result.set(r.m.index, parent.m.index);
  }
  // break any cycle the scores could still make
  for (const [child] of result) {
    const seen = new Set<number>([child]);
    let p = result.get(child);
    while (p !== undefined) {
      if (seen.has(p)) {
        result.delete(child);
        break;
      }
      seen.add(p);
      p = result.get(p);
    }
  }
  return result;
}

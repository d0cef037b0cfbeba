// Duplicate detection: the same Message-ID twice, or (archive pages, which have no ids) the same text twice.
import type { ParsedMessage } from './message.js';
import { threadSubjectKey } from './thread.js';

/** Who, when and what about: copies of one archive message share this. */
function metaKey(m: ParsedMessage): string {
  const day = m.date ? m.date.toISOString().slice(0, 10) : m.dateText ?? '';
  const who = (m.from?.name ?? m.from?.email ?? '').toLowerCase().replace(/\s+/g, ' ').trim();
  return `${who}\0${day}\0${threadSubjectKey(m.subject)}`;
}

/** The text with whitespace and quote marks removed: copies differ in line wrapping, not in this. */
export function normalizedText(body: string): string {
  return body.replace(/[\s>]+/g, '');
}

/** One copy is the other cut short (archives truncate long pages), or they are equal. */
function sameText(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 200) return false;
  return long.startsWith(short.slice(0, Math.floor(short.length * 0.98)));
}

/** Tracks what was loaded; tells for each new message whether it repeats one already kept. */
export class DuplicateFilter {
  private readonly ids = new Map<string, number>();
  private readonly contents = new Map<string, { index: number; text: string }[]>();

  /**
   * Returns the index of the kept copy, or null when the message is new (it is then remembered as `index`).
   * `longer` says the new copy is the more complete one (the kept copy was cut short): keep its content.
   */
  check(m: ParsedMessage, index: number): { kept: number; reason: 'message-id' | 'content'; longer: boolean } | null {
    if (m.messageId) {
      const k = this.ids.get(m.messageId);
      if (k !== undefined) return { kept: k, reason: 'message-id', longer: false };
      this.ids.set(m.messageId, index);
      return null;
    }
    if (m.synthetic) {
      const key = metaKey(m);
      const text = normalizedText(m.body);
      const list = this.contents.get(key) ?? [];
      const same = list.find((c) => sameText(c.text, text));
      if (same) {
        const longer = text.length > same.text.length;
        if (longer) same.text = text;
        return { kept: same.index, reason: 'content', longer };
      }
      list.push({ index, text });
      this.contents.set(key, list);
    }
    return null;
  }
}

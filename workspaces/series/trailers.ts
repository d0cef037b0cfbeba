// Trailers given in replies ("Reviewed-by: ..."): unquoted lines above the signature, wrapped ones rejoined.
import type { Address } from '../mail/types.js';
import { quoteDepth } from '../mail/quote.js';
import { isDiffStart } from './diff.js';

export interface FoundTrailer {
  name: string;
  value: string;
  /** The address in the value, lower-case, or '' when it names no address. */
  email: string;
  /** 0-based line of the body where it starts. */
  line: number;
}

const TRAILER = /^([A-Za-z][A-Za-z-]*-[Bb][Yy]|Fixes)[ \t]*:[ \t]*(.*?)\s*$/;
const SCISSORS = /^-{2,}\s*>8\s*-*$|^-{2,}\s*8<\s*-*$|^>8-+$/;

/** "reviewed-BY" → "Reviewed-by": trailer names compare and print in git's spelling. */
export function canonicalTrailerName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
}

function emailIn(value: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>()]+@[^\s<>()]+)/.exec(value);
  return m ? m[1].toLowerCase() : '';
}

/**
 * Trailers a reply gives. Quoted lines, lines after the "-- " signature, and anything after a diff or a
 * scissors line (a patch attached to the reply) are not the sender's trailers. Person trailers (*-by) need
 * an address, except in archive text (`namesSuffice`), where the archive stripped every address.
 */
export function replyTrailers(body: string, opts: { namesSuffice?: boolean } = {}): FoundTrailer[] {
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: FoundTrailer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '-- ' || line === '--') break;
    if (SCISSORS.test(line.trim()) || isDiffStart(lines, i)) break;
    if (quoteDepth(line) > 0) continue;
    const m = TRAILER.exec(line);
    if (!m) continue;
    const start = i;
    let value = m[2];
    // wrapped trailers: the address on the next line, an address broken inside, or indented continuations
    for (let n = 0; n < 3 && i + 1 < lines.length; n++) {
      const next = lines[i + 1];
      if (quoteDepth(next) > 0 || next.trim() === '' || TRAILER.test(next)) break;
      if (value === '') value = next.trim();
      else if (value.includes('<') && !value.includes('>')) value += next.trim();
      else if (!value.includes('<') && !value.includes('@') && /^\s*<[^<>\s]+@[^<>\s]+>\s*$/.test(next)) value += ' ' + next.trim();
      else if (/^[ \t]+\S/.test(next) && !/^\s*\w[\w-]*:/.test(next)) value += ' ' + next.trim();
      else break;
      i++;
    }
    value = value.replace(/\s+/g, ' ').trim();
    if (!value) continue;
    const name = canonicalTrailerName(m[1]);
    const email = emailIn(value);
    if (name !== 'Fixes') {
      const named = opts.namesSuffice && /^[\p{L}][\p{L}'.-]*(?: [\p{L}][\p{L}'.-]*)+$/u.test(value);
      if (!email && !named) continue;
    } else if (!/^[0-9a-f]{7,40}\b/i.test(value)) continue;
    out.push({ name, value, email, line: start });
  }
  return out;
}

function normName(s: string): string {
  return s.toLowerCase().replace(/["']/g, '').replace(/\s+/g, ' ').trim();
}

/** Does the trailer name its sender? By address, or by name ("Last, First" matched by parts, as b4 does). */
export function trailerMatchesSender(t: FoundTrailer, sender: Address | null): boolean {
  if (!sender) return false;
  if (t.name === 'Fixes') return true;
  if (t.email && sender.email && t.email === sender.email.toLowerCase()) return true;
  const tname = normName(t.value.replace(/<[^>]*>/g, '').replace(/\S+@\S+/g, ''));
  const sname = normName(sender.name);
  if (!tname || !sname) return false;
  if (tname === sname) return true;
  if (sname.includes(',')) return sname.split(',').every((chunk) => tname.includes(chunk.trim()));
  return false;
}

/** Key that makes "Reviewed-by: A <a@x>" and "reviewed-by:  A <A@X>" the same trailer. */
export function trailerKey(name: string, value: string): string {
  return `${name.toLowerCase()}\0${value.toLowerCase().replace(/\s+/g, ' ').trim()}`;
}

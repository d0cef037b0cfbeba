// The quoted part of a reply: the message quoted with "> ", each comment right under the lines it is about,
// what no comment needs trimmed to "[...]", nothing quoted after the last comment, quoted lines never re-wrapped.
import type { BodyLineRole, PatchBody } from './patch-body.js';

/** A comment to place: after body line `after` (0-based), or -1 for right under the attribution. */
export interface PlacedComment {
  after: number;
  text: string;
}

export interface QuoteOptions {
  /** At most this many lines of a hunk or paragraph are quoted above a comment (default 8). */
  maxContext?: number;
  /** Wrap comment prose at this width (default 72); false keeps the text as typed. */
  wrap?: number | false;
}

export const ELISION = '[...]';

/** Quote one line: "> text", ">" for an empty line, ">>" for a line already quoted. */
export function quoteLine(line: string): string {
  if (line === '') return '>';
  if (line.startsWith('>')) return `>${line}`;
  return `> ${line}`;
}

/**
 * Wrap prose at `width`: only lines longer than it that do not start with whitespace (code, indented
 * snippets and pasted output keep their shape); words are never split.
 */
export function wrapComment(text: string, width: number | false): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((l) => l.replace(/\s+$/, ''));
  while (lines.length && lines[0] === '') lines.shift();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (width === false) return lines;
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width || /^\s/.test(line) || line.startsWith('>')) {
      out.push(line);
      continue;
    }
    let cur = '';
    for (const word of line.split(/ +/)) {
      if (cur && cur.length + 1 + word.length > width) {
        out.push(cur);
        cur = word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    if (cur) out.push(cur);
  }
  return out;
}

/** The end of the first paragraph among `indices` (body lines in order), or -1: where a general comment goes. */
export function firstParagraphEnd(lines: string[], indices: number[]): number {
  let end = -1;
  for (const i of indices) {
    if (lines[i].trim() === '') {
      if (end >= 0) break;
      continue;
    }
    end = i;
  }
  return end;
}

/**
 * The quoted body with the comments placed. `body` gives diff structure (null for a cover letter: plain text).
 * With no comments, `quoteAllOf` lines are quoted (the commit message, for a Reviewed-by-only reply).
 */
export function quoteWithComments(
  lines: string[],
  body: PatchBody | null,
  comments: PlacedComment[],
  opts: QuoteOptions & { quoteAllOf?: number[] } = {},
): string[] {
  const maxContext = Math.max(1, opts.maxContext ?? 8);
  const wrap = opts.wrap ?? 72;
  const keep = new Array<boolean>(lines.length).fill(false);
  const roles: BodyLineRole[] | null = body?.roles ?? null;

  const keepAbove = (b: number) => {
    const role = roles?.[b];
    if (body && role && role.kind === 'hunk-line') {
      const file = body.files[role.file];
      const hunk = file.hunks[role.hunk];
      for (const i of file.headerLines) keep[i] = true;
      keep[hunk.bodyLine] = true;
      for (let i = Math.max(hunk.lines[0].bodyLine, b - maxContext + 1); i <= b; i++) keep[i] = true;
      return;
    }
    // Text: the paragraph up to the line, at most maxContext lines of it.
    const sameRegion = (i: number) => !roles || roles[i]?.kind === role?.kind;
    let start = b;
    while (start > 0 && b - start + 1 < maxContext && lines[start - 1].trim() !== '' && sameRegion(start - 1)) start--;
    for (let i = start; i <= b; i++) keep[i] = true;
  };

  const byLine = new Map<number, PlacedComment[]>();
  for (const c of comments) {
    if (c.after >= 0) keepAbove(c.after);
    byLine.set(c.after, [...(byLine.get(c.after) ?? []), c]);
  }
  let last = comments.length ? Math.max(...comments.map((c) => c.after)) : -1;
  if (comments.length === 0 && opts.quoteAllOf?.length) {
    for (const i of opts.quoteAllOf) keep[i] = true;
    last = Math.max(...opts.quoteAllOf);
  }
  // A run of blank lines between two quoted lines is quoted too: "[...]" for one empty line says nothing.
  for (let i = 0; i <= last; i++) {
    if (keep[i] || lines[i].trim() !== '') continue;
    let j = i;
    while (j <= last && !keep[j] && lines[j].trim() === '') j++;
    if (i > 0 && keep[i - 1] && j <= last && keep[j]) for (let k = i; k < j; k++) keep[k] = true;
    i = j - 1;
  }

  const out: string[] = [];
  const pushComment = (c: PlacedComment) => {
    if (out.length && out[out.length - 1] !== '') out.push('');
    out.push(...wrapComment(c.text, wrap), '');
  };
  for (const c of byLine.get(-1) ?? []) pushComment(c);
  let elided = false;
  for (let i = 0; i <= last; i++) {
    if (keep[i]) {
      // an empty quoted line right under a comment says nothing
      if (!(lines[i].trim() === '' && out.length > 0 && out[out.length - 1] === '')) out.push(quoteLine(lines[i]));
      elided = false;
    } else if (!elided) {
      out.push(ELISION);
      elided = true;
    }
    for (const c of byLine.get(i) ?? []) {
      pushComment(c);
      elided = false;
    }
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

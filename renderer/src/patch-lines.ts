// What each line of a shown patch mail is, so a comment typed on it is anchored where the review engine
// expects (commit message line n, or file/side/line of the diff), and stored comments find their line again.
import type { ResolvedLocation } from '../../workspaces/host/api.js';

export type LineRole =
  | { kind: 'header' }
  | { kind: 'message'; line: number }
  | { kind: 'cover'; line: number }
  | { kind: 'other' }
  | { kind: 'file'; file: number }
  | { kind: 'hunk'; file: number }
  | { kind: 'diff'; file: number; prefix: ' ' | '+' | '-' | '\\'; oldLine: number | null; newLine: number | null };

export interface ShownFile {
  path: string;
  oldPath: string | null;
  newPath: string | null;
  /** 1-based editor line of its "diff --git" line. */
  startLine: number;
}

export interface ShownPatch {
  text: string;
  /** roles[i] describes editor line i + 1. */
  roles: LineRole[];
  files: ShownFile[];
  /** Editor lines of the headers we put above the body. */
  headerLines: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

function unquote(p: string): string {
  const t = p.replace(/\t.*$/, '');
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

function bodyLines(body: string): string[] {
  const lines = body.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isDiffStart(lines: string[], i: number): boolean {
  return lines[i].startsWith('diff --git ') || (lines[i].startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && HUNK.test(lines[i + 2] ?? ''));
}

/**
 * Headers, a blank line, then the body as mailed. The message lines are those before the "---" (or the diff),
 * trailing blank lines left out: the numbering the review engine uses for message comments.
 */
export function showPatch(headers: [string, string][], body: string, cover = false): ShownPatch {
  const head = headers.filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`);
  const lines = bodyLines(body);
  const roles: LineRole[] = head.map(() => ({ kind: 'header' }));
  if (head.length) roles.push({ kind: 'header' });
  const offset = roles.length;
  const files: ShownFile[] = [];
  if (cover) {
    lines.forEach((_, i) => roles.push({ kind: 'cover', line: i + 1 }));
  } else {
    let diffStart = lines.findIndex((_, i) => isDiffStart(lines, i));
    if (diffStart < 0) diffStart = lines.length;
    let messageEnd = lines.slice(0, diffStart).indexOf('---');
    if (messageEnd < 0) messageEnd = diffStart;
    let lastText = -1;
    for (let i = 0; i < messageEnd; i++) if (lines[i].trim() !== '') lastText = i;
    for (let i = 0; i < diffStart; i++) roles.push(i <= lastText ? { kind: 'message', line: i + 1 } : { kind: 'other' });
    let file = -1;
    let oldNo = 0;
    let newNo = 0;
    let oldLeft = 0;
    let newLeft = 0;
    for (let i = diffStart; i < lines.length; i++) {
      const l = lines[i];
      const inHunk = oldLeft > 0 || newLeft > 0;
      const inHeader = roles.length > 0 && roles[roles.length - 1].kind === 'file';
      if (!inHunk && isDiffStart(lines, i) && !(inHeader && l.startsWith('--- '))) {
        const m = /^diff --git ("(?:[^"\\]|\\.)*"|a\/\S*) ("(?:[^"\\]|\\.)*"|b\/\S*)$/.exec(l);
        const oldPath = m ? unquote(m[1]).replace(/^a\//, '') : null;
        const newPath = m ? unquote(m[2]).replace(/^b\//, '') : null;
        files.push({ path: newPath ?? oldPath ?? '', oldPath, newPath, startLine: offset + i + 1 });
        file = files.length - 1;
        roles.push({ kind: 'file', file });
        continue;
      }
      const h = HUNK.exec(l);
      if (!inHunk && h && file >= 0) {
        oldNo = Number(h[1]);
        oldLeft = h[2] === undefined ? 1 : Number(h[2]);
        newNo = Number(h[3]);
        newLeft = h[4] === undefined ? 1 : Number(h[4]);
        roles.push({ kind: 'hunk', file });
        continue;
      }
      if (inHunk) {
        const c = l === '' ? ' ' : l[0];
        if (c === ' ' && oldLeft > 0 && newLeft > 0) {
          roles.push({ kind: 'diff', file, prefix: ' ', oldLine: oldNo++, newLine: newNo++ });
          oldLeft--;
          newLeft--;
          continue;
        }
        if (c === '-' && oldLeft > 0) {
          roles.push({ kind: 'diff', file, prefix: '-', oldLine: oldNo++, newLine: null });
          oldLeft--;
          continue;
        }
        if (c === '+' && newLeft > 0) {
          roles.push({ kind: 'diff', file, prefix: '+', oldLine: null, newLine: newNo++ });
          newLeft--;
          continue;
        }
        oldLeft = newLeft = 0; // damaged hunk: the counts ran out of step with the lines
      }
      if (l.startsWith('\\') && roles.length && roles[roles.length - 1].kind === 'diff') {
        roles.push({ kind: 'diff', file, prefix: '\\', oldLine: null, newLine: null });
        continue;
      }
      if (file >= 0 && /^(index |new file mode|deleted file mode|similarity|rename |copy |old mode|new mode|--- |\+\+\+ |Binary files|GIT binary patch)/.test(l)) {
        const f = files[file];
        if (l.startsWith('--- ')) f.oldPath = l.slice(4) === '/dev/null' ? null : unquote(l.slice(4)).replace(/^a\//, '');
        if (l.startsWith('+++ ')) f.newPath = l.slice(4) === '/dev/null' ? null : unquote(l.slice(4)).replace(/^b\//, '');
        f.path = f.newPath ?? f.oldPath ?? f.path;
        roles.push({ kind: 'file', file });
        continue;
      }
      roles.push({ kind: 'other' });
    }
  }
  const text = [...head, ...(head.length ? [''] : []), ...lines].join('\n') + '\n';
  return { text, roles, files, headerLines: offset };
}

/** Where a new comment on this editor line goes, in the review API's terms. */
export type CommentTarget =
  | { kind: 'diff'; file: string; side: 'old' | 'new'; line: number }
  | { kind: 'message'; line?: number }
  | { kind: 'cover'; line?: number };

export function targetOfLine(shown: ShownPatch, editorLine: number): CommentTarget | null {
  const role = shown.roles[editorLine - 1];
  if (!role) return null;
  switch (role.kind) {
    case 'header':
      return shown.roles.some((r) => r.kind === 'cover') ? { kind: 'cover' } : { kind: 'message' };
    case 'message':
      return { kind: 'message', line: role.line };
    case 'cover':
      return { kind: 'cover', line: role.line };
    case 'diff': {
      const f = shown.files[role.file];
      if (role.prefix === '-' && role.oldLine !== null) return { kind: 'diff', file: f.oldPath ?? f.path, side: 'old', line: role.oldLine };
      if (role.newLine !== null) return { kind: 'diff', file: f.newPath ?? f.path, side: 'new', line: role.newLine };
      return null;
    }
    default:
      return null;
  }
}

/** The editor line a resolved comment sits on, or null when it is not in this patch view. */
export function lineOfLocation(shown: ShownPatch, loc: ResolvedLocation): number | null {
  // A comment on the message (or letter) as a whole sits under the headers, after the Subject.
  const top = Math.max(1, shown.headerLines - 1);
  if (loc.kind === 'message') {
    if (loc.line === null) return top;
    const i = shown.roles.findIndex((r) => r.kind === 'message' && r.line === loc.line);
    return i < 0 ? top : i + 1;
  }
  if (loc.kind === 'cover') {
    if (loc.line === null) return top;
    const i = shown.roles.findIndex((r) => r.kind === 'cover' && r.line === loc.line);
    return i < 0 ? top : i + 1;
  }
  if (loc.kind !== 'diff') return null;
  const i = shown.roles.findIndex((r) => {
    if (r.kind !== 'diff') return false;
    const f = shown.files[r.file];
    if (f.path !== loc.file && f.oldPath !== loc.file && f.newPath !== loc.file) return false;
    return loc.side === 'new' ? r.newLine === loc.line : r.oldLine === loc.line;
  });
  return i < 0 ? null : i + 1;
}

/** The file whose diff holds this editor line. */
export function fileAtLine(shown: ShownPatch, editorLine: number): ShownFile | null {
  let found: ShownFile | null = null;
  for (const f of shown.files) if (f.startLine <= editorLine) found = f;
  return found;
}

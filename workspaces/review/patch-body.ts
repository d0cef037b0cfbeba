// Reads a patch message body line by line: the commit message, the diffstat, the diff's files and hunks,
// and for every body line what it is, so comments can be anchored to lines and placed under them when quoting.

export interface HunkLine {
  /** Index of this line in the body's lines. */
  bodyLine: number;
  /** ' ' context, '+' added, '-' removed, '\\' "No newline at end of file". */
  kind: ' ' | '+' | '-' | '\\';
  /** The line as it stands in the diff, prefix included. */
  raw: string;
  oldLine: number | null;
  newLine: number | null;
}

export interface DiffHunk {
  /** Index of the "@@" line in the body's lines. */
  bodyLine: number;
  header: string;
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: HunkLine[];
}

export interface DiffFile {
  oldPath: string | null;
  newPath: string | null;
  /** The path a reviewer names: the new path, or the old one for a deleted file. */
  path: string;
  /** Body line indices of the file's header lines (diff --git, index, ---, +++, mode and rename lines). */
  headerLines: number[];
  hunks: DiffHunk[];
}

export type BodyLineRole =
  | { kind: 'message'; line: number }
  | { kind: 'separator' }
  | { kind: 'file-header'; file: number }
  | { kind: 'hunk-header'; file: number; hunk: number }
  | { kind: 'hunk-line'; file: number; hunk: number; line: number }
  | { kind: 'after-diff' };

export interface PatchBody {
  lines: string[];
  roles: BodyLineRole[];
  /** Body line indices of the commit message, in order (1-based message line n is messageLines[n-1]). */
  messageLines: number[];
  files: DiffFile[];
  /** The diff as text, from its first "diff --git" (or "---") line through its last hunk. */
  diffText: string;
}

/** Body lines with the final newline dropped; LF line ends (a stray CR is kept as content). */
export function bodyLines(body: string): string[] {
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Unquote a git path ("a/x y" stays, "\"a/t\\tb\"" loses its C quoting) and drop the a/ or b/ prefix. */
function gitPath(text: string, prefix: 'a/' | 'b/'): string | null {
  let p = text.replace(/\t.*$/, '');
  if (p === '/dev/null') return null;
  if (p.startsWith('"') && p.endsWith('"')) {
    p = p
      .slice(1, -1)
      .replace(/\\([0-7]{3}|.)/g, (_m, e: string) =>
        e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : ({ n: '\n', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e,
      );
    // Octal escapes are UTF-8 bytes: reassemble them.
    p = Buffer.from(p, 'latin1').toString('utf8');
  }
  return p.startsWith(prefix) ? p.slice(2) : p;
}

function isDiffStart(lines: string[], i: number): boolean {
  const l = lines[i];
  if (l.startsWith('diff --git ')) return true;
  // A plain unified diff without the git header.
  return l.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ') && HUNK_HEADER.test(lines[i + 2] ?? '');
}

/** Parse one patch message body. Tolerates whitespace damage: a hunk ends where its lines stop fitting. */
export function parsePatchBody(body: string): PatchBody {
  const lines = bodyLines(body);
  const roles: BodyLineRole[] = new Array(lines.length);
  let diffStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (isDiffStart(lines, i)) {
      diffStart = i;
      break;
    }
  }
  // The commit message ends at the "---" before the diffstat, or where the diff starts.
  let messageEnd = diffStart;
  for (let i = 0; i < diffStart; i++) {
    if (/^---[ \t\r]*$/.test(lines[i])) {
      messageEnd = i;
      break;
    }
  }
  const messageLines: number[] = [];
  let lastText = -1;
  for (let i = 0; i < messageEnd; i++) if (lines[i].trim() !== '') lastText = i;
  for (let i = 0; i < messageEnd; i++) {
    if (i <= lastText) {
      messageLines.push(i);
      roles[i] = { kind: 'message', line: messageLines.length };
    } else roles[i] = { kind: 'separator' };
  }
  for (let i = messageEnd; i < diffStart; i++) roles[i] = { kind: 'separator' };

  const files: DiffFile[] = [];
  let i = diffStart;
  let diffEnd = diffStart;
  while (i < lines.length) {
    const l = lines[i];
    if (!isDiffStart(lines, i)) {
      // Between files only file headers are expected; anything else ends the diff (signature, quoted text).
      break;
    }
    const file: DiffFile = { oldPath: null, newPath: null, path: '', headerLines: [], hunks: [] };
    const fileIndex = files.length;
    files.push(file);
    if (l.startsWith('diff --git ')) {
      // "a/x b/x", or C-quoted "a/...": the ---/+++ lines below refine these when present
      const m = /^diff --git ("(?:[^"\\]|\\.)*"|a\/.*?) ("(?:[^"\\]|\\.)*"|b\/.*)$/.exec(l);
      if (m) {
        file.oldPath = gitPath(m[1], 'a/');
        file.newPath = gitPath(m[2], 'b/');
      }
      file.headerLines.push(i);
      roles[i++] = { kind: 'file-header', file: fileIndex };
    }
    // Extended header lines until the first hunk or the next file.
    while (i < lines.length && !HUNK_HEADER.test(lines[i]) && !lines[i].startsWith('diff --git ')) {
      const h = lines[i];
      if (h === 'GIT binary patch') {
        // literal/delta blocks of base85 lines, each ended by an empty line
        file.headerLines.push(i);
        roles[i++] = { kind: 'file-header', file: fileIndex };
        while (i < lines.length && /^(literal|delta) \d+$/.test(lines[i])) {
          while (i < lines.length && lines[i] !== '') {
            file.headerLines.push(i);
            roles[i++] = { kind: 'file-header', file: fileIndex };
          }
          if (i < lines.length) {
            file.headerLines.push(i);
            roles[i++] = { kind: 'file-header', file: fileIndex };
          }
        }
        continue;
      }
      if (h.startsWith('--- ')) file.oldPath = gitPath(h.slice(4), 'a/');
      else if (h.startsWith('+++ ')) file.newPath = gitPath(h.slice(4), 'b/');
      else if (h.startsWith('rename from ')) file.oldPath = h.slice(12);
      else if (h.startsWith('rename to ')) file.newPath = h.slice(10);
      else if (h.startsWith('new file mode')) file.oldPath = null;
      else if (h.startsWith('deleted file mode')) file.newPath = null;
      else if (!/^(index |old mode |new mode |similarity index |dissimilarity index |copy from |copy to |Binary files )/.test(h)) break;
      file.headerLines.push(i);
      roles[i++] = { kind: 'file-header', file: fileIndex };
    }
    file.path = file.newPath ?? file.oldPath ?? '';
    diffEnd = i;
    while (i < lines.length) {
      const m = HUNK_HEADER.exec(lines[i]);
      if (!m) break;
      const hunk: DiffHunk = {
        bodyLine: i,
        header: lines[i],
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newCount: m[4] === undefined ? 1 : Number(m[4]),
        lines: [],
      };
      const hunkIndex = file.hunks.length;
      file.hunks.push(hunk);
      roles[i++] = { kind: 'hunk-header', file: fileIndex, hunk: hunkIndex };
      let oldLeft = hunk.oldCount;
      let newLeft = hunk.newCount;
      let oldNo = hunk.oldStart;
      let newNo = hunk.newStart;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i].startsWith('\\'))) {
        const raw = lines[i];
        const c = raw === '' ? ' ' : raw[0]; // an empty line inside a hunk is a context line that lost its space
        let line: HunkLine;
        if (c === ' ' && oldLeft > 0 && newLeft > 0) {
          line = { bodyLine: i, kind: ' ', raw, oldLine: oldNo++, newLine: newNo++ };
          oldLeft--;
          newLeft--;
        } else if (c === '-' && oldLeft > 0) {
          line = { bodyLine: i, kind: '-', raw, oldLine: oldNo++, newLine: null };
          oldLeft--;
        } else if (c === '+' && newLeft > 0) {
          line = { bodyLine: i, kind: '+', raw, oldLine: null, newLine: newNo++ };
          newLeft--;
        } else if (c === '\\' && hunk.lines.length > 0) {
          line = { bodyLine: i, kind: '\\', raw, oldLine: null, newLine: null };
        } else break;
        roles[i] = { kind: 'hunk-line', file: fileIndex, hunk: hunkIndex, line: hunk.lines.length };
        hunk.lines.push(line);
        i++;
      }
      diffEnd = i;
    }
  }
  // Past the last hunk (the "-- " signature, base-commit lines) and anything the diff loop stopped at.
  for (let k = 0; k < lines.length; k++) if (!roles[k]) roles[k] = { kind: 'after-diff' };
  const diffText = diffStart < diffEnd ? lines.slice(diffStart, diffEnd).join('\n') + '\n' : '';
  return { lines, roles, messageLines, files, diffText };
}

/** The files of a body whose path is `name` exactly, or ends with "/name" (so "entry_64.S" finds its file). */
export function findFiles(body: PatchBody, name: string): DiffFile[] {
  const exact = body.files.filter((f) => f.path === name || f.oldPath === name);
  if (exact.length) return exact;
  const clean = name.replace(/^\/+/, '');
  return body.files.filter((f) => f.path.endsWith(`/${clean}`) || (f.oldPath ?? '').endsWith(`/${clean}`));
}

/** The hunk line showing `line` on `side`, if the diff shows it. */
export function findDiffLine(file: DiffFile, side: 'old' | 'new', line: number): { hunk: number; line: number } | null {
  for (let h = 0; h < file.hunks.length; h++) {
    const lines = file.hunks[h].lines;
    for (let k = 0; k < lines.length; k++) {
      const l = lines[k];
      if (side === 'new' ? l.newLine === line : l.oldLine === line) return { hunk: h, line: k };
    }
  }
  return null;
}

/** "170-183, 300-310": the line ranges a file's hunks show on one side, for error messages. */
export function shownRanges(file: DiffFile, side: 'old' | 'new'): string {
  return file.hunks
    .map((h) => {
      const start = side === 'new' ? h.newStart : h.oldStart;
      const count = side === 'new' ? h.newCount : h.oldCount;
      return count <= 1 ? String(start) : `${start}-${start + count - 1}`;
    })
    .join(', ');
}

// Unified diffs, git and plain: files, modes, renames, binary, index blob hashes, hunks with line numbers.
// Strict about hunk shapes, as git apply is, so mangled patch text is reported instead of guessed at.
import { createHash } from 'node:crypto';
import type { DiffHunk, DiffLine, Diffstat, FileDiff, ParsedDiff, ReportedDiffstat } from './types.js';

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

/** Undo git's C-style quoting of a path ("a/t\303\251st"). */
export function unquotePath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"') || p.length < 2) return p;
  const bytes: number[] = [];
  const s = p.slice(1, -1);
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if (/[0-7]/.test(n)) {
        bytes.push(parseInt(s.slice(i + 1, i + 4), 8) & 0xff);
        i += 3;
      } else {
        bytes.push(esc[n] ?? n.charCodeAt(0));
        i += 1;
      }
    } else for (const b of Buffer.from(s[i], 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function stripPrefix(p: string): string {
  return p.replace(/^[ab]\//, '');
}

/** The path of a "---"/"+++" line: unquoted, without a/ b/, without the timestamp plain diffs add. */
function pathOfMarker(rest: string, git: boolean): string | null {
  let p = rest;
  if (p.startsWith('"')) {
    const end = p.indexOf('"', 1);
    let e = end;
    while (e > 0 && p[e - 1] === '\\') e = p.indexOf('"', e + 1);
    p = unquotePath(p.slice(0, e + 1));
  } else {
    p = p.replace(/\t.*$/, '');
    if (!git) p = p.replace(/\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? [+-]\d{4}$/, '');
    p = p.replace(/\r$/, '');
  }
  if (p === '/dev/null') return null;
  return git ? stripPrefix(p) : p.replace(/^[ab]\//, '');
}

/** Paths of "diff --git a/X b/Y": exact when quoted or when both halves are equal. */
function gitHeaderPaths(rest: string): [string | null, string | null] {
  const r = rest.replace(/\r$/, '');
  if (r.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*") (.*)$/.exec(r);
    if (m) return [stripPrefix(unquotePath(m[1])), stripPrefix(unquotePath(m[2]))];
  }
  // a/P b/P: split in the middle
  if (r.startsWith('a/')) {
    const half = (r.length - 1) / 2;
    if (Number.isInteger(half)) {
      const a = r.slice(0, half);
      const b = r.slice(half + 1);
      if (stripPrefix(a) === stripPrefix(b) && b.startsWith('b/')) return [stripPrefix(a), stripPrefix(b)];
    }
    const m = /^(a\/\S+) (b\/\S+)$/.exec(r);
    if (m) return [stripPrefix(m[1]), stripPrefix(m[2])];
  }
  const m = /^(\S+) (\S+)$/.exec(r);
  if (m) return [stripPrefix(m[1]), stripPrefix(m[2])];
  return [null, null];
}

function newFile(git: boolean): FileDiff {
  return {
    oldPath: null, newPath: null, status: 'modified', oldMode: null, newMode: null, similarity: null, binary: false,
    index: null, hunks: [], additions: 0, deletions: 0, git,
  };
}

/** Is this line the start of a diff (of a file)? */
export function isDiffStart(lines: string[], i: number): boolean {
  const l = lines[i];
  if (l.startsWith('diff --git ')) return true;
  if (l.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) return true;
  if (l.startsWith('diff -') && /^diff -\S*\s/.test(l) && ((lines[i + 1] ?? '').startsWith('--- ') || (lines[i + 1] ?? '').startsWith('Only in'))) return true;
  if (l.startsWith('Index: ') && /^={20,}/.test(lines[i + 1] ?? '')) return true;
  return false;
}

function isBase85Line(l: string): boolean {
  return /^[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]+$/.test(l);
}

/**
 * Parse diff text. Anything after the last complete hunk that is not a diff (a signature, base-commit lines)
 * ends the diff. Never throws.
 */
export function parseDiff(text: string): ParsedDiff {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return parseDiffLines(lines, 0).diff;
}

/** Parse from `start`; `end` is the line after the last one that belonged to a file of the diff. */
export function parseDiffLines(lines: string[], start: number): { diff: ParsedDiff; end: number } {
  const files: FileDiff[] = [];
  const problems: string[] = [];
  let cur: FileDiff | null = null;
  let i = start;
  let end = start;
  const finishFile = () => {
    if (!cur) return;
    if (cur.oldPath === null && cur.newPath !== null && cur.status === 'modified') cur.status = 'added';
    if (cur.newPath === null && cur.oldPath !== null && cur.status === 'modified') cur.status = 'deleted';
    files.push(cur);
    cur = null;
  };
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith('diff --git ')) {
      finishFile();
      cur = newFile(true);
      const [a, b] = gitHeaderPaths(line.slice('diff --git '.length));
      cur.oldPath = a;
      cur.newPath = b;
      i++;
      // extended header lines
      for (; i < lines.length; i++) {
        const h = lines[i].replace(/\r$/, '');
        let m: RegExpExecArray | null;
        if ((m = /^old mode (\d+)$/.exec(h))) cur.oldMode = m[1];
        else if ((m = /^new mode (\d+)$/.exec(h))) cur.newMode = m[1];
        else if ((m = /^deleted file mode (\d+)$/.exec(h))) {
          cur.oldMode = m[1];
          cur.status = 'deleted';
        } else if ((m = /^new file mode (\d+)$/.exec(h))) {
          cur.newMode = m[1];
          cur.status = 'added';
        } else if ((m = /^(?:similarity|dissimilarity) index (\d+)%$/.exec(h))) cur.similarity = Number(m[1]);
        else if ((m = /^rename from (.+)$/.exec(h))) {
          cur.oldPath = unquotePath(m[1]);
          cur.status = 'renamed';
        } else if ((m = /^rename to (.+)$/.exec(h))) {
          cur.newPath = unquotePath(m[1]);
          cur.status = 'renamed';
        } else if ((m = /^copy from (.+)$/.exec(h))) {
          cur.oldPath = unquotePath(m[1]);
          cur.status = 'copied';
        } else if ((m = /^copy to (.+)$/.exec(h))) {
          cur.newPath = unquotePath(m[1]);
          cur.status = 'copied';
        } else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/.exec(h))) {
          cur.index = { old: m[1], new: m[2], mode: m[3] ?? null };
          if (m[3] && !cur.oldMode) cur.oldMode = cur.newMode = m[3];
        } else if (/^Binary files .* differ$/.test(h)) {
          cur.binary = true;
        } else if (h === 'GIT binary patch') {
          cur.binary = true;
          i++;
          // forward and reverse hunks: "literal N"/"delta N" then base85 lines, each ended by an empty line
          while (i < lines.length && /^(literal|delta) \d+$/.test(lines[i].replace(/\r$/, ''))) {
            i++;
            while (i < lines.length && isBase85Line(lines[i].replace(/\r$/, ''))) i++;
            if (i < lines.length && lines[i].replace(/\r$/, '') === '') i++;
          }
          i--;
        } else break;
      }
      if (cur.status === 'deleted') cur.newPath = null;
      if (cur.status === 'added') cur.oldPath = null;
      // "---"/"+++" lines (absent for pure renames, mode changes and binaries)
      if ((lines[i] ?? '').startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
        const o = pathOfMarker(lines[i].slice(4), true);
        const n = pathOfMarker(lines[i + 1].slice(4), true);
        if (cur.status !== 'renamed' && cur.status !== 'copied') {
          if (cur.status !== 'added') cur.oldPath = o ?? cur.oldPath;
          if (cur.status !== 'deleted') cur.newPath = n ?? cur.newPath;
        }
        if (o === null && cur.status === 'modified') {
          cur.status = 'added';
          cur.oldPath = null;
        }
        if (n === null && cur.status === 'modified') {
          cur.status = 'deleted';
          cur.newPath = null;
        }
        i += 2;
      }
      i = readHunks(lines, i, cur, problems);
      end = i;
      continue;
    }
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      finishFile();
      cur = newFile(false);
      cur.oldPath = pathOfMarker(line.slice(4), false);
      cur.newPath = pathOfMarker(lines[i + 1].slice(4), false);
      i += 2;
      i = readHunks(lines, i, cur, problems);
      end = i;
      continue;
    }
    if (line.startsWith('@@ ') && cur) {
      const next = readHunks(lines, i, cur, problems);
      // an unreadable "@@" line is reported by readHunks; step over it
      i = next > i ? next : i + 1;
      end = i;
      continue;
    }
    // a signature after the diff ends it
    if (line === '-- ' || line === '--') break;
    // other lines between files: "Index:", "diff -u a b", "====", "Only in ...", or text after the diff
    i++;
  }
  finishFile();
  return { diff: { files, problems }, end };
}

/** Read hunks of one file starting at `i`; returns the index of the first line after them. */
function readHunks(lines: string[], start: number, file: FileDiff, problems: string[]): number {
  let i = start;
  const name = file.newPath ?? file.oldPath ?? '(unnamed file)';
  while (i < lines.length) {
    const m = HUNK.exec(lines[i].replace(/\r$/, ''));
    if (!m) {
      if (lines[i].startsWith('@@')) problems.push(`${name}: unreadable hunk header "${lines[i].slice(0, 60)}"`);
      return i;
    }
    const hunk: DiffHunk = {
      header: lines[i].replace(/\r$/, ''),
      oldStart: Number(m[1]),
      oldLines: m[2] === undefined ? 1 : Number(m[2]),
      newStart: Number(m[3]),
      newLines: m[4] === undefined ? 1 : Number(m[4]),
      section: m[5] ?? '',
      lines: [],
    };
    i++;
    let oldLeft = hunk.oldLines;
    let newLeft = hunk.newLines;
    let oldNo = hunk.oldStart;
    let newNo = hunk.newStart;
    while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i].startsWith('\\'))) {
      const l = lines[i];
      const c = l[0];
      let dl: DiffLine;
      if (c === ' ' || l === '' || l === '\r') {
        // an empty line is an empty context line whose space a mailer ate (git apply accepts it too)
        if (oldLeft <= 0 || newLeft <= 0) break;
        dl = { kind: 'context', text: l === '' || l === '\r' ? l : l.slice(1), oldLine: oldNo++, newLine: newNo++ };
        oldLeft--;
        newLeft--;
      } else if (c === '-') {
        if (oldLeft <= 0) break;
        dl = { kind: 'remove', text: l.slice(1), oldLine: oldNo++, newLine: null };
        oldLeft--;
        file.deletions++;
      } else if (c === '+') {
        if (newLeft <= 0) break;
        dl = { kind: 'add', text: l.slice(1), oldLine: null, newLine: newNo++ };
        newLeft--;
        file.additions++;
      } else if (c === '\\') {
        dl = { kind: 'no-newline', text: l.slice(1).trim(), oldLine: null, newLine: null };
      } else break;
      hunk.lines.push(dl);
      i++;
    }
    file.hunks.push(hunk);
    if (oldLeft > 0 || newLeft > 0) {
      const at = i < lines.length ? `line "${lines[i].slice(0, 50)}" is not a diff line` : 'the text ends';
      problems.push(
        `${name}: hunk ${hunk.header.replace(/ @@.*$/, ' @@')} is short by ${oldLeft} old and ${newLeft} new line(s): ${at}`,
      );
      // skip what is left of the broken hunk so the next file can still be read
      while (
        i < lines.length &&
        !HUNK.test(lines[i]) &&
        !lines[i].startsWith('diff --git ') &&
        lines[i] !== '-- ' &&
        !(lines[i].startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ '))
      )
        i++;
    }
  }
  return i;
}

/** Counted from the parsed diff. */
export function diffstatOf(diff: ParsedDiff): Diffstat {
  const perFile = diff.files.map((f) => ({ path: f.newPath ?? f.oldPath ?? '', insertions: f.additions, deletions: f.deletions, binary: f.binary }));
  return {
    files: perFile.length,
    insertions: perFile.reduce((n, f) => n + f.insertions, 0),
    deletions: perFile.reduce((n, f) => n + f.deletions, 0),
    perFile,
  };
}

/** Read a format-patch diffstat (" path | 17 +---", " 3 files changed, ..."). Null when there is none. */
export function parseReportedDiffstat(text: string): ReportedDiffstat | null {
  const lines = text.split('\n');
  const summary = lines.findIndex((l) => /^\s*\d+ files? changed(?:, \d+ insertions?\(\+\))?(?:, \d+ deletions?\(-\))?\s*$/.test(l));
  if (summary < 0) return null;
  const m = /(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?/.exec(lines[summary])!;
  const perFile: ReportedDiffstat['perFile'] = [];
  for (let k = summary - 1; k >= 0; k--) {
    const fm = /^\s*(\S.*?)\s+\|\s+(?:(\d+)(?: [+-]*)?|Bin(?: \d+ -> \d+ bytes)?)\s*$/.exec(lines[k]);
    if (!fm) break;
    perFile.unshift({ path: fm[1], changes: fm[2] === undefined ? null : Number(fm[2]), binary: fm[2] === undefined });
  }
  return { files: Number(m[1]), insertions: Number(m[2] ?? 0), deletions: Number(m[3] ?? 0), perFile };
}

/**
 * A stable id for a diff, like `git patch-id --stable`: the changed lines with whitespace removed and the
 * file names, without line numbers or index lines. Equal for the same change sent twice.
 */
export function patchIdOf(diff: ParsedDiff): string | null {
  if (diff.files.length === 0) return null;
  const h = createHash('sha1');
  for (const f of diff.files) {
    h.update(`${f.oldPath ?? '/dev/null'}\0${f.newPath ?? '/dev/null'}\0${f.binary ? `bin:${f.index?.new ?? ''}` : ''}\n`);
    for (const hunk of f.hunks) {
      for (const l of hunk.lines) {
        if (l.kind === 'add' || l.kind === 'remove') h.update(`${l.kind === 'add' ? '+' : '-'}${l.text.replace(/\s+/g, '')}\n`);
      }
    }
  }
  return h.digest('hex');
}

/** Render a parsed diff back to text (used by the round-trip tests and by tools that rewrite hunks). */
export function formatDiff(diff: ParsedDiff): string {
  const out: string[] = [];
  for (const f of diff.files) {
    const a = f.oldPath ?? f.newPath ?? '';
    const b = f.newPath ?? f.oldPath ?? '';
    if (f.git) {
      out.push(`diff --git a/${a} b/${b}`);
      if (f.status === 'added' && f.newMode) out.push(`new file mode ${f.newMode}`);
      if (f.status === 'deleted' && f.oldMode) out.push(`deleted file mode ${f.oldMode}`);
      if (f.status !== 'added' && f.status !== 'deleted' && f.oldMode && f.newMode && f.oldMode !== f.newMode) {
        out.push(`old mode ${f.oldMode}`, `new mode ${f.newMode}`);
      }
      if (f.status === 'renamed' || f.status === 'copied') {
        if (f.similarity !== null) out.push(`similarity index ${f.similarity}%`);
        const verb = f.status === 'renamed' ? 'rename' : 'copy';
        out.push(`${verb} from ${f.oldPath}`, `${verb} to ${f.newPath}`);
      }
      if (f.index) out.push(`index ${f.index.old}..${f.index.new}${f.index.mode && f.oldMode === f.newMode ? ` ${f.index.mode}` : ''}`);
      if (f.binary) out.push(`Binary files ${f.oldPath ? `a/${a}` : '/dev/null'} and ${f.newPath ? `b/${b}` : '/dev/null'} differ`);
    }
    if (f.hunks.length) {
      out.push(`--- ${f.oldPath === null ? '/dev/null' : `a/${f.oldPath}`}`, `+++ ${f.newPath === null ? '/dev/null' : `b/${f.newPath}`}`);
    }
    for (const h of f.hunks) {
      out.push(h.header);
      for (const l of h.lines) out.push(l.kind === 'context' ? ` ${l.text}` : l.kind === 'add' ? `+${l.text}` : l.kind === 'remove' ? `-${l.text}` : `\\ ${l.text}`);
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

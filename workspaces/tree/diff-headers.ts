// The file headers of a diff (names, modes, index lines) read the way git apply reads them, so the
// engine can check every path before git writes anything, whatever the series assembly reported.

export interface DiffFileHeader {
  /** Names exactly as the diff spells them, before the a/ b/ prefix is stripped (for error messages). */
  rawNames: string[];
  /** Path before the change (prefix stripped), or null for a new file. */
  oldPath: string | null;
  /** Path after the change, or null for a deleted file. */
  newPath: string | null;
  oldMode: string | null;
  newMode: string | null;
  /** Abbreviated blob ids from the `index` line. */
  oldBlob: string | null;
  newBlob: string | null;
  binary: boolean;
}

const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/** Undo git's C-style quoting of a path ("a/caf\303\251"); returns the text unchanged when not quoted. */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const s = text.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const n = s[++i];
    if (n >= '0' && n <= '7') {
      bytes.push(parseInt(s.slice(i, i + 3), 8) & 0xff);
      i += 2;
    } else bytes.push(ESCAPES[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Split "a/x b/y" (either side possibly quoted) into its two names. */
function splitGitHeaderNames(rest: string): [string, string] | null {
  if (rest.startsWith('"')) {
    const end = findClosingQuote(rest, 0);
    if (end < 0) return null;
    const second = rest.slice(end + 1).trimStart();
    return [unquoteGitPath(rest.slice(0, end + 1)), unquoteGitPath(second)];
  }
  const q = rest.indexOf(' "');
  if (q >= 0) return [rest.slice(0, q), unquoteGitPath(rest.slice(q + 1))];
  // Unquoted names with spaces: git relies on both sides naming the same path.
  const n = (rest.length - 1) / 2;
  if (Number.isInteger(n) && rest[n] === ' ') {
    const a = rest.slice(0, n);
    const b = rest.slice(n + 1);
    if (a.slice(a.indexOf('/') + 1) === b.slice(b.indexOf('/') + 1)) return [a, b];
  }
  const sp = rest.indexOf(' ');
  return sp < 0 ? null : [rest.slice(0, sp), rest.slice(sp + 1)];
}

function findClosingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** Strip the first path component, as `git apply -p1` (what git am uses) does. */
export function stripPrefix(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

/** The name on a ---/+++ line: up to a tab (timestamp of traditional diffs), unquoted. */
function lineName(text: string): string {
  const t = text.startsWith('"') ? text : text.split('\t')[0];
  return unquoteGitPath(t.trimEnd());
}

/** Every file header in a patch text, in order. Hunk bodies are skipped by their line counts. */
export function scanDiffHeaders(text: string): DiffFileHeader[] {
  const lines = text.split(/\r?\n/);
  const out: DiffFileHeader[] = [];
  // The header being read: after "diff --git", until its ---/+++ pair, binary marker or next file.
  let cur: DiffFileHeader | null = null;
  const start = (rawNames: string[], oldPath: string | null, newPath: string | null): DiffFileHeader => {
    const h: DiffFileHeader = { rawNames, oldPath, newPath, oldMode: null, newMode: null, oldBlob: null, newBlob: null, binary: false };
    out.push(h);
    return h;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      let oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      let newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      while ((oldLeft > 0 || newLeft > 0) && i + 1 < lines.length) {
        // A line that cannot be in a hunk ends it early: a header is never swallowed by a bad count.
        if (!/^([ +\\-]|$)/.test(lines[i + 1])) break;
        const l = lines[++i];
        if (l.startsWith('\\')) continue;
        if (l.startsWith('-')) oldLeft--;
        else if (l.startsWith('+')) newLeft--;
        else {
          oldLeft--;
          newLeft--;
        }
      }
      cur = null;
      continue;
    }
    if (line.startsWith('diff --git ')) {
      const names = splitGitHeaderNames(line.slice('diff --git '.length));
      cur = names ? start([...names], stripPrefix(names[0]), stripPrefix(names[1])) : start([line], null, null);
      continue;
    }
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      const a = lineName(line.slice(4));
      const b = lineName(lines[i + 1].slice(4));
      // A traditional diff (no "diff --git" line) starts its file at the ---/+++ pair.
      const h = cur ?? start([], null, null);
      h.rawNames.push(a, b);
      if (!cur || h.oldPath !== null) h.oldPath = a === '/dev/null' ? null : stripPrefix(a);
      if (!cur || h.newPath !== null) h.newPath = b === '/dev/null' ? null : stripPrefix(b);
      i++;
      cur = null;
      continue;
    }
    if (!cur) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(rename|copy) from (.*)$/.exec(line))) {
      cur.rawNames.push(m[2]);
      cur.oldPath = unquoteGitPath(m[2]);
    } else if ((m = /^(rename|copy) to (.*)$/.exec(line))) {
      cur.rawNames.push(m[2]);
      cur.newPath = unquoteGitPath(m[2]);
    } else if ((m = /^new file mode (\d+)/.exec(line))) {
      cur.oldPath = null;
      cur.newMode = m[1];
    } else if ((m = /^deleted file mode (\d+)/.exec(line))) {
      cur.newPath = null;
      cur.oldMode = m[1];
    } else if ((m = /^old mode (\d+)/.exec(line))) cur.oldMode = m[1];
    else if ((m = /^new mode (\d+)/.exec(line))) cur.newMode = m[1];
    else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?/.exec(line))) {
      cur.oldBlob = m[1];
      cur.newBlob = m[2];
      if (m[3]) {
        cur.oldMode ??= m[3];
        cur.newMode ??= m[3];
      }
    } else if (line === 'GIT binary patch' || /^Binary files .* differ$/.test(line)) {
      cur.binary = true;
      cur = null;
    }
  }
  return out;
}

export interface HunkHeader {
  oldStart: number;
  /** The whole @@ line, section heading included. */
  header: string;
}

/** The hunk headers of each file in a patch, under both its old and its new name. */
export function hunkHeaders(text: string): Map<string, HunkHeader[]> {
  const out = new Map<string, HunkHeader[]>();
  let names: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('--- ') && lines[i + 1]?.startsWith('+++ ')) {
      names = [lineName(line.slice(4)), lineName(lines[i + 1].slice(4))].filter((n) => n !== '/dev/null').map(stripPrefix);
      i++;
      continue;
    }
    const m = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (m) {
      for (const n of new Set(names)) {
        const list = out.get(n) ?? [];
        list.push({ oldStart: Number(m[1]), header: line });
        out.set(n, list);
      }
    }
  }
  return out;
}

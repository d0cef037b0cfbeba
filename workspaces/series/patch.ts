// A patch message taken apart like git mailinfo does (in-body headers, message, notes, diff, signature),
// and the checks that mark patch text damaged so that it is never applied silently.
import type { ParsedDiff, PatchText, Trailer } from './types.js';
import { isDiffStart, parseDiffLines, parseReportedDiffstat } from './diff.js';

const IN_BODY_HEADER = /^(From|Subject|Date|Author)[ \t]*:[ \t]*(.*)$/i;

export interface SplitPatch extends PatchText {
  diff: ParsedDiff;
}

/** Split a patch body. Works on any text: without a diff, everything is commit message. */
export function splitPatch(body: string): SplitPatch {
  const lines = body.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  const inBodyHeaders: { name: string; value: string }[] = [];
  while (i < lines.length && lines[i].trim() === '') i++;
  const headerStart = i;
  while (i < lines.length) {
    const m = IN_BODY_HEADER.exec(lines[i].replace(/\r$/, ''));
    if (!m) break;
    let value = m[2];
    while (i + 1 < lines.length && /^[ \t]+\S/.test(lines[i + 1])) value += ' ' + lines[++i].trim();
    inBodyHeaders.push({ name: m[1][0].toUpperCase() + m[1].slice(1).toLowerCase(), value: value.trim() });
    i++;
  }
  if (inBodyHeaders.length && i < lines.length && lines[i].trim() !== '') {
    // not a header block after all: a message that starts with "Subject: ..." prose
    inBodyHeaders.length = 0;
    i = headerStart;
  }
  const msgStart = inBodyHeaders.length ? i : 0;

  let diffStart = -1;
  for (let k = msgStart; k < lines.length; k++) {
    if (isDiffStart(lines, k)) {
      diffStart = k;
      break;
    }
  }
  const limit = diffStart < 0 ? lines.length : diffStart;
  let sep = -1;
  for (let k = msgStart; k < limit; k++) {
    if (/^---[ \t\r]*$/.test(lines[k])) {
      sep = k;
      break;
    }
  }
  const msgEnd = sep >= 0 ? sep : limit;
  const commitMessage = trimBlank(lines.slice(msgStart, msgEnd));
  const notes = sep >= 0 ? trimBlank(lines.slice(sep + 1, limit)) : '';

  let diff: ParsedDiff = { files: [], problems: [] };
  let diffText = '';
  let after: string[] = [];
  if (diffStart >= 0) {
    const parsed = parseDiffLines(lines, diffStart);
    diff = parsed.diff;
    diffText = lines.slice(diffStart, parsed.end).join('\n') + (parsed.end > diffStart ? '\n' : '');
    after = lines.slice(parsed.end);
  } else if (sep >= 0) {
    after = lines.slice(sep + 1);
  }
  const sigAt = after.findIndex((l) => l === '-- ' || l === '-- \r');
  let signature: string | null = null;
  if (sigAt >= 0) {
    // up to a list footer ("--" then "To unsubscribe ...") that a mailing list appended
    const rest = after.slice(sigAt + 1);
    const footer = rest.findIndex((l) => l === '--' || l === '--\r');
    signature = trimBlank(footer >= 0 ? rest.slice(0, footer) : rest);
  }

  const meta = diffStart >= 0 ? after : lines.slice(msgStart);
  const baseCommit = firstMatch(meta, /^base-commit: ([0-9a-f]{7,64})\s*$/);
  const changeId = firstMatch(meta, /^change-id: (\S+)\s*$/);
  const prerequisitePatchIds = allMatches(meta, /^prerequisite-patch-id: ([0-9a-f]{7,64})\s*$/);
  return {
    inBodyHeaders,
    commitMessage,
    notes,
    diffText,
    signature,
    reportedDiffstat: parseReportedDiffstat(notes),
    baseCommit,
    prerequisitePatchIds,
    changeId,
    diff,
  };
}

function trimBlank(lines: string[]): string {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return a < b ? lines.slice(a, b).join('\n') + '\n' : '';
}

function firstMatch(lines: string[], re: RegExp): string | null {
  for (const l of lines) {
    const m = re.exec(l.replace(/\r$/, ''));
    if (m) return m[1];
  }
  return null;
}

function allMatches(lines: string[], re: RegExp): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const m = re.exec(l.replace(/\r$/, ''));
    if (m && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])[ \t]*:[ \t]+(\S.*?)\s*$/;

/** Trailers of a commit message: its last paragraph, when most of its lines are "Name: value". */
export function commitTrailers(commitMessage: string): Trailer[] {
  const paras = commitMessage.replace(/\s+$/, '').split(/\n[ \t]*\n/);
  const last = paras[paras.length - 1] ?? '';
  if (paras.length < 2 && !/^Signed-off-by:/im.test(last)) return [];
  const out: Trailer[] = [];
  let other = 0;
  for (const line of last.split('\n')) {
    const m = TRAILER_LINE.exec(line);
    if (m && !/^https?$/i.test(m[1])) out.push({ name: m[1], value: m[2] });
    else if (/^[ \t]+\S/.test(line) && out.length) out[out.length - 1].value += ' ' + line.trim();
    else if (!/^\[.*\]$/.test(line.trim())) other++;
  }
  return out.length >= other ? out : [];
}

export interface DamageInput {
  split: SplitPatch;
  /** The text came from an archive page rather than the mail itself. */
  synthetic: boolean;
  /** The body's line breaks were lost (archive text pasted as one line). */
  lineless: boolean;
  /** The raw body, for checks on characters the diff parser never sees. */
  body: string;
}

const CODE_FILE = /(\.[chS]|\.lds|\.asm|Makefile|Kbuild|Kconfig[^/]*)$/;

/** Why a patch cannot be applied as-is. Empty when it looks whole. */
export function damageReasons(input: DamageInput): string[] {
  const { split, synthetic, lineless, body } = input;
  const reasons: string[] = [];
  if (synthetic) reasons.push('the text comes from an archive page, not from the mail: whitespace, "<...>" and "&" may have been changed');
  if (split.diff.files.length === 0) {
    if (lineless || /\S[ \t]+diff --git a\//.test(body)) reasons.push('the diff lost its line breaks');
    else reasons.push('no diff was found in the message');
    return reasons;
  }
  for (const p of split.diff.problems) reasons.push(p);
  for (const f of split.diff.files) {
    if (f.oldPath === null && f.newPath === null) reasons.push('a "diff --git" line names no file: it was wrapped or cut');
    else if (f.hunks.length === 0 && !f.binary && f.status === 'modified' && f.oldMode === f.newMode) {
      reasons.push(`${f.newPath ?? f.oldPath}: has a file header but no hunks`);
    }
  }
  // "#include <linux/foo.h>" whose "<...>" an archive dropped as HTML
  let includes = 0;
  let tabs = 0;
  let indented = 0;
  let nbsp = 0;
  for (const f of split.diff.files) {
    const code = CODE_FILE.test(f.newPath ?? f.oldPath ?? '');
    for (const h of f.hunks) {
      for (const l of h.lines) {
        if (/^\s*#\s*include\s*$/.test(l.text)) includes++;
        if (l.text.includes('\u00a0')) nbsp++;
        if (code && l.kind !== 'no-newline' && /^[ \t]+\S/.test(l.text)) {
          indented++;
          if (/^ *\t/.test(l.text)) tabs++;
        }
      }
    }
  }
  if (includes) reasons.push(`${includes} "#include" line(s) have no file name: the "<...>" was dropped`);
  if (nbsp) reasons.push(`${nbsp} diff line(s) hold non-breaking spaces: the text was copied from HTML`);
  if (indented >= 6 && tabs === 0) reasons.push(`none of ${indented} indented code lines starts with a tab: tabs were turned into spaces`);
  const rep = split.reportedDiffstat;
  if (rep) {
    const ins = split.diff.files.reduce((n, f) => n + f.additions, 0);
    const del = split.diff.files.reduce((n, f) => n + f.deletions, 0);
    if (rep.files !== split.diff.files.length || rep.insertions !== ins || rep.deletions !== del) {
      reasons.push(
        `the diffstat says ${rep.files} file(s), +${rep.insertions} -${rep.deletions} but the diff has ${split.diff.files.length} file(s), +${ins} -${del}`,
      );
    }
  }
  return [...new Set(reasons)];
}

// Anchors: turn "line N of file F in patch P" into a stored anchor, and find where a stored anchor sits in
// any version of the series: current, carried over (the hunk is unchanged), or outdated (it changed).
//
// An anchor never names a commit or a worktree line: it names the patch (patch-id, subject) and a hunk by its
// content (file path + the hunk's lines, line numbers left out), plus the line's offset in the hunk. So it
// survives re-applying the series to another base (line numbers move, content does not) and finds the same hunk
// in the next version when that hunk did not change.
import crypto from 'node:crypto';
import os from 'node:os';
import { BadRequest, NotFound } from '../errors.js';
import { bodyLines, findDiffLine, findFiles, parsePatchBody, shownRanges, type DiffHunk, type PatchBody } from './patch-body.js';
import { patchIds } from '../tree/patch-id.js';
import { patchTitle } from './subject.js';
import type {
  Anchor,
  Annotation,
  AnnotationTargetInput,
  DiffAnchor,
  PatchIdentity,
  ReplyTargetMessage,
  ResolvedAnnotation,
  ResolvedLocation,
  ReviewSeries,
} from './types.js';

export interface AnalysedPatch {
  index: number;
  message: ReplyTargetMessage;
  body: PatchBody;
  patchId: string | null;
  title: string;
}

export interface AnalysedSeries {
  series: ReviewSeries;
  patches: AnalysedPatch[];
  coverLines: string[] | null;
}

/** Parse every patch body and compute the patch-ids (one git run). */
export async function analyseSeries(series: ReviewSeries, signal?: AbortSignal): Promise<AnalysedSeries> {
  const bodies = series.patches.map((p) => parsePatchBody(p.message.body));
  // git patch-id needs no repository; any directory will do.
  const ids = await patchIds(os.tmpdir(), bodies.map((b) => b.diffText || null), signal);
  return {
    series,
    patches: series.patches.map((p, i) => ({
      index: p.index,
      message: p.message,
      body: bodies[i],
      patchId: ids[i],
      title: patchTitle(p.message.subject),
    })),
    coverLines: series.cover ? bodyLines(series.cover.body) : null,
  };
}

export function hunkFingerprint(path: string, hunk: DiffHunk): string {
  const h = crypto.createHash('sha256').update(path).update('\n');
  for (const l of hunk.lines) h.update(l.raw).update('\n');
  return h.digest('hex');
}

export function patchByIndex(s: AnalysedSeries, index: number): AnalysedPatch {
  const p = s.patches.find((x) => x.index === index);
  if (!p) {
    const have = s.patches.map((x) => x.index).join(', ') || 'none';
    throw new NotFound(`Version ${s.series.version} of the series has no patch ${index}.`, `Its patches are: ${have}.`);
  }
  return p;
}

function identity(s: AnalysedSeries, p: AnalysedPatch): PatchIdentity {
  return { seriesVersion: s.series.version, index: p.index, subject: p.title, patchId: p.patchId, messageId: p.message.messageId };
}

function contextBefore(lines: string[], at: number, count: number): string[] {
  return lines.slice(Math.max(0, at - count), at + 1);
}

/** Build the stored anchor for a target, refusing lines the patch does not show. */
export function makeAnchor(s: AnalysedSeries, target: AnnotationTargetInput): Anchor {
  switch (target.kind) {
    case 'diff': {
      const p = patchByIndex(s, target.patch);
      const side = target.side ?? 'new';
      const files = findFiles(p.body, target.file);
      if (files.length === 0) {
        const names = p.body.files.map((f) => f.path).join(', ') || 'no files';
        throw new NotFound(`Patch ${p.index} does not change ${target.file}.`, `It changes: ${names}.`);
      }
      if (files.length > 1) {
        throw new BadRequest(`"${target.file}" matches several files of patch ${p.index}: ${files.map((f) => f.path).join(', ')}.`, 'Give the full path.');
      }
      const file = files[0];
      const at = findDiffLine(file, side, target.line);
      if (!at) {
        throw new BadRequest(
          `Line ${target.line} of ${file.path} (${side} side) is not in the diff of patch ${p.index}.`,
          `Its hunks show lines ${shownRanges(file, side) || '(none)'} on the ${side} side; comment on one of those.`,
        );
      }
      const hunk = file.hunks[at.hunk];
      return {
        kind: 'diff',
        patch: identity(s, p),
        file: file.path,
        side,
        line: target.line,
        hunk: { header: hunk.header, fingerprint: hunkFingerprint(file.path, hunk), offset: at.line },
        context: contextBefore(
          hunk.lines.map((l) => l.raw),
          at.line,
          3,
        ),
      };
    }
    case 'message': {
      const p = patchByIndex(s, target.patch);
      const msg = p.body.messageLines.map((i) => p.body.lines[i]);
      if (target.line !== undefined && (target.line < 1 || target.line > msg.length)) {
        throw new BadRequest(`The commit message of patch ${p.index} has ${msg.length} lines; there is no line ${target.line}.`, `Give a line from 1 to ${msg.length}, or none for the patch as a whole.`);
      }
      return {
        kind: 'message',
        patch: identity(s, p),
        line: target.line ?? null,
        context: target.line === undefined ? msg.slice(0, 1) : contextBefore(msg, target.line - 1, 2),
      };
    }
    case 'cover': {
      const cover = s.series.cover;
      if (!cover || !s.coverLines) {
        throw new NotFound(`Version ${s.series.version} of the series has no cover letter.`, 'Comment on a patch instead, or open the mail that holds the cover letter.');
      }
      const lines = s.coverLines;
      if (target.line !== undefined && (target.line < 1 || target.line > lines.length)) {
        throw new BadRequest(`The cover letter has ${lines.length} lines; there is no line ${target.line}.`, `Give a line from 1 to ${lines.length}, or none for the letter as a whole.`);
      }
      return {
        kind: 'cover',
        seriesVersion: s.series.version,
        messageId: cover.messageId,
        subject: patchTitle(cover.subject),
        line: target.line ?? null,
        context: target.line === undefined ? lines.slice(0, 1) : contextBefore(lines, target.line - 1, 2),
      };
    }
    case 'walk':
      return { kind: 'walk', seriesVersion: s.series.version, result: target.result, step: target.step ?? null, scenario: target.scenario ?? null };
  }
}

interface Counterpart {
  patch: AnalysedPatch;
  /** Same patch-id: the diff is the one the comment was written on. */
  samePatch: boolean;
}

function findCounterpart(s: AnalysedSeries, id: PatchIdentity, fingerprint?: { file: string; value: string }): Counterpart | null {
  if (id.patchId) {
    const same = s.patches.filter((p) => p.patchId === id.patchId);
    if (same.length) return { patch: same.find((p) => p.index === id.index) ?? same[0], samePatch: true };
  }
  const titled = s.patches.filter((p) => p.title === id.subject);
  if (titled.length) return { patch: titled.find((p) => p.index === id.index) ?? titled[0], samePatch: false };
  if (fingerprint) {
    for (const p of s.patches) {
      for (const f of p.body.files) {
        if (f.path === fingerprint.file && f.hunks.some((h) => hunkFingerprint(f.path, h) === fingerprint.value)) return { patch: p, samePatch: false };
      }
    }
  }
  return null;
}

/** Find `context` (lines ending at the anchored one) in `lines`, nearest to where it was; returns the 0-based line. */
function findContext(lines: string[], context: string[], near: number): number | null {
  if (context.length === 0) return null;
  let best: number | null = null;
  for (let end = context.length - 1; end < lines.length; end++) {
    let ok = true;
    for (let k = 0; k < context.length && ok; k++) ok = lines[end - context.length + 1 + k] === context[k];
    if (ok && (best === null || Math.abs(end - near) < Math.abs(best - near))) best = end;
  }
  return best;
}

function outdated(annotation: Annotation, reason: string): ResolvedAnnotation {
  return { annotation, status: 'outdated', location: null, reason };
}

function located(annotation: Annotation, current: boolean, location: ResolvedLocation): ResolvedAnnotation {
  return { annotation, status: current ? 'current' : 'carried-over', location };
}

/** The line of a diff anchor in the first of `patches` that has its hunk unchanged. */
function locateHunk(patches: AnalysedPatch[], a: DiffAnchor): ResolvedLocation | null {
  for (const p of patches) {
    for (const f of p.body.files) {
      if (f.path !== a.file) continue;
      for (const h of f.hunks) {
        if (hunkFingerprint(f.path, h) !== a.hunk.fingerprint) continue;
        const l = h.lines[a.hunk.offset];
        const line = a.side === 'new' ? l?.newLine : l?.oldLine;
        if (line != null) return { kind: 'diff', patch: p.index, file: f.path, side: a.side, line, hunkHeader: h.header };
      }
    }
  }
  return null;
}

/** Where one annotation stands in one version of the series. */
export function resolveAnnotation(s: AnalysedSeries, annotation: Annotation): ResolvedAnnotation {
  const a = annotation.anchor;
  const version = s.series.version;
  switch (a.kind) {
    case 'diff': {
      const cp = findCounterpart(s, a.patch, { file: a.file, value: a.hunk.fingerprint });
      if (!cp) return outdated(annotation, `v${version} has no patch "${a.patch.subject}"`);
      const here = locateHunk([cp.patch], a);
      if (here) return located(annotation, cp.samePatch && a.patch.seriesVersion === version, here);
      // The same hunk may have moved to another patch (a split or merged patch in the new version).
      const moved = locateHunk(s.patches.filter((p) => p !== cp.patch), a);
      if (moved) return located(annotation, false, moved);
      return outdated(annotation, `the hunk of ${a.file} it was on (${a.hunk.header}) changed in v${version} patch ${cp.patch.index}`);
    }
    case 'message': {
      const cp = findCounterpart(s, a.patch);
      if (!cp) return outdated(annotation, `v${version} has no patch "${a.patch.subject}"`);
      const sameMessage = a.patch.seriesVersion === version && cp.patch.message.messageId === a.patch.messageId;
      if (a.line === null) return located(annotation, sameMessage, { kind: 'message', patch: cp.patch.index, line: null });
      const msg = cp.patch.body.messageLines.map((i) => cp.patch.body.lines[i]);
      const at = findContext(msg, a.context, a.line - 1);
      if (at === null) return outdated(annotation, `the commit message of patch ${cp.patch.index} no longer has the commented lines`);
      return located(annotation, sameMessage, { kind: 'message', patch: cp.patch.index, line: at + 1 });
    }
    case 'cover': {
      if (!s.series.cover || !s.coverLines) return outdated(annotation, `v${version} has no cover letter`);
      const same = a.seriesVersion === version && s.series.cover.messageId === a.messageId;
      if (a.line === null) return located(annotation, same, { kind: 'cover', line: null });
      const at = findContext(s.coverLines, a.context, a.line - 1);
      if (at === null) return outdated(annotation, `the cover letter of v${version} no longer has the commented lines`);
      return located(annotation, same, { kind: 'cover', line: at + 1 });
    }
    case 'walk':
      if (a.seriesVersion !== version) return outdated(annotation, `it is about the walk of v${a.seriesVersion}`);
      return located(annotation, true, { kind: 'walk', result: a.result, step: a.step, scenario: a.scenario });
  }
}

export function resolveAnnotations(s: AnalysedSeries, annotations: Annotation[]): ResolvedAnnotation[] {
  return annotations.map((a) => resolveAnnotation(s, a));
}

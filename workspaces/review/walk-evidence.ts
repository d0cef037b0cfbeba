// The evidence block's facts from a walk report (workspaces/bisect): first bad step, what failed there and how,
// the oops, failing selftest lines, the config and the commands that reproduce it.
import fs from 'node:fs';
import { stepFile } from '../bisect/walk.js';
import type { WalkCheckResult, WalkReport, WalkStep } from '../host/api/walk.js';
import type { Workspace } from '../store/workspace.js';
import type { EvidenceFailure, EvidencePatch, ReviewEvidence } from './types.js';

/** The id walk comments name (WalkAnchor.result): the walked branch and when the walk started. */
export function walkResultId(r: Pick<WalkReport, 'branch' | 'startedAt'>): string {
  return `${r.branch}@${r.startedAt}`;
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Text or lines, as checks give them, as lines. */
function linesOf(v: unknown): string[] {
  if (typeof v === 'string') return v.replace(/\n$/, '').split('\n');
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return [];
}

/** The oops text a check's evidence carries: the emulator's { oops }, a scenario result's { evidence: { oops } }, a boot's console. */
function oopsOf(evidence: unknown): string[] {
  const e = asRecord(evidence);
  if (!e) return [];
  return linesOf(e.oops).length ? linesOf(e.oops) : oopsOf(e.evidence);
}

function failureOf(r: WalkCheckResult): EvidenceFailure {
  const e = asRecord(r.evidence);
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  // A scenario result says what the invariant expected and what ran; a summary may say "(expected X, seen Y)".
  const m = /\(expected (.+?), seen (.+?)\)$/.exec(r.summary);
  const expected = str(e?.expected) ?? m?.[1] ?? null;
  const seen = str(e?.seen) ?? m?.[2] ?? null;
  const headline = str(asRecord(e?.evidence)?.headline) ?? str(e?.headline);
  // A failed build's first compiler errors, as gcc printed them.
  const errors = Array.isArray(e?.errors) ? (e.errors as unknown[]).map((x) => str(asRecord(x)?.text) ?? str(x)).filter((x): x is string => x !== null).slice(0, 5) : [];
  const details = [...(headline ? [headline] : []), ...errors.filter((x) => !r.summary.includes(x))];
  return {
    scenario: r.check,
    ...(r.summary ? { description: m ? r.summary.slice(0, m.index).trim() : r.summary } : {}),
    ...(expected !== null && seen !== null ? { expected, seen } : {}),
    ...(details.length ? { details } : {}),
  };
}

function patchOf(s: WalkStep | undefined): EvidencePatch | undefined {
  return s && s.index > 0 ? { index: s.index, subject: s.subject, ...(s.commit ? { commit: s.commit } : {}) } : undefined;
}

/** What a reviewer would report from a walk: nothing when every step passed. */
export function evidenceFromWalk(report: WalkReport): ReviewEvidence {
  const step = (i: number | null) => (i === null ? undefined : report.steps.find((s) => s.index === i));
  const bad = step(report.firstBad);
  const broken = (bad?.results ?? []).filter((r) => report.firstBadChecks.includes(r.check) || r.relative === 'regressed');
  const selftests = broken.filter((r) => r.check.startsWith('selftest:'));
  const failures = broken.filter((r) => !r.check.startsWith('selftest:'));
  const oops = failures.map((r) => oopsOf(r.evidence)).find((l) => l.length) ?? [];
  const tap = selftests.flatMap((r) => {
    const lines = linesOf(asRecord(r.evidence)?.lines ?? r.evidence).filter((l) => /^\s*not ok\b/.test(l));
    return lines.length ? lines : [`not ok ${r.check.slice('selftest:'.length)} # ${r.summary}`];
  });
  const e: ReviewEvidence = {
    result: walkResultId(report),
    base: { commit: report.base },
    checks: report.checks,
    config: { name: report.config },
    reproduce: report.reproduce.commands,
  };
  // The walk's commands name "<step commit>": the step to reproduce is the first bad one.
  if (bad?.commit) e.reproduce = report.reproduce.commands.map((c) => c.split('<step commit>').join(bad.commit as string));
  if (bad) {
    e.firstBad = patchOf(bad);
    e.lastGood = patchOf(step(bad.index - 1));
    e.fixedBy = patchOf(step(report.fixedAt));
    if (failures.length) e.failures = failures.map(failureOf);
    if (oops.length) e.oops = oops;
    if (tap.length) e.selftests = tap;
  }
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as ReviewEvidence;
}

/** The last walk report of a workspace, read from its results/ as the walk wrote it, or null. */
export function lastWalkReport(ws: Workspace): WalkReport | null {
  try {
    const branch = ws.section<{ last?: string }>('walk')?.last;
    if (!branch) return null;
    return JSON.parse(fs.readFileSync(stepFile(ws.path('results'), branch), 'utf8')) as WalkReport;
  } catch {
    return null;
  }
}

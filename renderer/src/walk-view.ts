// Reading a walk report for the UI: one outcome per step, cell glyphs, evidence as text lines, and the
// evidence block a reply carries.
import type { ReviewEvidence, WalkCheckResult, WalkRelative, WalkReport, WalkStep } from '../../workspaces/host/api.js';

export type StepOutcome = WalkRelative | 'broken' | 'running' | 'none';

/**
 * The step's result as one mark. "regressed" where a check newly breaks, "broken" where it stays broken
 * after breaking earlier, "fixed" where it passes again; errors the base has too are noise, not a mark.
 */
export function walkOutcome(step: WalkStep, report?: Pick<WalkReport, 'breakages' | 'steps'> | null): StepOutcome {
  const base = report?.steps.find((s) => s.index === 0) ?? null;
  const baseError = new Set(base?.results.filter((r) => r.relative === 'error').map((r) => r.check) ?? []);
  const rel = new Set(step.results.filter((r) => !(r.relative === 'error' && baseError.has(r.check))).map((r) => r.relative));
  if (rel.has('regressed')) {
    const breaks = report?.breakages ?? [];
    const regressed = step.results.filter((r) => r.relative === 'regressed').map((r) => r.check);
    const startsHere = !breaks.length || regressed.some((c) => breaks.some((b) => b.check === c && b.breaksAt === step.index));
    return startsHere ? 'regressed' : 'broken';
  }
  // A step where an earlier break passes again is "fixed", even though each check only reads "pass" against the base.
  if (rel.has('fixed') || report?.breakages.some((b) => b.fixedAt === step.index)) return 'fixed';
  for (const r of ['error', 'fails-on-base', 'pass'] as const) if (rel.has(r)) return r;
  return step.results.length ? 'skip' : 'none';
}

/** Patterns that say the same thing about many checks, said once: "breaks at 03/10, fixed again at 06/10: a, b, c". */
export function groupPatterns(patterns: string[]): { text: string; checks: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const p of patterns) {
    const m = /^(.+?): (breaks at .*)$/.exec(p);
    const key = m ? m[2] : p;
    groups.set(key, [...(groups.get(key) ?? []), ...(m ? [m[1]] : [])]);
  }
  return [...groups].map(([text, checks]) => ({ text, checks }));
}

/** "emulator:a, emulator:b" → "11 emulator scenarios: a, b, …" when the list is long. */
export function checkList(checks: string[], max = 4): string {
  if (checks.length <= max) return checks.join(', ');
  const groups = new Set(checks.map((c) => checkGroup(c).group));
  const what = groups.size === 1 && [...groups][0] === 'emulator' ? 'emulator scenarios' : 'checks';
  return `${checks.length} ${what}: ${checks.slice(0, max).map((c) => checkGroup(c).name).join(', ')}, …`;
}

export const CELL_GLYPH: Record<WalkRelative, string> = {
  pass: '✓',
  regressed: '✗',
  'fails-on-base': '○',
  fixed: '▲',
  error: '?',
  skip: '–',
};

export const RELATIVE_TEXT: Record<WalkRelative, string> = {
  pass: 'passes',
  regressed: 'regressed: passes on the base, fails here',
  'fails-on-base': 'fails here and on the base too: not blamed on the series',
  fixed: 'passes again after an earlier patch broke it',
  error: 'could not run',
  skip: 'not run',
};

/** Short column titles: "emulator:syscall-fastpath" reads as "syscall-fastpath" under an "emulator" group. */
export function checkGroup(check: string): { group: string; name: string } {
  const i = check.indexOf(':');
  return i < 0 ? { group: '', name: check } : { group: check.slice(0, i), name: check.slice(i + 1) };
}

/** Evidence of any shape as lines a reviewer can read and copy. */
export function evidenceLines(evidence: unknown): string[] {
  if (evidence === undefined || evidence === null) return [];
  if (typeof evidence === 'string') return evidence.split('\n');
  if (Array.isArray(evidence)) return evidence.flatMap((e) => evidenceLines(e));
  if (typeof evidence === 'object') {
    const o = evidence as Record<string, unknown>;
    if (typeof o.oops === 'string') return o.oops.split('\n');
    if (Array.isArray(o.lines) && o.lines.every((l) => typeof l === 'string')) return o.lines as string[];
    return JSON.stringify(evidence, null, 2).split('\n');
  }
  return [String(evidence)];
}

export function resultAt(report: { steps: WalkStep[] }, step: number, check: string): WalkCheckResult | null {
  return report.steps.find((s) => s.index === step)?.results.find((r) => r.check === check) ?? null;
}

function pad(n: number, total: number): string {
  const w = String(total).length;
  return String(n).padStart(Math.max(2, w), '0');
}

/** The evidence block of a reply, from the walk: first bad patch, what failed there, how to reproduce. */
export function evidenceFromWalk(report: WalkReport, resultId: string): ReviewEvidence {
  const ev: ReviewEvidence = { result: resultId, base: { commit: report.base } };
  if (report.firstBad !== null) {
    const bad = report.steps.find((s) => s.index === report.firstBad);
    if (bad) {
      ev.firstBad = { index: bad.index, subject: bad.subject, commit: bad.commit ?? undefined };
      const prev = report.steps.find((s) => s.index === bad.index - 1);
      if (prev && prev.index > 0) ev.lastGood = { index: prev.index, subject: prev.subject, commit: prev.commit ?? undefined };
      const failed = bad.results.filter((r) => r.relative === 'regressed');
      // One entry per distinct failure: eleven scenarios tripping the same invariant are one finding.
      const bySummary = new Map<string, WalkCheckResult[]>();
      for (const r of failed) bySummary.set(r.summary, [...(bySummary.get(r.summary) ?? []), r]);
      ev.failures = [...bySummary.values()].map((same) => {
        const r = same[0];
        const exp = /expected (.+?), seen (.+)$/.exec(r.summary);
        const others = same.slice(1).map((x) => checkGroup(x.check).name);
        return {
          scenario: r.check,
          expected: exp ? exp[1] : 'pass (as on the base)',
          seen: exp ? exp[2] : r.summary,
          ...(others.length ? { details: [`The same failure in ${others.length} more: ${others.join(', ')}.`] } : {}),
        };
      });
      const first = failed.find((r) => evidenceLines(r.evidence).length > 0);
      if (first) ev.oops = evidenceLines(first.evidence).slice(0, 40);
      const tap = failed.filter((r) => r.check.startsWith('selftest:')).flatMap((r) => evidenceLines(r.evidence).filter((l) => /^not ok|\[FAIL\]/.test(l)));
      if (tap.length) ev.selftests = tap;
    }
  }
  if (report.fixedAt !== null) {
    const fix = report.steps.find((s) => s.index === report.fixedAt);
    if (fix) ev.fixedBy = { index: fix.index, subject: fix.subject, commit: fix.commit ?? undefined };
  }
  ev.config = { name: report.config };
  // The walk's commands name "<step commit>"; the reply is about the first bad one.
  const badCommit = ev.firstBad?.commit;
  if (report.reproduce.commands.length) ev.reproduce = report.reproduce.commands.map((c) => (badCommit ? c.replace('<step commit>', badCommit.slice(0, 12)) : c));
  return ev;
}

export function stepLabel(index: number, total: number): string {
  return index === 0 ? 'base' : `${pad(index, total)}/${pad(total, total)}`;
}

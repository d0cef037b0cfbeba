// Reading a walk: each result relative to the base, the first bad step, the step that fixes it again,
// and the non-monotonic patterns a plain bisect would miss.
import type { CheckResult, CheckStatus, Relative, StepRecord } from './types.js';

export function relativeTo(base: CheckStatus | undefined, here: CheckStatus): Relative {
  if (here === 'error' || here === 'skip') return here;
  if (here === 'pass') return base === 'fail' ? 'fixed' : 'pass';
  return base === 'fail' ? 'fails-on-base' : 'regressed';
}

function statusOf(step: StepRecord, check: string): CheckStatus | undefined {
  return step.results.find((r) => r.check === check)?.status;
}

const COLUMN_ORDER = ['applies', 'style', 'builds', 'emulator:', 'boot', 'selftest:'];

function rank(check: string): number {
  const i = COLUMN_ORDER.findIndex((c) => (c.endsWith(':') ? check.startsWith(c) : check === c));
  return i < 0 ? COLUMN_ORDER.length : i;
}

/** Every check name seen in the walk, in matrix order: the pipeline's order, then first seen. */
export function checkNames(steps: StepRecord[]): string[] {
  const names: string[] = [];
  for (const s of steps) for (const r of s.results) if (!names.includes(r.check)) names.push(r.check);
  return names.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i).map((x) => x.n);
}

export interface Breakage {
  check: string;
  /** First step where the check regressed against the base. */
  breaksAt: number;
  /** First later step where it passes again, or null if it stays broken to the end. */
  fixedAt: number | null;
  result: CheckResult;
}

/** Per check: where it first regressed and where (if anywhere) it recovered. */
export function breakages(steps: StepRecord[]): Breakage[] {
  const base = steps.find((s) => s.index === 0);
  const out: Breakage[] = [];
  for (const check of checkNames(steps)) {
    const baseStatus = base ? statusOf(base, check) : undefined;
    let open: Breakage | null = null;
    for (const step of steps) {
      if (step.index === 0) continue;
      const r = step.results.find((x) => x.check === check);
      if (!r) continue;
      const rel = relativeTo(baseStatus, r.status);
      if (!open && rel === 'regressed') {
        open = { check, breaksAt: step.index, fixedAt: null, result: r };
      } else if (open && open.fixedAt === null && r.status === 'pass') {
        open.fixedAt = step.index;
        out.push(open);
        open = null;
      }
    }
    if (open) out.push(open);
  }
  // Within a step, in matrix order: the basic fast-path scenario before the sweeps built on it.
  const order = checkNames(steps);
  return out.sort((a, b) => a.breaksAt - b.breaksAt || order.indexOf(a.check) - order.indexOf(b.check));
}

export interface WalkVerdict {
  firstBad: number | null;
  /** The step where everything that broke at firstBad passes again (non-monotonic series). */
  fixedAt: number | null;
  /** The checks that broke at firstBad. */
  checks: string[];
  breakages: Breakage[];
  /** "breaks at 07/12, fixed again at 09/12" style notes, one per breakage. */
  patterns: string[];
}

export function walkVerdict(steps: StepRecord[], total: number): WalkVerdict {
  const all = breakages(steps);
  const firstBad = all.length ? Math.min(...all.map((b) => b.breaksAt)) : null;
  const atFirst = all.filter((b) => b.breaksAt === firstBad);
  const fixedAt = atFirst.length && atFirst.every((b) => b.fixedAt !== null) ? Math.max(...atFirst.map((b) => b.fixedAt as number)) : null;
  const width = String(total).length < 2 ? 2 : String(total).length;
  const n = (i: number) => `${String(i).padStart(width, '0')}/${String(total).padStart(width, '0')}`;
  const patterns = all.map((b) =>
    b.fixedAt === null ? `${b.check}: breaks at ${n(b.breaksAt)}` : `${b.check}: breaks at ${n(b.breaksAt)}, fixed again at ${n(b.fixedAt)}`,
  );
  return { firstBad, fixedAt, checks: atFirst.map((b) => b.check), breakages: all, patterns };
}

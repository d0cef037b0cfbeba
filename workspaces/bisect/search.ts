// Binary search over series steps, like `git bisect run`: the base (step 0) is good, find the first
// bad step. Assumes monotonic behaviour; the walk is what finds breaks that a later patch fixes.

export interface BisectOutcome {
  /** First bad step, or null when the tip is good (nothing to bisect). */
  firstBad: number | null;
  /** Steps tested, in the order they were tested. */
  tested: number[];
  /** Verdicts learned, by step. */
  verdicts: Map<number, boolean>;
}

/**
 * @param total number of patches (steps 1..total)
 * @param isBad whether the check regressed at that step; may be served from a cache
 * @param known verdicts already known (from an earlier walk), used before testing anything
 */
export async function bisectSteps(
  total: number,
  isBad: (step: number) => Promise<boolean>,
  known: Map<number, boolean> = new Map(),
): Promise<BisectOutcome> {
  const verdicts = new Map(known);
  const tested: number[] = [];
  const probe = async (i: number): Promise<boolean> => {
    const seen = verdicts.get(i);
    if (seen !== undefined) return seen;
    tested.push(i);
    const bad = await isBad(i);
    verdicts.set(i, bad);
    return bad;
  };
  if (total < 1 || !(await probe(total))) return { firstBad: null, tested, verdicts };
  // Invariant: lo is good (0 = base), hi is bad.
  let lo = 0;
  let hi = total;
  // Start from the tightest bounds the known verdicts give.
  for (const [i, bad] of verdicts) {
    if (bad && i < hi && i > lo) hi = i;
  }
  for (const [i, bad] of verdicts) {
    if (!bad && i > lo && i < hi) lo = i;
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (await probe(mid)) hi = mid;
    else lo = mid;
  }
  return { firstBad: hi, tested, verdicts };
}

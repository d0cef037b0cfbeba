// The walk's data model: one record per step (base = 0, then each patch), one result per check.

/** pass/fail as the check saw it; error = the check could not run (tool crashed, step did not build). */
export type CheckStatus = 'pass' | 'fail' | 'error' | 'skip';

export interface CheckResult {
  /** "applies", "style", "builds", "emulator:syscall-fastpath", "boot", "selftest:sigreturn_64", ... */
  check: string;
  status: CheckStatus;
  /** One line for the matrix tooltip and the CLI verdict: "RBX clobbered on SYSRET". */
  summary: string;
  /** Whatever shows it: oops text, TAP lines, compiler errors. Opaque to the walk. */
  evidence?: unknown;
  seconds?: number;
}

/** How a step's result compares with the base's result for the same check. */
export type Relative =
  | 'pass' // passes (and the base passes or was not run)
  | 'regressed' // fails here, passes on the base: blame the series
  | 'fails-on-base' // fails here and on the base: not this series' fault
  | 'fixed' // fails on the base, passes here
  | 'error'
  | 'skip';

export interface StepRecord {
  /** 0 = the base, 1..N = after applying patch N. */
  index: number;
  subject: string;
  /** `git patch-id --stable` of the patch (null for the base). */
  patchId: string | null;
  /** The commit the step was built from. */
  commit: string | null;
  results: CheckResult[];
  /** Wall time spent on this step (build + checks). */
  seconds: number;
  /** True when every result came from the cache. */
  cached: boolean;
}

// Walk API: build each step of an applied series, run the checks, and read the patch × check matrix.
import type { MethodSpec } from '../api.js';

export type WalkCheckStatus = 'pass' | 'fail' | 'error' | 'skip';

/** A result compared with the base's result for the same check. */
export type WalkRelative = 'pass' | 'regressed' | 'fails-on-base' | 'fixed' | 'error' | 'skip';

export interface WalkCheckResult {
  /** "applies", "style", "builds", "emulator:<scenario>", "boot", "selftest:<name>". */
  check: string;
  status: WalkCheckStatus;
  relative: WalkRelative;
  /** One line: "RBX clobbered on SYSRET (expected 0x…, seen 0x…)". */
  summary: string;
  /** What shows it, in the form the check produced (oops text, scenario evidence, TAP lines, compiler errors). */
  evidence?: unknown;
  seconds?: number;
}

export interface WalkStep {
  /** 0 = the base, then 1..N. */
  index: number;
  subject: string;
  patchId: string | null;
  commit: string | null;
  /** How the patch went onto the review branch ("base" for step 0). */
  applied: 'base' | 'applied' | 'applied-3way' | 'conflict' | 'damaged' | 'skipped';
  results: WalkCheckResult[];
  seconds: number;
  cached: boolean;
}

export interface WalkBreakage {
  check: string;
  breaksAt: number;
  fixedAt: number | null;
  summary: string;
}

export interface WalkReproduce {
  tree: string;
  base: string;
  branch: string;
  config: string;
  compiler: string;
  /** Exact commands, in order, that rebuild and recheck a step by hand. */
  commands: string[];
}

export interface WalkReport {
  workspace: string;
  branch: string;
  base: string;
  config: string;
  total: number;
  /** Every check that appears, in matrix column order. */
  checks: string[];
  steps: WalkStep[];
  firstBad: number | null;
  fixedAt: number | null;
  /** The checks that broke at firstBad. */
  firstBadChecks: string[];
  breakages: WalkBreakage[];
  /** "emulator:syscall-fastpath: breaks at 07/12, fixed again at 09/12" */
  patterns: string[];
  boot: boolean;
  startedAt: string;
  seconds: number;
  reproduce: WalkReproduce;
}

export interface BisectReport {
  workspace: string;
  check: string;
  firstBad: { index: number; subject: string; check: string; summary: string; evidence?: unknown } | null;
  /** Steps that had to be built (cache misses). */
  stepsBuilt: number;
  /** Steps probed, in order. */
  tested: number[];
  /** Set when the tip passes: bisect finds nothing, but a walk may find a break fixed later. */
  note: string | null;
}

export interface BuildRunResult {
  buildDir: string;
  config: string;
  vmlinux: string;
  bzImage: string | null;
  seconds: number;
  objectsRebuilt: number;
  dropped: { option: string; wanted: string | null; got: string | null }[];
}

export interface WalkOptions {
  workspace: string;
  /** Review branch to walk (default: the workspace's latest review). */
  branch?: string;
  /** entry-min, entry-compat (default), entry-debug, or a .config path. */
  config?: string;
  /** Also boot each step in QEMU and run the selftests. */
  boot?: boolean;
}

export interface WalkMethods {
  'build.run': MethodSpec<{ tree: string; config?: string; buildDir?: string }, BuildRunResult>;
  /** Walk every step (progress: phase apply/style/build/check/boot, step, elapsed, estimate). */
  'walk.run': MethodSpec<WalkOptions, WalkReport>;
  /** The last walk of the workspace, or null. */
  'walk.get': MethodSpec<{ workspace: string }, WalkReport | null>;
  /** Binary search for the first step where `check` regresses (default: any emulator scenario). */
  'walk.bisect': MethodSpec<WalkOptions & { check?: string }, BisectReport>;
}

export interface WalkEvents {
  /** One step finished during a walk: the matrix can fill in live. */
  'walk.step': { workspace: string; total: number; step: WalkStep };
}

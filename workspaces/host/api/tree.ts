// Tree API: applying a series to the reviewer's kernel tree in a worktree of its own, one commit per patch.
import type { MethodSpec } from '../api.js';

/**
 * What happened to one patch:
 * - applied: `git am` took it as it is;
 * - applied-3way: it only went in through a 3-way merge with the blobs its `index` lines name;
 * - conflict: it does not apply here (see conflicts);
 * - damaged: the series assembly flagged the mail as broken, so it was not tried;
 * - skipped: not tried because an earlier patch failed (pass continuePastConflicts to try it).
 */
export type ApplyStepStatus = 'applied' | 'applied-3way' | 'conflict' | 'damaged' | 'skipped';

/** Which rule chose the commit the series was applied on. */
export type BaseRule = 'option' | 'base-commit' | 'index' | 'head';

export interface ApplyConflict {
  /** Path in the tree. */
  file: string;
  /** The patch's hunk header that failed ("@@ -120,7 +120,8 @@ ..."), or null when git names only the file. */
  hunk: string | null;
  /** git's own words: "patch does not apply", "Merge conflict in ...". */
  reason: string;
}

export interface ApplyStep {
  /** Position in the series, from 1. */
  index: number;
  subject: string;
  status: ApplyStepStatus;
  /** The commit on the review branch, for applied and applied-3way steps. */
  commit: string | null;
  /** `git patch-id --stable` of the patch as mailed: stays the same across rebases and versions. */
  patchId: string | null;
  conflicts: ApplyConflict[];
  /** Why the series assembly flagged the mail, for damaged steps. */
  damaged: string[];
  /** The URL of the `Link:` trailer added to the commit message, when the Message-ID is known. */
  link: string | null;
  /** Anything else git said about this step ("already in the base: no commit made"). */
  note: string | null;
}

export interface ApplySummary {
  applied: number;
  applied3way: number;
  conflict: number;
  damaged: number;
  skipped: number;
}

export interface ApplyResult {
  /** The review workspace this apply belongs to (its id in the data directory). */
  workspace: string;
  /** The reviewer's tree (top level of their repository). */
  tree: string;
  /** The worktree holding the review branch, outside the reviewer's checkout. */
  worktree: string;
  branch: string;
  series: { slug: string; version: number; title: string };
  /** Full commit id the series was applied on. */
  base: string;
  baseRule: BaseRule;
  /** One sentence saying why this base: "base-commit: 1a2b3c4d from the cover letter exists here". */
  baseReason: string;
  /** The tip of the review branch after the last applied step. */
  head: string;
  /** --init made the tree a git repository with one base commit in this call. */
  initialized: boolean;
  continuePastConflicts: boolean;
  steps: ApplyStep[];
  summary: ApplySummary;
  appliedAt: string;
  /** Milliseconds spent, for the UI and the benchmark. */
  elapsedMs: number;
  /**
   * Where the time went: --init's import, checks and base choice, worktree checkout, then the patches
   * (applyMs), of which gitAmMs inside git am itself; the rest is the engine's own bookkeeping.
   */
  timings: { initMs: number; prepareMs: number; worktreeMs: number; applyMs: number; gitAmMs: number };
}

/** A review branch as recorded in a workspace, for listings. */
export interface ReviewSummary {
  workspace: string;
  tree: string;
  branch: string;
  worktree: string;
  base: string;
  head: string;
  series: { slug: string; version: number; title: string };
  summary: ApplySummary;
  appliedAt: string;
  /** The worktree and branch still exist in the reviewer's repository. */
  present: boolean;
}

export interface RemovePlan {
  worktree: string;
  branch: string;
  /** Commits on the branch that exist nowhere else (review commits, lost on removal). */
  commits: number;
  /** Nothing was removed: the caller must confirm. */
  removed: boolean;
}

/** One line of `git range-diff`: how a patch of the old version relates to one of the new. */
export interface RangeDiffPair {
  /** "=" same patch, "!" changed, "<" only in the old version, ">" only in the new. */
  relation: '=' | '!' | '<' | '>';
  old: { index: number; commit: string } | null;
  new: { index: number; commit: string } | null;
  subject: string;
  /** The inner diff of the two patches for "!" pairs. */
  diff: string;
  /** "!" pairs: the diffs differ (not only the commit message). */
  codeChanged: boolean;
  /** "!" pairs: the commit message or author differs, the `Link:` trailer aside (it differs for every resend). */
  messageChanged: boolean;
}

export interface RangeDiffResult {
  base: string;
  old: string;
  new: string;
  pairs: RangeDiffPair[];
  /** git range-diff's own output, uncoloured. */
  text: string;
}

export interface TreeMethods {
  /**
   * Read mail, assemble the series and apply it to the tree on a new review branch. The mail is either
   * files (copied into a new workspace) or the id of a workspace that holds it: exactly one of the two.
   */
  'tree.apply': MethodSpec<
    {
      tree: string;
      files?: string[];
      workspace?: string;
      /** Which series in the files, from 0 (default: the only one, or the newest version). */
      series?: number;
      base?: string;
      init?: boolean;
      continuePastConflicts?: boolean;
    },
    ApplyResult
  >;
  /** Review branches recorded in the data directory, optionally only those of one tree. */
  'tree.reviews': MethodSpec<{ tree?: string }, ReviewSummary[]>;
  /** The full record of one review branch. */
  'tree.review': MethodSpec<{ tree: string; branch: string }, ApplyResult>;
  /** Remove a review's worktree and branch; without confirm it only says what would go. */
  'tree.remove': MethodSpec<{ tree: string; branch: string; confirm?: boolean }, RemovePlan>;
  /** git range-diff between two review branches applied on the same base. */
  'tree.rangeDiff': MethodSpec<{ tree: string; old: string; new: string }, RangeDiffResult>;
}

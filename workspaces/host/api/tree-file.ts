// Tree file API: one file of a review branch as it stands before and after a step (the UI's before/after view).
import type { MethodSpec } from '../api.js';

/** One side of the view: the file at a commit, or absent there (added or deleted by the step). */
export interface FileSide {
  commit: string;
  /** The file's text, or null when the commit has no such file. */
  text: string | null;
  /** The bytes are not text (a NUL in the first 8000 bytes, like git's own test); text is then null. */
  binary: boolean;
  bytes: number;
}

export interface StepFile {
  path: string;
  /** Step of the review branch: 0 is the base, 1..N the patches. */
  step: number;
  /** The file before the step (the previous step's commit, or the base); null for step 0. */
  before: FileSide | null;
  after: FileSide;
}

export interface TreeFileMethods {
  /** A file of a review branch before and after one step, read from git (nothing is checked out). */
  'tree.fileAtStep': MethodSpec<{ tree: string; branch: string; step: number; path: string; oldPath?: string }, StepFile>;
}

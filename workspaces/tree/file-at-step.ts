// A file of a review branch before and after one step, for the UI's before/after view: read from the
// commits the apply recorded, so the worktree is never touched.
import type { ApplyResult } from '../host/api/tree.js';
import type { FileSide, StepFile } from '../host/api/tree-file.js';
import { BadRequest, NotFound } from '../errors.js';
import { blobAt } from './blob.js';

/** The commit that holds the tree as it stands after `step` (0: the base). */
export function commitAfterStep(review: ApplyResult, step: number): string {
  if (step === 0) return review.base;
  const at = review.steps.find((s) => s.index === step);
  if (!at) {
    throw new NotFound(`The review ${review.branch} has no step ${step}.`, `Pick a step from 0 (the base) to ${review.steps.length}.`);
  }
  if (at.status === 'conflict' || at.status === 'damaged' || at.status === 'skipped') {
    throw new BadRequest(
      `Patch ${step} is not on ${review.branch} (${at.status}), so there is no tree after it.`,
      at.status === 'skipped' ? 'Apply again with "continue past conflicts" to try it.' : 'Look at the patch text instead; its apply status says why.',
    );
  }
  if (at.commit) return at.commit;
  // Applied without a commit of its own (already in the base): the tree is the one before it.
  return step === 1 ? review.base : commitAfterStep(review, step - 1);
}

function side(commit: string, bytes: Buffer | null): FileSide {
  if (bytes === null) return { commit, text: null, binary: false, bytes: 0 };
  const binary = bytes.subarray(0, 8000).includes(0);
  return { commit, text: binary ? null : bytes.toString('utf8'), binary, bytes: bytes.length };
}

export async function fileAtStep(review: ApplyResult, step: number, path: string, oldPath?: string, signal?: AbortSignal): Promise<StepFile> {
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw new BadRequest(`"${path}" is not a path inside the tree.`, 'Give the path as the patch names it, e.g. arch/x86/entry/entry_64.S.');
  }
  const afterCommit = commitAfterStep(review, step);
  const after = side(afterCommit, (await blobAt(review.worktree, afterCommit, path, signal)).bytes);
  if (step === 0) return { path, step, before: null, after };
  const beforeCommit = commitAfterStep(review, step - 1);
  const before = side(beforeCommit, (await blobAt(review.worktree, beforeCommit, oldPath ?? path, signal)).bytes);
  return { path, step, before, after };
}

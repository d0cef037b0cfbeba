// Errors a reviewer can hit while applying a series: what happened, and what to do about it.
import { ReviewError } from '../errors.js';

/** The tree is not a git repository and --init was not given. */
export class NotAGitRepository extends ReviewError {
  constructor(dir: string) {
    super(
      `${dir} is not a git repository.`,
      'Pass --init to make it one with a single base commit holding the whole tree (your files stay as they are), or give --tree the top of a kernel git checkout.',
      { dir },
    );
  }
}

/** The tree is a subdirectory of some repository, so patch paths would not line up. */
export class NotRepositoryTop extends ReviewError {
  constructor(dir: string, top: string) {
    super(
      `${dir} is inside the git repository ${top} but is not its top level.`,
      `Give --tree ${top}, the top of the kernel tree, so that the patches' paths line up.`,
      { dir, top },
    );
  }
}

/** --base named something that is not a commit here. */
export class BaseNotFound extends ReviewError {
  constructor(rev: string, tree: string) {
    super(
      `--base ${rev} is not a commit in ${tree}.`,
      'Give a branch, tag or commit id that exists there (`git log --oneline` shows some), or leave --base out to let the base be chosen.',
      { rev, tree },
    );
  }
}

/** A patch names a path outside the tree: refused before anything was written. */
export class PatchPathOutsideTree extends ReviewError {
  constructor(
    readonly patch: number,
    readonly subject: string,
    readonly file: string,
    why: string,
  ) {
    super(
      `Patch ${patch} ("${subject}") touches ${JSON.stringify(file)}, which ${why}. Nothing was applied or written.`,
      'Do not apply this series; read the patch and ask its author for a version whose paths stay inside the tree.',
      { patch, subject, file, why },
    );
  }
}

/** A review branch for this series version exists already. */
export class ReviewExists extends ReviewError {
  constructor(branch: string, worktree: string | null, tree: string) {
    super(
      `The branch ${branch} exists already in ${tree}${worktree ? ` (worktree ${worktree})` : ''}.`,
      `Review it where it is, or remove it first: entrybench apply --tree ${tree} --remove ${branch} --yes (or, if another data directory made it, git worktree remove and git branch -D).`,
      { branch, worktree, tree },
    );
  }
}

/** No review of that name is recorded. */
export class ReviewNotFound extends ReviewError {
  constructor(branch: string, tree: string) {
    super(
      `No review branch ${branch} is recorded for ${tree}.`,
      'List the reviews with `entrybench apply --tree DIR --list`.',
      { branch, tree },
    );
  }
}

/** Two versions were applied on different bases, so a range-diff would mix in upstream changes. */
export class DifferentBases extends ReviewError {
  constructor(oldBranch: string, oldBase: string, newBranch: string, newBase: string) {
    super(
      `${oldBranch} was applied on ${oldBase.slice(0, 12)} but ${newBranch} on ${newBase.slice(0, 12)}.`,
      `Apply one of them again with --base ${newBase.slice(0, 12)} (or the other base) so both versions sit on the same commit.`,
      { oldBranch, oldBase, newBranch, newBase },
    );
  }
}

/** The series has nothing to apply. */
export class EmptySeries extends ReviewError {
  constructor(what: string) {
    super(`${what} has no patches to apply.`, 'Open the mail that carries the patches themselves (not only the cover letter or replies).');
  }
}

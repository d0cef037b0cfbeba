// git worktree: the review's own checkout, on its own branch, outside the reviewer's checkout.
import { runGit, splitNul } from './git.js';

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Branch name without refs/heads/, or null when detached. */
  branch: string | null;
  prunable: boolean;
}

/** Create `dir` with a new branch at `base` checked out. Fails if the branch exists. */
export async function addWorktree(repo: string, dir: string, branch: string, base: string, signal?: AbortSignal): Promise<void> {
  await runGit(['worktree', 'add', '--quiet', '--no-track', '-b', branch, '--', dir, base], { cwd: repo, signal });
}

/** Remove a worktree and its administrative files, even with local changes (the caller confirmed). */
export async function removeWorktree(repo: string, dir: string): Promise<void> {
  await runGit(['worktree', 'remove', '--force', '--force', '--', dir], { cwd: repo });
}

/** Forget worktrees whose directories are gone. */
export async function pruneWorktrees(repo: string): Promise<void> {
  await runGit(['worktree', 'prune'], { cwd: repo });
}

export async function listWorktrees(repo: string): Promise<WorktreeEntry[]> {
  const r = await runGit(['worktree', 'list', '--porcelain', '-z'], { cwd: repo });
  const out: WorktreeEntry[] = [];
  let cur: WorktreeEntry | null = null;
  for (const field of splitNul(r.stdout)) {
    if (field === '') {
      if (cur) out.push(cur);
      cur = null;
      continue;
    }
    const sp = field.indexOf(' ');
    const key = sp < 0 ? field : field.slice(0, sp);
    const val = sp < 0 ? '' : field.slice(sp + 1);
    if (key === 'worktree') {
      if (cur) out.push(cur);
      cur = { path: val, head: null, branch: null, prunable: false };
    } else if (cur && key === 'HEAD') cur.head = val;
    else if (cur && key === 'branch') cur.branch = val.replace(/^refs\/heads\//, '');
    else if (cur && key === 'prunable') cur.prunable = true;
  }
  if (cur) out.push(cur);
  return out;
}

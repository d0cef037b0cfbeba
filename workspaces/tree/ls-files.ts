// git ls-files: unmerged paths after a 3-way merge stopped, and files git does not track.
import { runGit, splitNul } from './git.js';

/** Paths with unmerged index entries (conflicts), each once, in index order. */
export async function unmergedPaths(worktree: string): Promise<string[]> {
  const r = await runGit(['ls-files', '--unmerged', '-z'], { cwd: worktree });
  const seen = new Set<string>();
  for (const rec of splitNul(r.stdout)) {
    const tab = rec.indexOf('\t');
    if (tab >= 0) seen.add(rec.slice(tab + 1));
  }
  return [...seen];
}

/** Untracked files that are not ignored (what a patch could have left behind). */
export async function untrackedFiles(worktree: string): Promise<string[]> {
  const r = await runGit(['ls-files', '--others', '--exclude-standard', '-z'], { cwd: worktree });
  return splitNul(r.stdout);
}

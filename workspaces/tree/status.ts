// git status: whether a worktree is clean (nothing staged, modified or left behind by a failed patch).
import { runGit, splitNul } from './git.js';

export async function dirtyPaths(worktree: string): Promise<string[]> {
  const r = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=normal'], { cwd: worktree });
  return splitNul(r.stdout).filter((rec) => /^[ MADRCU?!]{2} /.test(rec)).map((rec) => rec.slice(3));
}

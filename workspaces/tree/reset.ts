// git reset --hard: put the review worktree back on a commit after a failed patch (our worktree only).
import { runGit } from './git.js';

export async function resetHard(worktree: string, commit: string): Promise<void> {
  await runGit(['reset', '--quiet', '--hard', commit], { cwd: worktree });
}

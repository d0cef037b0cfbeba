// git branch / check-ref-format: review branch names, whether they exist, deleting them.
import { runGit } from './git.js';
import { resolveCommit } from './rev-parse.js';

/** A branch name git accepts, or null. */
export async function checkBranchName(cwd: string, name: string): Promise<string | null> {
  if (name.startsWith('-')) return null;
  const r = await runGit(['check-ref-format', '--branch', name], { cwd, okExitCodes: [1, 128] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** The commit a local branch points at, or null when there is no such branch. */
export function branchCommit(cwd: string, name: string, signal?: AbortSignal): Promise<string | null> {
  return resolveCommit(cwd, `refs/heads/${name}`, signal);
}

/** Delete a local branch whatever it holds (the caller confirmed); it must not be checked out. */
export async function deleteBranch(cwd: string, name: string): Promise<void> {
  await runGit(['branch', '-D', '--', name], { cwd });
}

/** The number of commits on a branch that no other branch or tag holds. */
export async function commitsOnlyOn(cwd: string, name: string): Promise<number> {
  const r = await runGit(
    ['rev-list', '--count', `refs/heads/${name}`, '--not', `--exclude=${name}`, '--branches', '--tags'],
    { cwd },
  );
  return Number(r.stdout.trim()) || 0;
}

// git rev-parse: resolve revisions, find the repository top and paths inside the git directory.
import path from 'node:path';
import { runGit } from './git.js';

/** The full commit id a revision names, or null when it names no commit here. */
export async function resolveCommit(cwd: string, rev: string, signal?: AbortSignal): Promise<string | null> {
  // A revision starting with "-" would be read as an option.
  if (rev.startsWith('-') || rev.includes('\0') || rev.trim() === '') return null;
  const r = await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd, signal, okExitCodes: [1, 128] });
  const id = r.stdout.trim();
  return r.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(id) ? id : null;
}

/** The top level of the work tree containing dir, or null when dir is in no git repository. */
export async function repositoryTop(dir: string, signal?: AbortSignal): Promise<string | null> {
  const r = await runGit(['rev-parse', '--show-toplevel'], { cwd: dir, signal, okExitCodes: [128] });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

/** The repository has at least one commit (HEAD resolves). */
export async function hasCommits(cwd: string, signal?: AbortSignal): Promise<boolean> {
  return (await resolveCommit(cwd, 'HEAD', signal)) !== null;
}

/** An absolute path inside this work tree's git directory (per-worktree state such as rebase-apply). */
export async function gitPath(cwd: string, name: string, signal?: AbortSignal): Promise<string> {
  const r = await runGit(['rev-parse', '--git-path', name], { cwd, signal });
  return path.resolve(cwd, r.stdout.trim());
}

/** The repository's common git directory (shared by all its worktrees). */
export async function commonGitDir(cwd: string, signal?: AbortSignal): Promise<string> {
  const r = await runGit(['rev-parse', '--git-common-dir'], { cwd, signal });
  return path.resolve(cwd, r.stdout.trim());
}

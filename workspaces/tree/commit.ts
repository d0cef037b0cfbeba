// git commit: the single base commit of an imported tree.
import { runGit } from './git.js';

export async function commitStaged(dir: string, message: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  await runGit(['commit', '--quiet', '--no-verify', '--allow-empty-message', '-m', message], { cwd: dir, env, signal });
}

// git merge-base: the commit two review branches grew from.
import { runGit } from './git.js';

export async function mergeBase(cwd: string, a: string, b: string): Promise<string | null> {
  const r = await runGit(['merge-base', a, b], { cwd, okExitCodes: [1] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

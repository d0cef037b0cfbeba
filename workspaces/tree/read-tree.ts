// git read-tree: load a commit's tree into a scratch index, so checks never touch a real one.
import { runGit } from './git.js';

export async function readTreeInto(cwd: string, indexFile: string, commit: string, signal?: AbortSignal): Promise<void> {
  await runGit(['read-tree', commit], { cwd, env: { GIT_INDEX_FILE: indexFile }, signal });
}

// git add: stage a whole tree, ignored files included (Debian's linux-source ships a .gitignore of "/*").
import { runGit } from './git.js';

export async function addEverything(dir: string, signal?: AbortSignal): Promise<void> {
  await runGit(['add', '--force', '--all', '--', '.'], { cwd: dir, signal });
}

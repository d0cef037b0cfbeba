// git init: make a plain source tree (an unpacked tarball) a repository, only when the user asks (--init).
import { runGit } from './git.js';

export async function initRepository(dir: string, branch = 'master', signal?: AbortSignal): Promise<void> {
  await runGit(['init', '--quiet', `--initial-branch=${branch}`], { cwd: dir, signal });
}

// git var: whether git knows who the committer is; if not, review commits get a stand-in identity.
import { runGit } from './git.js';

/** Environment that gives git a committer identity when the user's configuration has none. */
export async function committerEnv(cwd: string): Promise<Record<string, string>> {
  const r = await runGit(['var', 'GIT_COMMITTER_IDENT'], { cwd, okExitCodes: [128], config: ['user.useConfigOnly=true'] });
  if (r.exitCode === 0) return {};
  return { GIT_COMMITTER_NAME: 'Entrybench review', GIT_COMMITTER_EMAIL: 'entrybench@localhost', GIT_AUTHOR_NAME: 'Entrybench review', GIT_AUTHOR_EMAIL: 'entrybench@localhost' };
}

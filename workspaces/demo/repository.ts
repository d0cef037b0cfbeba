// The demo tree as a git repository with one base commit, made the same way everywhere (the series
// generator, the tests, a first run), so the cover letter's base-commit names a commit that exists.
import fs from 'node:fs';
import path from 'node:path';
import { BadRequest, NotFound } from '../errors.js';
import { runGit } from '../tree/git.js';
import { DEMO_TREE_DIR } from './paths.js';

/** Who made the base commit and when: fixed, so the base commit id depends only on the tree. */
export const DEMO_BASE_IDENTITY = {
  name: 'Entrybench',
  email: 'demo@entrybench.example',
  date: '2024-11-01T12:00:00+00:00',
  message: 'Entrybench demo kernel 6.12.0-demo\n',
};

/**
 * Environment for git runs whose results must not depend on the machine: no global or system
 * configuration (user.name, format.*, commit templates), fixed identities for the commit.
 */
export function reproducibleGitEnv(identity: { name: string; email: string; date: string }): Record<string, string> {
  return {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_AUTHOR_DATE: identity.date,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    GIT_COMMITTER_DATE: identity.date,
  };
}

export interface DemoRepository {
  dir: string;
  baseCommit: string;
}

/**
 * Copy the demo tree to `dir` (which must not exist or be empty) and commit it as the base of the
 * demo series, on branch master.
 */
export async function createDemoRepository(dir: string, opts: { tree?: string; signal?: AbortSignal } = {}): Promise<DemoRepository> {
  const tree = opts.tree ?? DEMO_TREE_DIR;
  if (!fs.existsSync(path.join(tree, 'Makefile'))) {
    throw new NotFound(`The demo kernel tree is missing at ${tree}.`, 'Reinstall Entrybench or check out workspaces/demo/tree again.');
  }
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new BadRequest(`${dir} is not empty.`, 'Choose a new directory for the demo repository.');
  }
  fs.cpSync(tree, dir, { recursive: true });
  const env = reproducibleGitEnv(DEMO_BASE_IDENTITY);
  await runGit(['init', '--quiet', '--initial-branch=master'], { cwd: dir, env, signal: opts.signal });
  await runGit(['add', '--all'], { cwd: dir, env, signal: opts.signal });
  await runGit(['commit', '--quiet', '--no-verify', '-F', '-'], { cwd: dir, env, input: DEMO_BASE_IDENTITY.message, signal: opts.signal });
  const head = await runGit(['rev-parse', 'HEAD'], { cwd: dir, env, signal: opts.signal });
  return { dir, baseCommit: head.stdout.trim() };
}

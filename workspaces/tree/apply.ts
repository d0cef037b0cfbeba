// git apply --check: which hunks of a patch fail against a commit, without writing any file or real index.
import fs from 'node:fs';
import { runGit } from './git.js';
import { readTreeInto } from './read-tree.js';
import { gitPath } from './rev-parse.js';

export interface FailedHunk {
  file: string;
  /** First line of the hunk in the preimage, as git reports it ("patch failed: FILE:LINE"). */
  line: number;
}

export interface ApplyCheck {
  failedHunks: FailedHunk[];
  /** git's error lines, without the "error: " prefix and without the quoted context. */
  errors: string[];
}

/** Parse `git apply --check --verbose --reject` stderr. */
export function parseApplyCheck(stderr: string): ApplyCheck {
  const failedHunks: FailedHunk[] = [];
  const errors: string[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('error: ')) continue;
    const text = line.slice('error: '.length);
    if (text === 'while searching for:') continue;
    const m = /^patch failed: (.+):(\d+)$/.exec(text);
    if (m) failedHunks.push({ file: m[1], line: Number(m[2]) });
    errors.push(text);
  }
  return { failedHunks, errors };
}

/**
 * Try every hunk of `patch` against `commit` in a scratch index (`--reject` goes on past the first
 * failing hunk). The worktree's files and index are not read or written.
 */
export async function checkPatchAgainst(worktree: string, commit: string, patch: string, signal?: AbortSignal): Promise<ApplyCheck> {
  const index = await gitPath(worktree, 'entrybench-check-index');
  try {
    await readTreeInto(worktree, index, commit, signal);
    const r = await runGit(['apply', '--check', '--cached', '--verbose', '--reject', '-'], {
      cwd: worktree,
      env: { GIT_INDEX_FILE: index },
      input: patch,
      signal,
      okExitCodes: [1, 128],
    });
    return parseApplyCheck(r.stderr);
  } finally {
    fs.rmSync(index, { force: true });
  }
}

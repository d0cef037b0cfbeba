// git am: apply mboxrd messages as commits (author, date and message kept), falling back to 3-way merges.
// One session takes the whole series: a git process per patch would re-read a Linux index 30 times.
import fs from 'node:fs';
import path from 'node:path';
import { runGit, type GitOutput } from './git.js';
import { gitPath } from './rev-parse.js';

/** What `git am` said about one patch it tried. */
export interface AmAttempt {
  subject: string;
  /** git fell back to a 3-way merge with the blobs named by the patch's `index` lines. */
  threeWay: boolean;
  /** The 3-way merge found the change already there, so no commit was made. */
  alreadyApplied: boolean;
  /** This is the patch the session stopped at. */
  failed: boolean;
  /** CONFLICT lines git printed for this patch. */
  conflictLines: string[];
}

export interface AmRun {
  /** 0 when every patch went in; otherwise the session stopped at a patch. */
  exitCode: number;
  attempts: AmAttempt[];
  /** `error:` lines of this run: they concern the patch it stopped at. */
  errors: string[];
  /** "Patch is empty." and similar words of git about the stop. */
  notes: string[];
}

const AM_OPTIONS = [
  '--3way',
  '--patch-format=mboxrd',
  '--utf8',
  '--no-message-id',
  '--no-scissors',
  '--no-signoff',
  '--no-gpg-sign',
  '--whitespace=warn',
  '--empty=stop',
];

/** Read am's stdout and stderr into attempts; exported for tests on git's exact wording. */
export function parseAmOutput(out: GitOutput): AmRun {
  const attempts: AmAttempt[] = [];
  const notes: string[] = [];
  let cur: AmAttempt | null = null;
  for (const line of out.stdout.split('\n')) {
    if (line.startsWith('Applying: ')) {
      cur = { subject: line.slice('Applying: '.length), threeWay: false, alreadyApplied: false, failed: false, conflictLines: [] };
      attempts.push(cur);
    } else if (!cur) {
      continue;
    } else if (line.startsWith('Falling back to patching base and 3-way merge')) {
      cur.threeWay = true;
    } else if (line.startsWith('No changes -- Patch already applied')) {
      cur.alreadyApplied = true;
    } else if (line.startsWith('CONFLICT ')) {
      cur.conflictLines.push(line);
    } else if (line.startsWith('Patch failed at ')) {
      cur.failed = true;
    } else if (line === 'Patch is empty.' || line.startsWith('The copy of the patch that failed')) {
      notes.push(line);
    }
  }
  const errors = out.stderr
    .split('\n')
    .filter((l) => l.startsWith('error: ') || l.startsWith('fatal: '))
    .map((l) => l.replace(/^(error|fatal): /, ''));
  // A mail git could not start on (an empty patch) gets no "Applying:" line: the caller asks
  // rebase-apply/next which message the session stopped at.
  return { exitCode: out.exitCode, attempts, errors, notes };
}

/** Start a session on an mbox file in a worktree; returns where it stopped, if it did. */
export async function amStart(
  worktree: string,
  mboxFile: string,
  opts: { env: Record<string, string>; keepCr: boolean; signal?: AbortSignal; onStdoutLine?: (line: string) => void },
): Promise<AmRun> {
  const { env, signal, onStdoutLine } = opts;
  const cr = opts.keepCr ? '--keep-cr' : '--no-keep-cr';
  const out = await runGit(['am', ...AM_OPTIONS, cr, '--', mboxFile], { cwd: worktree, env, signal, onStdoutLine, okExitCodes: [1, 128] });
  return parseAmOutput(out);
}

/** Drop the patch the session stopped at (resetting what it touched) and go on with the rest. */
export async function amSkip(
  worktree: string,
  env: Record<string, string>,
  signal?: AbortSignal,
  onStdoutLine?: (line: string) => void,
): Promise<AmRun> {
  const out = await runGit(['am', '--skip'], { cwd: worktree, env, signal, onStdoutLine, okExitCodes: [1, 128] });
  return parseAmOutput(out);
}

/** End the session keeping the commits made so far (the caller resets the failed patch's leftovers). */
export async function amQuit(worktree: string): Promise<void> {
  await runGit(['am', '--quit'], { cwd: worktree });
}

/** End the session and return the branch to where the session started. */
export async function amAbort(worktree: string): Promise<void> {
  await runGit(['am', '--abort'], { cwd: worktree, okExitCodes: [128] });
}

export interface AmStop {
  /** 1-based number of the message in the session's mbox. */
  number: number;
  last: number;
  /** The diff of the patch that failed, as git extracted it from the mail. */
  patch: string;
}

/** The patch a stopped session is at, or null when no session is in progress in this worktree. */
export async function amStoppedAt(worktree: string): Promise<AmStop | null> {
  const dir = await gitPath(worktree, 'rebase-apply');
  const read = (name: string) => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      return null;
    }
  };
  const next = read('next');
  if (next === null) return null;
  return { number: Number(next.trim()), last: Number((read('last') ?? '0').trim()), patch: read('patch') ?? '' };
}

// Runs git: argument arrays (never a shell), a clean environment, checked exit codes, cancellation.
// Every git verb module in this directory goes through runGit so they all behave the same.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { Cancelled, NotFound, ReviewError, ToolMissing } from '../errors.js';

export interface GitOptions {
  /** Directory git runs in (`-C` semantics via cwd). */
  cwd: string;
  /** Bytes or text for git's standard input. */
  input?: Uint8Array | string;
  signal?: AbortSignal;
  /** Exit codes that are answers, not failures (e.g. 1 for "no such ref"). 0 always is. */
  okExitCodes?: number[];
  /** Extra environment (GIT_INDEX_FILE for a scratch index, committer identity). */
  env?: Record<string, string>;
  /** Extra `-c name=value` settings placed before the verb. */
  config?: string[];
  /** Called with each complete line of standard output as it arrives (progress). */
  onStdoutLine?: (line: string) => void;
}

export interface GitOutput {
  exitCode: number;
  stdout: string;
  /** The same output as bytes, for blobs and NUL-separated listings. */
  stdoutBytes: Buffer;
  stderr: string;
}

/** git exited with a code the caller did not expect. */
export class GitFailed extends ReviewError {
  constructor(
    readonly args: string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    const first = stderr.split('\n').find((l) => l.trim() !== '') ?? `exit status ${exitCode}`;
    super(
      `git ${args.join(' ')} failed: ${first.trim()}`,
      'Check that the tree is a healthy git repository (`git fsck`); the full message from git is in the details.',
      { args, exitCode, stderr },
    );
  }
}

/**
 * Settings that make git behave the same whatever the user's configuration says: no hooks from the
 * reviewer's repository run on mail content, no signing prompts, no background gc or fsmonitor daemon
 * in their repo, no rerere resolutions applied behind the reviewer's back.
 */
export const NEUTRAL_CONFIG = [
  'core.hooksPath=/dev/null',
  'commit.gpgSign=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'rerere.enabled=false',
  'core.autocrlf=false',
  'core.safecrlf=false',
  'advice.detachedHead=false',
  // No file-system monitor daemon started for a review worktree on the reviewer's behalf.
  'core.fsmonitor=false',
];

/** Variables from the caller's environment that would point git at another repository or config. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'XDG_CONFIG_HOME', 'GNUPGHOME'];

export function gitEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  Object.assign(env, {
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_MERGE_AUTOEDIT: 'no',
    // Read-only commands (status, diff) must not refresh and rewrite the reviewer's index.
    GIT_OPTIONAL_LOCKS: '0',
  });
  return Object.assign(env, extra);
}

/** Run one git command and return its output; throws GitFailed on an unexpected exit code. */
export function runGit(args: string[], opts: GitOptions): Promise<GitOutput> {
  const config = [...NEUTRAL_CONFIG, ...(opts.config ?? [])].flatMap((c) => ['-c', c]);
  const argv = [...config, ...args];
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Cancelled('git operation'));
    const child = spawn('git', argv, {
      cwd: opts.cwd,
      env: gitEnvironment(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGTERM');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let partial = '';
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      if (!opts.onStdoutLine) return;
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onStdoutLine(l);
    });
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => {
      /* git may exit before reading all input; its exit code says what happened */
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      // spawn says ENOENT for a missing working directory too: a moved or deleted tree is not a missing git.
      if (e.code === 'ENOENT' && !fs.existsSync(opts.cwd)) {
        reject(new NotFound(`git cannot run in ${opts.cwd}: there is no such directory.`, 'The tree or worktree was moved or deleted; apply the series again where it is now.'));
      } else if (e.code === 'ENOENT') reject(new ToolMissing('git', 'apt-get install git'));
      else reject(e);
    });
    child.on('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new Cancelled('git operation'));
      const stdoutBytes = Buffer.concat(out);
      const result: GitOutput = {
        exitCode: code ?? (signal ? 128 : -1),
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (result.exitCode === 0 || opts.okExitCodes?.includes(result.exitCode)) resolve(result);
      else reject(new GitFailed(args, result.exitCode, result.stderr || result.stdout));
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Split NUL-terminated output (`-z`) into records, dropping the empty tail. */
export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

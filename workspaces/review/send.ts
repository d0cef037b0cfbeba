// Sending a draft, only through the command the user configured (git send-email, or a sendmail-compatible
// program), and only in two steps: a preview that shows the exact command, recipients and message and hands
// out a one-time token, then a confirmation with that token that runs exactly what was shown.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import { writeJsonAtomic } from '../store/atomic.js';
import { Cancelled } from '../errors.js';
import { SendFailed, SendNotConfigured, SendNotConfirmed } from './errors.js';
import type { MailAddress, ReplyHeaders, SendConfig } from './types.js';

export class SendConfigFile {
  constructor(readonly file: string) {}

  get(): SendConfig | null {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { config?: SendConfig };
      return v.config ?? null;
    } catch {
      return null;
    }
  }

  set(config: SendConfig | null): void {
    writeJsonAtomic(this.file, { format: 1, config });
  }
}

/** An address as a person types it on a command line: "Name <a@b>", the name quoted when it has specials. */
export function plainAddress(a: MailAddress): string {
  if (!a.name) return a.email;
  const name = /[()<>[\]:;@\\,."]/.test(a.name) ? `"${a.name.replace(/(["\\])/g, '\\$1')}"` : a.name;
  return `${name} <${a.email}>`;
}

/** The command that sends `file` (the exact message), and whether it reads the message on stdin. */
export function sendCommand(config: SendConfig, h: ReplyHeaders, file: string): { argv: string[]; stdin: boolean } {
  if (config.method === 'git-send-email') {
    return {
      argv: [
        'git',
        'send-email',
        // We asked already (this is the confirmed step), and nobody is at a terminal to answer.
        '--confirm=never',
        // Exactly the recipients shown: no Cc from trailers in the body, no addresses from sendemail.to/cc/bcc.
        '--suppress-cc=all',
        '--no-to',
        '--no-cc',
        '--no-bcc',
        // The file is the message: no editor round (sendemail.annotate), never read as a revision range.
        '--no-annotate',
        '--no-format-patch',
        // With --thread, git send-email keeps the In-Reply-To and full References of the file.
        '--thread',
        '--no-chain-reply-to',
        `--from=${plainAddress(h.from)}`,
        ...(h.inReplyTo ? [`--in-reply-to=<${h.inReplyTo}>`] : []),
        ...h.to.map((a) => `--to=${plainAddress(a)}`),
        ...h.cc.map((a) => `--cc=${plainAddress(a)}`),
        ...(config.args ?? []),
        file,
      ],
      stdin: false,
    };
  }
  if (!config.path) throw new SendNotConfigured('The sendmail command has no path.', 'Set the path of a sendmail-compatible program (sendmail, msmtp).');
  const rcpts = [...h.to, ...h.cc].map((a) => a.email);
  return { argv: [config.path, ...(config.args ?? []), '-i', '-f', h.from.email, '--', ...rcpts], stdin: true };
}

/** Shell-quoted, for showing the command to a person. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export interface CommandOutcome {
  exitCode: number;
  /** stdout and stderr, interleaved as they came, at most 64 KiB. */
  output: string;
}

const OUTPUT_CAP = 64 * 1024;

/** The user's own environment (their SMTP credentials helpers need it), minus anything that would prompt. */
function sendEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', PAGER: 'cat', GIT_EDITOR: 'true' };
}

export function runCommand(argv: string[], stdin: Uint8Array | null, opts: { signal?: AbortSignal; timeoutMs?: number; cwd?: string } = {}): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, env: sendEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const add = (d: Buffer) => {
      if (output.length < OUTPUT_CAP) output += d.toString('utf8').slice(0, OUTPUT_CAP - output.length);
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs ?? 120_000);
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(
        e.code === 'ENOENT'
          ? new SendNotConfigured(`The send command ${argv[0]} does not exist.`, argv[0] === 'git' ? 'Install git.' : 'Configure the path of a sendmail-compatible program that exists on this machine.')
          : e,
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (opts.signal?.aborted) return reject(new Cancelled('sending'));
      resolve({ exitCode: code ?? (signal ? 128 : -1), output });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? undefined);
  });
}

/** The recipients git send-email reports in its dry-run log ("RCPT TO:<a>" for SMTP, "Sendmail: prog -i a b" otherwise). */
export function dryRunRecipients(output: string): string[] | null {
  const rcpt = [...output.matchAll(/^RCPT TO:<([^>]*)>$/gm)].map((m) => m[1]);
  if (rcpt.length) return rcpt;
  const sm = /^Sendmail: (.*)$/m.exec(output);
  if (!sm) return null;
  return sm[1].split(/\s+/).filter((t) => t.includes('@') && !t.startsWith('-'));
}

export interface PendingSend {
  token: string;
  workspaceDir: string;
  draftId: string;
  draftRevision: number;
  argv: string[];
  stdin: boolean;
  /** Where the command runs: the kernel tree, so its per-repository sendemail.* config applies. */
  cwd: string;
  file: string;
  sha256: string;
  date: string;
  expires: number;
}

const TOKEN_TTL_MS = 10 * 60 * 1000;

/** One-time confirmation tokens, in memory: a host restart forgets them, so a stale preview can never send. */
export class SendGate {
  private readonly pending = new Map<string, PendingSend>();

  issue(p: Omit<PendingSend, 'token' | 'expires'>, now = Date.now()): PendingSend {
    for (const [k, v] of this.pending) if (v.expires < now || (v.workspaceDir === p.workspaceDir && v.draftId === p.draftId)) this.pending.delete(k);
    const entry: PendingSend = { ...p, token: crypto.randomBytes(16).toString('hex'), expires: now + TOKEN_TTL_MS };
    this.pending.set(entry.token, entry);
    return entry;
  }

  /** Take the token (it is used up either way) and check that what it confirms is still what was shown. */
  take(token: string, now = Date.now()): PendingSend {
    const p = this.pending.get(token);
    this.pending.delete(token);
    if (!p) throw new SendNotConfirmed('That confirmation is unknown or was already used.', 'Preview the send again and confirm the new preview.');
    if (p.expires < now) throw new SendNotConfirmed('That confirmation expired.', 'Preview the send again; a preview is good for 10 minutes.');
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(p.file);
    } catch {
      throw new SendNotConfirmed('The previewed message file is gone.', 'Preview the send again.');
    }
    if (crypto.createHash('sha256').update(bytes).digest('hex') !== p.sha256) {
      throw new SendNotConfirmed('The previewed message file changed after the preview.', 'Preview the send again and check it.');
    }
    return p;
  }
}

export function failIfNonZero(outcome: CommandOutcome, argv: string[]): void {
  if (outcome.exitCode !== 0) {
    const tail = outcome.output.trim().split('\n').slice(-5).join('\n');
    throw new SendFailed(`${argv[0] === 'git' ? 'git send-email' : argv[0]} exited with ${outcome.exitCode}: ${tail || '(no output)'}`, 'Fix the send configuration (SMTP server, credentials) and preview again; the draft is unchanged.', { output: outcome.output });
  }
}

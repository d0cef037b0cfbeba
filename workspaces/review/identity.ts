// My identity for replies, from git config: sendemail.from when set (what git send-email would use), else user.name and user.email.
import os from 'node:os';
import { ReviewError } from '../errors.js';
import { runGit } from '../tree/git.js';
import type { ReplyIdentity, MailAddress } from './types.js';

/** git config names no one to send as. */
export class NoIdentity extends ReviewError {}

async function configValue(key: string, cwd: string): Promise<string | null> {
  // exit 1: the key is not set
  const r = await runGit(['config', '--get', key], { cwd, okExitCodes: [1] });
  return r.exitCode === 0 ? r.stdout.trim() || null : null;
}

/** "Name <a@b>" or "a@b" into an address; null when there is no address in it. */
export function parseIdentityText(text: string): MailAddress | null {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (m) return { name: (m[1] ?? '').trim(), email: m[2] };
  const bare = text.trim();
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? { name: '', email: bare } : null;
}

export interface IdentityInfo {
  identity: ReplyIdentity;
  /** Every address that is me (user.email and sendemail.from can differ): kept out of Cc. */
  myAddresses: string[];
}

/** Read my identity as git would in `cwd` (the kernel tree, so per-repository config counts), or globally. */
export async function readIdentity(cwd: string = os.homedir()): Promise<IdentityInfo> {
  const [name, email, from] = await Promise.all([
    configValue('user.name', cwd),
    configValue('user.email', cwd),
    configValue('sendemail.from', cwd),
  ]);
  const mine = new Set<string>();
  if (email) mine.add(email.toLowerCase());
  if (from) {
    const a = parseIdentityText(from);
    if (a) {
      mine.add(a.email.toLowerCase());
      return { identity: { name: a.name || name || '', email: a.email, source: 'sendemail.from' }, myAddresses: [...mine] };
    }
  }
  if (!email) {
    throw new NoIdentity(
      'git config has no user.email (nor sendemail.from), so the reply has no sender.',
      'Set it: git config --global user.name "Your Name" && git config --global user.email you@example.org',
    );
  }
  return { identity: { name: name ?? '', email, source: 'user.name/user.email' }, myAddresses: [...mine] };
}

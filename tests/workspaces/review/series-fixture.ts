// Test series made with real git: a small x86 entry tree (excerpts of Linux 6.12), a 3-patch v1, the same v1
// rebased onto a shifted base, and a v2 where some hunks changed and some did not; and Python's email to read drafts back.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { ReplyTargetMessage } from '../../../workspaces/review/types.js';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/review');
const TREE = path.join(FIXTURES, 'tree');
export const PARSE_MAIL = path.join(FIXTURES, 'parse_mail.py');

export const AUTHOR = { name: 'Jörg Rödel', email: 'joro@8bytes.example' };
export const ME = { name: 'Rev Iewer', email: 'reviewer@example.org' };
export const TO = 'linux-kernel@vger.kernel.example';
export const CC = ['"Lutomirski, Andy" <luto@kernel.example>', 'x86@kernel.example', `${ME.name} <${ME.email}>`];

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: AUTHOR.name,
      GIT_AUTHOR_EMAIL: AUTHOR.email,
      GIT_COMMITTER_NAME: AUTHOR.name,
      GIT_COMMITTER_EMAIL: AUTHOR.email,
      ...env,
    },
  });
}

function edit(repo: string, file: string, from: string, to: string): void {
  const p = path.join(repo, file);
  const text = fs.readFileSync(p, 'utf8');
  if (!text.includes(from)) throw new Error(`fixture edit: ${file} has no "${from.slice(0, 40)}"`);
  fs.writeFileSync(p, text.replace(from, to));
}

let clock = 0;
function commit(repo: string, message: string): void {
  clock++;
  const date = `2024-11-05T14:${String(clock).padStart(2, '0')}:00+0100`;
  git(repo, ['commit', '-q', '-a', '-m', message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
}

const ENTRY = 'arch/x86/entry/entry_64.S';
const COMMON = 'arch/x86/entry/common.c';

const SOB = `\n\nSigned-off-by: ${AUTHOR.name} <${AUTHOR.email}>`;

const P1_MSG = `x86/entry/64: Say what RCX and R11 hold around SYSRET

The SYSCALL entry keeps the user RSP in tss.sp2 and the SYSRET exit
consumes RCX and R11 as the user RIP and RFLAGS. Neither is obvious from
the code; say so where it happens.${SOB}`;

const P2_MSG_V1 = `x86/entry: Reject -1 before trying the x32 table

do_syscall_64() tries the x64 table, then the x32 table, and only then
looks at nr == -1. Check -1 first so that a skipped syscall never reaches
the x32 lookup.

No functional change for valid syscall numbers.${SOB}`;

const P2_MSG_V2 = `x86/entry: Reject -1 before trying the x32 table

do_syscall_64() tries the x64 table, then the x32 table, and only then
looks at nr == -1. Check -1 first so that a skipped syscall never reaches
the x32 lookup.

Valid syscall numbers take the same path as before.${SOB}`;

function patch1(repo: string, hunkB: string): void {
  edit(repo, ENTRY, '\t/* tss.sp2 is scratch space. */', '\t/* tss.sp2 is scratch space: the user RSP stays there until pt_regs is built. */');
  edit(repo, ENTRY, '\tPOP_REGS pop_rdi=0\n', `\tPOP_REGS pop_rdi=0\n${hunkB}`);
  commit(repo, P1_MSG);
}

function patch2(repo: string, message: string): void {
  edit(
    repo,
    COMMON,
    '\tif (!do_syscall_x64(regs, nr) && !do_syscall_x32(regs, nr) && nr != -1) {',
    '\tif (nr != -1 && !do_syscall_x64(regs, nr) && !do_syscall_x32(regs, nr)) {',
  );
  commit(repo, message);
}

function patch3(repo: string, v2: boolean): void {
  if (v2) {
    edit(repo, COMMON, '\t/* XEN PV guests always use the IRET path */\n', '\t/* XEN PV guests always use the IRET path: SYSRET is not available to them. */\n');
    commit(repo, `x86/entry: Say why Xen PV guests take the IRET path\n\nThe comment says what happens, not why.${SOB}`);
  } else {
    edit(repo, COMMON, '\t/* XEN PV guests always use the IRET path */\n', '\t/* XEN PV guests always use the IRET path */\n\t/* (hypercall iret) */\n');
    commit(repo, `x86/entry: Say why Xen PV guests take the IRET path\n\nMention the iret hypercall.${SOB}`);
  }
}

export interface GeneratedSeries {
  repo: string;
  /** format-patch output files, in order. */
  v1: string[];
  /** v1 rebased onto a base with lines added above the patched code: same patches, other line numbers. */
  v1Rebased: string[];
  /** With a cover letter first. */
  v2: string[];
}

const HUNK_B_V1 = '\n\t/* RCX and R11 are the user RIP and RFLAGS again; SYSRET consumes them. */\n';
const HUNK_B_V2 = '\n\t/* From here RCX = user RIP and R11 = user RFLAGS, as SYSRET expects. */\n';

function formatPatch(repo: string, range: string, out: string, extra: string[]): string[] {
  git(repo, ['format-patch', '-q', '--thread=shallow', `--to=${TO}`, ...CC.map((c) => `--cc=${c}`), '-o', out, ...extra, range]);
  return fs.readdirSync(out).sort().map((f) => path.join(out, f));
}

export function generateSeries(tmp: string): GeneratedSeries {
  const repo = path.join(tmp, 'repo');
  fs.mkdirSync(repo, { recursive: true });
  fs.cpSync(TREE, repo, { recursive: true });
  git(repo, ['init', '-q', '-b', 'master']);
  git(repo, ['add', '.']);
  commit(repo, 'base: excerpts of Linux 6.12 arch/x86/entry');
  git(repo, ['tag', 'base']);

  git(repo, ['checkout', '-q', '-b', 'v1', 'base']);
  patch1(repo, HUNK_B_V1);
  patch2(repo, P2_MSG_V1);
  patch3(repo, false);

  // A base where lines were added above everything the series touches.
  git(repo, ['checkout', '-q', '-b', 'base2', 'base']);
  edit(repo, ENTRY, 'SYM_CODE_START(entry_SYSCALL_64)\n', '/*\n * (three lines added upstream meanwhile)\n */\nSYM_CODE_START(entry_SYSCALL_64)\n');
  edit(repo, COMMON, '#ifdef CONFIG_X86_64\n', '/* Two lines added\n * upstream. */\n#ifdef CONFIG_X86_64\n');
  commit(repo, 'upstream: add comments');

  git(repo, ['checkout', '-q', '-b', 'v1-rebased', 'v1']);
  git(repo, ['rebase', '-q', '--onto', 'base2', 'base', 'v1-rebased']);

  git(repo, ['checkout', '-q', '-b', 'v2', 'base2']);
  patch1(repo, HUNK_B_V2);
  patch2(repo, P2_MSG_V2);
  patch3(repo, true);

  const v1 = formatPatch(repo, 'base..v1', path.join(tmp, 'v1'), []);
  const v1Rebased = formatPatch(repo, 'base2..v1-rebased', path.join(tmp, 'v1-rebased'), []);
  const v2 = formatPatch(repo, 'base2..v2', path.join(tmp, 'v2'), ['-v2', '--cover-letter']);
  // The cover letter as a person would have written it.
  const cover = fs.readFileSync(v2[0], 'utf8')
    .replace('*** SUBJECT HERE ***', 'x86/entry: small clarifications around SYSCALL/SYSRET')
    .replace('*** BLURB HERE ***', 'Three small changes to the 64-bit SYSCALL path.\n\nChanges since v1:\n - reworded the SYSRET comment in 1/3\n - rewrote 3/3\n\nThanks to Andy for the review.');
  fs.writeFileSync(v2[0], cover);
  return { repo, v1, v1Rebased, v2 };
}

/** A message as Python's email package read it: the reply fields (date as ISO text) plus what the test checks. */
export interface ParsedMail extends Omit<ReplyTargetMessage, 'date'> {
  date: string | null;
  /** Raw header lines as they stand in the file (folded), by lower-case name. */
  raw: Record<string, string[]>;
  contentType: string;
  charset: string | null;
  transferEncoding: string | null;
  multipart: boolean;
  defects: string[];
}

/** Parse .eml or mbox files with Python's email package (policy.default): a real MIME parser, not ours. */
export function parseMail(files: string[]): ParsedMail[] {
  const out = execFileSync('python3', [PARSE_MAIL, ...files], { encoding: 'utf8' });
  return JSON.parse(out) as ParsedMail[];
}

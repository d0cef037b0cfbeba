// Mail for the UI's end-to-end tests, made by real git: a small arch/x86/entry tree, a series of patches
// to its .S and .c files (git format-patch, threaded, with a cover letter), and replies in the thread the
// way reviewers write them (quotes, a Reviewed-by, a failure report).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const AUTHOR = { GIT_AUTHOR_NAME: 'Andy Lutomirski', GIT_AUTHOR_EMAIL: 'luto@kernel.org', GIT_COMMITTER_NAME: 'Andy Lutomirski', GIT_COMMITTER_EMAIL: 'luto@kernel.org' };

export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...AUTHOR, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', LC_ALL: 'C', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

const made: string[] = [];
export function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `entrybench-ui-${prefix}-`));
  made.push(d);
  return d;
}
export function removeTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

const ENTRY_64 = [
  '/* SPDX-License-Identifier: GPL-2.0 */',
  '#include <linux/linkage.h>',
  '#include <asm/segment.h>',
  '',
  'SYM_CODE_START(entry_SYSCALL_64)',
  '\tswapgs',
  '\tmovq\t%rsp, PER_CPU_VAR(cpu_tss_rw + TSS_sp2)',
  '\tmovq\tPER_CPU_VAR(pcpu_hot + X86_top_of_stack), %rsp',
  '',
  '\t/* Construct struct pt_regs on stack */',
  '\tpushq\t$__USER_DS\t\t\t\t/* pt_regs->ss */',
  '\tpushq\tPER_CPU_VAR(cpu_tss_rw + TSS_sp2)\t/* pt_regs->sp */',
  '\tpushq\t%r11\t\t\t\t\t/* pt_regs->flags */',
  '\tpushq\t$__USER_CS\t\t\t\t/* pt_regs->cs */',
  '\tpushq\t%rcx\t\t\t\t\t/* pt_regs->ip */',
  '\tpushq\t%rax\t\t\t\t\t/* pt_regs->orig_ax */',
  '',
  '\tPUSH_AND_CLEAR_REGS rax=$-ENOSYS',
  '',
  '\tmovq\t%rsp, %rdi',
  '\tmovslq\t%eax, %rsi',
  '\tcall\tdo_syscall_64\t\t/* returns with IRQs disabled */',
  '',
  '\ttestb\t%al, %al',
  '\tjz\tswapgs_restore_regs_and_return_to_usermode',
  '',
  '\tPOP_REGS pop_rdi=0',
  '\tmovq\t%rsp, %rdi',
  '\tmovq\tPER_CPU_VAR(cpu_tss_rw + TSS_sp0), %rsp',
  '\tpushq\tRSP-RDI(%rdi)\t/* RSP */',
  '\tpushq\t(%rdi)\t\t/* RDI */',
  '\tpopq\t%rdi',
  '\tpopq\t%rsp',
  '\tswapgs',
  '\tsysretq',
  'SYM_CODE_END(entry_SYSCALL_64)',
];

const COMMON_C = [
  '// SPDX-License-Identifier: GPL-2.0-only',
  '#include <linux/kernel.h>',
  '#include <linux/entry-common.h>',
  '',
  'static __always_inline bool do_syscall_x64(struct pt_regs *regs, int nr)',
  '{',
  '\tunsigned int unr = nr;',
  '',
  '\tif (likely(unr < NR_syscalls)) {',
  '\t\tunr = array_index_nospec(unr, NR_syscalls);',
  '\t\tregs->ax = x64_sys_call(regs, unr);',
  '\t\treturn true;',
  '\t}',
  '\treturn false;',
  '}',
  '',
  '__visible noinstr bool do_syscall_64(struct pt_regs *regs, int nr)',
  '{',
  '\tadd_random_kstack_offset();',
  '\tnr = syscall_enter_from_user_mode(regs, nr);',
  '',
  '\tinstrumentation_begin();',
  '\tif (!do_syscall_x64(regs, nr) && nr != -1)',
  '\t\tregs->ax = __x64_sys_ni_syscall(regs);',
  '\tinstrumentation_end();',
  '',
  '\tsyscall_exit_to_user_mode(regs);',
  '',
  '\t/* SYSRET requires RCX == RIP and R11 == EFLAGS */',
  '\tif (unlikely(regs->cx != regs->ip || regs->r11 != regs->flags))',
  '\t\treturn false;',
  '',
  '\treturn true;',
  '}',
];

/** A small reviewer's checkout: the entry code of a kernel tree, one commit on master. */
export function makeEntryTree(): string {
  const dir = tmp('tree');
  git(dir, ['init', '-q', '-b', 'master']);
  const write = (rel: string, lines: string[]) => {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), lines.join('\n') + '\n');
  };
  write('arch/x86/entry/entry_64.S', ENTRY_64);
  write('arch/x86/entry/common.c', COMMON_C);
  write('Makefile', ['VERSION = 6', 'PATCHLEVEL = 12', 'SUBLEVEL = 0', 'EXTRAVERSION =']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'Linux 6.12'], { GIT_AUTHOR_DATE: '2024-11-17T12:00:00Z', GIT_COMMITTER_DATE: '2024-11-17T12:00:00Z' });
  return dir;
}

export interface SeriesMail {
  mbox: string;
  /** Message-IDs (without brackets) of the cover letter (0) and the patches (1..N). */
  messageIds: string[];
  subjects: string[];
}

/** Patch i: alternately an edit of entry_64.S (one instruction more) and of common.c (a comment). */
function edit(tree: string, i: number): string {
  const asm = path.join(tree, 'arch/x86/entry/entry_64.S');
  const c = path.join(tree, 'arch/x86/entry/common.c');
  if (i === 1) {
    const lines = fs.readFileSync(asm, 'utf8').split('\n');
    lines.splice(lines.indexOf('\tPUSH_AND_CLEAR_REGS rax=$-ENOSYS') + 1, 0, '\t/* IRQs are off and the user registers are saved */', '\tUNWIND_HINT_REGS');
    fs.writeFileSync(asm, lines.join('\n'));
    return 'x86/entry/64: Annotate the frame after PUSH_AND_CLEAR_REGS';
  }
  if (i === 2) {
    const lines = fs.readFileSync(c, 'utf8').split('\n');
    const at = lines.indexOf('\t/* SYSRET requires RCX == RIP and R11 == EFLAGS */');
    lines.splice(at, 3, '\t/* SYSRET requires RCX == RIP and R11 == EFLAGS, and a canonical RIP */', '\tif (unlikely(regs->cx != regs->ip || regs->r11 != regs->flags))', '\t\treturn false;', '\tif (unlikely(regs->ip >= TASK_SIZE_MAX))', '\t\treturn false;');
    fs.writeFileSync(c, lines.join('\n'));
    return 'x86/entry/64: Check for a canonical RIP before SYSRET';
  }
  if (i === 3) {
    const lines = fs.readFileSync(asm, 'utf8').split('\n');
    lines.splice(lines.indexOf('\tsysretq'), 0, '\t/* RCX and R11 hold the user RIP and RFLAGS (checked in C) */');
    fs.writeFileSync(asm, lines.join('\n'));
    return 'x86/entry/64: Say what RCX and R11 hold at SYSRET';
  }
  // Further patches (long series): one comment line each, alternating files.
  const file = i % 2 ? asm : c;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const mark = i % 2 ? `\t/* step ${i}: keep the frame layout in sync with asm-offsets */` : `\t/* step ${i}: nothing to do here for compat tasks */`;
  lines.splice(4 + (i % 20), 0, mark);
  fs.writeFileSync(file, lines.join('\n'));
  return `x86/entry: Tidy the syscall path, part ${i}`;
}

function headerValue(mail: string, name: string): string {
  const m = new RegExp(`^${name}: ?(.*(?:\\n[ \\t].*)*)`, 'mi').exec(mail);
  return m ? m[1].replace(/\n[ \t]+/g, ' ').trim() : '';
}

/** A reply as a reviewer's mail client sends it: quoting, threading headers, an optional trailer. */
function reply(opts: { from: string; to: string; subject: string; date: string; id: string; parent: string; refs: string[]; body: string }): string {
  return [
    `From ${opts.from.replace(/.*<|>.*/g, '')} Mon Sep 17 00:00:00 2001`,
    `From: ${opts.from}`,
    `To: ${opts.to}`,
    'Cc: x86@kernel.org, linux-kernel@vger.kernel.org',
    `Subject: Re: ${opts.subject}`,
    `Date: ${opts.date}`,
    `Message-ID: <${opts.id}>`,
    `In-Reply-To: <${opts.parent}>`,
    `References: ${[...opts.refs, opts.parent].map((r) => `<${r}>`).join(' ')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    opts.body,
    '',
  ].join('\n');
}

/**
 * A series of `count` patches against makeEntryTree()'s tree, as one mbox file: cover letter, patches, and
 * (for the first three patches) replies — a Reviewed-by with a long quote, and a failure report.
 */
export function makeSeries(tree: string, count: number, opts: { replies?: boolean; version?: number } = {}): SeriesMail {
  const base = git(tree, ['rev-parse', 'master']).trim();
  const branch = `topic-${count}-${Math.random().toString(36).slice(2, 7)}`;
  git(tree, ['checkout', '-q', '-b', branch, base]);
  const subjects: string[] = [];
  for (let i = 1; i <= count; i++) {
    const subject = edit(tree, i);
    subjects.push(subject);
    git(tree, ['commit', '-q', '-a', '-m', `${subject}\n\nThe entry code changes in small steps so that each one can be reviewed\nand bisected on its own. This is step ${i} of ${count}.\n\nSigned-off-by: Andy Lutomirski <luto@kernel.org>`], {
      GIT_AUTHOR_DATE: `2024-12-0${(i % 9) + 1}T10:${String(i % 60).padStart(2, '0')}:00Z`,
      GIT_COMMITTER_DATE: `2024-12-0${(i % 9) + 1}T10:${String(i % 60).padStart(2, '0')}:00Z`,
    });
  }
  const out = tmp('fp');
  git(tree, ['format-patch', '-q', '--thread', '--cover-letter', ...(opts.version ? [`-v${opts.version}`] : []), `--base=${base}`, '-o', out, `${base}..HEAD`]);
  git(tree, ['checkout', '-q', 'master']);
  const files = fs.readdirSync(out).sort().map((f) => path.join(out, f));
  const mails = files.map((f) => fs.readFileSync(f, 'utf8'));
  mails[0] = mails[0]
    .replace('*** SUBJECT HERE ***', 'x86/entry/64: Small SYSRET path cleanups')
    .replace('*** BLURB HERE ***', 'These patches tidy the 64-bit SYSCALL return path.\n\nPatch 2 adds the canonical RIP check in C; the others only\nannotate the assembly.');
  const messageIds = mails.map((m) => headerValue(m, 'Message-ID').replace(/^<|>$/g, ''));
  const fullSubjects = mails.map((m) => headerValue(m, 'Subject'));
  const parts = [...mails];
  if (opts.replies !== false && count >= 2) {
    const cover = messageIds[0];
    parts.push(
      reply({
        from: 'Brian Gerst <brgerst@gmail.com>',
        to: 'Andy Lutomirski <luto@kernel.org>',
        subject: fullSubjects[1],
        date: 'Tue, 03 Dec 2024 09:12:00 +0000',
        id: 'reply-1@gmail.com',
        parent: messageIds[1],
        refs: [cover],
        body: [
          'On Mon, Dec 02, 2024 at 10:01:00AM +0000, Andy Lutomirski wrote:',
          '> The entry code changes in small steps so that each one can be reviewed',
          '> and bisected on its own. This is step 1 of ' + count + '.',
          '>',
          '> Signed-off-by: Andy Lutomirski <luto@kernel.org>',
          '> ---',
          '>  arch/x86/entry/entry_64.S | 2 ++',
          '>  1 file changed, 2 insertions(+)',
          '',
          'The hint matches what PUSH_AND_CLEAR_REGS leaves on the stack.',
          '',
          'Reviewed-by: Brian Gerst <brgerst@gmail.com>',
        ].join('\n'),
      }),
      reply({
        from: 'Andy Lutomirski <luto@kernel.org>',
        to: 'Brian Gerst <brgerst@gmail.com>',
        subject: fullSubjects[1],
        date: 'Tue, 03 Dec 2024 11:40:00 +0000',
        id: 'reply-1b@kernel.org',
        parent: 'reply-1@gmail.com',
        refs: [cover, messageIds[1]],
        body: ['On Tue, Dec 3, 2024 at 9:12 AM Brian Gerst <brgerst@gmail.com> wrote:', '> The hint matches what PUSH_AND_CLEAR_REGS leaves on the stack.', '', 'Thanks!'].join('\n'),
      }),
      reply({
        from: 'Thomas Gleixner <tglx@linutronix.de>',
        to: 'Andy Lutomirski <luto@kernel.org>',
        subject: fullSubjects[2],
        date: 'Wed, 04 Dec 2024 14:03:00 +0100',
        id: 'reply-2@linutronix.de',
        parent: messageIds[2],
        refs: [cover],
        body: [
          'On Mon, Dec 02 2024 at 10:02, Andy Lutomirski wrote:',
          '> -\t/* SYSRET requires RCX == RIP and R11 == EFLAGS */',
          '> +\t/* SYSRET requires RCX == RIP and R11 == EFLAGS, and a canonical RIP */',
          '>  \tif (unlikely(regs->cx != regs->ip || regs->r11 != regs->flags))',
          '>  \t\treturn false;',
          '> +\tif (unlikely(regs->ip >= TASK_SIZE_MAX))',
          '> +\t\treturn false;',
          '',
          'Fails to boot, bisected to this patch: kernel BUG at kernel/auditsc.c:1504!',
          'TASK_SIZE_MAX is off by one page here, see the 5-level paging case.',
        ].join('\n'),
      }),
    );
  }
  const mbox = path.join(tmp('mbox'), `series-${count}.mbox`);
  fs.writeFileSync(mbox, parts.map((p) => (p.endsWith('\n') ? p : p + '\n')).join('\n'));
  return { mbox, messageIds, subjects };
}

// ---- hostile mail ----

const HOSTILE_SUBJECT = '<script>window.__xss="subject"</script><b>bold</b> x86/entry: <img src=x onerror="window.__xss=\'subject-img\'">';
const HOSTILE_AUTHOR = '<img src=x onerror="window.__xss=\'author\'">';
const HOSTILE_BODY = [
  '<iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '<svg onload="window.__xss=\'svg\'"><circle r="9"/></svg>',
  '<a href="javascript:window.__xss=\'link\'">click me</a> https://example.org/<script>',
  '<style>body { display: none }</style>',
  '</pre></div><script>window.__xss="body"</script>',
];
const HOSTILE_FILE = 'arch/x86/entry/<img src=x onerror=window.__xss=6>.c';

/** The payloads, for the test to look for as text. */
export const PAYLOAD = { subject: HOSTILE_SUBJECT, author: HOSTILE_AUTHOR, body: HOSTILE_BODY, file: HOSTILE_FILE };

/** A git-made series whose mail then carries the payloads where a hostile or careless sender could put them. */
export function makeHostileSeries(): string {
  const tree = makeEntryTree();
  // A file whose name is markup, committed for real, so the diff names it.
  git(tree, ['checkout', '-q', '-b', 'payload']);
  fs.writeFileSync(path.join(tree, HOSTILE_FILE), '/* a file with a hostile name */\n');
  git(tree, ['add', '-A']);
  git(tree, ['commit', '-q', '-m', 'placeholder']);
  const base = git(tree, ['rev-parse', 'HEAD~1']).trim();
  const out = path.join(tmp('mbox'), 'hostile.mbox');
  const fp = git(tree, ['format-patch', '--stdout', '--thread', '--cover-letter', `--base=${base}`, `${base}..payload`]);
  let text = fp
    .replace('*** SUBJECT HERE ***', HOSTILE_SUBJECT)
    .replace('*** BLURB HERE ***', HOSTILE_BODY.join('\n'))
    .replace(/^Subject: \[PATCH 1\/1\] placeholder$/m, `Subject: [PATCH 1/1] ${HOSTILE_SUBJECT}`)
    .replace(/^From: Andy Lutomirski <luto@kernel.org>$/gm, `From: "${HOSTILE_AUTHOR.replace(/"/g, '\\"')}" <luto@kernel.org>`);
  // The patch's own text (between its headers and the "---"): the payload lines a sender could write.
  const at = text.indexOf(`Subject: [PATCH 1/1] ${HOSTILE_SUBJECT}`);
  const bodyAt = text.indexOf('\n\n', at) + 2;
  text = text.slice(0, bodyAt) + [...HOSTILE_BODY, ''].join('\n') + text.slice(bodyAt);
  // The patch is the second message (format-patch puts its Message-Id above the Subject).
  const patchMail = text.slice(text.indexOf('\nFrom ', 1));
  const patchId = /^Message-Id: <(.*)>$/im.exec(patchMail)?.[1] as string;
  text += [
    '',
    'From evil@example.org Mon Sep 17 00:00:00 2001',
    `From: "<script>window.__xss='reply-from'</script>" <evil@example.org>`,
    'To: luto@kernel.org',
    `Subject: Re: [PATCH 1/1] ${HOSTILE_SUBJECT}`,
    'Date: Wed, 04 Dec 2024 10:00:00 +0000',
    'Message-ID: <evil-reply@example.org>',
    `In-Reply-To: <${patchId}>`,
    `References: <${patchId}>`,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    '> <script>window.__xss="quote"</script>',
    ...HOSTILE_BODY,
    'Reviewed-by: <img src=x onerror="window.__xss=\'trailer\'"> <evil@example.org>',
    '',
  ].join('\n');
  fs.writeFileSync(out, text);
  return out;
}


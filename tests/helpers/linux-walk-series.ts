// The Linux walk series of the tests and of bench/walk.bench.ts: a cover letter and eight patches to
// arch/x86/entry/ of Debian's linux-source-6.12 — comments, one patch that clobbers RBX on the SYSRET
// path (03), one that repairs it (05), and one that swaps two pt_regs pushes for good (07).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { commitPatches, insertAfter, type PlannedPatch } from '../workspaces/tree/linux-series.js';

export const WALK_SERIES_EXPECTED = { firstBad: 3, fixedAt: 5, breaksForGood: 7, total: 8 };

function replace(from: string, to: string): (old: string | null) => string {
  return (old) => {
    if (old === null || !old.includes(from)) throw new Error(`no "${from.slice(0, 40)}" to replace`);
    return old.replace(from, to);
  };
}

const TRAMPOLINE = '\tmovq\t%rsp, %rdi\n\tmovq\tPER_CPU_VAR(cpu_tss_rw + TSS_sp0), %rsp\n\tUNWIND_HINT_END_OF_STACK\n\n\tpushq\tRSP-RDI(%rdi)\t/* RSP */\n\tpushq\t(%rdi)\t\t/* RDI */';
const CLOBBERED = TRAMPOLINE.replace('%rsp, %rdi', '%rsp, %rbx').replace('RSP-RDI(%rdi)', 'RSP-RDI(%rbx)').replace('(%rdi)\t', '(%rbx)\t');
const PUSHES = '\tpushq\tPER_CPU_VAR(cpu_tss_rw + TSS_sp2)\t/* pt_regs->sp */\n\tpushq\t%r11\t\t\t\t\t/* pt_regs->flags */';
const SWAPPED = '\tpushq\t%r11\t\t\t\t\t/* pt_regs->flags */\n\tpushq\tPER_CPU_VAR(cpu_tss_rw + TSS_sp2)\t/* pt_regs->sp */';
const comment = (file: string, anchor: RegExp, text: string) => ({ path: file, edit: insertAfter(anchor, text) });

export const PATCHES: PlannedPatch[] = [
  { subject: 'x86/entry/64: Say where the SYSCALL frame starts', edits: [comment('arch/x86/entry/entry_64.S', /^SYM_CODE_START\(entry_SYSCALL_64\)/, '/* The hardware frame starts here. */')] },
  { subject: 'x86/entry: Note why do_syscall_64() returns a bool', edits: [comment('arch/x86/entry/common.c', /^#include/, '/* do_syscall_64() tells the asm which exit to take. */')] },
  { subject: 'x86/entry/64: Use RBX for the trampoline stack switch', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(TRAMPOLINE, CLOBBERED) }] },
  { subject: 'x86/entry: Describe the syscall table', edits: [comment('arch/x86/entry/syscall_64.c', /^#include/, '/* The 64-bit syscall table. */')] },
  { subject: 'x86/entry/64: Go back to RDI for the trampoline stack switch', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(CLOBBERED, TRAMPOLINE) }] },
  { subject: 'x86/entry: Document PUSH_AND_CLEAR_REGS', edits: [comment('arch/x86/entry/calling.h', /^#include/, '/* Register save/restore macros for the entry code. */')] },
  { subject: 'x86/entry/64: Push the flags before the user stack pointer', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(PUSHES, SWAPPED) }] },
  { subject: 'x86/entry/compat: Say what this file is for', edits: [comment('arch/x86/entry/entry_64_compat.S', /^#include/, '/* 32-bit entry points. */')] },
];

/** Commit the series on the repository's HEAD (no ref moves) and write it as one mbox in `dir`. */
export function walkSeriesMbox(repo: string, dir: string): string {
  const base = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  const tip = commitPatches(repo, base, PATCHES);
  const out = path.join(dir, 'patches');
  fs.rmSync(out, { recursive: true, force: true });
  execFileSync('git', ['format-patch', '-q', '--cover-letter', '--thread', `--base=${base}`, '-o', out, `${base}..${tip}`], { cwd: repo });
  const cover = path.join(out, fs.readdirSync(out).sort()[0]);
  fs.writeFileSync(
    cover,
    fs.readFileSync(cover, 'utf8').replace('*** SUBJECT HERE ***', 'x86/entry: Small entry cleanups').replace('*** BLURB HERE ***', 'Comments, and two stack switch changes.'),
  );
  const mbox = path.join(dir, 'series.mbox');
  fs.writeFileSync(mbox, fs.readdirSync(out).sort().map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join(''));
  return mbox;
}

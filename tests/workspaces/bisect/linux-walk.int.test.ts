// The walk and bisect on Debian's linux-source-6.12: a cover letter and eight patches to
// arch/x86/entry/, one that clobbers RBX on the SYSRET path, a later one that repairs it, and one
// near the end that swaps two pt_regs pushes for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureLinuxRepo, linuxUnavailable } from '../../helpers/linux.js';
import { commitPatches, insertAfter, type PlannedPatch } from '../tree/linux-series.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { TreeService } from '../../../workspaces/tree/service.js';
import { applyMail } from '../../../workspaces/tree/from-series.js';
import { WalkService } from '../../../workspaces/bisect/service.js';
import { defaultCheckers } from '../../../workspaces/bisect/checkers.js';
import type { WalkReport } from '../../../workspaces/host/api/walk.js';

const unavailable = linuxUnavailable();

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

const PATCHES: PlannedPatch[] = [
  { subject: 'x86/entry/64: Say where the SYSCALL frame starts', edits: [comment('arch/x86/entry/entry_64.S', /^SYM_CODE_START\(entry_SYSCALL_64\)/, '/* The hardware frame starts here. */')] },
  { subject: 'x86/entry: Note why do_syscall_64() returns a bool', edits: [comment('arch/x86/entry/common.c', /^#include/, '/* do_syscall_64() tells the asm which exit to take. */')] },
  { subject: 'x86/entry/64: Use RBX for the trampoline stack switch', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(TRAMPOLINE, CLOBBERED) }] },
  { subject: 'x86/entry: Describe the syscall table', edits: [comment('arch/x86/entry/syscall_64.c', /^#include/, '/* The 64-bit syscall table. */')] },
  { subject: 'x86/entry/64: Go back to RDI for the trampoline stack switch', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(CLOBBERED, TRAMPOLINE) }] },
  { subject: 'x86/entry: Document PUSH_AND_CLEAR_REGS', edits: [comment('arch/x86/entry/calling.h', /^#include/, '/* Register save/restore macros for the entry code. */')] },
  { subject: 'x86/entry/64: Push the flags before the user stack pointer', edits: [{ path: 'arch/x86/entry/entry_64.S', edit: replace(PUSHES, SWAPPED) }] },
  { subject: 'x86/entry/compat: Say what this file is for', edits: [comment('arch/x86/entry/entry_64_compat.S', /^#include/, '/* 32-bit entry points. */')] },
];

let tmp: string;
let store: WorkspaceStore;
let service: WalkService;
let workspace: string;
let walk: WalkReport;

describe.skipIf(unavailable)('walk and bisect on Linux 6.12', () => {
  beforeAll(async () => {
    const repo = await ensureLinuxRepo();
    const base = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const tip = commitPatches(repo, base, PATCHES);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-linux-walk-'));
    const mbox = path.join(tmp, 'series.mbox');
    const out = path.join(tmp, 'patches');
    execFileSync('git', ['format-patch', '-q', '--cover-letter', '--thread', `--base=${base}`, '-o', out, `${base}..${tip}`], { cwd: repo });
    const cover = path.join(out, fs.readdirSync(out).sort()[0]);
    fs.writeFileSync(cover, fs.readFileSync(cover, 'utf8').replace('*** SUBJECT HERE ***', 'x86/entry: Small entry cleanups').replace('*** BLURB HERE ***', 'Comments, and two stack switch changes.'));
    fs.writeFileSync(mbox, fs.readdirSync(out).sort().map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join(''));
    store = new WorkspaceStore(path.join(tmp, 'data'));
    const applied = await applyMail(new TreeService(store), store, { tree: repo, files: [mbox] });
    expect(applied.summary.applied).toBe(8);
    workspace = applied.workspace;
    service = new WalkService(store, defaultCheckers, path.join(tmp, 'walk-steps'));
  }, 1_800_000);

  afterAll(async () => {
    if (workspace) {
      const t = new TreeService(store);
      for (const r of await t.reviews()) await t.remove(r.tree, r.branch, true).catch(() => {});
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('bisect names the first bad patch, probing about log2(N) steps', async () => {
    const r = await service.bisect({ workspace, check: 'emulator:syscall64-getpid' });
    expect(r.firstBad?.index).toBe(3);
    expect(r.firstBad?.subject).toBe('x86/entry/64: Use RBX for the trampoline stack switch');
    expect(r.firstBad?.summary).toMatch(/RBX/);
    expect(r.tested.length).toBeLessThanOrEqual(4);
    expect(r.stepsBuilt).toBe(r.tested.length + 1); // the probes and the base
  }, 1_800_000);

  it('walk shows the break at 03, the repair at 05 and the new break at 07', async () => {
    walk = await service.walk({ workspace });
    const emulatorBad = walk.steps.map((s) => s.results.some((r) => r.check.startsWith('emulator:') && r.relative === 'regressed'));
    expect(emulatorBad).toEqual([false, false, false, true, true, false, false, true, true]);
    expect(walk.steps.every((s) => s.results.find((r) => r.check === 'builds')?.status === 'pass')).toBe(true);
    expect(walk.firstBad).toBe(3);
    expect(walk.fixedAt).toBe(5);
    expect(walk.patterns.some((p) => p.endsWith('breaks at 03/08, fixed again at 05/08'))).toBe(true);
    expect(walk.patterns.some((p) => p.endsWith('breaks at 07/08'))).toBe(true);
    const at3 = walk.steps[3].results.find((r) => r.check === 'emulator:syscall64-getpid');
    expect(at3?.summary).toMatch(/RBX/);
    const style = walk.steps[1].results.find((r) => r.check === 'style');
    expect(style?.status).toBe('pass'); // the tree's own checkpatch.pl ran
    // The steps bisect already ran come from the cache.
    expect(walk.steps.filter((s) => s.cached).length).toBeGreaterThanOrEqual(3);
  }, 1_800_000);

  it('serves a second walk entirely from the cache', async () => {
    const again = await service.walk({ workspace });
    expect(again.steps.every((s) => s.cached)).toBe(true);
    expect(again.firstBad).toBe(walk.firstBad);
    expect(again.seconds).toBeLessThan(walk.seconds / 10);
  }, 600_000);
});

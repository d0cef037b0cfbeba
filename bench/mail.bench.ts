// Benchmark: index an LKML-like mbox of 50,000 messages (~300 MB, threads and series inside) against
// `git mailsplit` on the same file, and open a 1,000-message thread against `b4 am -m`, in the same run.
// Peak memory is measured in fresh child processes on the full file and on a half-size one, to show that
// memory grows with the index, not with the file. Prints figures and ratios; --json prints them as JSON.
// Not a pass/fail test. The generated mailboxes are kept in the OS temp dir and reused by later runs.
//
//   npm run bench:mail -- [--json] [--messages N] [--runs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { indexMail, loadMail } from '../workspaces/series/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string, dflt: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : dflt;
};
const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const GENERATOR_VERSION = 6;

// ---- a deterministic LKML-like mailbox ----

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const hex = (r: Rand, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};

const PEOPLE = [
  ['Andy Lutomirski', 'luto@kernel.org'], ['Brian Gerst', 'brgerst@gmail.com'], ['Ingo Molnar', 'mingo@kernel.org'],
  ['Thomas Gleixner', 'tglx@linutronix.de'], ['Borislav Petkov', 'bp@alien8.de'], ['Peter Zijlstra', 'peterz@infradead.org'],
  ['Josh Poimboeuf', 'jpoimboe@redhat.com'], ['H. Peter Anvin', 'hpa@zytor.com'], ['Denys Vlasenko', 'dvlasenk@redhat.com'],
  ['Frédéric Weisbecker', 'fweisbec@gmail.com'], ['Jürgen Groß', 'jgross@suse.com'], ['Kees Cook', 'keescook@chromium.org'],
  ['Linus Torvalds', 'torvalds@linux-foundation.org'], ['Dave Hansen', 'dave.hansen@intel.com'], ['Sean Christopherson', 'seanjc@google.com'],
] as const;
const WORDS = 'the entry code syscall slow path fast path pt_regs stack frame register we this patch series should would kernel user mode return iret sysret tracing audit seccomp context tracking interrupt exception handler table stub compat 32-bit 64-bit vsyscall percpu irq flags save restore macro assembly C function ABI because so that and but not only also then it is a an of to in on for with by from'.split(' ');
const FILES = ['arch/x86/entry/entry_64.S', 'arch/x86/entry/common.c', 'arch/x86/entry/syscall_64.c', 'arch/x86/entry/entry_32.S', 'arch/x86/include/asm/ptrace.h', 'arch/x86/kernel/process_64.c', 'arch/x86/entry/calling.h', 'arch/x86/entry/vsyscall/vsyscall_64.c', 'tools/testing/selftests/x86/sigreturn.c'];
const CODE = ['\tmovq\t%rsp, PER_CPU_VAR(rsp_scratch)', '\tpushq\t$__USER_DS\t\t\t/* pt_regs->ss */', '\tcall\tsyscall_trace_enter', '\tTRACE_IRQS_OFF', '\tSWAPGS', '\tjmp\trestore_regs_and_return_to_kernel', '\tif (unlikely(work & SYSCALL_WORK_ENTER))', '\t\tnr = syscall_trace_enter(regs, nr, work);', '\tregs->ax = sys_call_table[nr](regs);', '\tlocal_irq_disable();', '\tstruct thread_info *ti = current_thread_info();', '}', '', '#include <asm/syscall.h>', '\tUNWIND_HINT_REGS', '\tPUSH_AND_CLEAR_REGS rax=$-ENOSYS'];

function sentence(r: Rand): string {
  const n = int(r, 6, 16);
  const w: string[] = [];
  for (let i = 0; i < n; i++) w.push(pick(r, WORDS));
  const s = w.join(' ');
  return s[0].toUpperCase() + s.slice(1) + '.';
}
function paragraph(r: Rand, sentences: number): string {
  const words = Array.from({ length: sentences }, () => sentence(r)).join(' ').split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur.length + w.length + 1 > 72) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

interface Meta {
  id: string;
  kind: 'cover' | 'patch' | 'reply' | 'talk';
  thread: number;
  parent: number | null;
  refs: number[];
  date: number;
  seed: number;
  author: number;
  title: string;
  version: number;
  index: number;
  total: number;
}

function subjectOf(m: Meta, metas: Meta[]): string {
  const prefix = (x: Meta) => `[PATCH${x.version > 1 ? ` v${x.version}` : ''}${x.total > 1 || x.kind === 'cover' ? ` ${String(x.index).padStart(String(x.total).length, '0')}/${x.total}` : ''}] `;
  if (m.kind === 'cover' || m.kind === 'patch') return prefix(m) + m.title;
  if (m.kind === 'talk') return m.title;
  let p = metas[m.parent!];
  while (p.kind === 'reply') p = metas[p.parent!];
  return `Re: ${p.kind === 'talk' ? p.title : prefix(p) + p.title}`;
}

/** The body of a message: regenerated from its seed, so replies can quote their parent's text. */
function bodyOf(m: Meta, metas: Meta[], depth = 0): string {
  const r = rng(m.seed);
  const [name, email] = PEOPLE[m.author];
  if (m.kind === 'patch') {
    const files = Array.from({ length: int(r, 1, 4) }, () => pick(r, FILES));
    const uniq = [...new Set(files)];
    let diff = '';
    let ins = 0;
    let del = 0;
    const stat: string[] = [];
    for (const f of uniq) {
      let fileIns = 0;
      let fileDel = 0;
      let hunks = '';
      let at = int(r, 10, 400);
      for (let h = int(r, 2, 6); h > 0; h--) {
        const ctx = () => ` ${pick(r, CODE)}`;
        const minus = Array.from({ length: int(r, 0, 4) }, () => `-${pick(r, CODE)}`);
        const plus = Array.from({ length: int(r, 1, 14) }, () => `+${pick(r, CODE)}`);
        const lines = [ctx(), ctx(), ctx(), ...minus, ...plus, ctx(), ctx(), ctx()];
        hunks += `@@ -${at},${6 + minus.length} +${at},${6 + plus.length} @@ ENTRY(entry_SYSCALL_64)\n${lines.join('\n')}\n`;
        fileIns += plus.length;
        fileDel += minus.length;
        at += int(r, 40, 200);
      }
      diff += `diff --git a/${f} b/${f}\nindex ${hex(r, 12)}..${hex(r, 12)} 100644\n--- a/${f}\n+++ b/${f}\n${hunks}`;
      stat.push(` ${f.padEnd(40)} | ${String(fileIns + fileDel).padStart(3)} ${'+'.repeat(Math.min(fileIns, 30))}${'-'.repeat(Math.min(fileDel, 30))}`);
      ins += fileIns;
      del += fileDel;
    }
    return `${paragraph(r, int(r, 3, 9))}\n\n${paragraph(r, int(r, 2, 6))}\n\nSigned-off-by: ${name} <${email}>\n---\n${stat.join('\n')}\n ${uniq.length} file${uniq.length > 1 ? 's' : ''} changed, ${ins} insertions(+), ${del} deletions(-)\n\n${diff}-- \n2.39.5\n`;
  }
  if (m.kind === 'cover') {
    return `${paragraph(r, int(r, 4, 12))}\n\n${paragraph(r, int(r, 2, 6))}\n\n${name} (${m.total}):\n${Array.from({ length: m.total }, () => `  ${m.title.split(':')[0]}: ${sentence(r).slice(0, 50)}`).join('\n')}\n\n base-commit: ${hex(r, 40)}\n-- \n2.39.5\n`.replace('\n base-commit', '\nbase-commit');
  }
  if (m.kind === 'talk') return `${paragraph(r, int(r, 3, 10))}\n\n${paragraph(r, int(r, 1, 5))}\n\nThanks,\n${name.split(' ')[0]}\n`;
  const parent = metas[m.parent!];
  const quoted =
    depth > 2
      ? ''
      : bodyOf(parent, metas, depth + 1)
          .split('\n')
          .slice(0, int(r, 24, 140))
          .map((l) => (l ? `> ${l}` : '>'))
          .join('\n');
  const trailer = r() < 0.3 ? `\n\nReviewed-by: ${name} <${email}>` : r() < 0.15 ? `\n\nAcked-by: ${name} <${email}>` : '';
  const fromLine = r() < 0.05 ? '\n\nFrom the trace it is the slow path.' : '';
  return `On ${new Date(parent.date).toUTCString()}, ${PEOPLE[parent.author][0]} wrote:\n${quoted}\n\n${paragraph(r, int(r, 1, 6))}${fromLine}${trailer}\n\n-- \n${name}\n`;
}

function headersOf(m: Meta, metas: Meta[], r: Rand): string {
  const [name, email] = PEOPLE[m.author];
  const encName = /[^\x20-\x7e]/.test(name) ? `=?UTF-8?Q?${[...Buffer.from(name, 'utf8')].map((b) => (b === 0x20 ? '_' : b > 0x7e || b === 0x3d ? `=${b.toString(16).toUpperCase()}` : String.fromCharCode(b))).join('')}?=` : name;
  const cc = Array.from({ length: int(r, 2, 8) }, () => pick(r, PEOPLE)).map(([n, e]) => `${n} <${e}>`).join(',\n    ');
  const refs = m.refs.map((k) => `<${metas[k].id}>`).join('\n ');
  const dkim = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=kernel.org; s=k20201202; t=${Math.floor(m.date / 1000)};\n\tbh=${hex(r, 43)}=;\n\th=From:To:Cc:Subject:Date:In-Reply-To:References:From;\n\tb=${Array.from({ length: 6 }, () => hex(r, 64)).join('\n\t ')}`;
  return [
    `Return-Path: <linux-kernel-owner@vger.kernel.org>`,
    `Received: from vger.kernel.org (vger.kernel.org [23.128.96.18])\n\tby smtp.lore.kernel.org (Postfix) with ESMTP id ${hex(r, 10).toUpperCase()}\n\tfor <linux-kernel@archiver.kernel.org>; ${new Date(m.date).toUTCString()}`,
    `Received: from mail.kernel.org ([198.145.29.99]:${int(r, 30000, 60000)} "EHLO mail.kernel.org")\n\tby vger.kernel.org with ESMTP id S${int(r, 1e6, 9e6)}; ${new Date(m.date).toUTCString()}`,
    `DKIM-Signature: ${dkim}`,
    `From: ${encName} <${email}>`,
    `To: x86@kernel.org, linux-kernel@vger.kernel.org`,
    `Cc: ${cc}`,
    `Subject: ${subjectOf(m, metas)}`,
    `Date: ${new Date(m.date).toUTCString().replace('GMT', '+0000')}`,
    `Message-Id: <${m.id}>`,
    ...(m.parent !== null ? [`In-Reply-To: <${metas[m.parent].id}>`, `References: ${refs}`] : []),
    `MIME-Version: 1.0`,
    `Content-Type: text/plain; charset=UTF-8`,
    `Content-Transfer-Encoding: 8bit`,
    `X-Mailer: git-send-email 2.39.5`,
    `Precedence: bulk`,
    `List-ID: <linux-kernel.vger.kernel.org>`,
    `X-Mailing-List: linux-kernel@vger.kernel.org`,
  ].join('\n');
}

/** Skeletons of `count` messages in date order: series threads with covers, patches and review, and plain talk. */
function skeleton(count: number, seed: number, oneThread: boolean): Meta[] {
  const r = rng(seed);
  const metas: Meta[] = [];
  let t = Date.UTC(2015, 0, 1);
  let thread = 0;
  const families: { title: string; version: number; total: number; author: number }[] = [];
  const addReplies = (members: number[], n: number, th: number) => {
    const pool = [...members];
    for (let k = 0; k < n && metas.length < count; k++) {
      const parent = r() < 0.6 ? pick(r, members) : pick(r, pool);
      const p = metas[parent];
      metas.push({ id: `r${metas.length}.${p.id}`, kind: 'reply', thread: th, parent, refs: [...p.refs, parent].slice(-12), date: p.date + int(r, 60_000, 3 * 86_400_000), seed: int(r, 1, 2 ** 31), author: int(r, 0, PEOPLE.length - 1), title: p.title, version: p.version, index: p.index, total: p.total });
      pool.push(metas.length - 1);
    }
  };
  while (metas.length < count) {
    t += int(r, 60_000, 40 * 60_000);
    const th = thread++;
    if (oneThread || r() < 0.75) {
      const again = !oneThread && families.length > 0 && r() < 0.15 ? pick(r, families) : null;
      const fam = again ? { ...again, version: again.version + 1 } : { title: `x86/entry: ${sentence(r).slice(0, 40).replace(/\.$/, '')}`, version: r() < 0.8 ? 1 : int(r, 2, 5), total: oneThread ? 30 : r() < 0.3 ? 1 : int(r, 2, 16), author: int(r, 0, PEOPLE.length - 1) };
      if (again) again.version = fam.version;
      else families.push(fam);
      const base = `${Math.floor(t / 1000)}.${th}.git.${PEOPLE[fam.author][1]}`;
      const members: number[] = [];
      if (fam.total > 1) {
        metas.push({ id: `cover.${base}`, kind: 'cover', thread: th, parent: null, refs: [], date: t, seed: int(r, 1, 2 ** 31), author: fam.author, title: fam.title, version: fam.version, index: 0, total: fam.total });
        members.push(metas.length - 1);
      }
      const cover = members[0];
      for (let i = 1; i <= fam.total && metas.length < count; i++) {
        metas.push({ id: `${i}.${base}`, kind: 'patch', thread: th, parent: cover ?? null, refs: cover === undefined ? [] : [cover], date: t + i * 1000, seed: int(r, 1, 2 ** 31), author: fam.author, title: `${fam.title.split(':')[0]}: ${sentence(r).slice(0, 50).replace(/\.$/, '')}`, version: fam.version, index: i, total: fam.total });
        if (fam.total === 1) metas[metas.length - 1].title = fam.title;
        members.push(metas.length - 1);
      }
      addReplies(members, oneThread ? count : int(r, 0, Math.round(members.length * 1.6)), th);
    } else {
      metas.push({ id: `talk.${Math.floor(t / 1000)}.${th}@kernel.org`, kind: 'talk', thread: th, parent: null, refs: [], date: t, seed: int(r, 1, 2 ** 31), author: int(r, 0, PEOPLE.length - 1), title: `${pick(r, ['Question', 'Regression', 'BUG', 'Discussion'])}: ${sentence(r).slice(0, 50)}`, version: 1, index: 0, total: 0 });
      addReplies([metas.length - 1], int(r, 1, 12), th);
    }
  }
  return metas;
}

/** Write the mailbox unless a file from the same generator and size is already there. */
function generate(file: string, count: number, seed: number, oneThread = false): void {
  if (fs.existsSync(file) && fs.existsSync(`${file}.done`)) return;
  const metas = skeleton(count, seed, oneThread);
  const order = metas.map((_, k) => k).sort((a, b) => metas[a].date - metas[b].date || a - b);
  const fd = fs.openSync(`${file}.tmp`, 'w');
  let pending: string[] = [];
  let pendingLen = 0;
  for (const k of order) {
    const m = metas[k];
    const r = rng(m.seed ^ 0x5bd1e995);
    const body = bodyOf(m, metas).replace(/^(>*From )/gm, '>$1');
    const text = `From mboxrd@z Thu Jan  1 00:00:00 1970\n${headersOf(m, metas, r)}\n\n${body}\n`;
    pending.push(text);
    pendingLen += text.length;
    if (pendingLen > 8 << 20) {
      fs.writeSync(fd, pending.join(''));
      pending = [];
      pendingLen = 0;
    }
  }
  fs.writeSync(fd, pending.join(''));
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  fs.writeFileSync(`${file}.done`, JSON.stringify({ count, seed, generator: GENERATOR_VERSION }));
}

// ---- children: measured in a fresh process each ----

interface IndexFigures {
  ms: number;
  bytes: number;
  messages: number;
  duplicates: number;
  threads: number;
  series: number;
  seriesComplete: number;
  maxRssMiB: number;
  indexHeapMiB: number;
  /** CPU time (user + system) of the indexing, less sensitive than wall time to other load on the machine. */
  cpuMs: number;
}

async function childIndex(file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const index = await indexMail([file]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const figures: IndexFigures = {
    ms,
    bytes: index.bytes,
    messages: index.messages.length,
    duplicates: index.duplicates,
    threads: index.threads.length,
    series: index.series.length,
    seriesComplete: index.series.filter((s) => s.missing.length === 0).length,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    indexHeapMiB: (after - before) / (1 << 20),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

async function childThread(file: string, runs: number): Promise<void> {
  const times: number[] = [];
  let summary = { messages: 0, series: 0, parts: 0, trailers: 0, replies: 0 };
  for (let n = 0; n <= runs; n++) {
    const t0 = performance.now();
    const load = await loadMail([file]);
    const ms = performance.now() - t0;
    if (n > 0) times.push(ms); // the first run warms the JIT
    const s = load.series.find((x) => x.latest)!;
    summary = { messages: load.messages.length, series: load.series.length, parts: s.parts.length, trailers: s.parts.reduce((k, p) => k + p.trailers.length, 0), replies: s.parts.reduce((k, p) => k + p.replies.length, 0) };
  }
  process.stdout.write(JSON.stringify({ ms: median(times), ...summary }) + '\n');
}

function runChild(mode: string, file: string, extra: string[] = []): IndexFigures & Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', path.join(root, 'bin/run-ts.mjs'), path.join(here, 'mail.bench.ts'), '--child', mode, file, ...extra], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** Wall time, CPU time and peak RSS of a command, via /usr/bin/time. */
function timed(cmd: string, cmdArgs: string[], cwd?: string): { ms: number; cpuMs: number | null; maxRssMiB: number | null; status: number | null; stderr: string } {
  const hasTime = fs.existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', cmd, ...cmdArgs], { cwd, encoding: 'utf8', maxBuffer: 256 << 20 })
    : spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  const lines = (r.stderr ?? '').trim().split('\n');
  const [rssKb, user, sys] = hasTime ? lines[lines.length - 1].split(' ').map(Number) : [NaN, NaN, NaN];
  return {
    ms,
    cpuMs: Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null,
    maxRssMiB: Number.isFinite(rssKb) ? rssKb / 1024 : null,
    status: r.status,
    stderr: r.stderr ?? '',
  };
}

async function main(): Promise<void> {
  if (args[0] === '--child') {
    if (args[1] === 'index') return childIndex(args[2]);
    if (args[1] === 'thread') return childThread(args[2], Number(args[3] ?? 5));
    throw new Error(`unknown child mode ${args[1]}`);
  }
  const count = opt('--messages', 50_000);
  const runs = opt('--runs', 3);
  const dir = path.join(os.tmpdir(), 'entrybench-mail-bench');
  fs.mkdirSync(dir, { recursive: true });
  const big = path.join(dir, `lkml-${count}-g${GENERATOR_VERSION}.mbox`);
  const half = path.join(dir, `lkml-${Math.floor(count / 2)}-g${GENERATOR_VERSION}.mbox`);
  const thread = path.join(dir, `thread-1000-g${GENERATOR_VERSION}.mbox`);
  say(`mail bench: generating (or reusing) mailboxes in ${dir}`);
  const t0 = performance.now();
  generate(big, count, 42);
  generate(half, Math.floor(count / 2), 42);
  generate(thread, 1000, 7, true);
  say(`  ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${(fs.statSync(big).size / 1e6).toFixed(0)} MB, ${(fs.statSync(half).size / 1e6).toFixed(0)} MB, thread ${(fs.statSync(thread).size / 1e6).toFixed(1)} MB`);

  // page cache warm for everyone: read each file once
  for (const f of [big, half, thread]) fs.readFileSync(f);

  say('mail bench: indexing (split, headers, dedupe, threads, series) in fresh processes, alternating with git mailsplit');
  const oursBig: IndexFigures[] = [];
  const mailsplit: { ms: number; cpuMs: number | null; maxRssMiB: number | null }[] = [];
  for (let n = 0; n < runs; n++) {
    const order = n % 2 === 0 ? ['ours', 'git'] : ['git', 'ours'];
    for (const who of order) {
      if (who === 'ours') {
        const f = runChild('index', big);
        oursBig.push(f);
        say(`  ours          ${(f.ms / 1000).toFixed(2)} s (CPU ${(f.cpuMs / 1000).toFixed(2)} s)  ${(f.bytes / 1e6 / (f.ms / 1000)).toFixed(0)} MB/s  peak RSS ${f.maxRssMiB.toFixed(0)} MiB`);
      } else {
        const out = fs.mkdtempSync(path.join(dir, 'split-'));
        const r = timed('git', ['mailsplit', `-o${out}`, big]);
        fs.rmSync(out, { recursive: true, force: true });
        if (r.status !== 0) throw new Error(`git mailsplit failed: ${r.stderr}`);
        mailsplit.push({ ms: r.ms, cpuMs: r.cpuMs, maxRssMiB: r.maxRssMiB });
        say(`  git mailsplit ${(r.ms / 1000).toFixed(2)} s (CPU ${((r.cpuMs ?? NaN) / 1000).toFixed(2)} s)  peak RSS ${r.maxRssMiB?.toFixed(0) ?? '?'} MiB`);
      }
    }
  }
  const oursHalf = runChild('index', half);
  say(`  ours, half-size file: ${(oursHalf.ms / 1000).toFixed(2)} s, peak RSS ${oursHalf.maxRssMiB.toFixed(0)} MiB, index ${oursHalf.indexHeapMiB.toFixed(0)} MiB`);

  say('mail bench: the 1,000-message thread, ours (in process and as the CLI) against b4 am -m');
  const threadOurs = runChild('thread', thread, ['5']);
  const cli: number[] = [];
  const b4: number[] = [];
  let b4Status: number | null = 0;
  for (let n = 0; n < runs; n++) {
    cli.push(timed(process.execPath, [path.join(root, 'bin/entrybench.mjs'), 'open', '--json', thread]).ms);
    const out = fs.mkdtempSync(path.join(dir, 'b4-'));
    const r = timed('b4', ['am', '-m', thread, '-o', out]);
    b4Status = r.status;
    fs.rmSync(out, { recursive: true, force: true });
    b4.push(r.ms);
  }

  const big0 = oursBig[0];
  const oursMs = median(oursBig.map((f) => f.ms));
  const gitMs = median(mailsplit.map((m) => m.ms));
  const figures = {
    mailbox: { file: big, bytes: big0.bytes, messages: big0.messages, threads: big0.threads, series: big0.series, seriesComplete: big0.seriesComplete },
    index: {
      seconds: oursMs / 1000,
      cpuSeconds: median(oursBig.map((f) => f.cpuMs)) / 1000,
      mbPerSecond: big0.bytes / 1e6 / (oursMs / 1000),
      mbPerCpuSecond: big0.bytes / 1e6 / (median(oursBig.map((f) => f.cpuMs)) / 1000),
      peakRssMiB: median(oursBig.map((f) => f.maxRssMiB)),
      indexHeapMiB: big0.indexHeapMiB,
      halfFile: { bytes: oursHalf.bytes, messages: oursHalf.messages, seconds: oursHalf.ms / 1000, peakRssMiB: oursHalf.maxRssMiB, indexHeapMiB: oursHalf.indexHeapMiB },
    },
    gitMailsplit: { seconds: gitMs / 1000, cpuSeconds: median(mailsplit.map((m) => m.cpuMs ?? NaN)) / 1000, peakRssMiB: median(mailsplit.map((m) => m.maxRssMiB ?? 0)) },
    thread: {
      messages: threadOurs.messages,
      parts: threadOurs.parts,
      trailers: threadOurs.trailers,
      oursInProcessSeconds: threadOurs.ms / 1000,
      oursCliSeconds: median(cli) / 1000,
      b4Seconds: median(b4) / 1000,
      b4Status,
    },
    ratios: {
      indexOverMailsplit: oursMs / gitMs,
      indexOverMailsplitCpu: median(oursBig.map((f) => f.cpuMs)) / median(mailsplit.map((m) => m.cpuMs ?? NaN)),
      b4OverOursInProcess: median(b4) / threadOurs.ms,
      b4OverOursCli: median(b4) / median(cli),
      rssGrowthOverFileGrowth:
        (median(oursBig.map((f) => f.maxRssMiB)) - oursHalf.maxRssMiB) / ((big0.bytes - oursHalf.bytes) / (1 << 20)),
      rssGrowthOverIndexGrowth: (median(oursBig.map((f) => f.maxRssMiB)) - oursHalf.maxRssMiB) / Math.max(0.001, big0.indexHeapMiB - oursHalf.indexHeapMiB),
    },
    targets: {} as Record<string, boolean>,
    machine: { cpus: os.cpus().length, node: process.version, runs },
  };
  figures.targets = {
    'at least 100 MB/s': figures.index.mbPerSecond >= 100,
    'within 2x of git mailsplit': figures.ratios.indexOverMailsplit <= 2,
    'at least 10x faster than b4 on the thread (in process)': figures.ratios.b4OverOursInProcess >= 10,
    'memory grows with the index, not the file': figures.ratios.rssGrowthOverFileGrowth < 0.5,
  };
  if (json) {
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    return;
  }
  const f = figures;
  process.stdout.write(
    [
      `Mailbox: ${(f.mailbox.bytes / 1e6).toFixed(0)} MB, ${f.mailbox.messages} messages, ${f.mailbox.threads} threads, ${f.mailbox.series} series versions (${f.mailbox.seriesComplete} complete)`,
      `Index (split, headers, dedupe, threads, series): ${f.index.seconds.toFixed(2)} s wall, ${f.index.cpuSeconds.toFixed(2)} s CPU; ${f.index.mbPerSecond.toFixed(0)} MB/s wall, ${f.index.mbPerCpuSecond.toFixed(0)} MB/CPU-s; peak RSS ${f.index.peakRssMiB.toFixed(0)} MiB, index ${f.index.indexHeapMiB.toFixed(0)} MiB`,
      `  half-size file (${(f.index.halfFile.bytes / 1e6).toFixed(0)} MB): peak RSS ${f.index.halfFile.peakRssMiB.toFixed(0)} MiB, index ${f.index.halfFile.indexHeapMiB.toFixed(0)} MiB`,
      `  RSS growth / file growth: ${f.ratios.rssGrowthOverFileGrowth.toFixed(3)}; RSS growth / index growth: ${f.ratios.rssGrowthOverIndexGrowth.toFixed(2)}`,
      `git mailsplit: ${f.gitMailsplit.seconds.toFixed(2)} s wall, ${f.gitMailsplit.cpuSeconds.toFixed(2)} s CPU, peak RSS ${f.gitMailsplit.peakRssMiB.toFixed(0)} MiB; ours / mailsplit = ${f.ratios.indexOverMailsplit.toFixed(2)} wall, ${f.ratios.indexOverMailsplitCpu.toFixed(2)} CPU`,
      `Thread of ${f.thread.messages} messages (${f.thread.parts} patches, ${f.thread.trailers} trailers): ours ${(f.thread.oursInProcessSeconds * 1000).toFixed(0)} ms in process, ${f.thread.oursCliSeconds.toFixed(2)} s as the CLI; b4 am -m ${f.thread.b4Seconds.toFixed(2)} s`,
      `  b4 / ours = ${f.ratios.b4OverOursInProcess.toFixed(1)}x in process, ${f.ratios.b4OverOursCli.toFixed(1)}x CLI to CLI`,
      ...Object.entries(f.targets).map(([k, v]) => `target ${k}: ${v ? 'met' : 'NOT met'}`),
      '',
    ].join('\n'),
  );
}

await main();

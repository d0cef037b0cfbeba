// Benchmark: the emulator's MIPS on (a) a hot integer loop and (b) a realistic mix (qword memcpy,
// an add/adc checksum, and 64-bit SYSCALL round trips through a small Linux-shaped entry and handler),
// against the same machine code booted as a bare-metal guest under `qemu-system-x86_64 -accel tcg`
// (multiboot, long mode, exit through isa-debug-exit), measured in the same run. Also: decode-cache
// hit rate and the snapshot restore time a sweep pays per run. Prints figures and ratios; --json
// prints them as JSON. Not a pass/fail test.
//
// Times are CPU time (user + system) of the process doing the work — the emulator's own process, QEMU's
// child process — best of --runs, after a warm-up run: these machines are shared, and wall time
// measures the neighbours. Wall-clock MIPS are printed too.
//
//   npm run bench:emulator -- [--json] [--runs N] [--scale X]
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Machine } from '../emulator/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string, dflt: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : dflt;
};
const runs = opt('--runs', 3);
const scale = opt('--scale', 1);
const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const best = (xs: number[]) => Math.min(...xs);

// ---- the guest: one source for both the emulator and QEMU ----

const GUEST = String.raw`
.set MB_MAGIC, 0x1BADB002
.set MB_FLAGS, 0x00010000
.text
.code32
.globl _start
_start:
mb_header:
  .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  .long mb_header, _start, load_end, bss_end, start32
start32:
  cli
  mov $pml4, %edi
  mov $pdpt + 7, %eax
  mov %eax, (%edi)
  mov $pd + 7, %eax
  mov %eax, pdpt
  xor %ecx, %ecx
1: mov %ecx, %eax
  shl $21, %eax
  or $0x87, %eax
  mov %eax, pd(,%ecx,8)
  inc %ecx
  cmp $512, %ecx
  jne 1b
  mov %cr4, %eax
  or $0x20, %eax
  mov %eax, %cr4
  mov $pml4, %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx
  rdmsr
  or $0x101, %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000001, %eax
  mov %eax, %cr0
  lgdt gdt_ptr32
  ljmp $0x10, $start64
.code64
.globl start64
start64:
  lgdt gdt_ptr64(%rip)
  mov $0x18, %eax
  mov %eax, %ds
  mov %eax, %es
  mov %eax, %ss
  lea kstack_top(%rip), %rsp
  mov $0xC0000081, %ecx       # STAR: user base 0x23, kernel 0x10
  xor %eax, %eax
  mov $0x00230010, %edx
  wrmsr
  mov $0xC0000082, %ecx       # LSTAR
  lea syscall_entry(%rip), %rax
  mov %rax, %rdx
  shr $32, %rdx
  wrmsr
  mov $0xC0000084, %ecx       # FMASK
  mov $0x47700, %eax
  xor %edx, %edx
  wrmsr
  mov $0xC0000102, %ecx       # KERNEL_GS_BASE
  lea percpu(%rip), %rax
  mov %rax, %rdx
  shr $32, %rdx
  wrmsr
  lea kstack2_top(%rip), %rax
  mov %rax, percpu+8(%rip)
  call workload
  pushq $0x2b
  lea ustack_top(%rip), %rax
  push %rax
  pushq $0x3002
  pushq $0x33
  lea user_entry(%rip), %rax
  push %rax
  iretq
.globl workload
workload:
  # (a) hot integer loop
  mov hot_count(%rip), %rdi
  xor %eax, %eax
  xor %ecx, %ecx
  mov $0x12345, %edx
  test %rdi, %rdi
  jz 2f
.globl hot_loop
hot_loop:
  add %rcx, %rax
  xor %rdx, %rax
  inc %rcx
  cmp %rdi, %rcx
  jne hot_loop
2:
  # (b1) memcpy of 4 KiB, qword at a time
  mov mix_count(%rip), %r12
  test %r12, %r12
  jz 9f
3:
  lea buf_src(%rip), %rsi
  lea buf_dst(%rip), %rdi
  mov $512, %ecx
4: mov (%rsi), %rax
  mov %rax, (%rdi)
  add $8, %rsi
  add $8, %rdi
  dec %ecx
  jnz 4b
  # (b2) checksum of 4 KiB
  lea buf_dst(%rip), %rsi
  mov $512, %ecx
  xor %eax, %eax
5: add (%rsi), %rax
  adc $0, %rax
  add $8, %rsi
  dec %ecx
  jnz 5b
  mov %rax, csum(%rip)
  dec %r12
  jnz 3b
9:
  ret
.globl user_entry
user_entry:
  mov sys_count(%rip), %r12
  test %r12, %r12
  jz 7f
6: mov $39, %eax
  mov $1, %edi
  mov $2, %esi
  syscall
  dec %r12
  jnz 6b
7:
.globl guest_exit
guest_exit:
  xor %eax, %eax
  out %al, $0xf4
  hlt
.globl syscall_entry
syscall_entry:
  swapgs
  mov %rsp, %gs:16
  mov %gs:8, %rsp
  push %rcx
  push %r11
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %eax, %eax
  call do_syscall
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbp
  pop %rbx
  pop %r11
  pop %rcx
  mov %gs:16, %rsp
  swapgs
  sysretq
do_syscall:
  cmp $39, %rax
  jne 1f
  lea (%rdi,%rsi,2), %rax
  add $100, %rax
  ret
1: mov $-38, %rax
  ret
.data
.balign 16
gdt:
  .quad 0
  .quad 0x00cf9b000000ffff   # 0x08 KERNEL32_CS
  .quad 0x00af9b000000ffff   # 0x10 KERNEL_CS
  .quad 0x00cf93000000ffff   # 0x18 KERNEL_DS
  .quad 0x00cffb000000ffff   # 0x23 USER32_CS
  .quad 0x00cff3000000ffff   # 0x2b USER_DS
  .quad 0x00affb000000ffff   # 0x33 USER_CS
gdt_end:
gdt_ptr32:
  .word gdt_end - gdt - 1
  .long gdt
gdt_ptr64:
  .word gdt_end - gdt - 1
  .quad gdt
.balign 8
.globl hot_count, mix_count, sys_count, csum
hot_count: .quad 1000000
mix_count: .quad 100
sys_count: .quad 1000
csum: .quad 0
.balign 4096
.globl buf_src
buf_src:
  .rept 512
  .quad 0x0123456789abcdef
  .endr
load_end:
.bss
.balign 4096
pml4: .space 4096
pdpt: .space 4096
pd: .space 4096
buf_dst: .space 4096
percpu: .space 4096
.space 16384
kstack_top:
.space 16384
kstack2_top:
.space 16384
ustack_top:
bss_end:
`;

interface Guest {
  image: Uint8Array;
  base: bigint;
  sym: Map<string, bigint>;
  bssEnd: bigint;
}

function buildGuest(): Guest {
  const hash = crypto.createHash('sha256').update(GUEST).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'entrybench-bench-emulator', hash);
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'guest.S');
  const elf = path.join(dir, 'guest.elf');
  const bin = path.join(dir, 'guest.bin');
  if (!fs.existsSync(bin)) {
    fs.writeFileSync(src, GUEST);
    execFileSync('as', ['--64', '-o', path.join(dir, 'guest.o'), src]);
    execFileSync('ld', ['-o', elf, '-Ttext=0x100000', '-Tdata=0x110000', '-Tbss=0x120000', '-e', '_start', '--no-warn-rwx-segments', path.join(dir, 'guest.o')]);
    execFileSync('objcopy', ['-O', 'binary', elf, bin]);
  }
  const sym = new Map<string, bigint>();
  for (const line of execFileSync('nm', [elf]).toString().split('\n')) {
    const [addr, , name] = line.split(' ');
    if (name) sym.set(name, BigInt('0x' + addr));
  }
  return { image: new Uint8Array(fs.readFileSync(bin)), base: 0x100000n, sym, bssEnd: sym.get('bss_end')! };
}

interface Counts {
  hot: number;
  mix: number;
  sys: number;
}

function withCounts(g: Guest, n: Counts): Uint8Array {
  const img = new Uint8Array(g.image);
  const dv = new DataView(img.buffer);
  const at = (s: string) => Number(g.sym.get(s)! - g.base);
  dv.setBigUint64(at('hot_count'), BigInt(n.hot), true);
  dv.setBigUint64(at('mix_count'), BigInt(n.mix), true);
  dv.setBigUint64(at('sys_count'), BigInt(n.sys), true);
  return img;
}

// ---- the emulator ----

interface EmuResult {
  instructions: number;
  /** CPU seconds (user + system). */
  seconds: number;
  wallSeconds: number;
  decodes: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function runEmulator(g: Guest, n: Counts): EmuResult {
  const m = new Machine();
  const img = withCounts(g, n);
  m.memory.map(g.base, Number(g.bssEnd - g.base), 'rwxu');
  m.memory.write(g.base, img);
  // The state start32 leaves behind: long mode, 64-bit ring-0 CS. start64 loads the GDT, SS and MSRs itself.
  m.setSegment('cs', { selector: 0x10, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 0, present: true, long: true, granularity: true });
  m.set('rip', g.sym.get('start64')!);
  const t = process.hrtime.bigint();
  const c0 = cpuSeconds();
  const stop = m.run({ breakpoints: [g.sym.get('guest_exit')!], maxInstructions: 10_000_000_000 });
  const seconds = cpuSeconds() - c0;
  const wallSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (stop.reason !== 'breakpoint') throw new Error(`guest did not finish in the emulator: ${stop.message}`);
  return { instructions: stop.instructions, seconds, wallSeconds, decodes: m.decodeStats.decodes };
}

/** Instructions the guest executes for counts n: linear in the counts, measured on small runs. */
function instructionModel(g: Guest): (n: Counts) => number {
  const i0 = runEmulator(g, { hot: 0, mix: 0, sys: 0 }).instructions;
  const ih = runEmulator(g, { hot: 1000, mix: 0, sys: 0 }).instructions - i0;
  const im = runEmulator(g, { hot: 0, mix: 10, sys: 0 }).instructions - i0;
  const is = runEmulator(g, { hot: 0, mix: 0, sys: 100 }).instructions - i0;
  return (n) => i0 + (ih * n.hot) / 1000 + (im * n.mix) / 10 + (is * n.sys) / 100;
}

/** One snapshot, then a syscall-and-back run restored `count` times: the per-run cost of a sweep. */
function restoreCost(g: Guest): { restoreMicros: number; runMicros: number; dirtyPages: number } {
  const m = new Machine();
  m.memory.map(g.base, Number(g.bssEnd - g.base), 'rwxu');
  m.memory.write(g.base, withCounts(g, { hot: 0, mix: 0, sys: 1 }));
  m.setSegment('cs', { selector: 0x10, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 0, present: true, long: true, granularity: true });
  m.set('rip', g.sym.get('start64')!);
  m.run({ breakpoints: [g.sym.get('user_entry')!] });
  const snap = m.snapshot();
  let restore = 0n, run = 0n, dirty = 0;
  const count = 300;
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    m.run({ breakpoints: [g.sym.get('guest_exit')!] });
    const t1 = process.hrtime.bigint();
    dirty = m.memory.dirtyPages;
    m.restore(snap);
    const t2 = process.hrtime.bigint();
    run += t1 - t0;
    restore += t2 - t1;
  }
  return { restoreMicros: Number(restore) / count / 1000, runMicros: Number(run) / count / 1000, dirtyPages: dirty };
}

// ---- QEMU ----

/** CPU seconds of one QEMU run (bash's `times` reports its children's user and system time). */
function qemuSeconds(g: Guest, n: Counts): number {
  const file = path.join(os.tmpdir(), `entrybench-bench-guest-${process.pid}.bin`);
  fs.writeFileSync(file, withCounts(g, n));
  try {
    const qemu = `qemu-system-x86_64 -accel tcg -nographic -no-reboot -m 256 -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel '${file}' -monitor none -serial none`;
    // isa-debug-exit: status = (value << 1) | 1; the guest writes 0.
    const r = spawnSync('bash', ['-c', `${qemu}; status=$?; times; exit $status`], { timeout: 300_000 });
    if (r.status !== 1) throw new Error(`QEMU guest did not exit through isa-debug-exit (status ${r.status}): ${r.stderr?.toString().slice(0, 500)}`);
    const lines = r.stdout.toString().trim().split('\n');
    const [user, sys] = lines[lines.length - 1].split(/\s+/).map((t) => {
      const m = /^(\d+)m([\d.]+)s$/.exec(t);
      if (!m) throw new Error(`unexpected \`times\` output: ${t}`);
      return Number(m[1]) * 60 + Number(m[2]);
    });
    return user + sys;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function haveQemu(): boolean {
  return spawnSync('qemu-system-x86_64', ['--version']).status === 0;
}

// ---- run ----

const g = buildGuest();
const model = instructionModel(g);

const emuHot: Counts = { hot: Math.round(20_000_000 * scale), mix: 0, sys: 0 };
const emuMix: Counts = { hot: 0, mix: Math.round(1500 * scale), sys: Math.round(60_000 * scale) };
say('emulator: warm-up ...');
runEmulator(g, { hot: emuHot.hot / 10, mix: emuMix.mix / 10, sys: emuMix.sys / 10 });
say('emulator: hot integer loop ...');
const hotRuns = Array.from({ length: runs }, () => runEmulator(g, emuHot));
say('emulator: memcpy + checksum + syscall mix ...');
const mixRuns = Array.from({ length: runs }, () => runEmulator(g, emuMix));
const hot = hotRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const mix = mixRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const hotLoopMips = hot.instructions / hot.seconds / 1e6;
const mixMips = mix.instructions / mix.seconds / 1e6;
say('emulator: snapshot restore per sweep run ...');
const sweep = restoreCost(g);

let qemu: { hotLoopMips: number; mixMips: number; bootSeconds: number } | null = null;
if (haveQemu()) {
  say('qemu tcg: same guest ...');
  // QEMU is a JIT: give it 10x the work so its run time is well above its start-up time.
  const qHot: Counts = { hot: emuHot.hot * 10, mix: 0, sys: 0 };
  const qMix: Counts = { hot: 0, mix: emuMix.mix * 10, sys: emuMix.sys * 10 };
  const zero = best(Array.from({ length: runs }, () => qemuSeconds(g, { hot: 0, mix: 0, sys: 0 })));
  const th = best(Array.from({ length: runs }, () => qemuSeconds(g, qHot))) - zero;
  const tm = best(Array.from({ length: runs }, () => qemuSeconds(g, qMix))) - zero;
  const base = model({ hot: 0, mix: 0, sys: 0 });
  qemu = { hotLoopMips: (model(qHot) - base) / th / 1e6, mixMips: (model(qMix) - base) / tm / 1e6, bootSeconds: zero };
}

const result = {
  hotLoopMips: Number(hotLoopMips.toFixed(1)),
  mixMips: Number(mixMips.toFixed(1)),
  qemuTcgRatio: qemu ? Number((mixMips / qemu.mixMips).toFixed(3)) : null,
  hotLoopQemuTcgRatio: qemu ? Number((hotLoopMips / qemu.hotLoopMips).toFixed(3)) : null,
  qemuTcgHotLoopMips: qemu ? Number(qemu.hotLoopMips.toFixed(1)) : null,
  qemuTcgMixMips: qemu ? Number(qemu.mixMips.toFixed(1)) : null,
  qemuBootSeconds: qemu ? Number(qemu.bootSeconds.toFixed(3)) : null,
  decodeCacheHitRate: {
    hotLoop: Number((1 - hot.decodes / hot.instructions).toFixed(6)),
    mix: Number((1 - mix.decodes / mix.instructions).toFixed(6)),
  },
  instructions: { hotLoop: hot.instructions, mix: mix.instructions },
  cpuSeconds: { hotLoop: Number(hot.seconds.toFixed(3)), mix: Number(mix.seconds.toFixed(3)) },
  wallClockMips: { hotLoop: Number((hot.instructions / hot.wallSeconds / 1e6).toFixed(1)), mix: Number((mix.instructions / mix.wallSeconds / 1e6).toFixed(1)) },
  sweep: { restoreMicros: Number(sweep.restoreMicros.toFixed(1)), syscallRunMicros: Number(sweep.runMicros.toFixed(1)), dirtyPagesPerRun: sweep.dirtyPages },
  runs,
  loadAverage: os.loadavg()[0],
};

if (json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  say('');
  say(`hot integer loop   ${result.hotLoopMips} MIPS   (QEMU TCG ${result.qemuTcgHotLoopMips ?? '-'} MIPS, ratio ${result.hotLoopQemuTcgRatio ?? '-'})`);
  say(`realistic mix      ${result.mixMips} MIPS   (QEMU TCG ${result.qemuTcgMixMips ?? '-'} MIPS, ratio ${result.qemuTcgRatio ?? '-'})`);
  say(`wall clock         ${result.wallClockMips.hotLoop} / ${result.wallClockMips.mix} MIPS (hot loop / mix; the figures above use CPU time)`);
  say(`decode-cache hits  ${(result.decodeCacheHitRate.hotLoop * 100).toFixed(4)} % hot loop, ${(result.decodeCacheHitRate.mix * 100).toFixed(4)} % mix (share of executed instructions not decoded)`);
  say(`sweep run          syscall round trip ${result.sweep.syscallRunMicros} µs, restore ${result.sweep.restoreMicros} µs (${result.sweep.dirtyPagesPerRun} pages dirtied)`);
  say(`load average       ${result.loadAverage.toFixed(2)} on ${os.cpus().length} cores`);
}

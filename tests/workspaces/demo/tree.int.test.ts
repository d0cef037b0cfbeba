// The demo kernel tree with the real toolchain and QEMU: it builds out of tree in seconds, leaves
// Linux's outputs at Linux's paths, carries the symbols and tables the harness reads, boots under
// TCG to kselftest TAP on both serial ports, and gives a prompt that takes typed commands.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TREE_DIR } from '../../../workspaces/demo/paths.js';
import { parseElf } from '../../../emulator/kernel/elf.js';
import { KernelImage } from '../../../emulator/kernel/vmlinux.js';
import { bootDemo, buildDemo, copyTree, failedTap, killLeftoverQemu, lineOf, makeDemo, nmSymbols, removeTmpDirs, tapResults, tmpDir, type BootRun } from './helpers.js';

const TEST_COUNT = 23;

/** Every file of the tree with its size and mtime, to show a build leaves the tree alone. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.lstatSync(p);
        out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

describe('the demo kernel tree', () => {
  let build: string;
  let buildSeconds: number;
  let treeBefore: string[];
  let boot: BootRun;

  beforeAll(async () => {
    treeBefore = snapshot(DEMO_TREE_DIR);
    build = tmpDir('build');
    buildSeconds = (await buildDemo(DEMO_TREE_DIR, build)).seconds;
    boot = await bootDemo(path.join(build, 'arch/x86/boot/bzImage'), { tapPort: true });
    console.log(
      `demo kernel: full build ${buildSeconds.toFixed(2)} s (-j, tinyconfig); boot to "TAP version 13" ${boot.toTap?.toFixed(2)} s, ` +
        `to "# Totals" ${boot.toTotals?.toFixed(2)} s, to QEMU exit ${boot.seconds.toFixed(2)} s (TCG)`,
    );
  });

  afterEach(() => {
    expect(killLeftoverQemu()).toBe(0);
  });

  afterAll(() => {
    killLeftoverQemu();
    removeTmpDirs();
  });

  it('builds in seconds, out of tree only, and leaves the source tree untouched', async () => {
    expect(buildSeconds).toBeLessThan(60);
    expect(snapshot(DEMO_TREE_DIR)).toEqual(treeBefore);

    const inTree = await makeDemo(DEMO_TREE_DIR, path.join(DEMO_TREE_DIR, 'build'), []);
    expect(inTree.code).not.toBe(0);
    expect(inTree.output).toContain('is inside the source tree');
    const noConfig = await makeDemo(DEMO_TREE_DIR, tmpDir('empty'), []);
    expect(noConfig.code).not.toBe(0);
    expect(noConfig.output).toContain("run 'make O=");

    // A second make has nothing to do.
    const again = await makeDemo(DEMO_TREE_DIR, build, []);
    expect(again.code).toBe(0);
    expect(again.output).not.toMatch(/^ {2}(CC|AS|LD) /m);
  });

  it("leaves vmlinux, System.map, .config, asm-offsets.h and bzImage at Linux's paths", () => {
    const elf = parseElf(fs.readFileSync(path.join(build, 'vmlinux')), 'demo vmlinux');
    expect(elf.machine).toBe(62);
    expect(elf.symbols.length).toBeGreaterThan(200);
    expect(elf.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.text', '.data..percpu', '__bug_table', '__ex_table', '.symtab']));

    // System.map: `nm -n` lines, sorted, agreeing with vmlinux.
    const map = fs.readFileSync(path.join(build, 'System.map'), 'utf8').trim().split('\n');
    const addresses = map.map((l) => {
      expect(l).toMatch(/^[0-9a-f]{16} [A-Za-z] \S+$/);
      return BigInt(`0x${l.slice(0, 16)}`);
    });
    expect(addresses.every((a, i) => i === 0 || addresses[i - 1] <= a)).toBe(true);
    const nm = new Set(execFileSync('nm', ['-n', path.join(build, 'vmlinux')], { encoding: 'utf8' }).split('\n'));
    for (const l of map) expect(nm.has(l), l).toBe(true);
    const syms = nmSymbols(path.join(build, 'vmlinux'));

    const config = fs.readFileSync(path.join(build, '.config'), 'utf8');
    for (const line of ['CONFIG_64BIT=y', 'CONFIG_SMP=y', 'CONFIG_BUG=y', 'CONFIG_DEBUG_BUGVERBOSE=y', 'CONFIG_AUDITSYSCALL=y', 'CONFIG_KALLSYMS=y']) {
      expect(config.split('\n')).toContain(line);
    }

    // asm-offsets.h: Linux's macro names, meanings and (for the shared layouts) values.
    const offsets = new Map<string, number>();
    for (const m of fs.readFileSync(path.join(build, 'include/generated/asm-offsets.h'), 'utf8').matchAll(/^#define (\w+) (-?\d+) \/\* (.*) \*\/$/gm)) {
      offsets.set(m[1], Number(m[2]));
    }
    expect(Object.fromEntries(['bx', 'cx', 'dx', 'sp', 'bp', 'si', 'di', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'flags'].map((r) => [r, offsets.get(`pt_regs_${r}`)]))).toEqual({
      bx: 40, cx: 88, dx: 96, sp: 152, bp: 32, si: 104, di: 112, r8: 72, r9: 64, r10: 56, r11: 48, r12: 24, r13: 16, r14: 8, r15: 0, flags: 144,
    });
    expect(offsets.get('PTREGS_SIZE')).toBe(168);
    expect([offsets.get('TSS_sp0'), offsets.get('TSS_sp1'), offsets.get('TSS_sp2')]).toEqual([4, 12, 20]);
    expect([offsets.get('X86_current_task'), offsets.get('X86_top_of_stack')]).toEqual([0, 16]);
    expect(offsets.has('TASK_threadsp')).toBe(true);

    // bzImage: a flat image with a valid multiboot header (a.out kludge) at its start.
    const bz = fs.readFileSync(path.join(build, 'arch/x86/boot/bzImage'));
    const [magic, flags, checksum, headerAddr, loadAddr, , bssEnd, entry] = [0, 4, 8, 12, 16, 20, 24, 28].map((o) => bz.readUInt32LE(o));
    expect(magic).toBe(0x1badb002);
    expect((magic + flags + checksum) >>> 0).toBe(0);
    expect(flags & 0x10000).toBe(0x10000);
    expect([headerAddr, loadAddr]).toEqual([0x1000000, 0x1000000]);
    expect(bssEnd).toBeGreaterThan(loadAddr + bz.length - 1);
    expect(entry).toBe(Number(syms.get('startup_32')!.address - 0xffffffff80000000n));
  });

  it('has the entry symbols the harness needs, with zero-based per-CPU data', () => {
    const syms = nmSymbols(path.join(build, 'vmlinux'));
    const kernel = [
      'entry_SYSCALL_64', 'entry_SYSCALL_64_safe_stack', 'entry_SYSCALL_64_after_hwframe', 'entry_SYSRETQ_unsafe_stack',
      'entry_SYSRETQ_end', 'syscall_return_via_sysret', 'swapgs_restore_regs_and_return_to_usermode',
      'restore_regs_and_return_to_kernel', 'native_irq_return_iret', 'error_entry', 'sync_regs', 'paranoid_entry',
      'do_syscall_64', 'syscall_trace_enter', 'syscall_exit_to_user_mode', '__audit_syscall_entry', '__audit_syscall_exit',
      'x64_sys_call', 'sys_call_table', 'init_task', 'init_stack', 'idt_table', 'def_idts', 'irq_entries_start',
      'asm_common_interrupt', 'asm_exc_divide_error', 'asm_exc_invalid_op', 'asm_exc_int3', 'asm_exc_general_protection',
      'asm_exc_page_fault', 'asm_exc_double_fault', 'asm_exc_nmi', '__per_cpu_load', '__start___bug_table',
      '__stop___bug_table', '__start___ex_table', '__stop___ex_table', 'linux_banner', '_text', '_etext', '_end',
    ];
    for (const name of kernel) {
      expect(syms.get(name)?.address, name).toBeGreaterThanOrEqual(0xffffffff81000000n);
    }
    const end = syms.get('__per_cpu_end')!.address;
    expect(syms.get('__per_cpu_start')!.address).toBe(0n);
    for (const name of ['pcpu_hot', 'cpu_tss_rw', 'gdt_page', 'entry_stack_storage', 'exception_stacks', 'this_cpu_off']) {
      expect(syms.get(name)?.address, name).toBeLessThan(end);
    }
    // The entry reaches them through %gs: the first instructions of entry_SYSCALL_64.
    const elf = parseElf(fs.readFileSync(path.join(build, 'vmlinux')));
    const text = elf.sections.find((s) => s.name === '.text')!;
    const at = Number(syms.get('entry_SYSCALL_64')!.address - text.addr) + text.offset;
    expect([...elf.bytes.subarray(at, at + 3)]).toEqual([0x0f, 0x01, 0xf8]); // swapgs
    expect(elf.bytes[at + 3]).toBe(0x65); // %gs: prefix of the store to cpu_tss_rw + TSS_sp2
  });

  it("decodes through the harness's reader: __bug_table and __ex_table in Linux's formats", () => {
    const image = KernelImage.load(build);
    expect(image.ptRegs.size).toBe(168);
    expect(image.banner).toMatch(/^Linux version 6\.12\.0-demo /);

    const bug = image.bugTable.find((b) => b.file === 'kernel/auditsc.c');
    expect(bug).toMatchObject({ line: lineOf(path.join(DEMO_TREE_DIR, 'kernel/auditsc.c'), 'BUG_ON(context->in_syscall)'), warning: false });
    const entry = image.symbols.find('__audit_syscall_entry')!;
    expect(bug!.address).toBeGreaterThan(entry.address);
    expect(bug!.address).toBeLessThan(entry.address + BigInt(entry.size));

    const fixup = image.exceptionTable.find((e) => e.typeName === 'EX_TYPE_UACCESS');
    const copy = image.symbols.find('copy_user_generic')!;
    expect(fixup).toBeDefined();
    expect(fixup!.insn).toBeGreaterThanOrEqual(copy.address);
    expect(fixup!.fixup).toBe(fixup!.insn + 2n); // right after the rep movsb that may fault
  });

  it('boots under TCG and prints the TAP of its syscall ABI checks on the console and on ttyS1', () => {
    expect(boot.timedOut).toBe(false);
    expect(boot.exitCode).toBe(0);
    expect(boot.console).toContain('Linux version 6.12.0-demo');
    expect(boot.console).toContain('Run /init as init process');
    expect(boot.console).toContain(`1..${TEST_COUNT}`);
    expect(failedTap(boot.console)).toEqual([]);
    expect(tapResults(boot.console)).toHaveLength(TEST_COUNT);
    expect(boot.console).toContain(`# Totals: pass:${TEST_COUNT} fail:0 xfail:0 xpass:0 skip:0 error:0`);
    expect(boot.console).toContain('reboot: Power down');
    expect(boot.toTap).toBeLessThan(15);

    // ttyS1 carries the TAP and nothing else.
    const tap = boot.tap!.trim().split('\n');
    expect(tap[0]).toBe('TAP version 13');
    for (const line of tap) expect(line).toMatch(/^(TAP version 13|1\.\.\d+|(not )?ok \d+ - .*|# .*)$/);
    expect(tapResults(boot.tap!)).toEqual(tapResults(boot.console));
  });

  it('gives a prompt a reviewer can type into (echo, uname, tests, stty, poweroff)', async () => {
    const run = await bootDemo(path.join(build, 'arch/x86/boot/bzImage'), {
      append: 'panic=-1',
      script: [
        { after: '/ # ', send: 'echo hello from  the\tworkbench\r' },
        { after: '/ # ', send: 'stty rows 40 cols 120\r' },
        { after: '/ # ', send: 'uname -a\r' },
        { after: '/ # ', send: 'tests\r' },
        { after: '# Totals', send: 'poweroff\r' },
      ],
    });
    expect(run.timedOut).toBe(false);
    expect(run.console).toContain('hello from the workbench\n');
    expect(run.console).toContain('Linux (none) 6.12.0-demo #1 SMP x86_64\n');
    expect(run.console).not.toContain('not found');
    expect(run.console.match(/# Totals: pass:23 fail:0/g)).toHaveLength(2);
    expect(run.console).toContain('reboot: Power down');
  });

  it('rebuilds incrementally with the compiler it is given: touching entry_64.S reassembles one file', async () => {
    const tree = copyTree(DEMO_TREE_DIR, 'incremental');
    const dir = tmpDir('incremental-build');
    await buildDemo(tree, dir, 'tinyconfig', ['CC=ccache gcc']);
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(path.join(tree, 'arch/x86/entry/entry_64.S'), later, later);
    const run = await makeDemo(tree, dir, [`-j2`, 'CC=ccache gcc', 'V=1']);
    expect(run.code).toBe(0);
    const compiled = run.output.split('\n').filter((l) => /^(ccache )?gcc /.test(l) && !l.includes('kallsyms'));
    expect(compiled).toHaveLength(1);
    expect(compiled[0]).toMatch(/^ccache gcc .* -c -o \S+\/arch\/x86\/entry\/entry_64\.o /);
    console.log(`demo kernel: incremental rebuild after touching entry_64.S ${run.seconds.toFixed(2)} s`);
  });

  it('is configured like Linux: tinyconfig, appended fragment lines, olddefconfig keeps what it knows', async () => {
    const dir = tmpDir('config');
    expect((await makeDemo(DEMO_TREE_DIR, dir, ['ARCH=x86_64', 'tinyconfig'])).code).toBe(0);
    fs.appendFileSync(path.join(dir, '.config'), 'CONFIG_NET=y\n# CONFIG_KALLSYMS is not set\nCONFIG_DEBUG_ENTRY=y\n');
    expect((await makeDemo(DEMO_TREE_DIR, dir, ['ARCH=x86_64', 'olddefconfig'])).code).toBe(0);
    const lines = fs.readFileSync(path.join(dir, '.config'), 'utf8').split('\n');
    expect(lines).toContain('CONFIG_DEBUG_ENTRY=y');
    expect(lines).toContain('# CONFIG_KALLSYMS is not set');
    expect(lines).toContain('# CONFIG_KALLSYMS_ALL is not set'); // follows its dependency
    expect(lines.some((l) => l.includes('CONFIG_NET'))).toBe(false); // unknown here: dropped
    expect((await makeDemo(DEMO_TREE_DIR, dir, ['ARCH=i386', 'olddefconfig'])).output).toContain('only builds for x86_64');
  });

  it('builds and passes its checks with every optional feature off (allnoconfig)', async () => {
    const dir = tmpDir('allno');
    await buildDemo(DEMO_TREE_DIR, dir, 'allnoconfig');
    const config = fs.readFileSync(path.join(dir, '.config'), 'utf8');
    expect(config).toContain('# CONFIG_AUDITSYSCALL is not set');
    expect(config).toContain('# CONFIG_BUG is not set');
    const run = await bootDemo(path.join(dir, 'arch/x86/boot/bzImage'));
    expect(failedTap(run.console)).toEqual([]);
    expect(run.console).toContain(`# Totals: pass:${TEST_COUNT} fail:0`);
  });

  it('turns a double audit entry hook into "kernel BUG at kernel/auditsc.c:LINE!" with a Linux-style oops', async () => {
    const tree = copyTree(DEMO_TREE_DIR, 'double-hook');
    const file = path.join(tree, 'kernel/entry/common.c');
    const src = fs.readFileSync(file, 'utf8');
    expect(src).toContain('\tsyscall_enter_audit(regs, syscall);\n');
    fs.writeFileSync(file, src.replace('\tsyscall_enter_audit(regs, syscall);\n', '\tsyscall_enter_audit(regs, syscall);\n\tsyscall_enter_audit(regs, syscall);\n'));
    const dir = tmpDir('double-hook-build');
    await buildDemo(tree, dir);
    const line = KernelImage.load(dir).bugTable.find((b) => b.file === 'kernel/auditsc.c')!.line;

    const run = await bootDemo(path.join(dir, 'arch/x86/boot/bzImage'));
    expect(run.exitCode).toBe(0); // panic=-1 and -no-reboot: QEMU exits
    const log = run.console;
    expect(log).toContain(`kernel BUG at kernel/auditsc.c:${line}!`);
    expect(log).toContain('Oops: invalid opcode: 0000 [#1] SMP NOPTI');
    expect(log).toMatch(/RIP: 0010:__audit_syscall_entry\+0x[0-9a-f]+\/0x[0-9a-f]+/);
    const trace = log.slice(log.indexOf('Call Trace:'), log.indexOf('</TASK>'));
    expect(trace).toMatch(/syscall_trace_enter\+.*\n.*do_syscall_64\+.*\n.*entry_SYSCALL_64_after_hwframe\+/);
    expect(trace).toMatch(/RIP: 0033:0x[0-9a-f]+/);
    expect(log).toContain('Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b');
  });
});

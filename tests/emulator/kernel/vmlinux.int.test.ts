// A real Linux 6.12 entry-compat build read the way the harness reads it: symbols, System.map,
// __bug_table, __ex_table, pt_regs from asm-offsets.h, and what the probe asks the build's headers.
import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linuxBuild, linuxUnavailable } from '../../helpers/linux.js';
import { KernelImage } from '../../../emulator/kernel/vmlinux.js';
import { probeBuild } from '../../../emulator/kernel/struct-probe.js';
import { linux612 } from '../../../emulator/kernel/profiles/linux-6.12.js';
import { KernelFacts } from '../../../emulator/kernel/facts.js';
import { idtGates } from '../../../emulator/kernel/setup.js';

const skip = linuxUnavailable();

describe.skipIf(skip !== null)('Linux 6.12 build as the harness reads it', () => {
  let buildDir = '';
  let image: KernelImage;
  beforeAll(async () => {
    buildDir = (await linuxBuild('entry-compat')).buildDir;
    image = KernelImage.load(buildDir);
  });

  it('names the kernel and agrees with its System.map', () => {
    expect(image.release).toMatch(/^6\.12\./);
    expect(image.systemMap?.compared).toBeGreaterThan(10000);
    expect(image.systemMap?.mismatches).toEqual([]);
    expect(linux612.mismatch(image)).toBeNull();
  });

  it('symbolizes entry code like an oops does', () => {
    const entry = image.symbols.address('entry_SYSCALL_64', 'test');
    expect(image.symbols.format(entry + 3n)).toMatch(/^entry_SYSCALL_64\+0x3\/0x[0-9a-f]+$/);
    expect(image.symbols.percpu.get('pcpu_hot')?.address).toBeLessThan(0x100000n);
  });

  it('finds the audit WARN sites in __bug_table with their file and line', () => {
    const fn = image.symbols.find('__audit_syscall_entry');
    expect(fn).toBeDefined();
    const inFn = image.bugTable.filter((b) => fn && b.address >= fn.address && b.address < fn.address + BigInt(fn.size));
    expect(inFn.length).toBeGreaterThanOrEqual(1);
    expect(inFn.every((b) => b.file === 'kernel/auditsc.c' && b.warning)).toBe(true);
    // The source line really is a WARN_ON in __audit_syscall_entry.
    const src = fs.readFileSync(path.join(fs.realpathSync(path.join(buildDir, 'source')), 'kernel/auditsc.c'), 'utf8').split('\n');
    expect(src[(inFn[0].line as number) - 1]).toMatch(/WARN_ON/);
  });

  it('has a sorted exception table whose uaccess entries point into copy routines', () => {
    expect(image.exceptionTable.length).toBeGreaterThan(100);
    const uaccess = image.exceptionTable.filter((e) => e.typeName === 'EX_TYPE_UACCESS');
    expect(uaccess.length).toBeGreaterThan(10);
    expect(uaccess.some((e) => /^(rep_movs_alternative|__put_user_|__get_user_|copy_user|_copy_to_user|strncpy_from_user)/.test(image.symbols.lookup(e.insn)?.symbol.name ?? ''))).toBe(true);
  });

  it('asks the build for struct offsets and constants, and caches the answer', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-probe-'));
    const first = await probeBuild(buildDir, linux612.probe, cache);
    expect(first.unavailable).toBeNull();
    expect(first.missing).toEqual([]);
    // asm-offsets.h and the probe agree where both speak.
    expect(Number(first.values.get('TSS_ist'))).toBe(36);
    expect(first.values.get('USER_CS')).toBe(0x33n);
    expect(first.values.get('SYSCALL_WORK_SYSCALL_AUDIT')).toBeGreaterThan(0n);
    // The fallbacks used without a compiler are the values this generation really has.
    for (const [name, v] of Object.entries(linux612.fallback)) expect([name, BigInt.asUintN(32, first.values.get(name) ?? -1n)]).toEqual([name, BigInt.asUintN(32, v)]);
    const again = await probeBuild(buildDir, linux612.probe, cache);
    expect(again.fromCache).toBe(true);
    expect(again.values).toEqual(first.values);
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('builds the IDT the kernel builds, from its own idt_data tables and interrupt stubs', async () => {
    const facts = await KernelFacts.gather(image, linux612);
    const gates = new Map(idtGates(facts).map((g) => [g.vector, g]));
    const name = (v: number) => image.symbols.format(gates.get(v)?.handler ?? 0n);
    // Of 0..31 the kernel sets 0..17 and 19: no #MC gate without X86_MCE, none for 20..31 (VE/CP/VC).
    expect([...gates.keys()].filter((v) => v < 32)).toEqual([...Array(18).keys(), 19]);
    expect(gates.size).toBe(19 + 224);
    expect(name(14)).toBe('asm_exc_page_fault+0x0/0x30');
    expect([name(2), gates.get(2)?.ist]).toEqual([expect.stringMatching(/^asm_exc_nmi\+0x0\//), 2]); // IST_INDEX_NMI + 1
    expect([name(8), gates.get(8)?.ist]).toEqual([expect.stringMatching(/^asm_exc_double_fault\+0x0\//), 1]);
    expect([name(3), gates.get(3)?.dpl]).toEqual([expect.stringMatching(/^asm_exc_int3\+0x0\//), 3]);
    expect([name(0x80), gates.get(0x80)?.dpl, gates.get(0x80)?.source]).toEqual([expect.stringMatching(/^asm_int80_emulation\+0x0\//), 3, 'ia32_idt']);
    expect(name(0xf6)).toMatch(/^asm_sysvec_irq_work\+0x0\//);
    expect(name(0x21)).toMatch(/^irq_entries_start\+0x8\//);
    expect(gates.get(0xf0)?.source).toBe('spurious_entries_start');
  });

  it('says which build file is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-empty-'));
    expect(() => KernelImage.load(empty)).toThrow(/has no vmlinux/);
    fs.copyFileSync(path.join(buildDir, 'vmlinux'), path.join(empty, 'vmlinux'));
    expect(() => KernelImage.load(empty)).toThrow(/asm-offsets\.h/);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});

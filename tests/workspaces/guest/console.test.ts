// Reading the guest console: kernel reports with their lines, who was running, and the boot's milestones.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleReader, type Milestone } from '../../../workspaces/guest/console.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/guest');
const realConsole = fs.readFileSync(path.join(fixtures, 'linux-6.12-tcg-smap-oops.console'), 'utf8');
const archive = fs.readFileSync('/work/shared/fixtures/archive-pages/mail-archive-ptregs-slow-path-07-12.txt', 'utf8');

function read(text: string, chunk = text.length): { reader: ConsoleReader; milestones: Milestone[] } {
  const milestones: Milestone[] = [];
  const reader = new ConsoleReader(() => 0, { onMilestone: (m) => milestones.push(m) });
  for (let i = 0; i < text.length; i += chunk) reader.push(text.slice(i, i + chunk));
  reader.end();
  return { reader, milestones };
}

describe('ConsoleReader on a real Linux 6.12 boot under TCG with SMAP', () => {
  it('finds the oops with its report, its RIP and the selftest that was running', () => {
    const { reader } = read(realConsole);
    expect(reader.findings).toHaveLength(1);
    const [oops] = reader.findings;
    expect(oops.kind).toBe('oops');
    expect(oops.title).toBe('BUG: unable to handle page fault for address: 00000000ffef61cc');
    expect(oops.rip).toBe('0033:0x804a040');
    expect(oops.during).toBe('test_syscall_vdso_32');
    expect(oops.lines).toContain('Oops: Oops: 0001 [#1] SMP');
    expect(oops.lines.at(-1)).toMatch(/^---\[ end trace/);
    expect(oops.line).toBeGreaterThan(100);
  });

  it('sees the kernel start, user space, the summary and the prompt, in that order', () => {
    const { reader, milestones } = read(realConsole);
    expect(milestones).toEqual(['firmware', 'kernel', 'init', 'selftests-running', 'summary', 'prompt']);
    expect(reader.kernelVersion).toMatch(/^Linux version 6\.12\.\d+/);
  });

  it('reads the same from chunks of any size, escape sequences split included', () => {
    const whole = read(realConsole).reader;
    for (const size of [1, 3, 61]) {
      const { reader, milestones } = read(realConsole, size);
      expect(reader.findings.map((f) => [f.kind, f.title, f.rip, f.during, f.lines.length])).toEqual(
        whole.findings.map((f) => [f.kind, f.title, f.rip, f.during, f.lines.length]),
      );
      expect(milestones).toContain('prompt');
      expect(reader.kernelVersion).toBe(whole.kernelVersion);
    }
  });

  it('does not take user-space fault logs for kernel reports', () => {
    const { reader } = read(
      [
        '[11/48] iopl_32 ... traps: iopl_32[125] attempts to use CLI/STI, pretending it\'s a NOP, ip:8049ca0 in iopl_32[1ca0,8049000+70000]',
        'corrupt_xstate_[66] bad frame in rt_sigreturn frame:000000000b69b016 ip:41231b sp:7ffd1dc74520 orax:ffffffffffffffff',
        'mov_ss_trap_64[77]: segfault at 0 ip 0000000000401758 sp 00007ffd error 4 in mov_ss_trap_64',
        'traps: foo[12] general protection fault ip:401000 sp:7ffd0000 error:0 in foo[401000+1000]',
        '',
      ].join('\n'),
    );
    expect(reader.findings).toEqual([]);
  });
});

describe('ConsoleReader on reports quoted from LKML and in 6.12 format', () => {
  it('reads the kernel BUG of the archived thread, printk timestamps and all', () => {
    // The page quotes the report twice (two messages); take the first quote.
    const lines = archive
      .split('\n')
      .filter((l) => l.startsWith('>>> ['))
      .map((l) => l.replace(/^>>> /, ''));
    const second = lines.findIndex((l, i) => i > 0 && l.includes('kernel BUG at'));
    const quoted = lines.slice(0, second).join('\n');
    const { reader } = read(quoted + '\n');
    expect(reader.findings[0]).toMatchObject({ kind: 'BUG', title: 'kernel BUG at kernel/auditsc.c:1504!' });
    // The old die line ("invalid opcode: [#65] SMP") belongs to the same report.
    expect(reader.findings).toHaveLength(1);
    expect(reader.findings[0].lines.some((l) => l.startsWith('invalid opcode'))).toBe(true);
  });

  it('separates a WARNING, then a BUG, then the panic it caused', () => {
    const text = [
      '------------[ cut here ]------------',
      'WARNING: CPU: 0 PID: 1 at arch/x86/entry/common.c:123 do_syscall_64+0x1c/0x90',
      'RIP: 0010:do_syscall_64+0x1c/0x90',
      '---[ end trace 0000000000000000 ]---',
      '[ 7/48] sysret_rip_64 ... kernel BUG at kernel/auditsc.c:1504!',
      'Oops: invalid opcode: 0000 [#1] SMP',
      'RIP: 0010:__audit_syscall_entry+0xcd/0xf0',
      '---[ end trace 0000000000000000 ]---',
      'Kernel panic - not syncing: Fatal exception',
      '---[ end Kernel panic - not syncing: Fatal exception ]---',
      '',
    ].join('\n');
    const { reader } = read(text);
    expect(reader.findings.map((f) => [f.kind, f.rip, f.during])).toEqual([
      ['WARN', '0010:do_syscall_64+0x1c/0x90', null],
      ['BUG', '0010:__audit_syscall_entry+0xcd/0xf0', 'sysret_rip_64'],
      ['panic', null, 'sysret_rip_64'],
    ]);
    expect(reader.findings[2].title).toBe('Kernel panic - not syncing: Fatal exception');
  });

  it('calls stalls and soft lockups hangs', () => {
    const { reader } = read('watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [ldt_gdt_32:90]\nrcu: INFO: rcu_preempt self-detected stall on CPU\n');
    expect(reader.findings.map((f) => f.kind)).toEqual(['hang', 'hang']);
  });
});

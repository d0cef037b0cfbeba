// Reading TAP: the runner's kselftest TAP from a real Linux 6.12 boot, and plain TAP as the demo prints it.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TapReader } from '../../../workspaces/guest/tap.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/guest');
const realTap = fs.readFileSync(path.join(fixtures, 'linux-6.12-tcg-smap-oops.tap'), 'utf8');

describe('TapReader on the guest runner\'s TAP', () => {
  it('reads plan, results, exit codes, times and output of a real run', () => {
    const seen: string[] = [];
    let summaries = 0;
    const tap = new TapReader({ onResult: (r) => seen.push(r.name), onSummary: () => summaries++ });
    tap.push(realTap);
    expect(tap.planned).toBe(3);
    expect(seen).toEqual(['sysret_rip_64', 'test_syscall_vdso_32', 'amx_64']);
    expect(tap.complete).toBe(true);
    expect(summaries).toBe(1);
    const [rip, vdso, amx] = tap.results;
    expect(rip).toMatchObject({ status: 'pass', exitCode: 0, number: 1, directive: null });
    expect(rip.output.some((l) => l.includes('[OK]'))).toBe(true);
    // Killed by the kernel's oops: exit 137, the reader says which signal.
    expect(vdso).toMatchObject({ status: 'fail', exitCode: 137, directive: 'exit=137' });
    expect(vdso.failLines).toContain('exit 137: killed by SIGKILL');
    expect(amx).toMatchObject({ status: 'skip', exitCode: 4, directive: 'SKIP' });
    expect(tap.counts()).toEqual({ pass: 1, fail: 1, skip: 1, timeout: 0, interrupted: 0 });
  });

  it('gives the same results however the bytes are split', () => {
    const whole = new TapReader();
    whole.push(realTap);
    const pieces = new TapReader();
    for (let i = 0; i < realTap.length; i += 7) pieces.push(realTap.slice(i, i + 7));
    expect(pieces.results).toEqual(whole.results);
  });

  it('tells timeouts and Ctrl-C from failures, and nested TAP from top-level results', () => {
    const tap = new TapReader();
    tap.push(
      [
        'TAP version 13',
        '1..3',
        '# selftests: x86: test_vsyscall_64',
        '# TAP version 13',
        '# 1..2',
        '# not ok 1 vsyscall gettimeofday',
        '# entrybench: test_vsyscall_64 exit=1 seconds=0.10',
        'not ok 1 selftests: x86: test_vsyscall_64 # exit=1',
        '# selftests: x86: sysret_ss_attrs_64',
        '# entrybench: sysret_ss_attrs_64 exit=137 seconds=60.01',
        'not ok 2 selftests: x86: sysret_ss_attrs_64 # TIMEOUT 60 seconds',
        '# selftests: x86: syscall_numbering_64',
        '# entrybench: syscall_numbering_64 exit=130 seconds=3.20',
        'ok 3 selftests: x86: syscall_numbering_64 # SKIP interrupted (Ctrl-C)',
        '',
      ].join('\r\n'),
    );
    expect(tap.results.map((r) => [r.name, r.status])).toEqual([
      ['test_vsyscall_64', 'fail'],
      ['sysret_ss_attrs_64', 'timeout'],
      ['syscall_numbering_64', 'interrupted'],
    ]);
    expect(tap.results[0].failLines).toEqual(['not ok 1 vsyscall gettimeofday']);
    expect(tap.complete).toBe(false); // no summary line yet
  });
});

describe('TapReader on plain TAP (the demo kernel)', () => {
  it('names tests by their description and completes at the plan', () => {
    const tap = new TapReader();
    for (const l of ['TAP version 13', '1..3', 'ok 1 - getpid returns the pid', 'not ok 2 - rbx preserved across syscall', 'ok 3 - slow path # SKIP no audit']) tap.line(l);
    expect(tap.results.map((r) => [r.number, r.name, r.status])).toEqual([
      [1, 'getpid returns the pid', 'pass'],
      [2, 'rbx preserved across syscall', 'fail'],
      [3, 'slow path', 'skip'],
    ]);
    expect(tap.results[1].failLines).toEqual(['not ok 2 - rbx preserved across syscall']);
    expect(tap.complete).toBe(true);
  });
});

// The struct probe on a miniature "build": its recorded compiler command compiles the probe, the
// markers give the values, a field the headers lack is reported missing, and results are cached.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { probeBuild, recordedCompileCommand, shellWords } from '../../../emulator/kernel/struct-probe.js';

function miniBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-probe-build-'));
  fs.mkdirSync(path.join(dir, 'include/linux'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'arch/x86/kernel'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'include/linux/kbuild.h'), '#define DEFINE(sym, val) asm volatile("\\n.ascii \\"->" #sym " %0 " #val "\\"" : : "i" (val))\n');
  fs.writeFileSync(path.join(dir, 'include/linux/sched.h'), '#include <stddef.h>\nstruct task_struct { long state; void *stack; int pid; };\n#define TASK_MAGIC (-38)\n');
  fs.writeFileSync(path.join(dir, 'arch/x86/kernel/asm-offsets.c'), 'int main(void) { return 0; }\n');
  const cmd = `savedcmd_arch/x86/kernel/asm-offsets.s := gcc -Wp,-MMD,arch/x86/kernel/.asm-offsets.s.d -I./include -DKBUILD_MODNAME='"asm_offsets"' -O2 -S -o arch/x86/kernel/asm-offsets.s ${dir}/arch/x86/kernel/asm-offsets.c\n\nsource_x := y\n`;
  fs.writeFileSync(path.join(dir, 'arch/x86/kernel/.asm-offsets.s.cmd'), cmd);
  return dir;
}

describe('struct probe', () => {
  it('splits kbuild command lines like sh', () => {
    expect(shellWords(`gcc -DKBUILD_MODFILE='"./a b"' -I./x "y z" a\\ b`)).toEqual(['gcc', '-DKBUILD_MODFILE="./a b"', '-I./x', 'y z', 'a b']);
  });

  it('compiles with the recorded command, drops what does not compile, and caches by header contents', async () => {
    const dir = miniBuild();
    const cache = path.join(dir, 'cache');
    expect(recordedCompileCommand(dir)?.[0]).toBe('gcc');
    const req = { includes: ['linux/sched.h'], values: { TASK_pid: 'offsetof(struct task_struct, pid)', TASK_nope: 'offsetof(struct task_struct, nope)', MAGIC: 'TASK_MAGIC' } };
    const first = await probeBuild(dir, req, cache);
    expect(first.unavailable).toBeNull();
    expect(first.missing).toEqual(['TASK_nope']);
    expect(first.values).toEqual(new Map([['TASK_pid', 16n], ['MAGIC', -38n]]));
    // Nothing was written into the build directory.
    expect(fs.existsSync(path.join(dir, 'arch/x86/kernel/asm-offsets.s'))).toBe(false);
    const again = await probeBuild(dir, req, cache);
    expect(again.fromCache).toBe(true);
    // A header change (a patch moving the field) invalidates the cached answer.
    fs.writeFileSync(path.join(dir, 'include/linux/sched.h'), '#include <stddef.h>\nstruct task_struct { long state; int pid; void *stack; };\n#define TASK_MAGIC (-38)\n');
    const changed = await probeBuild(dir, req, cache);
    expect(changed.fromCache).toBe(false);
    expect(changed.values.get('TASK_pid')).toBe(8n);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says why it cannot probe a directory without the recorded command', async () => {
    const r = await probeBuild(os.tmpdir(), { includes: [], values: { A: '1' } });
    expect(r.unavailable).toMatch(/no recorded compiler command/);
    expect(r.missing).toEqual(['A']);
  });
});

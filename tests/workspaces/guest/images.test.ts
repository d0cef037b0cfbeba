// Telling kernel images apart, naming addresses, and the QEMU command line a guest gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imageKind, kernelImage, loadSystemMap } from '../../../workspaces/guest/kernel-image.js';
import { linuxCmdline, qemuArgs, TCG_CPU } from '../../../workspaces/guest/qemu.js';
import { selftestSourceHash } from '../../../workspaces/guest/selftests.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/guest');
let dir: string;
let tiny: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-images-'));
  tiny = path.join(dir, 'tiny.elf');
  execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,--build-id=none', '-Wl,-N', '-Wl,--no-warn-rwx-segments', '-DMODE_TRIPLE', '-o', tiny, path.join(fixtures, 'tiny-kernel.S')]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('kernel images', () => {
  it('recognises a multiboot kernel and refuses what is neither Linux nor multiboot', () => {
    expect(imageKind(tiny)).toBe('multiboot');
    const junk = path.join(dir, 'junk');
    fs.writeFileSync(junk, Buffer.alloc(9000, 0x90));
    expect(() => imageKind(junk)).toThrow(/neither a Linux bzImage nor a multiboot image/);
  });

  it('recognises a Linux bzImage by its setup header', () => {
    const bz = Buffer.alloc(0x400);
    bz.write('HdrS', 0x202, 'latin1');
    const file = path.join(dir, 'bzImage');
    fs.writeFileSync(file, bz);
    expect(imageKind(file)).toBe('linux');
  });

  it('finds the image, the source link and System.map in a build directory', () => {
    const build = path.join(dir, 'build');
    fs.mkdirSync(path.join(build, 'arch', 'x86', 'boot'), { recursive: true });
    fs.copyFileSync(tiny, path.join(build, 'arch', 'x86', 'boot', 'bzImage'));
    fs.symlinkSync(fixtures, path.join(build, 'source'));
    fs.writeFileSync(path.join(build, 'System.map'), execFileSync('nm', ['-n', tiny]));
    const k = kernelImage(build);
    expect(k).toMatchObject({ kind: 'multiboot', tree: fs.realpathSync(fixtures), systemMap: path.join(build, 'System.map') });
    expect(() => kernelImage(path.join(dir, 'nothing'))).toThrow(/No build directory/);
  });

  it('names an address by the text symbol below it', () => {
    const map = path.join(dir, 'System.map');
    fs.writeFileSync(map, execFileSync('nm', ['-n', tiny]));
    const addr = BigInt('0x' + /^([0-9a-f]+) T tiny_triple_fault$/m.exec(fs.readFileSync(map, 'utf8'))![1]);
    const symbols = loadSystemMap(map);
    expect(symbols.name(addr)).toBe('tiny_triple_fault+0x0/0x1');
    expect(symbols.name(0x10n)).toBeNull();
  });
});

describe('the QEMU command line', () => {
  const plan = { kernel: '/b/bzImage', initrd: '/c/initramfs.cpio', kind: 'linux' as const, accel: 'tcg' as const, memoryMb: 512, cpus: 1, append: linuxCmdline({ selftests: true, testTimeoutSec: 30, only: ['sysret_rip_64'] }), runDir: '/run/g1', name: 'entrybench-g1' };

  it('puts the console on the pty, TAP, size and QMP on sockets, and pauses on reset', () => {
    const args = qemuArgs(plan);
    const after = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
    expect(after('-serial')).toEqual(['mon:stdio', 'chardev:tap', 'chardev:ctl']);
    expect(after('-chardev')).toEqual(['socket,id=tap,path=/run/g1/tap.sock', 'socket,id=ctl,path=/run/g1/ctl.sock', 'socket,id=qmp,path=/run/g1/qmp.sock']);
    expect(args).toContain('-nographic');
    expect(args).toContain('-no-reboot');
    expect(after('-action')).toEqual(['shutdown=pause']);
    expect(after('-cpu')).toEqual([TCG_CPU]);
    expect(after('-append')).toEqual(['console=ttyS0 panic=-1 eb.selftests=1 eb.timeout=30 eb.only=sysret_rip_64']);
  });

  it('uses the host CPU under KVM and gives a multiboot kernel no control port', () => {
    const args = qemuArgs({ ...plan, accel: 'kvm', kind: 'multiboot', initrd: null });
    expect(args.join(' ')).toContain('-accel kvm -cpu host');
    expect(args.join(' ')).not.toContain('ctl.sock');
    expect(args).not.toContain('-initrd');
    expect(args).not.toContain('-d'); // the "Triple fault" log is TCG's
  });
});

describe('the initramfs cache key', () => {
  it('changes with the selftests and the uapi headers, not with the rest of the tree', () => {
    const tree = path.join(dir, 'tree');
    const put = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tree, rel)), { recursive: true });
      fs.writeFileSync(path.join(tree, rel), text);
    };
    put('tools/testing/selftests/x86/Makefile', 'all:\n');
    put('tools/testing/selftests/x86/sysret_rip.c', 'int main(void) { return 0; }\n');
    put('tools/testing/selftests/kselftest.h', '/* ksft */\n');
    put('arch/x86/entry/syscalls/syscall_64.tbl', '0 common read sys_read\n');
    put('arch/x86/entry/entry_64.S', '/* entry */\n');
    const k0 = selftestSourceHash(tree);
    put('arch/x86/entry/entry_64.S', '/* a patch to the entry code */\n');
    expect(selftestSourceHash(tree)).toBe(k0);
    put('tools/testing/selftests/x86/sysret_rip.c', 'int main(void) { return 1; }\n');
    const k1 = selftestSourceHash(tree);
    expect(k1).not.toBe(k0);
    put('arch/x86/entry/syscalls/syscall_64.tbl', '0 common read sys_read\n1 common write sys_write\n');
    expect(selftestSourceHash(tree)).not.toBe(k1);
    // Where the tree lives does not matter, only what it holds.
    const copy = path.join(dir, 'copy');
    fs.cpSync(tree, copy, { recursive: true });
    expect(selftestSourceHash(copy)).toBe(selftestSourceHash(tree));
  });
});

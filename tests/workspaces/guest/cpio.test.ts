// The initramfs writer: what we write, the real cpio(1) and our reader both read back the same way.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readCpio, writeCpio, type CpioEntry } from '../../../workspaces/guest/cpio.js';

const entries: CpioEntry[] = [
  { type: 'dir', path: 'bin' },
  { type: 'dir', path: 'dev' },
  { type: 'chardev', path: 'dev/console', major: 5, minor: 1 },
  { type: 'file', path: 'bin/hello', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
  { type: 'file', path: 'bin/odd', data: Buffer.from('abcde') },
  { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
];

describe('writeCpio', () => {
  it('round-trips names, modes, contents, device numbers and link targets', () => {
    const members = readCpio(writeCpio(entries));
    expect(members.map((m) => m.name)).toEqual(['bin', 'dev', 'dev/console', 'bin/hello', 'bin/odd', 'bin/sh']);
    const byName = new Map(members.map((m) => [m.name, m]));
    expect(byName.get('dev/console')).toMatchObject({ mode: 0o020600, rdevMajor: 5, rdevMinor: 1 });
    expect(byName.get('bin/hello')?.mode).toBe(0o100755);
    expect(byName.get('bin/odd')?.data.toString()).toBe('abcde');
    expect(byName.get('bin/sh')?.data.toString()).toBe('/bin/busybox');
  });

  it('is reproducible byte for byte', () => {
    expect(writeCpio(entries).equals(writeCpio(entries))).toBe(true);
  });

  it('is read by GNU cpio as newc with a character device and root ownership', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cpio-'));
    try {
      const file = path.join(dir, 'x.cpio');
      fs.writeFileSync(file, writeCpio(entries));
      const listing = execFileSync('cpio', ['-itv', '--quiet', '-F', file], { encoding: 'utf8' });
      expect(listing).toMatch(/^crw------- +1 root +root +5, +1 .* dev\/console$/m);
      expect(listing).toMatch(/^lrwxrwxrwx .* bin\/sh -> \/bin\/busybox$/m);
      execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-F', file, 'bin/odd'], { cwd: dir });
      expect(fs.readFileSync(path.join(dir, 'bin', 'odd'), 'utf8')).toBe('abcde');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses paths that would leave the image or repeat', () => {
    expect(() => writeCpio([{ type: 'dir', path: '../etc' }])).toThrow(/bad path/);
    expect(() => writeCpio([{ type: 'dir', path: 'a' }, { type: 'dir', path: '/a/' }])).toThrow(/duplicate/);
  });
});

// Assemble AT&T snippets with the machine's GNU as (cached by content), so emulator tests read as
// assembly instead of hex. `.code32` works for compatibility-mode code.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const cacheDir = path.join(os.tmpdir(), 'entrybench-asm-cache');

/** Machine code for `source`, assembled as if placed at `origin` (labels and rel branches work). */
export function asm(source: string, origin = 0n): Uint8Array {
  const text = `.text\n.globl _start\n_start:\n${source}\n`;
  const hash = crypto.createHash('sha256').update(text).update(origin.toString()).digest('hex').slice(0, 24);
  const out = path.join(cacheDir, `${hash}.bin`);
  if (fs.existsSync(out)) return new Uint8Array(fs.readFileSync(out));
  fs.mkdirSync(cacheDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cacheDir, 'work-'));
  try {
    fs.writeFileSync(path.join(dir, 'a.s'), text);
    execFileSync('as', ['--64', '-o', path.join(dir, 'a.o'), path.join(dir, 'a.s')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('ld', ['-o', path.join(dir, 'a.elf'), `-Ttext=0x${origin.toString(16)}`, '-e', '_start', '--no-warn-rwx-segments', path.join(dir, 'a.o')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', path.join(dir, 'a.elf'), path.join(dir, 'a.bin')]);
    fs.renameSync(path.join(dir, 'a.bin'), out);
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

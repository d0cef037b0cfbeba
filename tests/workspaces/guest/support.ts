// Test support for the guest: QEMU processes still alive, the tiny multiboot kernel built with
// gcc, and waiting for a condition.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const guestFixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/guest');

/** Pids of live QEMU processes whose command line mentions `marker` (a run directory, a guest name). */
export function qemuProcesses(marker: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = /\) (\S)/.exec(fs.readFileSync(`/proc/${name}/stat`, 'utf8'))?.[1];
      if (state !== 'Z' && cmdline.includes('qemu-system') && cmdline.includes(marker)) out.push(Number(name));
    } catch {
      /* gone while we looked */
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    const state = /\) (\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

export type TinyMode = 'TAP' | 'TRIPLE' | 'HANG';

/** A build directory holding the tiny kernel as arch/x86/boot/bzImage, with its System.map. */
export function tinyKernelBuild(dir: string, mode: TinyMode): string {
  const build = path.join(dir, `tiny-${mode.toLowerCase()}`);
  const boot = path.join(build, 'arch', 'x86', 'boot');
  fs.mkdirSync(boot, { recursive: true });
  const elf = path.join(build, 'vmlinux');
  execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-Wl,-Ttext=0x100000', '-Wl,--build-id=none', '-Wl,-N', '-Wl,--no-warn-rwx-segments', `-DMODE_${mode}`, '-o', elf, path.join(guestFixtures, 'tiny-kernel.S')]);
  fs.copyFileSync(elf, path.join(boot, 'bzImage'));
  fs.writeFileSync(path.join(build, 'System.map'), execFileSync('nm', ['-n', elf]));
  return build;
}

export async function waitFor<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 60_000, seen?: () => string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? `; last seen:\n${seen().slice(-1500)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Terminal text without escape sequences and carriage returns. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMZ]/g, '').replace(/\r/g, '');
}

/** A promise, or an error naming what did not happen in time. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

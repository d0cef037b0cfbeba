// The host tools a guest needs (gcc with static glibc, 64- and 32-bit; static busybox; QEMU), found
// and identified once, so that the initramfs cache key changes when any of them does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { ToolMissing } from '../errors.js';

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

function firstLine(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** True when the ELF file has no program interpreter (PT_INTERP): it runs without a dynamic loader. */
export function isStaticElf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const phoff = is64 ? Number(head.readBigUInt64LE(32)) : head.readUInt32LE(28);
    const phentsize = head.readUInt16LE(is64 ? 54 : 42);
    const phnum = head.readUInt16LE(is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false;
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

export interface StaticToolchain {
  gcc: string;
  /** "gcc 12.2.0 x86_64-linux-gnu, glibc 2.36" */
  description: string;
  /** Identity for cache keys: versions plus the static C libraries' sizes and dates. */
  identity: string;
  static64: boolean;
  static32: boolean;
  /** Why 32-bit programs cannot be built, when they cannot. */
  note32: string | null;
}

function tryCompile(gcc: string, args: string[], dir: string): Promise<string | null> {
  const src = path.join(dir, 'probe.c');
  fs.writeFileSync(src, 'int main(void) { return 0; }\n');
  return new Promise((resolve) => {
    execFile(gcc, [...args, '-o', path.join(dir, 'probe'), src], { timeout: 60_000 }, (err, _out, stderr) =>
      resolve(err ? (stderr.trim().split('\n').slice(-2).join(' ') || err.message) : null),
    );
  });
}

let cachedToolchain: Promise<StaticToolchain> | null = null;

/** gcc and glibc for static 64-bit (required) and 32-bit (when gcc-multilib is installed) programs. */
export function staticToolchain(): Promise<StaticToolchain> {
  cachedToolchain ??= probeToolchain().catch((err) => {
    cachedToolchain = null;
    throw err;
  });
  return cachedToolchain;
}

async function probeToolchain(): Promise<StaticToolchain> {
  const gcc = which('gcc');
  if (!gcc) throw new ToolMissing('gcc', 'apt-get install gcc gcc-multilib');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-cc-'));
  try {
    const [err64, err32] = await Promise.all([
      tryCompile(gcc, ['-static', '-m64'], dir),
      tryCompile(gcc, ['-static', '-m32'], fs.mkdtempSync(path.join(dir, 'm32-'))),
    ]);
    if (err64) {
      throw new ToolMissing('A static 64-bit C library (libc.a)', `apt-get install libc6-dev  (gcc -static said: ${err64})`);
    }
    const version = firstLine(gcc, ['-dumpfullversion']) ?? 'unknown';
    const machine = firstLine(gcc, ['-dumpmachine']) ?? 'unknown';
    const glibc = firstLine('getconf', ['GNU_LIBC_VERSION']) ?? 'glibc unknown';
    const libs = ['-m64', '-m32'].map((m) => {
      const lib = firstLine(gcc, [m, '-print-file-name=libc.a']);
      try {
        const st = lib ? fs.statSync(lib) : null;
        return st ? `${lib}:${st.size}:${st.mtimeMs}` : `${m}:none`;
      } catch {
        return `${m}:none`;
      }
    });
    return {
      gcc,
      description: `gcc ${version} ${machine}, ${glibc.replace(/^glibc /, 'glibc ')}`,
      identity: [gcc, version, machine, glibc, ...libs].join('|'),
      static64: true,
      static32: err32 === null,
      note32: err32 === null ? null : `gcc -m32 -static does not link here (${err32}); install gcc-multilib for the 32-bit selftests`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Busybox {
  path: string;
  sha256: string;
  applets: string[];
}

let cachedBusybox: Busybox | null = null;

/** Debian's busybox-static: one static binary, plus the applet paths to link in the image. */
export function staticBusybox(): Busybox {
  if (cachedBusybox) return cachedBusybox;
  const candidates = ['/bin/busybox', '/usr/bin/busybox', which('busybox')].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p) && isStaticElf(p));
  if (!found) {
    throw new ToolMissing('A static busybox', 'apt-get install busybox-static');
  }
  const list = execFileSync(found, ['--list-full'], { encoding: 'utf8' });
  cachedBusybox = {
    path: found,
    sha256: crypto.createHash('sha256').update(fs.readFileSync(found)).digest('hex'),
    applets: list.split('\n').map((l) => l.trim()).filter(Boolean),
  };
  return cachedBusybox;
}

export function qemuBinary(): string {
  const q = which('qemu-system-x86_64');
  if (!q) throw new ToolMissing('qemu-system-x86_64', 'apt-get install qemu-system-x86');
  return q;
}

let cachedQemuVersion: string | null = null;
export function qemuVersion(): string {
  cachedQemuVersion ??= firstLine(qemuBinary(), ['--version']) ?? 'unknown';
  return cachedQemuVersion;
}

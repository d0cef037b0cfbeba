// The guest's initramfs for a Linux step: static busybox, the tree's x86 selftests built
// statically, and our /init. Cached per (selftest sources + uapi headers, toolchain, busybox, init
// scripts), so the steps of a series that leave tools/ and the uapi alone share one image.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { GuestImage } from '../host/api/guest.js';
import { defaultCacheDir } from '../host/paths.js';
import { withDirLock } from '../build/lock.js';
import { writeCpio, type CpioEntry } from './cpio.js';
import { initFiles } from './init-scripts.js';
import { buildSelftests, hasX86Selftests, selftestSourceHash, type BuiltSelftest } from './selftests.js';
import { staticBusybox, staticToolchain } from './toolchain.js';

/** Bump when the image layout changes in a way the key's inputs do not show. */
const IMAGE_FORMAT = 1;

export interface ImageOptions {
  tree: string;
  /** Build and include the selftests (default true); false gives busybox and /init only. */
  selftests?: boolean;
  cacheDir?: string;
  jobs?: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

interface Manifest extends Omit<GuestImage, 'cached' | 'initramfs' | 'key' | 'bytes'> {
  format: number;
  createdAt: string;
  commands: string[];
}

export function imageCacheRoot(cacheDir = defaultCacheDir()): string {
  return path.join(cacheDir, 'guest', 'initramfs');
}

function initScriptsHash(): string {
  const h = crypto.createHash('sha256').update(String(IMAGE_FORMAT));
  for (const f of initFiles()) h.update(f.path).update('\0').update(f.text).update('\0');
  return h.digest('hex');
}

export async function imageKey(tree: string, withSelftests: boolean): Promise<string> {
  const toolchain = await staticToolchain();
  const busybox = staticBusybox();
  const h = crypto.createHash('sha256');
  h.update(`format:${IMAGE_FORMAT}\n`).update(`init:${initScriptsHash()}\n`).update(`busybox:${busybox.sha256}\n`);
  if (withSelftests && hasX86Selftests(tree)) {
    h.update(`selftests:${selftestSourceHash(tree)}\n`).update(`toolchain:${toolchain.identity}\n`);
  } else {
    h.update('selftests:none\n');
  }
  return h.digest('hex').slice(0, 24);
}

function imageEntries(programs: BuiltSelftest[], bitsText: string): CpioEntry[] {
  const busybox = staticBusybox();
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const dir = (p: string) => {
    if (p === '.' || p === '') return;
    const parts = p.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ type: 'dir', path: d, mode: d === 'tmp' ? 0o1777 : 0o755 });
      }
    }
  };
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc/entrybench', 'selftests']) dir(d);
  // The kernel opens /dev/console before devtmpfs is mounted: the node must be in the image.
  entries.push({ type: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 });
  entries.push({ type: 'file', path: 'bin/busybox', data: fs.readFileSync(busybox.path), mode: 0o755 });
  for (const applet of busybox.applets) {
    if (applet === 'bin/busybox') continue;
    dir(path.posix.dirname(applet));
    entries.push({ type: 'symlink', path: applet, target: '/bin/busybox' });
  }
  for (const f of initFiles()) entries.push({ type: 'file', path: f.path, data: Buffer.from(f.text), mode: f.mode });
  entries.push({ type: 'file', path: 'etc/entrybench/tests', data: Buffer.from(programs.map((p) => p.name).join('\n') + (programs.length ? '\n' : '')) });
  entries.push({ type: 'file', path: 'etc/entrybench/bits', data: Buffer.from(bitsText) });
  for (const p of programs) entries.push({ type: 'file', path: `selftests/${p.name}`, data: fs.readFileSync(p.file), mode: 0o755 });
  return entries;
}

function readManifest(dir: string): Manifest | null {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    return m.format === IMAGE_FORMAT && fs.existsSync(path.join(dir, 'initramfs.cpio')) ? m : null;
  } catch {
    return null;
  }
}

function toImage(key: string, dir: string, m: Manifest, cached: boolean, tree: string): GuestImage {
  const initramfs = path.join(dir, 'initramfs.cpio');
  return {
    key,
    initramfs,
    bytes: fs.statSync(initramfs).size,
    cached,
    tree,
    selftests: m.selftests,
    notBuilt: m.notBuilt,
    bits: m.bits,
    bitsNote: m.bitsNote,
    toolchain: m.toolchain,
    buildSeconds: cached ? 0 : m.buildSeconds,
  };
}

/** The initramfs for this tree, from the cache or built now. */
export async function guestImage(opts: ImageOptions): Promise<GuestImage> {
  const tree = path.resolve(opts.tree);
  const withSelftests = opts.selftests !== false;
  const key = await imageKey(tree, withSelftests);
  const root = imageCacheRoot(opts.cacheDir);
  const dir = path.join(root, key);
  const hit = readManifest(dir);
  if (hit) return toImage(key, dir, hit, true, tree);
  fs.mkdirSync(root, { recursive: true });
  return withDirLock(root, async () => {
    const again = readManifest(dir);
    if (again) return toImage(key, dir, again, true, tree);
    const started = Date.now();
    const work = fs.mkdtempSync(path.join(root, '.build-'));
    try {
      const toolchain = await staticToolchain();
      let programs: BuiltSelftest[] = [];
      let notBuilt: Manifest['notBuilt'] = [];
      let bits: Manifest['bits'] = [];
      let bitsNote: string | null = null;
      let commands: string[] = [];
      if (withSelftests && hasX86Selftests(tree)) {
        const built = await buildSelftests({
          tree,
          workDir: work,
          toolchain,
          jobs: opts.jobs ?? Math.max(1, os.availableParallelism()),
          signal: opts.signal,
          onProgress: opts.onProgress,
        });
        ({ programs, notBuilt, bits, bitsNote, commands } = built);
      } else {
        bitsNote = withSelftests ? `${tree} has no tools/testing/selftests/x86` : 'selftests not requested';
      }
      opts.onProgress?.(`writing the initramfs (${programs.length} selftest programs)`);
      const bitsText = bits.length ? bits.map((b) => `${b}`).join(' and ') + ' bit' : 'none';
      const cpio = writeCpio(imageEntries(programs, bitsText));
      const staged = path.join(work, 'image');
      fs.mkdirSync(staged);
      fs.writeFileSync(path.join(staged, 'initramfs.cpio'), cpio);
      const manifest: Manifest = {
        format: IMAGE_FORMAT,
        createdAt: new Date().toISOString(),
        tree,
        selftests: programs.map(({ name, bits: b }) => ({ name, bits: b })),
        notBuilt,
        bits,
        bitsNote,
        toolchain: toolchain.description,
        buildSeconds: (Date.now() - started) / 1000,
        commands,
      };
      fs.writeFileSync(path.join(staged, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
      fs.rmSync(dir, { recursive: true, force: true });
      // The image appears complete or not at all.
      fs.renameSync(staged, dir);
      return toImage(key, dir, manifest, false, tree);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
}

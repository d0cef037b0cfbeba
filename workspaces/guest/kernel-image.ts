// What a build directory holds for the guest: the boot image and its kind (a Linux bzImage, or a
// multiboot image such as the demo kernel's), the source tree it came from, and System.map to
// name addresses.
import fs from 'node:fs';
import path from 'node:path';
import type { KernelImageKind } from '../host/api/guest.js';
import { NotFound, ReviewError } from '../errors.js';

export class UnsupportedKernelImage extends ReviewError {}

export interface KernelImage {
  buildDir: string;
  image: string;
  kind: KernelImageKind;
  /** The source tree (BUILD_DIR/source for Linux O= builds), when known. */
  tree: string | null;
  systemMap: string | null;
}

const MULTIBOOT1 = 0x1badb002;
const MULTIBOOT2 = 0xe85250d6;

export function imageKind(file: string): KernelImageKind {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(32768);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    // Linux boot protocol: "HdrS" at 0x202 of the setup header.
    if (n > 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return 'linux';
    // Multiboot 1: the magic on a 4-byte boundary in the first 8 KiB, with a matching checksum.
    for (let off = 0; off + 12 <= Math.min(n, 8192); off += 4) {
      if (head.readUInt32LE(off) === MULTIBOOT1) {
        const sum = (head.readUInt32LE(off) + head.readUInt32LE(off + 4) + head.readUInt32LE(off + 8)) >>> 0;
        if (sum === 0) return 'multiboot';
      }
    }
    for (let off = 0; off + 4 <= n; off += 8) {
      if (head.readUInt32LE(off) === MULTIBOOT2) {
        throw new UnsupportedKernelImage(`${file} is a multiboot2 image; QEMU's -kernel boots only Linux and multiboot 1 images.`, 'Build the kernel with a multiboot 1 header, or boot a Linux bzImage.');
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  throw new UnsupportedKernelImage(`${file} is neither a Linux bzImage nor a multiboot image.`, 'Point at the build directory of a kernel build (it holds arch/x86/boot/bzImage).');
}

/** The image to boot in BUILD_DIR (or BUILD_DIR itself when it is the image file). */
export function kernelImage(buildDir: string, tree?: string): KernelImage {
  const dir = path.resolve(buildDir);
  if (!fs.existsSync(dir)) throw new NotFound(`No build directory at ${dir}.`, 'Build the step first (entrybench build --tree DIR), then pass its build directory.');
  const isFile = fs.statSync(dir).isFile();
  const image = isFile ? dir : path.join(dir, 'arch', 'x86', 'boot', 'bzImage');
  if (!fs.existsSync(image)) {
    throw new NotFound(`${dir} has no arch/x86/boot/bzImage.`, 'Build it (entrybench build, or make bzImage); the guest boots that image.');
  }
  const root = isFile ? path.dirname(dir) : dir;
  let source: string | null = tree ? path.resolve(tree) : null;
  if (!source) {
    try {
      source = fs.realpathSync(path.join(root, 'source'));
    } catch {
      source = null;
    }
  }
  const map = path.join(root, 'System.map');
  return { buildDir: root, image, kind: imageKind(image), tree: source, systemMap: fs.existsSync(map) ? map : null };
}

export interface SymbolTable {
  /** "entry_SYSCALL_64+0x4f/0x120", or null outside the kernel's text. */
  name(address: bigint): string | null;
}

/** Addresses to names from a System.map ("ffffffff81000000 T _text"), text symbols only. */
export function loadSystemMap(file: string): SymbolTable {
  const syms: { addr: bigint; name: string }[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([tTwW]) (\S+)/.exec(line);
    if (m) syms.push({ addr: BigInt('0x' + m[1]), name: m[3] });
  }
  syms.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return {
    name(address) {
      let lo = 0;
      let hi = syms.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (syms[mid].addr <= address) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return null;
      const next = syms[found + 1];
      const size = next ? next.addr - syms[found].addr : 0n;
      const off = address - syms[found].addr;
      if (next && off >= size) return null;
      // Past the last symbol nothing says where the text ends: only trust small offsets.
      if (!next && off > 0x10000n) return null;
      return `${syms[found].name}+0x${off.toString(16)}${size ? `/0x${size.toString(16)}` : ''}`;
    },
  };
}

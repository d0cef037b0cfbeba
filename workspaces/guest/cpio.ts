// A writer for the cpio "newc" format the kernel unpacks as its initramfs (see the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst). Written here rather than by cpio(1)
// so the image holds device nodes and root-owned files without root, and is byte-for-byte
// reproducible (fixed inode numbers and mtimes).

export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Uint8Array; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function normalise(p: string): string {
  const name = p.replace(/^\/+/, '').replace(/\/+$/, '');
  if (name === '' || name.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`bad path in initramfs: ${JSON.stringify(p)}`);
  }
  return name;
}

/** Build a newc archive, ending with the TRAILER!!! record. Entries are written in the order given. */
export function writeCpio(entries: CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  let ino = 1;
  const seen = new Set<string>();
  const record = (name: string, mode: number, data: Uint8Array, rdevMajor = 0, rdevMinor = 0, nlink = 1) => {
    const nameBytes = Buffer.from(name + '\0', 'utf8');
    const header =
      '070701' +
      [ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0].map(hex8).join('');
    const head = Buffer.from(header, 'ascii');
    chunks.push(head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length)));
    if (data.length) chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.alloc(pad4(data.length)));
  };
  for (const e of entries) {
    const name = normalise(e.path);
    if (seen.has(name)) throw new Error(`duplicate path in initramfs: ${name}`);
    seen.add(name);
    switch (e.type) {
      case 'dir':
        record(name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0), 0, 0, 2);
        break;
      case 'file':
        record(name, S_IFREG | (e.mode ?? 0o644), e.data);
        break;
      case 'symlink':
        record(name, S_IFLNK | 0o777, Buffer.from(e.target, 'utf8'));
        break;
      case 'chardev':
        record(name, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(0), e.major, e.minor);
        break;
    }
  }
  ino = 0;
  record('TRAILER!!!', 0, new Uint8Array(0), 0, 0, 1);
  return Buffer.concat(chunks);
}

export interface CpioMember {
  name: string;
  mode: number;
  data: Buffer;
  rdevMajor: number;
  rdevMinor: number;
}

/** Read a newc archive back (tests, and checking a cached image). Stops at TRAILER!!!. */
export function readCpio(archive: Buffer): CpioMember[] {
  const out: CpioMember[] = [];
  let off = 0;
  for (;;) {
    if (off + 110 > archive.length) throw new Error('cpio archive ends without TRAILER!!!');
    const magic = archive.toString('ascii', off, off + 6);
    if (magic !== '070701') throw new Error(`bad cpio magic at ${off}: ${JSON.stringify(magic)}`);
    const field = (i: number) => parseInt(archive.toString('ascii', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const fileSize = field(6);
    const rdevMajor = field(9);
    const rdevMinor = field(10);
    const nameSize = field(11);
    const nameStart = off + 110;
    const name = archive.toString('utf8', nameStart, nameStart + nameSize - 1);
    const dataStart = nameStart + nameSize + pad4(110 + nameSize);
    if (name === 'TRAILER!!!') return out;
    const data = archive.subarray(dataStart, dataStart + fileSize);
    out.push({ name, mode, data, rdevMajor, rdevMinor });
    off = dataStart + fileSize + pad4(fileSize);
  }
}

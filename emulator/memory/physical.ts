// Sparse guest memory in 4 KiB pages: permissions (used for flat mapping), devices, copy-on-write
// snapshots, and the bookkeeping that lets writes to code invalidate decoded instructions.
import { BadMapping } from '../errors.js';

export const PAGE_SIZE = 4096;
export const PAGE_MASK = 4095;

/** Page permission bits (flat mapping). */
export const PERM_R = 1, PERM_W = 2, PERM_X = 4, PERM_U = 8;

/** A memory-mapped device: reads and writes at byte offsets from the start of its region. */
export interface MemoryDevice {
  read(offset: number, size: 1 | 2 | 4 | 8): bigint;
  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint): void;
}

/** Something holding decoded instructions from a page; told when the bytes change. */
export interface CodeOwner {
  invalidate(): void;
}

export interface DeviceRegion {
  device: MemoryDevice;
  /** Page number of the region's first page, so offsets are region-relative. */
  firstPage: number;
}

export class Page {
  bytes: Uint8Array;
  view: DataView;
  perm: number;
  /** Shared with a snapshot: the next write copies the bytes first. */
  frozen = false;
  device: DeviceRegion | null;
  /** Byte range [codeLo, codeHi) holding decoded instructions, and who decoded them. */
  codeLo = PAGE_SIZE;
  codeHi = 0;
  codeOwners: CodeOwner[] | null = null;
  /** Bumped on every write through writable(): decoders holding a copy of the bytes check it. */
  version = 0;

  constructor(bytes: Uint8Array, perm: number, device: DeviceRegion | null) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.perm = perm;
    this.device = device;
  }

  addCodeOwner(owner: CodeOwner, lo: number, hi: number): void {
    if (this.codeOwners === null) this.codeOwners = [owner];
    else if (!this.codeOwners.includes(owner)) this.codeOwners.push(owner);
    if (lo < this.codeLo) this.codeLo = lo;
    if (hi > this.codeHi) this.codeHi = hi;
  }

  /** Drop every decoded instruction of this page (its bytes changed or are about to). */
  invalidateCode(): void {
    const owners = this.codeOwners;
    this.codeOwners = null;
    this.codeLo = PAGE_SIZE;
    this.codeHi = 0;
    if (owners !== null) for (const o of owners) o.invalidate();
  }
}

/** Page key of a 64-bit address given as halves: exact in a double (at most 2^52). */
export function pageKey(lo: number, hi: number): number {
  return (hi >>> 0) * 1048576 + (lo >>> 12);
}

export function pageKeyOf(addr: bigint): number {
  return Number(BigInt.asUintN(64, addr) >> 12n);
}

export function keyToAddress(key: number): bigint {
  return BigInt(key) << 12n;
}

interface SnapshotEntry {
  page: Page;
  bytes: Uint8Array;
  view: DataView;
  perm: number;
}

/** The memory half of a machine snapshot. Opaque to callers. */
export class MemorySnapshot {
  constructor(readonly entries: Map<number, SnapshotEntry>) {}
}

export class PhysicalMemory {
  readonly pages = new Map<number, Page>();
  /** Called when translations or page contents were replaced wholesale (TLBs must be flushed). */
  onFlush: () => void = () => {};
  /** Called when one page's bytes were replaced (copy-on-write, restore): TLB entries for it go. */
  onPageReplaced: (key: number) => void = () => this.onFlush();
  private baseline: MemorySnapshot | null = null;
  private readonly dirty = new Set<number>();
  private zeroPage = new Uint8Array(PAGE_SIZE);
  /** Copies discarded by restore(), reused by the next copy-on-write (sweeps restore hundreds of times). */
  private readonly spare: Uint8Array[] = [];

  get(key: number): Page | undefined {
    return this.pages.get(key);
  }

  /** Map [addr, addr+size) as fresh zeroed pages. Both must be page aligned; pages must be unmapped. */
  map(addr: bigint, size: number, perm: number): void {
    const [first, count] = this.pageRange(addr, size, 'map');
    for (let i = 0; i < count; i++) {
      if (this.pages.has(first + i)) throw new BadMapping(`Page 0x${keyToAddress(first + i).toString(16)} is already mapped.`, 'Unmap it first, or use protect() to change its permissions.');
    }
    for (let i = 0; i < count; i++) {
      this.pages.set(first + i, new Page(new Uint8Array(PAGE_SIZE), perm, null));
      this.touch(first + i);
    }
    this.onFlush();
  }

  mapDevice(addr: bigint, size: number, device: MemoryDevice, perm: number): void {
    const [first, count] = this.pageRange(addr, size, 'mapDevice');
    for (let i = 0; i < count; i++) {
      if (this.pages.has(first + i)) throw new BadMapping(`Page 0x${keyToAddress(first + i).toString(16)} is already mapped.`, 'Map devices on pages of their own.');
    }
    const region: DeviceRegion = { device, firstPage: first };
    for (let i = 0; i < count; i++) {
      this.pages.set(first + i, new Page(this.zeroPage, perm, region));
      this.touch(first + i);
    }
    this.onFlush();
  }

  unmap(addr: bigint, size: number): void {
    const [first, count] = this.pageRange(addr, size, 'unmap');
    for (let i = 0; i < count; i++) {
      const page = this.pages.get(first + i);
      if (!page) continue;
      page.invalidateCode();
      this.pages.delete(first + i);
      this.touch(first + i);
    }
    this.onFlush();
  }

  protect(addr: bigint, size: number, perm: number): void {
    const [first, count] = this.pageRange(addr, size, 'protect');
    for (let i = 0; i < count; i++) {
      const page = this.pages.get(first + i);
      if (!page) throw new BadMapping(`Page 0x${keyToAddress(first + i).toString(16)} is not mapped.`, 'Map it before changing its permissions.');
      if (page.perm !== perm) {
        page.invalidateCode();
        page.perm = perm;
        this.touch(first + i);
      }
    }
    this.onFlush();
  }

  isMapped(addr: bigint, size = 1): boolean {
    const a = BigInt.asUintN(64, addr);
    for (let k = pageKeyOf(a); k <= pageKeyOf(a + BigInt(Math.max(size, 1) - 1)); k++) if (!this.pages.has(k)) return false;
    return true;
  }

  /** A page that may be written now: copies a snapshot-shared page and drops decoded code it overlaps. */
  writable(key: number, page: Page, offset: number, size: number): Page {
    page.version++;
    if (page.frozen) {
      const copy = this.spare.pop() ?? new Uint8Array(PAGE_SIZE);
      copy.set(page.bytes);
      page.bytes = copy;
      page.view = new DataView(copy.buffer);
      page.frozen = false;
      this.touch(key);
      this.onPageReplaced(key);
    }
    if (page.codeOwners !== null && offset < page.codeHi && offset + size > page.codeLo) page.invalidateCode();
    return page;
  }

  // Access from outside the CPU: no permission checks, no faults; unmapped memory is an API error.

  read(addr: bigint, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let a = BigInt.asUintN(64, addr);
    let done = 0;
    while (done < length) {
      const key = pageKeyOf(a);
      const off = Number(a & 4095n);
      const n = Math.min(length - done, PAGE_SIZE - off);
      const page = this.mustGet(key, a);
      if (page.device) {
        for (let i = 0; i < n; i++) out[done + i] = Number(page.device.device.read((key - page.device.firstPage) * PAGE_SIZE + off + i, 1) & 0xffn);
      } else out.set(page.bytes.subarray(off, off + n), done);
      done += n;
      a = BigInt.asUintN(64, a + BigInt(n));
    }
    return out;
  }

  write(addr: bigint, data: Uint8Array): void {
    let a = BigInt.asUintN(64, addr);
    let done = 0;
    while (done < data.length) {
      const key = pageKeyOf(a);
      const off = Number(a & 4095n);
      const n = Math.min(data.length - done, PAGE_SIZE - off);
      const page = this.mustGet(key, a);
      if (page.device) {
        for (let i = 0; i < n; i++) page.device.device.write((key - page.device.firstPage) * PAGE_SIZE + off + i, 1, BigInt(data[done + i]));
      } else this.writable(key, page, off, n).bytes.set(data.subarray(done, done + n), off);
      done += n;
      a = BigInt.asUintN(64, a + BigInt(n));
    }
  }

  readU8(addr: bigint): number {
    return this.read(addr, 1)[0];
  }
  readU16(addr: bigint): number {
    const b = this.read(addr, 2);
    return b[0] | (b[1] << 8);
  }
  readU32(addr: bigint): number {
    const b = this.read(addr, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }
  readU64(addr: bigint): bigint {
    const [lo, hi] = this.readU64Pair(addr);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** [low 32 bits, high 32 bits], both unsigned. */
  readU64Pair(addr: bigint): [number, number] {
    const b = this.read(addr, 8);
    const dv = new DataView(b.buffer);
    return [dv.getUint32(0, true), dv.getUint32(4, true)];
  }
  writeU8(addr: bigint, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff));
  }
  writeU16(addr: bigint, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }
  writeU32(addr: bigint, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.write(addr, b);
  }
  writeU64(addr: bigint, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(addr, b);
  }
  writeU64Pair(addr: bigint, lo: number, hi: number): void {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, lo >>> 0, true);
    dv.setUint32(4, hi >>> 0, true);
    this.write(addr, b);
  }

  // Snapshots: every page is shared until written; restoring the latest snapshot only reverts the
  // pages touched since, so a sweep restoring hundreds of times pays for what each run dirtied.

  snapshot(): MemorySnapshot {
    const entries = new Map<number, SnapshotEntry>();
    for (const [key, page] of this.pages) {
      page.frozen = true;
      entries.set(key, { page, bytes: page.bytes, view: page.view, perm: page.perm });
    }
    const snap = new MemorySnapshot(entries);
    this.baseline = snap;
    this.dirty.clear();
    this.onFlush();
    return snap;
  }

  restore(snap: MemorySnapshot): void {
    if (snap === this.baseline) {
      // Only the pages touched since: their TLB entries are dropped one by one.
      for (const key of this.dirty) {
        this.revert(snap, key);
        this.onPageReplaced(key);
      }
    } else {
      for (const key of [...this.pages.keys()]) if (!snap.entries.has(key)) this.revert(snap, key);
      for (const key of snap.entries.keys()) this.revert(snap, key);
      this.baseline = snap;
      this.onFlush();
    }
    this.dirty.clear();
  }

  /** Pages changed since the latest snapshot or restore (for tests and benchmarks). */
  get dirtyPageCount(): number {
    return this.dirty.size;
  }

  private revert(snap: MemorySnapshot, key: number): void {
    const e = snap.entries.get(key);
    const current = this.pages.get(key);
    if (!e) {
      if (current) {
        current.invalidateCode();
        this.pages.delete(key);
      }
      return;
    }
    if (current && current !== e.page) current.invalidateCode();
    const page = e.page;
    if (page.bytes !== e.bytes || page.perm !== e.perm) {
      page.invalidateCode();
      page.version++;
      // A private copy made since the snapshot: keep its buffer for the next copy-on-write.
      if (page.bytes !== e.bytes && !page.frozen && page.device === null && this.spare.length < 256) this.spare.push(page.bytes);
      page.bytes = e.bytes;
      page.view = e.view;
      page.perm = e.perm;
    }
    page.frozen = true;
    this.pages.set(key, page);
  }

  private touch(key: number): void {
    if (this.baseline !== null) this.dirty.add(key);
  }

  private mustGet(key: number, addr: bigint): Page {
    const page = this.pages.get(key);
    if (!page) throw new BadMapping(`Address 0x${addr.toString(16)} is not mapped.`, 'Map the region with machine.memory.map() before reading or writing it.');
    return page;
  }

  private pageRange(addr: bigint, size: number, what: string): [number, number] {
    const a = BigInt.asUintN(64, addr);
    if ((a & 4095n) !== 0n || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new BadMapping(`${what}(0x${a.toString(16)}, ${size}): address and size must be multiples of 4096.`, 'Round the region out to whole pages.');
    }
    return [pageKeyOf(a), size / PAGE_SIZE];
  }
}

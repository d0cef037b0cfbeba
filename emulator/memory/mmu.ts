// Linear-address translation for the CPU: flat (identity, per-page permissions) or 4-level paging
// through CR3, with a small software TLB per privilege context so most accesses are two compares
// and a DataView load. Faults are raised as CpuException (#PF with CR2 and error code, #GP for
// non-canonical addresses).
import { CpuException, GP, MC, PF, PF_I, PF_P, PF_RSVD, PF_U, PF_W, SS_FAULT } from '../cpu/fault.js';
import { PAGE_SIZE, PERM_R, PERM_U, PERM_W, PERM_X, type Page, PhysicalMemory, pageKey } from './physical.js';

const TLB_SIZE = 256;
const TLB_MASK = TLB_SIZE - 1;
const NO_TAG = 1; // never equal to a page-aligned tag
const DUMMY_VIEW = new DataView(new ArrayBuffer(8));

const ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_EXEC = 2;

class TlbSet {
  readonly rTagLo = new Int32Array(TLB_SIZE).fill(NO_TAG);
  readonly rTagHi = new Int32Array(TLB_SIZE);
  readonly rView: DataView[] = new Array<DataView>(TLB_SIZE).fill(DUMMY_VIEW);
  readonly wTagLo = new Int32Array(TLB_SIZE).fill(NO_TAG);
  readonly wTagHi = new Int32Array(TLB_SIZE);
  readonly wView: DataView[] = new Array<DataView>(TLB_SIZE).fill(DUMMY_VIEW);
  flush(): void {
    this.rTagLo.fill(NO_TAG);
    this.wTagLo.fill(NO_TAG);
  }
}

/** Result of a translation for instruction fetch (used by the decode cache). */
export interface FetchTranslation {
  page: Page;
  /** Physical page key (equals the linear page key in flat mode). */
  physKey: number;
  /** The mapping is user-accessible (U/S = 1). */
  user: boolean;
}

export function isCanonical(hi: number): boolean {
  return (hi << 16) >> 16 === hi;
}

export class Mmu {
  // Current TLB context (user, supervisor with SMAP enforced, supervisor with SMAP relaxed by AC).
  rTagLo: Int32Array;
  rTagHi: Int32Array;
  rView: DataView[];
  wTagLo: Int32Array;
  wTagHi: Int32Array;
  wView: DataView[];
  /** High half of the last 64-bit read. */
  hi32 = 0;
  /** When tracing: every CPU write as (lo, hi, size, vLo, vHi) quintuples; writes then bypass the TLB. */
  writeLog: number[] | null = null;

  private readonly sets = [new TlbSet(), new TlbSet(), new TlbSet()];
  private setIndex = 1;

  // Translation context, set by the CPU when CPL, CR0/CR3/CR4, EFER or RFLAGS.AC change.
  user = false;
  paged = false;
  wp = true;
  smep = false;
  smap = false;
  nxe = true;
  ac = false;
  cr3Lo = 0;
  cr3Hi = 0;

  constructor(readonly mem: PhysicalMemory) {
    const s = this.sets[1];
    this.rTagLo = s.rTagLo;
    this.rTagHi = s.rTagHi;
    this.rView = s.rView;
    this.wTagLo = s.wTagLo;
    this.wTagHi = s.wTagHi;
    this.wView = s.wView;
  }

  /** Pick the TLB set for the current privilege context. */
  selectContext(): void {
    const idx = this.user ? 0 : this.smap && !this.ac ? 1 : 2;
    if (idx === this.setIndex) return;
    this.setIndex = idx;
    const s = this.sets[idx];
    this.rTagLo = s.rTagLo;
    this.rTagHi = s.rTagHi;
    this.rView = s.rView;
    this.wTagLo = s.wTagLo;
    this.wTagHi = s.wTagHi;
    this.wView = s.wView;
  }

  flush(): void {
    for (const s of this.sets) s.flush();
  }

  /** Drop the TLB entries of one page: exact in flat mode; with paging several pages may map it. */
  flushPhysicalPage(key: number): void {
    if (this.paged) {
      this.flush();
      return;
    }
    const i = key & TLB_MASK;
    for (const s of this.sets) {
      s.rTagLo[i] = NO_TAG;
      s.wTagLo[i] = NO_TAG;
    }
  }

  // ---- fast paths -------------------------------------------------------------------------------

  read8(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    if (this.rTagLo[i] === (lo & -4096) && this.rTagHi[i] === hi) return this.rView[i].getUint8(lo & 4095);
    return this.readSlow(lo, hi, 1, false);
  }

  read16(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.rTagLo[i] === (lo & -4096) && this.rTagHi[i] === hi && off <= 4094) return this.rView[i].getUint16(off, true);
    return this.readSlow(lo, hi, 2, false);
  }

  read32(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.rTagLo[i] === (lo & -4096) && this.rTagHi[i] === hi && off <= 4092) return this.rView[i].getInt32(off, true);
    return this.readSlow(lo, hi, 4, false);
  }

  /** Returns the low half; the high half is left in hi32. */
  read64(lo: number, hi: number): number {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.rTagLo[i] === (lo & -4096) && this.rTagHi[i] === hi && off <= 4088) {
      const v = this.rView[i];
      this.hi32 = v.getInt32(off + 4, true);
      return v.getInt32(off, true);
    }
    return this.readSlow(lo, hi, 8, false);
  }

  write8(lo: number, hi: number, v: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    if (this.wTagLo[i] === (lo & -4096) && this.wTagHi[i] === hi) this.wView[i].setUint8(lo & 4095, v);
    else this.writeSlow(lo, hi, 1, v, 0, false);
  }

  write16(lo: number, hi: number, v: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.wTagLo[i] === (lo & -4096) && this.wTagHi[i] === hi && off <= 4094) this.wView[i].setUint16(off, v, true);
    else this.writeSlow(lo, hi, 2, v, 0, false);
  }

  write32(lo: number, hi: number, v: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.wTagLo[i] === (lo & -4096) && this.wTagHi[i] === hi && off <= 4092) this.wView[i].setInt32(off, v, true);
    else this.writeSlow(lo, hi, 4, v, 0, false);
  }

  write64(lo: number, hi: number, vLo: number, vHi: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    const off = lo & 4095;
    if (this.wTagLo[i] === (lo & -4096) && this.wTagHi[i] === hi && off <= 4088) {
      const w = this.wView[i];
      w.setInt32(off, vLo, true);
      w.setInt32(off + 4, vHi, true);
    } else this.writeSlow(lo, hi, 8, vLo, vHi, false);
  }

  /** Check that a write would succeed without doing it (read-modify-write instructions, string ops). */
  probeWrite(lo: number, hi: number, size: number): void {
    const i = (lo >>> 12) & TLB_MASK;
    if (this.wTagLo[i] === (lo & -4096) && this.wTagHi[i] === hi && (lo & 4095) <= PAGE_SIZE - size) return;
    this.translate(lo, hi, ACCESS_WRITE, this.user, false, false);
    if ((lo & 4095) + size > PAGE_SIZE) {
      const [lo2, hi2] = add32(lo, hi, size - 1);
      this.translate(lo2, hi2, ACCESS_WRITE, this.user, false, false);
    }
  }

  // Stack accesses: same as the plain ones but a non-canonical address raises #SS(0).
  readStack64(lo: number, hi: number): number {
    if (!isCanonical(hi)) throw new CpuException(SS_FAULT, 0, 0, 0, 'non-canonical stack address');
    return this.read64(lo, hi);
  }
  writeStack64(lo: number, hi: number, vLo: number, vHi: number): void {
    if (!isCanonical(hi)) throw new CpuException(SS_FAULT, 0, 0, 0, 'non-canonical stack address');
    this.write64(lo, hi, vLo, vHi);
  }

  // Implicit supervisor accesses (IDT, GDT, TSS, exception frames): never cached, never user-mode.
  readSys(lo: number, hi: number, size: 1 | 2 | 4 | 8): number {
    return this.readSlow(lo, hi, size, true);
  }
  writeSys(lo: number, hi: number, size: 1 | 2 | 4 | 8, vLo: number, vHi = 0): void {
    this.writeSlow(lo, hi, size, vLo, vHi, true);
  }

  // ---- slow paths -------------------------------------------------------------------------------

  readSlow(lo: number, hi: number, size: number, implicit: boolean): number {
    const user = this.user && !implicit;
    const off = lo & 4095;
    if (off + size <= PAGE_SIZE) {
      const page = this.translate(lo, hi, ACCESS_READ, user, implicit, !implicit);
      if (page.device) return this.deviceRead(page, off, size, lo, hi);
      const v = page.view;
      switch (size) {
        case 1: return v.getUint8(off);
        case 2: return v.getUint16(off, true);
        case 4: return v.getInt32(off, true);
        default:
          this.hi32 = v.getInt32(off + 4, true);
          return v.getInt32(off, true);
      }
    }
    // Crossing a page boundary: translate both pages (faulting on either) and assemble bytes.
    const n1 = PAGE_SIZE - off;
    const p1 = this.translate(lo, hi, ACCESS_READ, user, implicit, false);
    const [lo2, hi2] = add32(lo, hi, n1);
    const p2 = this.translate(lo2, hi2, ACCESS_READ, user, implicit, false);
    const bytes = new Uint8Array(8);
    for (let k = 0; k < size; k++) {
      bytes[k] = k < n1 ? this.byteOf(p1, off + k, lo, hi) : this.byteOf(p2, k - n1, lo2, hi2);
    }
    const dv = new DataView(bytes.buffer);
    switch (size) {
      case 2: return dv.getUint16(0, true);
      case 4: return dv.getInt32(0, true);
      default:
        this.hi32 = dv.getInt32(4, true);
        return dv.getInt32(0, true);
    }
  }

  writeSlow(lo: number, hi: number, size: number, vLo: number, vHi: number, implicit: boolean): void {
    if (this.writeLog !== null) this.writeLog.push(lo, hi, size, vLo, vHi);
    const user = this.user && !implicit;
    const off = lo & 4095;
    if (off + size <= PAGE_SIZE) {
      const page = this.translate(lo, hi, ACCESS_WRITE, user, implicit, false);
      if (page.device) return this.deviceWrite(page, off, size, vLo, vHi);
      const w = this.mem.writable(this.lastPhysKey, page, off, size);
      const v = w.view;
      switch (size) {
        case 1: v.setUint8(off, vLo); break;
        case 2: v.setUint16(off, vLo, true); break;
        case 4: v.setInt32(off, vLo, true); break;
        default:
          v.setInt32(off, vLo, true);
          v.setInt32(off + 4, vHi, true);
      }
      if (!implicit) this.fillWrite(lo, hi, w);
      return;
    }
    const n1 = PAGE_SIZE - off;
    const p1 = this.translate(lo, hi, ACCESS_WRITE, user, implicit, false);
    const k1 = this.lastPhysKey;
    const [lo2, hi2] = add32(lo, hi, n1);
    const p2 = this.translate(lo2, hi2, ACCESS_WRITE, user, implicit, false);
    const k2 = this.lastPhysKey;
    const bytes = new Uint8Array(8);
    const dv = new DataView(bytes.buffer);
    dv.setInt32(0, vLo, true);
    dv.setInt32(4, vHi, true);
    for (let k = 0; k < size; k++) {
      if (k < n1) this.setByteOf(k1, p1, off + k, bytes[k]);
      else this.setByteOf(k2, p2, k - n1, bytes[k]);
    }
  }

  private byteOf(page: Page, off: number, lo: number, hi: number): number {
    return page.device ? this.deviceRead(page, off, 1, lo, hi) & 0xff : page.bytes[off];
  }

  private setByteOf(key: number, page: Page, off: number, b: number): void {
    if (page.device) this.deviceWrite(page, off, 1, b, 0);
    else this.mem.writable(key, page, off, 1).bytes[off] = b;
  }

  private deviceRead(page: Page, off: number, size: number, _lo: number, _hi: number): number {
    const d = page.device!;
    const v = BigInt.asUintN(64, d.device.read((this.lastPhysKey - d.firstPage) * PAGE_SIZE + off, size as 1 | 2 | 4 | 8));
    if (size === 8) this.hi32 = Number(v >> 32n) | 0;
    return size === 4 || size === 8 ? Number(v & 0xffffffffn) | 0 : Number(v & ((1n << BigInt(size * 8)) - 1n));
  }

  private deviceWrite(page: Page, off: number, size: number, vLo: number, vHi: number): void {
    const d = page.device!;
    const value = size === 8 ? (BigInt(vHi >>> 0) << 32n) | BigInt(vLo >>> 0) : BigInt(vLo >>> 0) & ((1n << BigInt(size * 8)) - 1n);
    d.device.write((this.lastPhysKey - d.firstPage) * PAGE_SIZE + off, size as 1 | 2 | 4 | 8, value);
  }

  private fillWrite(lo: number, hi: number, page: Page): void {
    if (page.frozen || page.codeOwners !== null || page.device || !this.lastWriteCacheable || this.writeLog !== null) return;
    const i = (lo >>> 12) & TLB_MASK;
    this.wTagLo[i] = lo & -4096;
    this.wTagHi[i] = hi;
    this.wView[i] = page.view;
  }

  /** Physical page key of the last translation. */
  lastPhysKey = 0;
  private lastWriteCacheable = false;

  /**
   * Translate for an access; faults if not allowed. With fillRead, a successful read translation is
   * entered into the read TLB of the current context.
   */
  translate(lo: number, hi: number, access: number, user: boolean, implicit: boolean, fillRead: boolean): Page {
    if (!isCanonical(hi)) throw new CpuException(GP, 0, lo, hi, `non-canonical address 0x${hex64(lo, hi)}`);
    let page: Page | undefined;
    let physKey: number;
    let perm: number;
    if (!this.paged) {
      physKey = pageKey(lo, hi);
      page = this.mem.get(physKey);
      if (page === undefined) throw this.pageFault(lo, hi, access, user, false, 'not mapped');
      perm = page.perm;
      if ((perm & PERM_W) !== 0) perm |= PERM_R;
    } else {
      const walk = this.walk(lo, hi, access, user);
      physKey = walk.key;
      perm = walk.perm;
      page = this.mem.get(physKey);
      if (page === undefined) throw new CpuException(MC, 0, lo, hi, `physical page 0x${(physKey * PAGE_SIZE).toString(16)} has no memory`);
    }
    this.checkPermission(lo, hi, access, user, implicit, perm);
    this.lastPhysKey = physKey;
    this.lastWriteCacheable = access === ACCESS_WRITE && ((perm & PERM_W) !== 0 || (!user && !this.wp));
    if (fillRead && page.device === null) {
      const i = (lo >>> 12) & TLB_MASK;
      this.rTagLo[i] = lo & -4096;
      this.rTagHi[i] = hi;
      this.rView[i] = page.view;
    }
    return page;
  }

  /** Translate for instruction fetch at the current privilege (for the decode cache). */
  translateFetch(lo: number, hi: number): FetchTranslation {
    const page = this.translate(lo, hi, ACCESS_EXEC, this.user, false, false);
    return { page, physKey: this.lastPhysKey, user: (this.lastPerm & PERM_U) !== 0 };
  }

  private lastPerm = 0;

  private checkPermission(lo: number, hi: number, access: number, user: boolean, implicit: boolean, perm: number): void {
    this.lastPerm = perm;
    const pageUser = (perm & PERM_U) !== 0;
    if (user && !pageUser) throw this.pageFault(lo, hi, access, user, true, 'supervisor page accessed from user mode');
    if (access === ACCESS_EXEC) {
      if ((perm & PERM_X) === 0) throw this.pageFault(lo, hi, access, user, true, 'page is not executable');
      if (!user && pageUser && this.smep) throw this.pageFault(lo, hi, access, user, true, 'SMEP: supervisor fetch from a user page');
      return;
    }
    if (access === ACCESS_WRITE && (perm & PERM_W) === 0 && (user || this.wp)) throw this.pageFault(lo, hi, access, user, true, 'write to a read-only page');
    if (access === ACCESS_READ && (perm & PERM_R) === 0) throw this.pageFault(lo, hi, access, user, true, 'page is not readable');
    if (!user && pageUser && this.smap && (implicit || !this.ac)) throw this.pageFault(lo, hi, access, user, true, 'SMAP: supervisor access to a user page');
  }

  private pageFault(lo: number, hi: number, access: number, user: boolean, present: boolean, detail: string, rsvd = false): CpuException {
    let code = 0;
    if (present) code |= PF_P;
    if (access === ACCESS_WRITE) code |= PF_W;
    if (user) code |= PF_U;
    if (rsvd) code |= PF_RSVD;
    if (access === ACCESS_EXEC && (this.nxe || this.smep)) code |= PF_I;
    return new CpuException(PF, code, lo, hi, detail);
  }

  /** 4-level page walk; sets accessed/dirty bits like hardware. */
  private walk(lo: number, hi: number, access: number, user: boolean): { key: number; perm: number } {
    let tableLo = this.cr3Lo & -4096;
    let tableHi = this.cr3Hi & 0xfffff;
    let rw = true;
    let us = true;
    let nx = false;
    const indices = [(hi >>> 7) & 0x1ff, ((hi & 0x7f) << 2) | (lo >>> 30), (lo >>> 21) & 0x1ff, (lo >>> 12) & 0x1ff];
    for (let level = 0; level < 4; level++) {
      const entryKey = pageKey(tableLo, tableHi);
      const table = this.mem.get(entryKey);
      if (table === undefined || table.device) throw new CpuException(MC, 0, lo, hi, `page table at physical 0x${hex64(tableLo, tableHi)} has no memory`);
      const off = indices[level] * 8;
      let eLo = table.view.getInt32(off, true);
      const eHi = table.view.getInt32(off + 4, true);
      if ((eLo & 1) === 0) throw this.pageFault(lo, hi, access, user, false, `not present (level ${4 - level})`);
      if (eHi < 0 && !this.nxe) throw this.pageFault(lo, hi, access, user, true, 'NX bit set while EFER.NXE = 0', true);
      rw &&= (eLo & 2) !== 0;
      us &&= (eLo & 4) !== 0;
      nx ||= eHi < 0;
      const large = level > 0 && level < 3 && (eLo & 0x80) !== 0;
      if (level === 0 && (eLo & 0x80) !== 0) throw this.pageFault(lo, hi, access, user, true, 'PS bit set in a PML4 entry', true);
      const leaf = level === 3 || large;
      const want = 0x20 | (leaf && access === ACCESS_WRITE ? 0x40 : 0);
      if ((eLo & want) !== want) {
        eLo |= want;
        this.mem.writable(entryKey, table, off, 4).view.setInt32(off, eLo, true);
      }
      const baseLo = eLo & -4096;
      const baseHi = eHi & 0xfffff;
      if (leaf) {
        let key: number;
        if (level === 3) key = pageKey(baseLo, baseHi);
        else if (level === 2) key = pageKey(baseLo & -0x200000, baseHi) + ((lo >>> 12) & 0x1ff);
        else key = pageKey(baseLo & -0x40000000, baseHi) + ((lo >>> 12) & 0x3ffff);
        return { key, perm: PERM_R | (rw ? PERM_W : 0) | (us ? PERM_U : 0) | (nx ? 0 : PERM_X) };
      }
      tableLo = baseLo;
      tableHi = baseHi;
    }
    throw new CpuException(MC, 0, lo, hi, 'page walk did not end');
  }
}

/** (lo, hi) + n for small non-negative n. */
export function add32(lo: number, hi: number, n: number): [number, number] {
  const s = (lo >>> 0) + n;
  return [s | 0, s > 0xffffffff ? (hi + 1) | 0 : hi];
}

export function hex64(lo: number, hi: number): string {
  return ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16);
}

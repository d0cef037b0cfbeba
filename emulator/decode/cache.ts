// The decode cache: one CodePage of records per 4 KiB of code and code size (64-bit or
// compatibility mode), filled lazily with iced-x86, dropped when the bytes under it change.
import { Code, Decoder, DecoderError, DecoderOptions, Instruction } from 'iced-x86';
import type { Cpu } from '../cpu/state.js';
import { CpuException, UD } from '../cpu/fault.js';
import { PAGE_SIZE, type CodeOwner, type Page, pageKey } from '../memory/physical.js';
import { add32 } from '../memory/mmu.js';
import { undefinedOpcode } from '../exec/system.js';
import { bindInstruction } from './dispatch.js';
import { F_BREAK, F_DEAD, F_HOOK, type CodePageRef, type Rec, newRec } from './record.js';

const MAX_INSN = 15;

export class CodePage implements CodeOwner, CodePageRef {
  dead = false;
  readonly recs: (Rec | null)[] = new Array<Rec | null>(PAGE_SIZE).fill(null);
  private decoder: Decoder | null = null;
  /** page.version when the decoder copied the page's bytes (iced-x86 keeps its own copy). */
  private decoderVersion = -1;
  /** Pages holding the tail of instructions that cross into the next page. */
  private nextPage: Page | null = null;

  constructor(
    private readonly cache: DecodeCache,
    readonly key: number,
    readonly bitness: 64 | 32,
    readonly baseLo: number,
    readonly baseHi: number,
    readonly page: Page,
    /** The mapping is user-accessible. */
    readonly user: boolean,
  ) {}

  invalidate(): void {
    if (this.dead) return;
    this.dead = true;
    for (const r of this.recs) if (r !== null) r.flags |= F_DEAD;
    this.decoder?.free();
    this.decoder = null;
    this.cache.forget(this);
  }

  bytesAt(offset: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const o = offset + i;
      out[i] = o < PAGE_SIZE ? this.page.bytes[o] : this.nextPage ? this.nextPage.bytes[o - PAGE_SIZE] : 0;
    }
    return out;
  }

  /** Decode the instruction at offset; the caller has checked fetch permission for this page. */
  decodeAt(c: Cpu, offset: number, ins: Instruction): Rec {
    const ipLo = (this.baseLo + offset) | 0;
    const ipHi = this.baseHi;
    const ip = (BigInt(ipHi >>> 0) << 32n) | BigInt(ipLo >>> 0);
    let decoder: Decoder;
    let temp = false;
    let nextAvailable = true;
    if (offset <= PAGE_SIZE - MAX_INSN) {
      // Bytes outside the decoded instructions may have changed since the decoder copied them.
      if (this.decoder !== null && this.decoderVersion !== this.page.version) {
        this.decoder.free();
        this.decoder = null;
      }
      if (this.decoder === null) {
        this.decoder = new Decoder(this.bitness, this.page.bytes, DecoderOptions.None);
        this.decoderVersion = this.page.version;
      }
      decoder = this.decoder;
      decoder.position = offset;
    } else {
      // Near the end of the page: append the next page's first bytes if it can be fetched.
      const tail = this.page.bytes.subarray(offset);
      const [nLo, nHi] = add32(this.baseLo, this.baseHi, PAGE_SIZE);
      let next: Page | null = null;
      try {
        next = c.mmu.translateFetch(nLo, nHi).page;
      } catch (e) {
        if (!(e instanceof CpuException)) throw e;
        nextAvailable = false;
      }
      const buf = new Uint8Array(MAX_INSN);
      buf.set(tail);
      if (next) buf.set(next.bytes.subarray(0, MAX_INSN - tail.length), tail.length);
      decoder = new Decoder(this.bitness, next ? buf : buf.subarray(0, tail.length), DecoderOptions.None);
      temp = true;
      if (next) this.nextPage = next;
    }
    decoder.ip = ip;
    decoder.decodeOut(ins);
    const error = decoder.lastError;
    if (temp) decoder.free();
    if (ins.code === Code.INVALID && error === DecoderError.NoMoreBytes && !nextAvailable) {
      // The instruction continues on a page that cannot be fetched: that fetch faults.
      const [nLo, nHi] = add32(this.baseLo, this.baseHi, PAGE_SIZE);
      c.mmu.translateFetch(nLo, nHi);
    }
    const len = ins.code === Code.INVALID ? 1 : ins.length;
    const r = newRec(undefinedOpcode);
    r.page = this;
    r.ipLo = ipLo;
    r.ipHi = ipHi;
    r.len = len;
    const [nl, nh] = add32(ipLo, ipHi, len);
    r.nextLo = nl;
    r.nextHi = this.bitness === 32 ? 0 : nh;
    if (ins.code !== Code.INVALID && !bindInstruction(r, ins, { bitness: this.bitness, cpuid: c.cpuid })) {
      r.exec = undefinedOpcode;
      r.op = 0;
    } else if (ins.code === Code.INVALID) r.exec = undefinedOpcode;
    r.flags |= this.cache.addressFlags(ipLo, ipHi);
    this.recs[offset] = r;
    this.page.addCodeOwner(this, offset, Math.min(PAGE_SIZE, offset + len));
    if (offset + len > PAGE_SIZE && this.nextPage) this.nextPage.addCodeOwner(this, 0, offset + len - PAGE_SIZE);
    return r;
  }
}

export class DecodeCache {
  private readonly pages64 = new Map<number, CodePage>();
  private readonly pages32 = new Map<number, CodePage>();
  /** Hook and breakpoint flags by address (as `${hi}:${lo}` keys of unsigned halves). */
  private readonly marks = new Map<string, number>();
  private readonly ins = new Instruction();
  decodes = 0;
  lookups = 0;

  /** The record for the instruction at (lo, hi) in the CPU's current code size; faults like a fetch. */
  lookup(c: Cpu, lo: number, hi: number): Rec {
    this.lookups++;
    const key = pageKey(lo, hi);
    const map = c.code64 ? this.pages64 : this.pages32;
    let cp = map.get(key);
    if (cp === undefined) {
      if (!c.code64 && hi !== 0) throw new CpuException(UD, 0, 0, 0, 'compatibility-mode RIP above 4 GiB');
      const t = c.mmu.translateFetch(lo & -4096, hi);
      cp = new CodePage(this, key, c.code64 ? 64 : 32, lo & -4096, hi, t.page, t.user);
      map.set(key, cp);
    } else if (c.cpl === 3 ? !cp.user : cp.user && c.mmu.smep) {
      c.mmu.translateFetch(lo, hi); // raises the #PF a fetch would
    }
    const off = lo & (PAGE_SIZE - 1);
    const r = cp.recs[off];
    if (r !== null) return r;
    this.decodes++;
    return cp.decodeAt(c, off, this.ins);
  }

  forget(cp: CodePage): void {
    const map = cp.bitness === 64 ? this.pages64 : this.pages32;
    if (map.get(cp.key) === cp) map.delete(cp.key);
  }

  /** Drop everything (translation changed: CR3, CR0/CR4, paging mode). */
  flush(): void {
    for (const cp of [...this.pages64.values(), ...this.pages32.values()]) cp.invalidate();
  }

  addressFlags(lo: number, hi: number): number {
    return this.marks.get(`${hi >>> 0}:${lo >>> 0}`) ?? 0;
  }

  /** Set or clear hook/breakpoint flag bits at an address, including already decoded records. */
  mark(lo: number, hi: number, bits: number, on: boolean): void {
    const k = `${hi >>> 0}:${lo >>> 0}`;
    const v = ((this.marks.get(k) ?? 0) & ~bits) | (on ? bits : 0);
    if (v === 0) this.marks.delete(k);
    else this.marks.set(k, v);
    for (const map of [this.pages64, this.pages32]) {
      const cp = map.get(pageKey(lo, hi));
      const r = cp?.recs[lo & (PAGE_SIZE - 1)];
      if (r) r.flags = (r.flags & ~(F_HOOK | F_BREAK)) | v;
    }
  }

  get pageCount(): number {
    return this.pages64.size + this.pages32.size;
  }
}

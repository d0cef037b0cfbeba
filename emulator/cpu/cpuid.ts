// The CPUID model a machine answers with. Callers choose the vendor and feature bits; the vendor
// also selects vendor-specific behaviour (SYSCALL in compatibility mode, SYSENTER in long mode,
// SYSRET to a non-canonical RIP).
import { BadValue } from '../errors.js';

export type CpuVendor = 'intel' | 'amd';
export type CpuidRegisters = [eax: number, ebx: number, ecx: number, edx: number];

type Reg = 'eax' | 'ebx' | 'ecx' | 'edx';

/** Named feature bits the emulator knows (and, unless noted, implements). */
export const CPUID_FEATURES: Record<string, { leaf: number; subleaf: number; reg: Reg; bit: number }> = {
  tsc: { leaf: 1, subleaf: 0, reg: 'edx', bit: 4 },
  msr: { leaf: 1, subleaf: 0, reg: 'edx', bit: 5 },
  pae: { leaf: 1, subleaf: 0, reg: 'edx', bit: 6 },
  cx8: { leaf: 1, subleaf: 0, reg: 'edx', bit: 8 },
  sep: { leaf: 1, subleaf: 0, reg: 'edx', bit: 11 },
  pge: { leaf: 1, subleaf: 0, reg: 'edx', bit: 13 },
  cmov: { leaf: 1, subleaf: 0, reg: 'edx', bit: 15 },
  pat: { leaf: 1, subleaf: 0, reg: 'edx', bit: 16 },
  clflush: { leaf: 1, subleaf: 0, reg: 'edx', bit: 19 },
  fxsr: { leaf: 1, subleaf: 0, reg: 'edx', bit: 24 },
  sse: { leaf: 1, subleaf: 0, reg: 'edx', bit: 25 },
  sse2: { leaf: 1, subleaf: 0, reg: 'edx', bit: 26 },
  cx16: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 13 },
  movbe: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 22 },
  popcnt: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 23 },
  xsave: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 26 },
  osxsave: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 27 },
  hypervisor: { leaf: 1, subleaf: 0, reg: 'ecx', bit: 31 },
  fsgsbase: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 0 },
  bmi1: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 3 },
  smep: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 7 },
  bmi2: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 8 },
  erms: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 9 },
  smap: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 20 },
  clflushopt: { leaf: 7, subleaf: 0, reg: 'ebx', bit: 23 },
  umip: { leaf: 7, subleaf: 0, reg: 'ecx', bit: 2 },
  rdpid: { leaf: 7, subleaf: 0, reg: 'ecx', bit: 22 },
  fsrm: { leaf: 7, subleaf: 0, reg: 'edx', bit: 4 },
  lahf_lm: { leaf: 0x80000001, subleaf: 0, reg: 'ecx', bit: 0 },
  abm: { leaf: 0x80000001, subleaf: 0, reg: 'ecx', bit: 5 },
  syscall: { leaf: 0x80000001, subleaf: 0, reg: 'edx', bit: 11 },
  nx: { leaf: 0x80000001, subleaf: 0, reg: 'edx', bit: 20 },
  pdpe1gb: { leaf: 0x80000001, subleaf: 0, reg: 'edx', bit: 26 },
  rdtscp: { leaf: 0x80000001, subleaf: 0, reg: 'edx', bit: 27 },
  lm: { leaf: 0x80000001, subleaf: 0, reg: 'edx', bit: 29 },
};

export type CpuidFeature = keyof typeof CPUID_FEATURES;

/** Advertised by default. RDTSCP and RDPID are implemented but off, so kernels take their plain paths. */
export const DEFAULT_FEATURES = [
  'tsc', 'msr', 'pae', 'cx8', 'sep', 'pge', 'cmov', 'pat', 'clflush', 'fxsr', 'cx16', 'movbe', 'popcnt',
  'fsgsbase', 'bmi1', 'smep', 'bmi2', 'erms', 'smap', 'umip', 'lahf_lm', 'abm', 'syscall', 'nx', 'pdpe1gb', 'lm',
];

const REG_INDEX: Record<Reg, number> = { eax: 0, ebx: 1, ecx: 2, edx: 3 };

function vendorRegs(vendor: CpuVendor): [number, number, number] {
  const s = vendor === 'intel' ? 'GenuineIntel' : 'AuthenticAMD';
  const b = Buffer.from(s, 'latin1');
  return [b.readUInt32LE(0), b.readUInt32LE(8), b.readUInt32LE(4)]; // ebx, ecx, edx
}

function key(leaf: number, subleaf: number): string {
  return `${leaf >>> 0}:${subleaf >>> 0}`;
}

export interface CpuidOptions {
  vendor?: CpuVendor;
  /** Features to advertise instead of the default set. */
  features?: string[];
}

export class CpuidModel {
  vendor: CpuVendor;
  private readonly leaves = new Map<string, CpuidRegisters>();
  /** Leaves whose answer does not depend on ECX. */
  private readonly flatLeaves = new Set<number>([0, 1, 0x80000000, 0x80000001, 0x80000002, 0x80000003, 0x80000004, 0x80000008]);

  constructor(options: CpuidOptions = {}) {
    this.vendor = options.vendor ?? 'intel';
    const [vb, vc, vd] = vendorRegs(this.vendor);
    this.leaves.set(key(0, 0), [0x16, vb, vc, vd]);
    // family 6 model 0x8f (Sapphire Rapids-like) for Intel, family 0x19 for AMD; one logical CPU.
    const sig = this.vendor === 'intel' ? 0x000806f8 : 0x00a00f11;
    this.leaves.set(key(1, 0), [sig, (1 << 16) | (8 << 8), 0, 0]);
    this.leaves.set(key(7, 0), [0, 0, 0, 0]);
    this.leaves.set(key(0x80000000, 0), [0x80000008, vb, vc, vd]);
    this.leaves.set(key(0x80000001, 0), [0, 0, 0, 0]);
    const brand = Buffer.alloc(48);
    brand.write('Entrybench x86-64 emulator', 'latin1');
    for (let i = 0; i < 3; i++) {
      this.leaves.set(key(0x80000002 + i, 0), [brand.readUInt32LE(i * 16), brand.readUInt32LE(i * 16 + 4), brand.readUInt32LE(i * 16 + 8), brand.readUInt32LE(i * 16 + 12)]);
    }
    this.leaves.set(key(0x80000008, 0), [0x302e, 0, 0, 0]);
    for (const f of options.features ?? DEFAULT_FEATURES) this.setFeature(f, true);
  }

  /** Switch vendor: the vendor strings change, and so do the vendor-specific instruction rules. */
  setVendor(vendor: CpuVendor): void {
    this.vendor = vendor;
    const [vb, vc, vd] = vendorRegs(vendor);
    for (const leaf of [0, 0x80000000]) {
      const r = this.leaves.get(key(leaf, 0))!;
      this.leaves.set(key(leaf, 0), [r[0], vb, vc, vd]);
    }
  }

  /** Answer CPUID(leaf, subleaf). Unknown leaves answer zeros. */
  query(leaf: number, subleaf: number): CpuidRegisters {
    const l = leaf >>> 0;
    const r = this.leaves.get(key(l, this.flatLeaves.has(l) ? 0 : subleaf)) ?? [0, 0, 0, 0];
    return [r[0], r[1], r[2], r[3]];
  }

  /** Set the whole answer of a leaf (subleaf undefined: the answer for every ECX). */
  set(leaf: number, subleaf: number | undefined, regs: CpuidRegisters): void {
    if (subleaf === undefined) this.flatLeaves.add(leaf >>> 0);
    this.leaves.set(key(leaf, subleaf ?? 0), [regs[0] | 0, regs[1] | 0, regs[2] | 0, regs[3] | 0]);
  }

  has(feature: string): boolean {
    const f = CPUID_FEATURES[feature];
    if (!f) return false;
    return ((this.query(f.leaf, f.subleaf)[REG_INDEX[f.reg]] >>> f.bit) & 1) === 1;
  }

  setFeature(feature: string, on: boolean): void {
    const f = CPUID_FEATURES[feature];
    if (!f) throw new BadValue(`Unknown CPUID feature "${feature}".`, `Use one of: ${Object.keys(CPUID_FEATURES).join(', ')}; or set the leaf with cpuid.set().`);
    const k = key(f.leaf, f.subleaf);
    const regs = this.leaves.get(k) ?? [0, 0, 0, 0];
    const i = REG_INDEX[f.reg];
    regs[i] = on ? regs[i] | (1 << f.bit) : regs[i] & ~(1 << f.bit);
    this.leaves.set(k, regs);
  }
}

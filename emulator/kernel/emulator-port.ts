// MachinePort on the emulator core's Machine (emulator/machine.ts): the only file of the harness that
// knows the core's API.
import { Machine, type StopInfo } from '../machine.js';
import { disassembleOne } from '../trace/disasm.js';
import type { DataSegName, DeliveryEvent, GprName, HookAction, MachinePort, PagePerm, RegName, RegisterState, RunOptions, RunResult, TraceStep } from './machine-port.js';
import { GPRS } from './machine-port.js';

const hexBytes = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

export class EmulatorPort implements MachinePort {
  readonly machine: Machine;
  private runStart = 0;

  constructor(
    readonly vendor: 'intel' | 'amd',
    symbolize?: (address: bigint) => string | null,
  ) {
    // lenientMsrs: the kernel writes MSRs (speculation controls, APIC) the emulator does not model.
    this.machine = new Machine({ cpuid: { vendor }, lenientMsrs: true });
    if (symbolize) this.machine.symbolizer = (a: bigint) => symbolize(a) ?? undefined;
  }

  map(address: bigint, size: number, perm: PagePerm): void {
    this.machine.memory.map(address, size, `r${perm.write ? 'w' : ''}${perm.exec ? 'x' : ''}${perm.user ? 'u' : ''}`);
  }
  protect(address: bigint, size: number, perm: PagePerm): void {
    this.machine.memory.protect(address, size, `r${perm.write ? 'w' : ''}${perm.exec ? 'x' : ''}${perm.user ? 'u' : ''}`);
  }
  isMapped(address: bigint): boolean {
    return this.machine.memory.isMapped(address);
  }
  read(address: bigint, length: number): Uint8Array {
    return this.machine.memory.read(address, length);
  }
  write(address: bigint, bytes: Uint8Array): void {
    this.machine.memory.write(address, bytes);
  }

  get(reg: RegName): bigint {
    return this.machine.get(reg);
  }
  set(reg: RegName, value: bigint): void {
    this.machine.set(reg, value);
  }
  setMsr(index: number, value: bigint): void {
    this.machine.setMsr(index, value);
  }
  getMsr(index: number): bigint {
    return this.machine.getMsr(index);
  }
  loadCodeSegment(selector: number): void {
    this.machine.loadCodeSegment(selector);
  }
  loadDataSegment(seg: DataSegName, selector: number): void {
    this.machine.loadSegment(seg, selector);
  }
  setGdtr(base: bigint, limit: number): void {
    this.machine.setTable('gdtr', { base, limit });
  }
  setIdtr(base: bigint, limit: number): void {
    this.machine.setTable('idtr', { base, limit });
  }
  loadTr(selector: number): void {
    const gdt = this.machine.getTable('gdtr');
    const at = gdt.base + BigInt(selector & ~7);
    const lo = this.machine.memory.readU64(at);
    const hi = this.machine.memory.readU64(at + 8n);
    const base = ((lo >> 16n) & 0xffffffn) | (((lo >> 56n) & 0xffn) << 24n) | ((hi & 0xffffffffn) << 32n);
    const limit = Number((lo & 0xffffn) | (((lo >> 48n) & 0xfn) << 16n));
    // LTR marks the descriptor busy (type 9 -> 0xb).
    this.machine.memory.writeU64(at, lo | (2n << 40n));
    this.machine.setSegment('tr', { selector, base, limit, type: 0xb, s: false, dpl: 0, present: true, long: false, db: false, granularity: false });
  }
  setPortIn(fn: (port: number, size: 1 | 2 | 4) => number): void {
    this.machine.onPortIn = fn;
  }
  nmiBlocked(): boolean {
    return this.machine.cpu.nmiBlocked;
  }
  clearPendingEvents(): void {
    this.machine.clearPendingEvents();
  }
  pendingEvents(): number {
    const p = this.machine.pendingEvents;
    return (p.nmi ? 1 : 0) + p.interrupts.length + p.scheduled.length;
  }

  registers(): RegisterState {
    const m = this.machine;
    const gpr = {} as Record<GprName, bigint>;
    for (const r of GPRS) gpr[r] = m.get(r);
    const sel = (s: 'cs' | 'ss' | 'ds' | 'es' | 'fs' | 'gs') => m.getSegment(s).selector;
    return {
      gpr,
      rip: m.get('rip'),
      rflags: m.get('rflags'),
      cs: sel('cs'), ss: sel('ss'), ds: sel('ds'), es: sel('es'), fs: sel('fs'), gs: sel('gs'),
      fsBase: m.get('fs_base'),
      gsBase: m.get('gs_base'),
      kernelGsBase: m.get('kernel_gs_base'),
      cr0: m.get('cr0'), cr2: m.get('cr2'), cr3: m.get('cr3'), cr4: m.get('cr4'),
      cpl: m.cpl,
      compat: !m.cpu.code64,
    };
  }

  addHook(address: bigint, fn: () => HookAction): () => void {
    const h = this.machine.addHook(address, () => fn());
    return () => h.remove();
  }

  run(opts: RunOptions): RunResult {
    this.runStart = this.machine.instructions;
    const info: StopInfo = this.machine.run({
      maxInstructions: opts.maxSteps,
      stopAtCpl: opts.stopAtUserMode ? 3 : undefined,
      interrupts: opts.inject.map((i) => (i.kind === 'nmi' ? { before: i.beforeStep, nmi: true } : { before: i.beforeStep, vector: i.vector })),
    });
    const events: DeliveryEvent[] = info.events.map((e) => ({ vector: e.vector, kind: e.kind, errorCode: e.errorCode ?? null, cpl: e.cpl, rip: e.rip, step: e.at - this.runStart, address: e.cr2 ?? null }));
    const stop: RunResult['stop'] = (() => {
      switch (info.reason) {
        case 'cpl':
          return { kind: 'user-mode' as const, via: info.via?.instruction.split(/\s+/)[0] ?? 'unknown', at: info.via?.address ?? 0n };
        case 'hook':
        case 'breakpoint':
          return { kind: 'hook' as const };
        case 'limit':
          return { kind: 'step-limit' as const };
        case 'triple-fault':
          return { kind: 'triple-fault' as const, detail: info.message };
        case 'hlt':
          return { kind: 'halt' as const };
        case 'exception':
          return { kind: 'exception' as const, detail: info.message };
        default:
          return { kind: 'internal-error' as const, detail: info.message };
      }
    })();
    return { stop, steps: info.instructions, events };
  }

  snapshot(): unknown {
    return this.machine.snapshot();
  }
  restore(snapshot: unknown): void {
    this.machine.restore(snapshot as ReturnType<Machine['snapshot']>);
  }

  setTrace(depth: number): void {
    if (depth > 0) this.machine.enableTrace(depth);
    else this.machine.disableTrace();
  }
  trace(): TraceStep[] {
    return this.machine.traceSteps().map((s) => {
      if (s.kind === 'event') return { rip: s.address, bytes: '', text: s.event ?? 'event', cpl: s.cpl, event: true, writes: [] };
      const d = disassembleOne(s.bytes, s.address, s.bitness, this.machine.symbolizer);
      return { rip: s.address, bytes: hexBytes(s.bytes), text: d.text, cpl: s.cpl, event: false, writes: s.writes.map((w) => ({ address: w.address, size: w.size })) };
    });
  }

  /** Instructions retired since the current run started (for hooks that record run-relative steps). */
  stepsIntoRun(): number {
    return this.machine.instructions - this.runStart;
  }
}

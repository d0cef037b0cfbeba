// Machine setup, as the kernel's boot and cpu_init() would leave it for the boot CPU, and nothing more:
// the image at its link addresses, runtime constants, per-CPU data behind GS, current task, TSS
// (sp0 = entry stack, IST stacks), GDT with the TSS, IDT from the kernel's own idt_data tables,
// syscall/sysenter MSRs; then per scenario the task's state and the user program.
//
// Deliberately not applied: alternatives, static-call and paravirt patching. Every ALTERNATIVE site
// runs its original instruction (vmlinux's link-time text), static calls go through their trampolines'
// initial targets, and boot_cpu_data is left with no feature bits, so static_cpu_has() tests take the
// dynamic "feature absent" path except for features x86_64 requires at compile time (FPU, FXSR, ...).
// Runtime constants (USER_PTR_MAX) are applied: the kernel patches them unconditionally at boot and the
// placeholder would make access_ok() wrong.
import { PF_W, PF_X, PT_LOAD, SHF_ALLOC, SHF_WRITE } from './elf.js';
import { ProfileMismatch } from './errors.js';
import type { KernelFacts } from './facts.js';
import { GPRS, type GprName, type MachinePort } from './machine-port.js';
import type { TaskSetup, UserProgram } from './scenario.js';
import { resolveValue, type ValueContext } from './facts.js';
import { bytesAt } from './elf.js';
import { disassembleOne } from '../trace/disasm.js';

/** What the setup deliberately does and does not do to the image, for reports. */
export const SETUP_NOTES = [
  'vmlinux is loaded at its link addresses (flat memory, no page tables); .rodata is read-only after the boot-time init calls, as after mark_rodata_ro().',
  'Alternatives, static calls and paravirt sites are not patched: every ALTERNATIVE runs its original instruction and boot_cpu_data has no feature bits beyond those x86_64 requires at compile time.',
  'Runtime constants (USER_PTR_MAX) are patched, as boot always does.',
  'Per-CPU data is the image\'s boot copy behind GS (this_cpu_off = __per_cpu_load); TSS sp0 is the entry stack, IST entries are the exception stacks, the IDT comes from the kernel\'s own idt_data tables.',
  'Boot-time fpu__init_system() runs in the emulator so signal frames have an FPU layout; port 0x61 (NMI reason) reads 0.',
];

const START_KERNEL_MAP = 0xffffffff80000000n;
const PAGE = 4096n;

export const MSR = {
  EFER: 0xc0000080, STAR: 0xc0000081, LSTAR: 0xc0000082, CSTAR: 0xc0000083, FMASK: 0xc0000084,
  FS_BASE: 0xc0000100, GS_BASE: 0xc0000101, KERNEL_GS_BASE: 0xc0000102,
  SYSENTER_CS: 0x174, SYSENTER_ESP: 0x175, SYSENTER_EIP: 0x176,
};

/** RFLAGS bits idt_syscall_init() puts in MSR_SYSCALL_MASK (CF PF AF ZF SF TF IF DF OF IOPL NT RF AC ID). */
export const SYSCALL_MASK = 0x1n | 0x4n | 0x10n | 0x40n | 0x80n | 0x100n | 0x200n | 0x400n | 0x800n | 0x3000n | 0x4000n | 0x10000n | 0x40000n | 0x200000n;

/** Harness-owned kernel memory (audit context, mm_struct): a region no kernel symbol uses. */
const KERNEL_HEAP = 0xffffc90000000000n;
const KERNEL_HEAP_SIZE = 64 * 1024;

export interface BootLayout {
  percpuBase: bigint;
  /** Top of the task's kernel stack (pcpu_hot.top_of_stack); pt_regs sit right below it. */
  initStackTop: bigint;
  hot: bigint | null;
  tss: bigint;
  gdt: bigint;
  idt: bigint;
  entryStackTop: bigint;
  istTops: bigint[];
  irqStackPtr: bigint | null;
  task: bigint;
  /** Values setup wrote that must be the same after a scenario (kernel-state-restored). */
  expectAfter: { address: bigint; size: 1 | 4 | 8; value: bigint; what: string }[];
  heapNext: bigint;
}

export function readU(port: MachinePort, address: bigint, size: 1 | 2 | 4 | 8): bigint {
  const b = port.read(address, size);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

export function writeU(port: MachinePort, address: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
  const b = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  port.write(address, b);
}

function pageDown(a: bigint): bigint {
  return a & ~(PAGE - 1n);
}
function pageUp(a: bigint): bigint {
  return (a + PAGE - 1n) & ~(PAGE - 1n);
}

/** Map every PT_LOAD segment at __START_KERNEL_map + its physical address and copy its bytes. */
export function loadImage(port: MachinePort, facts: KernelFacts): void {
  const elf = facts.image.elf;
  const perms = new Map<bigint, { write: boolean; exec: boolean }>();
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || seg.memsz === 0) continue;
    const va = START_KERNEL_MAP + seg.paddr;
    for (let p = pageDown(va); p < pageUp(va + BigInt(seg.memsz)); p += PAGE) {
      const prev = perms.get(p);
      perms.set(p, { write: (prev?.write ?? false) || (seg.flags & PF_W) !== 0, exec: (prev?.exec ?? false) || (seg.flags & PF_X) !== 0 });
    }
  }
  // Sections marked writable are writable during boot even inside a read-only segment: .rodata holds
  // __ro_after_init data that init code writes before mark_rodata_ro() (see markRodataRo()).
  for (const sec of elf.sections) {
    if (!(sec.flags & SHF_ALLOC) || !(sec.flags & SHF_WRITE) || sec.size === 0 || sec.addr < START_KERNEL_MAP) continue;
    for (let p = pageDown(sec.addr); p < pageUp(sec.addr + BigInt(sec.size)); p += PAGE) {
      const prev = perms.get(p);
      if (prev) perms.set(p, { write: true, exec: prev.exec });
    }
  }
  // Map runs of pages with equal permissions in one call.
  const pages = [...perms.keys()].sort((a, b) => (a < b ? -1 : 1));
  for (let i = 0; i < pages.length; ) {
    const start = pages[i];
    const perm = perms.get(start) as { write: boolean; exec: boolean };
    let j = i + 1;
    while (j < pages.length && pages[j] === pages[j - 1] + PAGE && perms.get(pages[j])?.write === perm.write && perms.get(pages[j])?.exec === perm.exec) j++;
    port.map(start, Number(pages[j - 1] + PAGE - start), { write: perm.write, exec: perm.exec, user: false });
    i = j;
  }
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || seg.filesz === 0) continue;
    port.write(START_KERNEL_MAP + seg.paddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
  }
  applyRuntimeConstants(port, facts);
}

/** mark_rodata_ro(): once init is done, [__start_rodata, __end_rodata) is read-only and not executable. */
export function markRodataRo(port: MachinePort, facts: KernelFacts): void {
  const start = facts.image.symbols.find('__start_rodata');
  const end = facts.image.symbols.find('__end_rodata');
  if (!start || !end || end.address <= start.address) return;
  port.protect(pageDown(start.address), Number(pageUp(end.address) - pageDown(start.address)), { write: false, exec: false, user: false });
}

const RUNTIME_CONST_PLACEHOLDER = 0x0123456789abcdefn;

function applyRuntimeConstants(port: MachinePort, facts: KernelFacts): void {
  const elf = facts.image.elf;
  for (const rc of facts.profile.runtimeConstants) {
    const section = elf.sections.find((s) => s.name === rc.section);
    if (!section) continue;
    const value = facts.value(rc.valueOf, `the runtime constant ${rc.variable}`);
    const bytes = bytesAt(elf, section.addr, section.size);
    if (!bytes) continue;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o + 4 <= section.size; o += 4) {
      const where = BigInt.asUintN(64, section.addr + BigInt(o) + BigInt(dv.getInt32(o, true)));
      if (rc.kind === 'ptr') {
        const current = readU(port, where, 8);
        if (current !== RUNTIME_CONST_PLACEHOLDER) {
          throw new ProfileMismatch(`The runtime constant site at ${facts.image.symbols.format(where)} does not hold the placeholder.`, 'This kernel patches runtime constants differently; the profile needs updating.');
        }
        writeU(port, where, 8, value);
      } else writeU(port, where, 1, value);
    }
    const variable = facts.image.symbols.find(rc.variable);
    if (variable) writeU(port, variable.address, 8, value);
  }
}

/** The boot CPU's state after cpu_init(): per-CPU area, TSS, GDT, IDT, MSRs, control registers. */
export function bootCpu(port: MachinePort, facts: KernelFacts): BootLayout {
  const { profile } = facts;
  const syms = facts.image.symbols;
  const percpuBase = facts.symbol(profile.percpuLoad, 'the boot CPU per-CPU area');
  const pc = (name: string, why: string) => percpuBase + facts.percpu(name, why);
  const expectAfter: BootLayout['expectAfter'] = [];

  // this_cpu_off is what this_cpu_ptr() adds: the per-CPU area's own address (BOOT_PERCPU_OFFSET).
  if (profile.percpu.thisCpuOff) writeU(port, pc(profile.percpu.thisCpuOff, 'this_cpu_ptr()'), 8, percpuBase);

  // boot_cpu_init(): CPU 0 is possible, present, online and active (exc_nmi() ignores offline CPUs).
  for (const mask of profile.cpuMasks) {
    const sym = syms.find(mask);
    if (sym) writeU(port, sym.address, 1, readU(port, sym.address, 1) | 1n);
  }
  const task = facts.symbol(profile.task, 'the current task');
  const initStack = facts.symbol(profile.initStack, 'the task stack');
  // TOP_OF_INIT_STACK as the kernel computed it: the static value of pcpu_hot.top_of_stack.
  let initStackTop = initStack + facts.value('THREAD_SIZE', 'the task stack size');
  let hot: bigint | null = null;
  let irqStackPtr: bigint | null = null;
  if (profile.percpu.hot) {
    hot = pc(profile.percpu.hot, 'current and top_of_stack');
    const off = (name: string) => facts.image.offset(name);
    const currentOff = BigInt(off('X86_current_task') ?? 0);
    const topOff = BigInt(off('X86_top_of_stack') ?? facts.num('X86_top_of_stack', 'pcpu_hot.top_of_stack'));
    const staticTop = readU(port, hot + topOff, 8);
    if (staticTop > initStack && staticTop <= initStackTop) initStackTop = staticTop;
    writeU(port, hot + currentOff, 8, task);
    writeU(port, hot + topOff, 8, initStackTop);
    expectAfter.push({ address: hot + currentOff, size: 8, value: task, what: 'pcpu_hot.current_task' });
    expectAfter.push({ address: hot + topOff, size: 8, value: initStackTop, what: 'pcpu_hot.top_of_stack' });
    // A task running user code has preemption enabled (and x86's inverted NEED_RESCHED bit set).
    const preempt = facts.maybe('X86_preempt_count');
    const enabled = facts.maybe('PREEMPT_ENABLED');
    if (preempt !== undefined && enabled !== undefined) {
      writeU(port, hot + preempt, 4, enabled);
      expectAfter.push({ address: hot + preempt, size: 4, value: BigInt.asUintN(32, enabled), what: 'pcpu_hot.preempt_count' });
    }
    const cpuNumber = facts.maybe('X86_cpu_number');
    if (cpuNumber !== undefined) writeU(port, hot + cpuNumber, 4, 0n);
    // irq_init_percpu_irqstack(): hardirq_stack_ptr = backing store + IRQ_STACK_SIZE - 8.
    const hsp = facts.maybe('X86_hardirq_stack_ptr');
    if (hsp !== undefined && profile.percpu.irqStack) {
      irqStackPtr = pc(profile.percpu.irqStack, 'the hard-IRQ stack') + facts.value('IRQ_STACK_SIZE', 'the hard-IRQ stack') - 8n;
      writeU(port, hot + hsp, 8, irqStackPtr);
      expectAfter.push({ address: hot + hsp, size: 8, value: irqStackPtr, what: 'pcpu_hot.hardirq_stack_ptr' });
    }
    const inuse = facts.maybe('X86_hardirq_stack_inuse');
    if (inuse !== undefined) {
      writeU(port, hot + inuse, 1, 0n);
      expectAfter.push({ address: hot + inuse, size: 1, value: 0n, what: 'pcpu_hot.hardirq_stack_inuse' });
    }
  }

  // TSS: sp0 = top of the entry (trampoline) stack, IST entries = tops of the exception stacks.
  const tss = pc(profile.percpu.tss, 'the TSS');
  const entryStack = profile.percpu.entryStack ? pc(profile.percpu.entryStack, 'the entry stack') : null;
  const entryStackSize = BigInt(facts.image.offset('SIZEOF_entry_stack') ?? 4096);
  const entryStackTop = entryStack !== null ? entryStack + entryStackSize : initStackTop;
  const sp0 = BigInt(facts.image.offset('TSS_sp0') ?? 4);
  writeU(port, tss + sp0, 8, entryStackTop);
  const istTops: bigint[] = [];
  if (profile.percpu.exceptionStacks) {
    const sym = syms.percpu.get(profile.percpu.exceptionStacks);
    const stkSz = facts.value('EXCEPTION_STKSZ', 'the IST stacks');
    const count = sym && sym.size > 0 ? Number(BigInt(sym.size) / stkSz) : 4;
    const base = pc(profile.percpu.exceptionStacks, 'the IST stacks');
    const istOff = facts.value('TSS_ist', 'TSS IST entries');
    for (let i = 0; i < Math.min(count, 7); i++) {
      const top = base + BigInt(i + 1) * stkSz;
      istTops.push(top);
      writeU(port, tss + istOff + BigInt(i * 8), 8, top);
    }
  }
  const ioBase = facts.maybe('TSS_io_bitmap_base');
  const ioInvalid = facts.maybe('IO_BITMAP_OFFSET_INVALID');
  if (ioBase !== undefined && ioInvalid !== undefined) writeU(port, tss + ioBase, 2, ioInvalid);

  // GDT: the per-CPU gdt_page holds the kernel's descriptors already; add the TSS descriptor, load TR.
  const gdt = pc(profile.percpu.gdt, 'the GDT');
  const gdtEntries = facts.num('GDT_ENTRIES', 'the GDT size');
  const tssEntry = facts.num('GDT_ENTRY_TSS', 'the TSS descriptor');
  const tssLimit = BigInt((facts.maybe('TSS_size') ?? 0x68n) - 1n);
  writeSystemDescriptor(port, gdt + BigInt(tssEntry * 8), tss, tssLimit, 0x9);
  port.setGdtr(gdt, gdtEntries * 8 - 1);
  port.loadTr(tssEntry * 8);

  // IDT from the kernel's own tables, in boot order, then the external and spurious vector stubs.
  const idt = facts.symbol('idt_table', 'the IDT');
  const kernelCs = Number(facts.value('KERNEL_CS', 'IDT gates'));
  buildIdt(port, facts, idt, kernelCs);
  port.setIdtr(idt, 256 * 16 - 1);

  // MSRs as syscall_init() writes them.
  const userCs32 = facts.value('USER32_CS', 'MSR_STAR');
  port.setMsr(MSR.STAR, (userCs32 << 48n) | (BigInt(kernelCs) << 32n));
  port.setMsr(MSR.LSTAR, facts.symbol(profile.entry.syscall64, 'MSR_LSTAR'));
  port.setMsr(MSR.FMASK, SYSCALL_MASK);
  const ia32 = facts.image.configured('IA32_EMULATION') && ia32Enabled(port, facts);
  if (ia32 && profile.entry.sysenterCompat) {
    port.setMsr(MSR.SYSENTER_CS, BigInt(kernelCs));
    port.setMsr(MSR.SYSENTER_ESP, entryStackTop);
    port.setMsr(MSR.SYSENTER_EIP, facts.symbol(profile.entry.sysenterCompat, 'MSR_IA32_SYSENTER_EIP'));
  }
  if (ia32 && profile.entry.syscallCompat) port.setMsr(MSR.CSTAR, facts.symbol(profile.entry.syscallCompat, 'MSR_CSTAR'));

  // Control registers of a running x86_64 kernel without PCID/SMEP/SMAP/FSGSBASE (none are in boot_cpu_data).
  port.set('cr0', 0x80050033n);
  port.set('cr4', 0x6a0n);
  port.set('efer', 0xd01n);
  port.set('kernel_gs_base', 0n);
  port.set('gs_base', percpuBase);
  // cr4_init_shadow(): the per-CPU copy of CR4 that cr4_set_bits() and friends start from.
  const cr4Shadow = facts.maybe('TLB_STATE_cr4');
  if (cr4Shadow !== undefined && syms.percpu.has('cpu_tlbstate')) writeU(port, pc('cpu_tlbstate', 'the CR4 shadow') + cr4Shadow, 8, 0x6a0n);
  expectAfter.push({ address: percpuBase + facts.percpu(profile.percpu.tss, 'the TSS') + sp0, size: 8, value: entryStackTop, what: 'cpu_tss_rw.x86_tss.sp0' });

  return { percpuBase, initStackTop, hot, tss, gdt, idt, entryStackTop, istTops, irqStackPtr, task, expectAfter, heapNext: KERNEL_HEAP };
}

/** A supervisor page holding the return address of harness calls into the kernel. */
const CALL_RETURN = KERNEL_HEAP + BigInt(KERNEL_HEAP_SIZE);

/**
 * Run a kernel function to completion, as boot would call it: CPL 0, kernel CS/SS, interrupts off,
 * on the current task's stack, returning to a harness address. Throws when it does not come back.
 */
export function callKernel(port: MachinePort, facts: KernelFacts, layout: BootLayout, name: string, args: bigint[] = [], maxSteps = 2_000_000): bigint {
  const fn = facts.symbol(name, 'a boot-time initialisation the harness runs');
  if (!port.isMapped(CALL_RETURN)) {
    port.map(CALL_RETURN, 4096, { write: false, exec: true, user: false });
    port.write(CALL_RETURN, new Uint8Array(4096).fill(0xcc));
  }
  const kernelCs = Number(facts.value('KERNEL_CS', 'kernel CS'));
  port.loadCodeSegment(kernelCs);
  port.loadDataSegment('ss', Number(facts.value('KERNEL_DS', 'kernel SS')));
  // Below where the entry code would put pt_regs, as for code running in the task's kernel context.
  const rsp = (layout.initStackTop - BigInt(facts.image.ptRegs.size) - 0x100n) & ~0xfn;
  writeU(port, rsp - 8n, 8, CALL_RETURN);
  port.set('rsp', rsp - 8n);
  port.set('rflags', 0x2n);
  const argRegs = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const;
  args.forEach((a, i) => port.set(argRegs[i], a));
  port.set('rip', fn);
  let returned = false;
  const remove = port.addHook(CALL_RETURN, () => {
    returned = true;
    return 'stop';
  });
  try {
    const res = port.run({ maxSteps, stopAtUserMode: false, inject: [] });
    const kernelEvents = res.events.filter((e) => e.kind === 'exception');
    if (!returned || kernelEvents.length) {
      const at = facts.image.symbols.format(port.get('rip'));
      const why = kernelEvents.length ? `${kernelEvents.length} exception(s), the first vector ${kernelEvents[0].vector} at ${facts.image.symbols.format(kernelEvents[0].rip)}` : `it stopped (${res.stop.kind}) at ${at}`;
      throw new ProfileMismatch(`The boot-time call ${name}() did not complete: ${why}.`, 'The profile runs this initialisation for signal delivery; this kernel needs a different setup.');
    }
  } finally {
    remove();
  }
  return port.get('rax');
}

function ia32Enabled(port: MachinePort, facts: KernelFacts): boolean {
  const s = facts.image.symbols.find('__ia32_enabled');
  return s ? readU(port, s.address, 1) !== 0n : true;
}

function writeSystemDescriptor(port: MachinePort, at: bigint, base: bigint, limit: bigint, type: number): void {
  const lo =
    (limit & 0xffffn) |
    ((base & 0xffffffn) << 16n) |
    (BigInt(type | 0x80) << 40n) |
    (((limit >> 16n) & 0xfn) << 48n) |
    (((base >> 24n) & 0xffn) << 56n);
  writeU(port, at, 8, lo);
  writeU(port, at + 8n, 8, (base >> 32n) & 0xffffffffn);
}

function writeGate(port: MachinePort, idt: bigint, vector: number, handler: bigint, selector: number, ist: number, type: number, dpl: number): void {
  const lo =
    (handler & 0xffffn) |
    (BigInt(selector) << 16n) |
    (BigInt(ist & 7) << 32n) |
    (BigInt(0x80 | (dpl << 5) | type) << 40n) |
    (((handler >> 16n) & 0xffffn) << 48n);
  writeU(port, idt + BigInt(vector * 16), 8, lo);
  writeU(port, idt + BigInt(vector * 16 + 8), 8, (handler >> 32n) & 0xffffffffn);
}

export interface IdtGate {
  vector: number;
  handler: bigint;
  ist: number;
  dpl: number;
  type: number;
  source: string;
}

/** The gates idt_setup_*() would write, decoded from the kernel's idt_data tables. */
export function idtGates(facts: KernelFacts): IdtGate[] {
  const { image, profile } = facts;
  const size = facts.num('IDT_DATA_size', 'struct idt_data');
  const oVector = facts.num('IDT_DATA_vector', 'struct idt_data');
  const oBits = facts.num('IDT_DATA_bits', 'struct idt_data');
  const oAddr = facts.num('IDT_DATA_addr', 'struct idt_data');
  const byVector = new Map<number, IdtGate>();
  for (const table of profile.idtTables) {
    const sym = image.symbols.find(table);
    if (!sym || sym.size === 0) continue;
    const bytes = bytesAt(image.elf, sym.address, sym.size);
    if (!bytes) continue;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o + size <= sym.size; o += size) {
      const vector = dv.getUint32(o + oVector, true);
      const bits = dv.getUint16(o + oBits, true);
      const handler = dv.getBigUint64(o + oAddr, true);
      if (vector > 255 || handler === 0n) continue;
      byVector.set(vector, { vector, handler, ist: bits & 7, type: (bits >> 8) & 0x1f, dpl: (bits >> 13) & 3, source: table });
    }
  }
  const first = facts.num('FIRST_EXTERNAL_VECTOR', 'external interrupt gates');
  const firstSystem = facts.num('FIRST_SYSTEM_VECTOR', 'system vector gates');
  const align = facts.num('IDT_ALIGN', 'interrupt stub spacing');
  const irq = image.symbols.find(profile.irqEntries);
  const spurious = profile.spuriousEntries ? image.symbols.find(profile.spuriousEntries) : undefined;
  for (let v = first; v < 256; v++) {
    if (byVector.has(v)) continue;
    if (v < firstSystem && irq) byVector.set(v, { vector: v, handler: irq.address + BigInt(align * (v - first)), ist: 0, type: 0xe, dpl: 0, source: profile.irqEntries });
    else if (v >= firstSystem && spurious) byVector.set(v, { vector: v, handler: spurious.address + BigInt(align * (v - firstSystem)), ist: 0, type: 0xe, dpl: 0, source: profile.spuriousEntries as string });
  }
  return [...byVector.values()].sort((a, b) => a.vector - b.vector);
}

function buildIdt(port: MachinePort, facts: KernelFacts, idt: bigint, kernelCs: number): void {
  const gates = idtGates(facts);
  if (!gates.some((g) => g.vector === 14) || !gates.some((g) => g.vector === 2)) {
    throw new ProfileMismatch('The kernel\'s idt_data tables give no #PF or NMI gate.', 'The profile names the wrong IDT tables for this kernel generation.');
  }
  for (const g of gates) writeGate(port, idt, g.vector, g.handler, kernelCs, g.ist, g.type, g.dpl);
}

/** Allocate zeroed, supervisor read-write memory for structures the harness hands the kernel. */
export function kernelAlloc(port: MachinePort, layout: BootLayout, size: number): bigint {
  if (layout.heapNext === KERNEL_HEAP) port.map(KERNEL_HEAP, KERNEL_HEAP_SIZE, { write: true, exec: false, user: false });
  const at = (layout.heapNext + 63n) & ~63n;
  if (at + BigInt(size) > KERNEL_HEAP + BigInt(KERNEL_HEAP_SIZE)) throw new ProfileMismatch('The harness ran out of its kernel scratch memory.', 'A scenario asked for more kernel structures than the harness reserves.');
  layout.heapNext = at + BigInt(size);
  return at;
}

/** Give `current` what a scenario asks for: pid, work bits, audit context, seccomp mode, an mm with the 32-bit vDSO. */
export function setupTask(port: MachinePort, facts: KernelFacts, layout: BootLayout, task: TaskSetup, labels: Record<string, bigint> = {}): void {
  const { profile } = facts;
  if (profile.pid?.kind === 'struct-pid') {
    const pid = facts.symbol(profile.pid.structPid, 'the pid of current');
    const ns = facts.symbol(profile.pid.pidNamespace, 'the pid namespace');
    const nrOff = facts.value('PID_numbers_nr', 'struct pid');
    const nsOff = facts.maybe('PID_numbers_ns');
    if (nsOff !== undefined && readU(port, pid + nsOff, 8) !== ns) {
      throw new ProfileMismatch(`${profile.pid.structPid}.numbers[0].ns is not &${profile.pid.pidNamespace}.`, 'The profile\'s struct pid layout does not match this kernel.');
    }
    writeU(port, pid + nrOff, 4, BigInt(task.pid));
  } else if (profile.pid?.kind === 'task-fields') {
    for (const f of profile.pid.fields) writeU(port, layout.task + facts.value(f, 'the pid of current'), 4, BigInt(task.pid));
  }
  if (task.syscallWork.length > 0) {
    const off = facts.value('TI_syscall_work', 'thread_info.syscall_work');
    let bits = readU(port, layout.task + off, 8);
    for (const w of task.syscallWork) bits |= facts.value(w, `the ${w} work bit`);
    writeU(port, layout.task + off, 8, bits);
  }
  if (task.audit && profile.audit?.kind === 'context') {
    const size = facts.num('AUDITCTX_size', 'struct audit_context');
    const ctx = kernelAlloc(port, layout, size);
    writeU(port, ctx + facts.value('AUDITCTX_state', 'audit_context.state'), 4, facts.value('AUDIT_STATE_BUILD', 'the audit state'));
    writeU(port, ctx + facts.value('AUDITCTX_context', 'audit_context.context'), 4, facts.value('AUDIT_CTX_UNUSED', 'the audit context kind'));
    writeU(port, layout.task + facts.value('TASK_audit_context', 'task_struct.audit_context'), 8, ctx);
    writeU(port, facts.symbol('audit_enabled', 'auditing on'), 4, facts.value('AUDIT_ON', 'auditing on'));
    writeU(port, facts.symbol('audit_ever_enabled', 'auditing on'), 4, 1n);
  } else if (task.audit && profile.audit?.kind === 'alloc') {
    // The kernel's own allocator, as fork would call it; run it and put the CPU back in user mode.
    const rc = callKernel(port, facts, layout, profile.audit.fn, [layout.task]);
    if (BigInt.asIntN(32, rc) !== 0n) throw new ProfileMismatch(`${profile.audit.fn}(current) failed (${BigInt.asIntN(32, rc)}).`, 'The kernel could not give the task an audit context.');
  }
  if (task.seccomp === 'strict') {
    writeU(port, layout.task + facts.value('TASK_seccomp_mode', 'task_struct.seccomp.mode'), 4, facts.value('SECCOMP_MODE_STRICT', 'strict seccomp'));
  }
  const signals = Object.entries(task.signals);
  if (signals.length > 0) {
    // The handler as sigaction(sig, {SA_SIGINFO|SA_RESTORER, sa_restorer = @restorer}) would install it.
    const sighand = readU(port, layout.task + facts.value('TASK_sighand', 'task_struct.sighand'), 8);
    const action = sighand + facts.value('SIGHAND_action', 'sighand_struct.action');
    const size = facts.value('K_SIGACTION_size', 'struct k_sigaction');
    const restorer = labels.restorer;
    if (restorer === undefined) throw new ProfileMismatch('A scenario with signal handlers needs a "restorer" label (the rt_sigreturn stub).', 'Add restorer: to user.asm.');
    const flags = facts.value('SA_SIGINFO', 'SA_SIGINFO') | facts.value('SA_RESTORER', 'SA_RESTORER');
    for (const [sig, handlerText] of signals) {
      const n = facts.value(sig, `signal ${sig}`);
      const handler = handlerText.startsWith('@') ? labels[handlerText.slice(1)] : BigInt(handlerText);
      if (handler === undefined) throw new ProfileMismatch(`The handler ${handlerText} of ${sig} is not a label of the program.`, 'Name a label of user.asm.');
      const ka = action + (n - 1n) * size;
      writeU(port, ka + facts.value('KSA_handler', 'sa_handler'), 8, handler);
      writeU(port, ka + facts.value('KSA_flags', 'sa_flags'), 8, flags);
      writeU(port, ka + facts.value('KSA_restorer', 'sa_restorer'), 8, restorer);
      writeU(port, ka + facts.value('KSA_mask', 'sa_mask'), 8, 0n);
    }
  }
  // current->mm: a user task always has one (see KernelProfile.userMm).
  const mm = profile.userMm ? facts.symbol(profile.userMm, 'the mm of current') : null;
  if (mm !== null) {
    writeU(port, layout.task + facts.value('TASK_mm', 'task_struct.mm'), 8, mm);
    writeU(port, layout.task + facts.value('TASK_active_mm', 'task_struct.active_mm'), 8, mm);
  }
  if (task.vdso32 !== null && mm !== null) {
    const image = facts.symbol('vdso_image_32', 'the 32-bit vDSO');
    writeU(port, mm + facts.value('MM_context_vdso', 'mm->context.vdso'), 8, task.vdso32);
    writeU(port, mm + facts.value('MM_context_vdso_image', 'mm->context.vdso_image'), 8, image);
    const data = readU(port, image + facts.value('VDSO_IMAGE_data', 'vdso_image.data'), 8);
    const size = Number(readU(port, image + facts.value('VDSO_IMAGE_size', 'vdso_image.size'), 8));
    port.map(task.vdso32, size, { write: false, exec: true, user: true });
    port.write(task.vdso32, port.read(data, size));
  }
}

/** boot_cpu_data.x86_vendor, which the kernel tests at run time, matching the machine's CPUID. */
export function setVendor(port: MachinePort, facts: KernelFacts): void {
  const vendor = port.vendor;
  const bcd = facts.image.symbols.find('boot_cpu_data');
  const off = facts.maybe('CPUINFO_x86_vendor');
  if (bcd && off !== undefined) writeU(port, bcd.address + off, 1, facts.value(vendor === 'intel' ? 'X86_VENDOR_INTEL' : 'X86_VENDOR_AMD', 'the CPU vendor'));
}

/** Distinct register patterns so any mix-up shows; 32-bit programs get the low halves. */
export const DEFAULT_GPRS: Record<GprName, bigint> = {
  rax: 0x0a0a0a0a0a0a0a0an, rcx: 0x1c1c1c1c1c1c1c1cn, rdx: 0x1d1d1d1d1d1d1d1dn, rbx: 0x1b1b1b1b1b1b1b1bn,
  rsp: 0n, rbp: 0x1a1a1a1a1a1a1a1an, rsi: 0x1e1e1e1e1e1e1e1en, rdi: 0x1f1f1f1f1f1f1f1fn,
  r8: 0x0808080808080808n, r9: 0x0909090909090909n, r10: 0x1010101010101010n, r11: 0x1111111111111111n,
  r12: 0x1212121212121212n, r13: 0x1313131313131313n, r14: 0x1414141414141414n, r15: 0x1515151515151515n,
};
export const USER_FS_BASE = 0x7f00cafe0000n;
export const USER_GS_BASE = 0x7f00beef0000n;
/** Byte the harness fills user stack pages with, so writes into the red zone show. */
export const STACK_FILL = 0x5a;

/**
 * User-mode segment registers as start_thread() leaves them: CS/SS from the GDT, null DS/ES for 64-bit
 * processes (__USER_DS for compat ones), FS/GS selectors 0. Skipped when already so (the booted
 * snapshot is taken in 64-bit user mode).
 */
export function enterUserSegments(port: MachinePort, cs: number, ss: number, mode: 64 | 32): void {
  const r = port.registers();
  const ds = mode === 64 ? 0 : ss;
  if (r.cs === cs && r.ss === ss && r.ds === ds && r.es === ds && r.fs === 0 && r.gs === 0 && r.cpl === 3) return;
  // CS first: loading it makes CPL 3, which SS's RPL/DPL must match.
  port.loadCodeSegment(cs);
  port.loadDataSegment('ss', ss);
  port.loadDataSegment('ds', ds);
  port.loadDataSegment('es', ds);
  port.loadDataSegment('fs', 0);
  port.loadDataSegment('gs', 0);
}

export interface UserLayout {
  labels: Record<string, bigint>;
  /** Where user execution starts ("start" label, else "entry"). */
  start: bigint;
  /** The instruction that enters the kernel, and the address after it (the syscall return RIP). */
  entry: bigint;
  afterEntry: bigint;
  stackPages: { address: bigint; size: number }[];
  regs: Record<GprName, bigint>;
  rflags: bigint;
  cs: number;
  ss: number;
}

/** The user addresses of a program's labels. */
export function userLabels(program: UserProgram): Record<string, bigint> {
  const labels: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(program.labels)) labels[k] = program.base + BigInt(v);
  return labels;
}

/** Map the program and its stack, and put the CPU at the program's entry instruction in user mode. */
export function setupUser(port: MachinePort, facts: KernelFacts, layout: BootLayout, program: UserProgram, pid: number): UserLayout {
  const codeSize = Number(pageUp(BigInt(program.bytes.length) || PAGE));
  port.map(program.base, codeSize, { write: false, exec: true, user: true });
  port.write(program.base, program.bytes);
  const labels = userLabels(program);
  const stackSize = program.stackPages * 4096;
  const stackBase = program.stackTop - BigInt(stackSize);
  port.map(stackBase, stackSize, { write: true, exec: false, user: true });
  port.write(stackBase, new Uint8Array(stackSize).fill(STACK_FILL));
  const stackPages = [{ address: stackBase, size: stackSize }];
  for (const d of Object.values(program.data)) {
    port.map(d.address, Number(pageUp(BigInt(d.size))), { write: true, exec: false, user: true });
    if (d.fill) port.write(d.address, Uint8Array.from(d.fill.replace(/\s+/g, '').match(/../g)?.map((h) => parseInt(h, 16)) ?? []));
  }

  const ctx: ValueContext = { facts, bits: program.mode, pid, labels };
  const regs = { ...DEFAULT_GPRS };
  regs.rsp = program.stackTop - 0x800n;
  for (const [name, text] of Object.entries(program.regs)) {
    if (!(GPRS as string[]).includes(name)) throw new ProfileMismatch(`user.regs names ${name}, which is not a general-purpose register.`, 'Use rax ... r15.');
    regs[name as GprName] = resolveValue(text, ctx);
  }
  if (program.mode === 32) for (const r of GPRS) regs[r] = BigInt.asUintN(32, regs[r]);
  for (const r of GPRS) port.set(r, regs[r]);
  const rflags = resolveValue(program.rflags, ctx);
  const cs = Number(facts.value(program.mode === 64 ? 'USER_CS' : 'USER32_CS', 'the user code segment'));
  const ss = Number(facts.value('USER_DS', 'the user stack segment'));
  enterUserSegments(port, cs, ss, program.mode);
  // In user mode the kernel's GS base waits in KERNEL_GS_BASE for SWAPGS.
  port.set('kernel_gs_base', layout.percpuBase);
  port.set('fs_base', program.mode === 64 ? USER_FS_BASE : 0n);
  port.set('gs_base', program.mode === 64 ? USER_GS_BASE : 0n);
  port.set('rflags', rflags);
  const start = labels.start ?? labels.entry;
  port.set('rip', start);
  const off = program.labels.entry;
  const len = disassembleOne(program.bytes.subarray(off, off + 15), labels.entry, program.mode).length;
  return { labels, start, entry: labels.entry, afterEntry: labels.entry + BigInt(len), stackPages, regs, rflags, cs, ss };
}

// Event delivery in IA-32e mode: exceptions, external interrupts, NMI and INT n through the
// long-mode IDT, with the TSS RSP0-2 / IST stack switch, error codes, the hardware frame, and the
// double-fault / triple-fault escalation rules of SDM vol. 3 §6.15 (Table 6-5).
import type { Cpu } from './state.js';
import { ATTR_DB, ATTR_L } from './state.js';
import { CpuException, DE, DF, GP, NMI, NP, PF, SS_FAULT, TS, hasErrorCode } from './fault.js';
import { attrDpl, isCode, isPresent, readDescriptor, readTss64, setSegment } from './segments.js';
import { AC, IF, NT, RF, RSP, SS, TF, VM } from './registers.js';

/** How an event arose; decides the DPL check, EXT bit, RF in the pushed flags and double-fault class. */
export const EV_FAULT = 0; // exception, RIP = faulting instruction
export const EV_TRAP = 1; // exception reported after the instruction (#DB single-step, #OF...)
export const EV_EXTERNAL = 2; // external interrupt
export const EV_NMI = 3;
export const EV_SOFTWARE = 4; // INT n, INT3, INTO: gate DPL checked against CPL
export const EV_ICEBP = 5; // INT1: no DPL check, treated as a trap

export interface DeliveredEvent {
  vector: number;
  kind: number;
  errorCode: number;
  /** The RIP the frame holds (only for the event finally delivered). */
  ripLo?: number;
  ripHi?: number;
}

function contributory(v: number): boolean {
  return v === DE || v === TS || v === NP || v === SS_FAULT || v === GP;
}

/** Raised when delivery escalates past #DF: the CPU shuts down. */
export class TripleFault {
  constructor(readonly events: DeliveredEvent[], readonly detail: string) {}
}

function addr(lo: number, hi: number, off: number): [number, number] {
  const s = (lo >>> 0) + off;
  return [s | 0, s > 4294967295 ? (hi + 1) | 0 : hi];
}

/**
 * Deliver an event, escalating nested faults. The return RIP must already be in c.rip (the faulting
 * instruction for faults, the next one for traps and software interrupts, the interrupted one for
 * external events). Returns the event finally delivered; `chain` receives, in order, the attempts
 * that failed and the faults that made them fail (empty when delivery went straight through).
 */
export function deliverEvent(c: Cpu, vector: number, kind: number, errorCode: number, chain: DeliveredEvent[], instrLo = 0, instrHi = 0): DeliveredEvent {
  let v = vector, k = kind, e = errorCode;
  for (;;) {
    const ripLo = c.ripLo, ripHi = c.ripHi;
    try {
      deliverOnce(c, v, k, e);
      return { vector: v, kind: k, errorCode: e, ripLo, ripHi };
    } catch (x) {
      if (!(x instanceof CpuException)) throw x;
      if (x.vector === PF) setCr2(c, x.addrLo, x.addrHi);
      chain.push({ vector: v, kind: k, errorCode: e });
      const fault: DeliveredEvent = { vector: x.vector, kind: EV_FAULT, errorCode: hasErrorCode(x.vector) ? x.errorCode : -1 };
      if (v === DF) throw new TripleFault([...chain, fault], `${x.detail || 'fault'} while delivering #DF`);
      const firstClass = v === PF ? 2 : contributory(v) && (k === EV_FAULT || k === EV_TRAP) ? 1 : 0;
      const secondClass = x.vector === PF ? 2 : contributory(x.vector) ? 1 : 0;
      if ((firstClass === 1 && secondClass === 1) || (firstClass === 2 && secondClass !== 0)) {
        chain.push(fault);
        v = DF;
        k = EV_FAULT;
        e = 0;
      } else {
        // Handled serially: the second exception is delivered instead. A fault while delivering
        // INT n / INT3 / INTO / INT1 is a fault of that instruction: the frame points at it.
        if (k === EV_SOFTWARE || k === EV_ICEBP) {
          c.ripLo = instrLo;
          c.ripHi = instrHi;
        }
        v = fault.vector;
        k = EV_FAULT;
        e = fault.errorCode;
      }
    }
  }
}

export function setCr2(c: Cpu, lo: number, hi: number): void {
  c.cr2Lo = lo;
  c.cr2Hi = hi;
}

/** One delivery attempt; throws CpuException if delivery itself faults. */
function deliverOnce(c: Cpu, vector: number, kind: number, errorCode: number): void {
  const ext = kind === EV_SOFTWARE ? 0 : 1;
  const idtErr = vector * 8 + 2 + ext;
  if (vector * 16 + 15 > c.idtrLimit) throw new CpuException(GP, idtErr, 0, 0, `vector ${vector} is beyond the IDT limit 0x${c.idtrLimit.toString(16)}`);
  const [gLo, gHi] = addr(c.idtrBaseLo, c.idtrBaseHi, vector * 16);
  const w0 = c.mmu.readSys(gLo, gHi, 4);
  const [g1Lo, g1Hi] = addr(gLo, gHi, 4);
  const w1 = c.mmu.readSys(g1Lo, g1Hi, 4);
  const [g2Lo, g2Hi] = addr(gLo, gHi, 8);
  const w2 = c.mmu.readSys(g2Lo, g2Hi, 4);
  const type = (w1 >>> 8) & 0xf;
  const gateDpl = (w1 >>> 13) & 3;
  if (type !== 0xe && type !== 0xf) throw new CpuException(GP, idtErr, 0, 0, `IDT entry ${vector} is not a 64-bit interrupt or trap gate (type ${type})`);
  if (kind === EV_SOFTWARE && gateDpl < c.cpl) throw new CpuException(GP, vector * 8 + 2, 0, 0, `INT ${vector} at CPL ${c.cpl} through a gate of DPL ${gateDpl}`);
  if ((w1 & 0x8000) === 0) throw new CpuException(NP, idtErr, 0, 0, `IDT entry ${vector} is not present`);
  const selector = w0 >>> 16;
  const ist = w1 & 7;
  const ripLo = (w0 & 0xffff) | (w1 & 0xffff0000);
  const ripHi = w2;

  if ((selector & 0xfffc) === 0) throw new CpuException(GP, ext, 0, 0, `IDT entry ${vector} has a null code selector`);
  const cs = readDescriptor(c, selector, GP, ext);
  const csErr = (selector & 0xfffc) | ext;
  if (!isCode(cs.attr) || (cs.attr & ATTR_L) === 0 || (cs.attr & ATTR_DB) !== 0) throw new CpuException(GP, csErr, 0, 0, `IDT entry ${vector}: selector 0x${selector.toString(16)} is not a 64-bit code segment`);
  const dpl = attrDpl(cs.attr);
  if (dpl > c.cpl) throw new CpuException(GP, csErr, 0, 0, `IDT entry ${vector}: code segment DPL ${dpl} > CPL ${c.cpl}`);
  if (!isPresent(cs.attr)) throw new CpuException(NP, csErr, 0, 0, `IDT entry ${vector}: code segment not present`);
  const conforming = (cs.attr & 4) !== 0;
  const newCpl = conforming ? c.cpl : dpl;
  if ((ripHi << 16) >> 16 !== ripHi) throw new CpuException(GP, ext, 0, 0, `IDT entry ${vector} points at a non-canonical address`);

  // Pick the stack: IST slot, the TSS RSP of the new privilege level, or the current stack.
  let spLo = c.lo[RSP], spHi = c.hi[RSP];
  if (ist !== 0) [spLo, spHi] = readTss64(c, 0x24 + (ist - 1) * 8, ext);
  else if (newCpl < c.cpl) [spLo, spHi] = readTss64(c, 4 + newCpl * 8, ext);
  if ((spHi << 16) >> 16 !== spHi) throw new CpuException(SS_FAULT, ext, 0, 0, 'new stack pointer is non-canonical');
  spLo &= ~15;

  const flagsImage = (c.getRflags() | (kind === EV_FAULT && vector !== 1 ? RF : 0)) >>> 0;
  const frame: number[] = [c.segSel[SS], 0, c.lo[RSP], c.hi[RSP], flagsImage, 0, c.segSel[1], 0, c.ripLo, c.ripHi];
  if (errorCode >= 0) frame.push(errorCode, 0);
  // Write the frame (implicit supervisor accesses) before touching any register.
  let pLo = spLo, pHi = spHi;
  for (let i = 0; i < frame.length; i += 2) {
    const s = (pLo >>> 0) - 8;
    pLo = s | 0;
    if (s < 0) pHi = (pHi - 1) | 0;
    c.mmu.writeSys(pLo, pHi, 8, frame[i], frame[i + 1]);
  }

  // Commit.
  c.lo[RSP] = pLo;
  c.hi[RSP] = pHi;
  if (newCpl !== c.cpl) setSegment(c, SS, newCpl, 0, 0, 0, (newCpl << 5) | ATTR_DB);
  c.loadCs((selector & 0xfffc) | newCpl, cs.baseLo, 0, cs.limit, cs.attr, newCpl);
  c.ripLo = ripLo;
  c.ripHi = ripHi;
  let f = c.eflags & ~(TF | NT | RF | VM);
  if (type === 0xe) f &= ~IF;
  const acChanged = (c.eflags & AC) !== (f & AC);
  c.eflags = f;
  if (acChanged) c.updateMmu();
  if (vector === NMI && kind === EV_NMI) c.nmiBlocked = true;
  c.halted = false;
}

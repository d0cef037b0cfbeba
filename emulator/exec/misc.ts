// Instructions with no architectural effect here (nop forms, endbr, pause, fences, prefetch, cache
// line flushes) and the x87 WAIT check.
import type { Cpu } from '../cpu/state.js';
import { CpuException, NM } from '../cpu/fault.js';
import type { Rec } from '../decode/record.js';
import { CR0_MP, CR0_TS } from '../cpu/registers.js';
import { ea } from './operands.js';

export function nop(_c: Cpu, r: Rec): Rec {
  return r.next;
}

/** clflush/clflushopt/clwb/prefetch with a memory operand: the address must be canonical. */
export function touchAddress(c: Cpu, r: Rec): Rec {
  ea(c, r);
  return r.next;
}

export function wait(c: Cpu, r: Rec): Rec {
  if ((c.cr0 & (CR0_TS | CR0_MP)) === (CR0_TS | CR0_MP)) throw new CpuException(NM, 0, 0, 0, 'WAIT with CR0.TS and CR0.MP');
  return r.next;
}

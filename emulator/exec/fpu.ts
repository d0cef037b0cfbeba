// The little x87/SSE state kernel entry paths touch: FXSAVE/FXRSTOR (signal frames), LDMXCSR/
// STMXCSR, FNINIT/FNSTCW/FLDCW/FNSTSW/FNCLEX. No x87 or SSE arithmetic: the state is kept as the
// 512-byte FXSAVE image, so what software saves and restores round-trips exactly.
import type { Cpu } from '../cpu/state.js';
import { CpuException, GP, NM, UD } from '../cpu/fault.js';
import { CR0_EM, CR0_TS, CR4_OSFXSR } from '../cpu/registers.js';
import type { Rec } from '../decode/record.js';
import { ea, eaPlus, readMem, setReg, writeMem } from './operands.js';

/** FXSAVE image offsets. */
const FCW = 0, FSW = 2, FTW = 4, MXCSR = 24, MXCSR_MASK = 28;
const MXCSR_MASK_VALUE = 0xffff;

function checkAvailable(c: Cpu, sse: boolean): void {
  if ((c.cr0 & CR0_EM) !== 0) throw new CpuException(sse ? UD : NM, 0, 0, 0, 'x87/SSE with CR0.EM = 1');
  if (sse && (c.cr4 & CR4_OSFXSR) === 0) throw new CpuException(UD, 0, 0, 0, 'SSE state instruction with CR4.OSFXSR = 0');
  if ((c.cr0 & CR0_TS) !== 0) throw new CpuException(NM, 0, 0, 0, 'x87/SSE with CR0.TS = 1 (lazy FPU switch)');
}

/** fxsave (aux 0) / fxrstor (aux 1): 512 bytes at a 16-byte aligned address. */
export function fxsaveRstor(c: Cpu, r: Rec): Rec {
  if ((c.cr0 & CR0_EM) !== 0) throw new CpuException(NM, 0, 0, 0, 'FXSAVE/FXRSTOR with CR0.EM = 1');
  if ((c.cr0 & CR0_TS) !== 0) throw new CpuException(NM, 0, 0, 0, 'FXSAVE/FXRSTOR with CR0.TS = 1');
  ea(c, r);
  const lo = c.eaLo, hi = c.eaHi;
  if ((lo & 15) !== 0) throw new CpuException(GP, 0, 0, 0, 'FXSAVE/FXRSTOR operand not 16-byte aligned');
  const img = c.fxImage;
  const dv = new DataView(img.buffer);
  if (r.aux === 0) {
    c.mmu.probeWrite(lo, hi, 512);
    for (let i = 0; i < 512; i += 8) {
      eaPlus(c, lo, hi, i, 0, r.addr32);
      writeMem(c, 8, dv.getInt32(i, true), dv.getInt32(i + 4, true));
    }
  } else {
    const next = new Uint8Array(512);
    const nv = new DataView(next.buffer);
    for (let i = 0; i < 512; i += 8) {
      eaPlus(c, lo, hi, i, 0, r.addr32);
      nv.setInt32(i, readMem(c, 8), true);
      nv.setInt32(i + 4, c.tHi, true);
    }
    if ((nv.getUint32(MXCSR, true) & ~MXCSR_MASK_VALUE) !== 0) throw new CpuException(GP, 0, 0, 0, 'FXRSTOR with reserved MXCSR bits set');
    // Reserved/available areas keep the saved contents; MXCSR_MASK is not loaded.
    nv.setUint32(MXCSR_MASK, MXCSR_MASK_VALUE, true);
    img.set(next);
  }
  return r.next;
}

/** ldmxcsr (aux 0) / stmxcsr (aux 1). */
export function mxcsr(c: Cpu, r: Rec): Rec {
  checkAvailable(c, true);
  const dv = new DataView(c.fxImage.buffer);
  ea(c, r);
  if (r.aux === 0) {
    const v = readMem(c, 4);
    if ((v & ~MXCSR_MASK_VALUE) !== 0) throw new CpuException(GP, 0, 0, 0, 'LDMXCSR with reserved bits set');
    dv.setUint32(MXCSR, v >>> 0, true);
  } else writeMem(c, 4, dv.getInt32(MXCSR, true), 0);
  return r.next;
}

/** fninit (aux 0), fnclex (1), fnstcw m16 (2), fldcw m16 (3), fnstsw m16/ax (4). */
export function x87Control(c: Cpu, r: Rec): Rec {
  checkAvailable(c, false);
  const dv = new DataView(c.fxImage.buffer);
  switch (r.aux) {
    case 0:
      dv.setUint16(FCW, 0x37f, true);
      dv.setUint16(FSW, 0, true);
      dv.setUint8(FTW, 0);
      break;
    case 1:
      dv.setUint16(FSW, dv.getUint16(FSW, true) & 0x7f00, true);
      break;
    case 2:
      ea(c, r);
      writeMem(c, 2, dv.getUint16(FCW, true), 0);
      break;
    case 3:
      ea(c, r);
      dv.setUint16(FCW, readMem(c, 2), true);
      break;
    default:
      if (r.mKind === 0) setReg(c, 0, 2, dv.getUint16(FSW, true), 0);
      else {
        ea(c, r);
        writeMem(c, 2, dv.getUint16(FSW, true), 0);
      }
  }
  return r.next;
}

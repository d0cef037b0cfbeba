// The QEMU command line of a guest. Kept in one place so that the boot record shows exactly what
// ran, and a reviewer can paste it into a shell.
import path from 'node:path';
import type { GuestAccel, KernelImageKind } from '../host/api/guest.js';

export interface QemuPlan {
  kernel: string;
  initrd: string | null;
  kind: KernelImageKind;
  accel: GuestAccel;
  memoryMb: number;
  cpus: number;
  /** Kernel command line (Linux) or multiboot command line. */
  append: string;
  /** Directory of the sockets QEMU connects to, and of its pid file. */
  runDir: string;
  /** Tag in the process list ("-name"), so a guest is recognisable. */
  name: string;
}

export interface QemuSockets {
  qmp: string;
  tap: string;
  ctl: string;
  pidFile: string;
  debugLog: string;
}

export function qemuSockets(runDir: string): QemuSockets {
  return {
    qmp: path.join(runDir, 'qmp.sock'),
    tap: path.join(runDir, 'tap.sock'),
    ctl: path.join(runDir, 'ctl.sock'),
    pidFile: path.join(runDir, 'qemu.pid'),
    debugLog: path.join(runDir, 'qemu-debug.log'),
  };
}

/**
 * QEMU 7.2's TCG mishandles SMAP on a far return to 32-bit code from user mode (an lretq in
 * sysret_ss_attrs_64 and test_syscall_vdso_32 oopses an unmodified kernel, "supervisor read access
 * in user mode"), so TCG guests get every feature of "max" but that one.
 */
export const TCG_CPU = 'max,-smap';

export function qemuArgs(plan: QemuPlan): string[] {
  const s = qemuSockets(plan.runDir);
  const args = ['-name', plan.name, '-nodefaults', '-no-user-config'];
  if (plan.accel === 'kvm') args.push('-accel', 'kvm', '-cpu', 'host');
  else args.push('-accel', 'tcg', '-cpu', TCG_CPU);
  args.push('-m', String(plan.memoryMb), '-smp', String(plan.cpus));
  // -nographic: no display; the console is the pty, with QEMU's monitor behind Ctrl-A c.
  args.push('-nographic', '-serial', 'mon:stdio');
  args.push('-chardev', `socket,id=tap,path=${s.tap}`, '-serial', 'chardev:tap');
  if (plan.kind === 'linux') args.push('-chardev', `socket,id=ctl,path=${s.ctl}`, '-serial', 'chardev:ctl');
  args.push('-chardev', `socket,id=qmp,path=${s.qmp}`, '-mon', 'chardev=qmp,mode=control');
  // A reset (panic=-1, a triple fault) ends the run; the VM pauses instead of exiting so the host
  // can read the CPU state first, then quits it.
  args.push('-no-reboot', '-action', 'shutdown=pause');
  // Under TCG this log says "Triple fault" when that is why the CPU reset.
  if (plan.accel === 'tcg') args.push('-d', 'cpu_reset', '-D', s.debugLog);
  args.push('-pidfile', s.pidFile);
  args.push('-kernel', plan.kernel);
  if (plan.initrd) args.push('-initrd', plan.initrd);
  if (plan.append) args.push('-append', plan.append);
  return args;
}

export interface LinuxCmdline {
  selftests: boolean;
  testTimeoutSec: number;
  only?: string[];
  extra?: string;
}

/** Console on ttyS0, panics end the run, and our /init's options. */
export function linuxCmdline(o: LinuxCmdline): string {
  const parts = ['console=ttyS0', 'panic=-1', `eb.selftests=${o.selftests ? 1 : 0}`, `eb.timeout=${o.testTimeoutSec}`];
  if (o.only?.length) parts.push(`eb.only=${o.only.join(',')}`);
  if (o.extra?.trim()) parts.push(o.extra.trim());
  return parts.filter(Boolean).join(' ');
}

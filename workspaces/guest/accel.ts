// Choosing QEMU's accelerator: KVM when a tiny guest proves it runs at speed, else TCG.
//
// /dev/kvm existing is not enough: on some machines (nested virtualisation) KVM guests start but
// crawl, so a kernel seems to hang in its decompressor. The probe is a 64 KiB BIOS image whose
// reset vector counts a register down from 20 million and then writes to QEMU's isa-debug-exit
// port. TCG finishes it in well under a second; working KVM in milliseconds; a crawling KVM not
// within the deadline. The answer is cached on disk for a day per kernel and QEMU version.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { AccelDecision } from '../host/api/guest.js';
import { defaultCacheDir } from '../host/paths.js';
import { qemuBinary, qemuVersion } from './toolchain.js';

export const PROBE_DEADLINE_MS = 1500;
const CACHE_TTL_MS = 24 * 3600 * 1000;
/** isa-debug-exit makes QEMU exit with (value << 1) | 1; the probe writes 0x2a. */
const PROBE_EXIT_CODE = (0x2a << 1) | 1;

/** The probe guest: real-mode code at F000:0000, reached from the reset vector at F000:FFF0. */
export function probeBios(iterations = 20_000_000): Buffer {
  const img = Buffer.alloc(65536, 0xf4); // hlt everywhere
  const n = Buffer.alloc(4);
  n.writeUInt32LE(iterations);
  const code = Buffer.from([
    0x66, 0xb9, ...n, // mov ecx, iterations
    0x66, 0x49, // dec ecx
    0x75, 0xfc, // jnz dec
    0xb0, 0x2a, // mov al, 0x2a
    0xe6, 0xf4, // out 0xf4, al   (isa-debug-exit)
    0xf4, // hlt
    0xeb, 0xfd, // jmp hlt
  ]);
  code.copy(img, 0);
  Buffer.from([0xea, 0x00, 0x00, 0x00, 0xf0]).copy(img, 0xfff0); // jmp far F000:0000
  return img;
}

interface ProbeRecord {
  usable: boolean;
  reason: string;
  ms: number;
  at: number;
  qemu: string;
  kernel: string;
}

function cacheFile(cacheDir: string): string {
  return path.join(cacheDir, 'guest', 'kvm-probe.json');
}

function kvmAccessProblem(): string | null {
  if (process.platform !== 'linux') return 'KVM exists only on Linux';
  if (!fs.existsSync('/dev/kvm')) return 'there is no /dev/kvm';
  try {
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return 'this user cannot open /dev/kvm (add it to the kvm group)';
  }
  return null;
}

/** Run the probe guest under KVM once; resolves with whether it finished in time. */
export function runKvmProbe(deadlineMs = PROBE_DEADLINE_MS): Promise<{ usable: boolean; reason: string; ms: number }> {
  const problem = kvmAccessProblem();
  if (problem) return Promise.resolve({ usable: false, reason: problem, ms: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-kvm-probe-'));
  const bios = path.join(dir, 'probe.bin');
  fs.writeFileSync(bios, probeBios());
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      qemuBinary(),
      ['-accel', 'kvm', '-bios', bios, '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16', '-device', 'isa-debug-exit,iobase=0xf4,iosize=1'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    const done = (usable: boolean, reason: string) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ usable, reason, ms: Date.now() - started });
    };
    child.on('error', (err) => done(false, `QEMU did not start: ${err.message}`));
    child.on('exit', (code) => {
      const ms = Date.now() - started;
      if (timedOut) done(false, `the tiny probe guest did not finish within ${(deadlineMs / 1000).toFixed(1)} s under KVM (KVM guests crawl here)`);
      else if (code === PROBE_EXIT_CODE) done(true, `the tiny probe guest ran under KVM in ${ms} ms`);
      else {
        const why = stderr.trim().split('\n').filter((l) => !/warning: host doesn't support/.test(l)).pop();
        done(false, `QEMU could not run a KVM guest (exit ${code}${why ? `: ${why}` : ''})`);
      }
    });
  });
}

let inProcess: Promise<ProbeRecord> | null = null;

async function probeRecord(cacheDir: string): Promise<{ record: ProbeRecord; cached: boolean }> {
  const file = cacheFile(cacheDir);
  const qemu = qemuVersion();
  const kernel = os.release();
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeRecord;
    if (r.qemu === qemu && r.kernel === kernel && Date.now() - r.at < CACHE_TTL_MS) return { record: r, cached: true };
  } catch {
    /* no usable record: probe */
  }
  inProcess ??= runKvmProbe().then((p) => {
    const record: ProbeRecord = { ...p, at: Date.now(), qemu, kernel };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file + '.tmp', JSON.stringify(record, null, 2) + '\n');
    fs.renameSync(file + '.tmp', file);
    return record;
  });
  try {
    return { record: await inProcess, cached: false };
  } finally {
    inProcess = null;
  }
}

/** The accelerator for a guest: what the caller asked for, or the probe's verdict for "auto". */
export async function chooseAccel(requested: 'auto' | 'kvm' | 'tcg' = 'auto', cacheDir = defaultCacheDir()): Promise<AccelDecision> {
  if (requested === 'tcg') return { accel: 'tcg', reason: 'TCG as requested', probeMs: null, cached: false };
  if (requested === 'kvm') {
    const problem = kvmAccessProblem();
    if (problem) return { accel: 'tcg', reason: `KVM was requested but ${problem}; using TCG`, probeMs: null, cached: false };
    return { accel: 'kvm', reason: 'KVM as requested (not probed)', probeMs: null, cached: false };
  }
  const { record, cached } = await probeRecord(cacheDir);
  const when = cached ? ` (probed ${Math.round((Date.now() - record.at) / 60_000)} min ago)` : '';
  return record.usable
    ? { accel: 'kvm', reason: `KVM: ${record.reason}${when}`, probeMs: record.ms, cached }
    : { accel: 'tcg', reason: `TCG: KVM unusable, ${record.reason}${when}`, probeMs: record.ms, cached };
}

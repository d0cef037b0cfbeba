// Benchmark: seconds from "boot this step" to a shell prompt and to the selftest summary, for the
// Linux 6.12 entry-compat build under TCG, against the reference a reviewer would type by hand
// (qemu-system-x86_64 -kernel bzImage with a busybox-only initramfs, until its shell prompt), in
// the same run. Also the cold case: the initramfs (headers + static selftests) built from scratch
// and the KVM probe run again. Prints medians and ratios; --json prints the same. Not a test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { linuxBuild, linuxUnavailable, ensureLinuxSource } from '../tests/helpers/linux.js';
import { GuestService } from '../workspaces/guest/service.js';
import { writeCpio } from '../workspaces/guest/cpio.js';
import { staticBusybox } from '../workspaces/guest/toolchain.js';
import { TCG_CPU } from '../workspaces/guest/qemu.js';
import type { BootVerdict } from '../workspaces/host/api/guest.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
const skipCold = args.includes('--no-cold');

const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);

/** By hand: QEMU on the same bzImage with busybox as /init's shell; milliseconds to its "# " prompt. */
async function referenceBoot(bzImage: string, initrd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(
    'qemu-system-x86_64',
    ['-nodefaults', '-no-user-config', '-accel', 'tcg', '-cpu', TCG_CPU, '-m', '512', '-nographic', '-serial', 'mon:stdio', '-no-reboot', '-kernel', bzImage, '-initrd', initrd, '-append', 'console=ttyS0 panic=-1'],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  let out = '';
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the reference boot gave no prompt in 120 s')), 120_000);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        out += d;
        if (/ # $/.test(out.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, ''))) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.on('exit', () => reject(new Error(`the reference QEMU exited:\n${out.slice(-500)}`)));
    });
  } finally {
    child.kill('SIGKILL');
  }
}

function referenceInitramfs(dir: string): string {
  const bb = staticBusybox();
  const file = path.join(dir, 'reference.cpio');
  fs.writeFileSync(
    file,
    writeCpio([
      { type: 'dir', path: 'bin' },
      { type: 'dir', path: 'dev' },
      { type: 'dir', path: 'proc' },
      { type: 'chardev', path: 'dev/console', major: 5, minor: 1 },
      { type: 'file', path: 'bin/busybox', data: fs.readFileSync(bb.path), mode: 0o755 },
      { type: 'symlink', path: 'bin/sh', target: 'busybox' },
      { type: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n/bin/busybox mount -t proc proc /proc\nexec /bin/sh\n'), mode: 0o755 },
    ]),
  );
  return file;
}

async function timeToPrompt(service: GuestService, buildDir: string): Promise<{ ms: number; prepareMs: number; imageCached: boolean }> {
  const started = performance.now();
  const g = await service.start({ buildDir, selftests: false });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no prompt in 180 s')), 180_000);
      const poll = setInterval(() => {
        if (g.state === 'shell') {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 10);
    });
    return { ms: performance.now() - started, prepareMs: g.verdict().timings.prepareMs, imageCached: g.spec.image?.cached ?? false };
  } finally {
    await g.stop('bench');
  }
}

async function main(): Promise<void> {
  const unavailable = linuxUnavailable();
  if (unavailable) {
    process.stderr.write(`guest bench: ${unavailable}\n`);
    process.exitCode = 1;
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-guest-bench-'));
  try {
    say('guest bench: getting the cached Linux 6.12 entry-compat build');
    const tree = await ensureLinuxSource();
    const build = await linuxBuild('entry-compat');
    const bzImage = build.bzImage as string;
    const service = new GuestService({ dataDir: path.join(dir, 'data'), runRoot: path.join(dir, 'run') });
    // Warm the image and the probe cache first: the warm figures are what every boot after the first sees.
    await service.prepare({ buildDir: build.buildDir, tree });
    const refInitrd = referenceInitramfs(dir);

    const reference: number[] = [];
    const prompt: number[] = [];
    const prepare: number[] = [];
    for (let i = 0; i < runs; i++) {
      reference.push(await referenceBoot(bzImage, refInitrd));
      const p = await timeToPrompt(service, build.buildDir);
      prompt.push(p.ms);
      prepare.push(p.prepareMs);
      say(`  run ${i + 1}/${runs}: reference prompt ${s(reference[i])}, entrybench prompt ${s(p.ms)} (prepare ${s(p.prepareMs)})`);
    }

    say('  selftests: one full run');
    const started = performance.now();
    const v: BootVerdict = await service.run({ buildDir: build.buildDir });
    const runMs = performance.now() - started;
    say(`  ${v.headline}`);

    let cold: { ms: number; prepareMs: number } | null = null;
    if (!skipCold) {
      say('  cold: a fresh cache (initramfs built from scratch, KVM probed again)');
      const coldService = new GuestService({ dataDir: path.join(dir, 'data'), cacheDir: path.join(dir, 'cold-cache'), runRoot: path.join(dir, 'run') });
      cold = await timeToPrompt(coldService, build.buildDir);
    }

    const result = {
      kernel: v.kernelVersion,
      accel: v.accel.reason,
      load: os.loadavg().map((x) => Number(x.toFixed(2))),
      runs,
      referencePromptMs: Math.round(median(reference)),
      promptMs: Math.round(median(prompt)),
      promptPrepareMs: Math.round(median(prepare)),
      promptRatio: Number((median(prompt) / median(reference)).toFixed(2)),
      selftests: {
        programs: v.selftests.planned,
        counts: v.selftests.counts,
        complete: v.selftests.complete,
        toInitMs: v.timings.toInitMs,
        toSummaryMs: v.timings.toSummaryMs,
        wallMs: Math.round(runMs),
        summaryRatio: v.timings.toSummaryMs === null ? null : Number((v.timings.toSummaryMs / median(reference)).toFixed(2)),
        slowest: [...v.selftests.results]
          .sort((a, b) => (b.seconds ?? 0) - (a.seconds ?? 0))
          .slice(0, 3)
          .map((r) => ({ name: r.name, seconds: r.seconds })),
      },
      cold: cold && { promptMs: Math.round(cold.ms), prepareMs: Math.round(cold.prepareMs), ratioToWarm: Number((cold.ms / median(prompt)).toFixed(2)) },
    };
    if (json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const lines = [
      `guest bench (${result.accel}; load ${result.load.join(' ')})`,
      `  reference: qemu -kernel bzImage, busybox /init, to "# "   ${s(result.referencePromptMs)}   (median of ${runs})`,
      `  entrybench boot, to the shell prompt (cached image)      ${s(result.promptMs)}   ratio ${result.promptRatio}x  (prepare ${s(result.promptPrepareMs)})`,
      `  entrybench boot, to user space, then selftest summary    ${s(result.selftests.toInitMs)}, ${s(result.selftests.toSummaryMs)}   ${result.selftests.programs} programs, ${JSON.stringify(result.selftests.counts)}${result.selftests.summaryRatio ? `, ${result.selftests.summaryRatio}x the reference prompt` : ''}`,
      `  slowest selftests: ${result.selftests.slowest.map((x) => `${x.name} ${x.seconds} s`).join(', ')}`,
      cold ? `  cold cache (build the initramfs, probe KVM), to the prompt   ${s(result.cold!.promptMs)}   (prepare ${s(result.cold!.prepareMs)}, ${result.cold!.ratioToWarm}x warm)` : '  cold: skipped (--no-cold)',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();

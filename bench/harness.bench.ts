// Benchmark: the kernel harness on one step (a Linux 6.12 entry-compat build): time to read the build,
// boot the emulated CPU, run each scenario, and the whole suite including the sweeps (target < 5 s).
// References measured in the same run: the same getpid() round trip on the bare emulator (no hooks,
// no setup per run), and QEMU TCG booting the same bzImage to its first panic (the cheapest "does
// the step come up" check a reviewer would otherwise run). Not a pass/fail test.
//   npm run bench:harness -- [--json] [--build-dir DIR] [--runs N]
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { linuxBuild, linuxUnavailable } from '../tests/helpers/linux.js';
import { KernelImage } from '../emulator/kernel/vmlinux.js';
import { KernelFacts } from '../emulator/kernel/facts.js';
import { KernelHarness, chooseProfile } from '../emulator/kernel/runner.js';
import { loadScenarios } from '../emulator/kernel/scenario.js';
import { EmulatorPort } from '../emulator/kernel/emulator-port.js';
import { setupTask, setupUser } from '../emulator/kernel/setup.js';
import { defaultCacheDir } from '../workspaces/host/paths.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(opt('--runs') ?? 5);
const TARGET_S = 5;
const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Boot bzImage under QEMU TCG without an initramfs; the kernel panics when it finds no root: time that. */
function qemuBootToPanic(bzImage: string): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn('qemu-system-x86_64', ['-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot', '-kernel', bzImage, '-append', 'console=ttyS0 panic=-1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (/Kernel panic - not syncing/.test(out)) {
        const ms = performance.now() - t0;
        clearTimeout(timer);
        p.kill('SIGKILL');
        resolve(ms);
      }
    });
    p.on('error', () => resolve(null));
    p.on('exit', () => {
      clearTimeout(timer);
      resolve(/Kernel panic/.test(out) ? performance.now() - t0 : null);
    });
  });
}

async function main(): Promise<void> {
  let buildDir = opt('--build-dir');
  let bzImage: string | null = null;
  if (!buildDir) {
    const why = linuxUnavailable();
    if (why) throw new Error(why);
    say('building (or reusing) Linux 6.12 entry-compat ...');
    const b = await linuxBuild('entry-compat');
    buildDir = b.buildDir;
    bzImage = b.bzImage;
  } else {
    const bz = path.join(buildDir, 'arch/x86/boot/bzImage');
    bzImage = fs.existsSync(bz) ? bz : null;
  }
  const probeCacheDir = path.join(defaultCacheDir(), 'check-probes');

  let t = performance.now();
  const image = KernelImage.load(buildDir);
  const loadMs = performance.now() - t;
  t = performance.now();
  const facts = await KernelFacts.gather(image, chooseProfile(image), { probeCacheDir });
  const probeMs = performance.now() - t;
  t = performance.now();
  const harness = await KernelHarness.open(buildDir, { probeCacheDir });
  const openMs = performance.now() - t;
  t = performance.now();
  harness.bootFor('intel');
  const bootMs = performance.now() - t;
  void facts;

  // Each scenario alone, a few times (the first run warms the decode cache).
  const scenarios = harness.select(loadScenarios()).run;
  const per: { name: string; group: string; verdict: string; ms: number; steps: number; kernelSteps: number; sweepPoints: number | null }[] = [];
  for (const s of scenarios) {
    const times: number[] = [];
    let last = harness.runScenario(s);
    const reps = s.sweep ? Math.max(1, Math.min(runs, 3)) : runs;
    for (let i = 0; i < reps; i++) {
      const t1 = performance.now();
      last = harness.runScenario(s);
      times.push(performance.now() - t1);
    }
    per.push({ name: s.name, group: s.group, verdict: last.verdict, ms: median(times), steps: last.steps, kernelSteps: last.kernelSteps, sweepPoints: last.sweep?.points ?? null });
    say(`  ${s.name.padEnd(28)} ${median(times).toFixed(1).padStart(8)} ms  ${String(last.steps).padStart(9)} instructions  ${last.verdict}`);
  }

  // The whole suite as `entrybench check` runs it, on a freshly booted harness (boot counted apart).
  const fresh = await KernelHarness.open(buildDir, { probeCacheDir });
  t = performance.now();
  fresh.bootFor('intel');
  const freshBootMs = performance.now() - t;
  t = performance.now();
  const suite = fresh.runSuite();
  const suiteMs = performance.now() - t;
  const suiteSteps = suite.results.reduce((a, r) => a + r.steps, 0);

  // Reference 1: the getpid() round trip on the bare emulator from the same booted state: one run()
  // to CPL 3, no per-run task/user setup, no observation.
  const getpid = scenarios.find((s) => s.name === 'syscall64-getpid');
  let bareUs = 0;
  let harnessUs = 0;
  let bareSteps = 0;
  if (getpid) {
    const booted = harness.bootFor('intel');
    const port = booted.port as EmulatorPort;
    port.restore(booted.snap);
    const layout = { ...booted.boot };
    const user = setupUser(port, harness.facts, layout, getpid.user, getpid.task.pid);
    setupTask(port, harness.facts, layout, getpid.task, user.labels);
    const snap = port.snapshot();
    const check = port.run({ maxSteps: 10_000, stopAtUserMode: true, inject: [] });
    if (check.stop.kind !== 'user-mode') throw new Error(`the bare getpid run did not return to user mode: ${check.stop.kind}`);
    const n = 2000;
    t = performance.now();
    for (let i = 0; i < n; i++) {
      port.restore(snap);
      port.run({ maxSteps: 10_000, stopAtUserMode: true, inject: [] });
    }
    bareUs = ((performance.now() - t) * 1000) / n;
    // Whole getpid scenario runs (restore, setup, run, observe, judge) for comparison.
    t = performance.now();
    for (let i = 0; i < 200; i++) harness.runScenario(getpid);
    harnessUs = ((performance.now() - t) * 1000) / 200;
    bareSteps = check.steps;
  }

  // Reference 2: QEMU TCG booting the same kernel until it panics for want of a root file system.
  say('booting the same bzImage under QEMU TCG for the reference ...');
  const qemuMs = bzImage ? await qemuBootToPanic(bzImage) : null;

  const result = {
    buildDir,
    kernel: image.release,
    scenarios: per,
    loadSeconds: loadMs / 1000,
    probeSeconds: probeMs / 1000,
    openSeconds: openMs / 1000,
    bootSeconds: bootMs / 1000,
    suite: {
      scenarios: suite.results.length,
      pass: suite.results.filter((r) => r.verdict === 'pass').length,
      seconds: suiteMs / 1000,
      withBootSeconds: (suiteMs + freshBootMs) / 1000,
      instructions: suiteSteps,
      mips: suiteSteps / (suiteMs * 1000),
      targetSeconds: TARGET_S,
      withinTarget: suiteMs / 1000 < TARGET_S,
    },
    sweepSeconds: per.filter((p) => p.sweepPoints !== null).reduce((a, p) => a + p.ms, 0) / 1000,
    getpid: { instructions: bareSteps, bareEmulatorMicroseconds: bareUs, harnessScenarioMicroseconds: harnessUs, harnessOverheadRatio: bareUs ? harnessUs / bareUs : null },
    qemuTcgBootToPanicSeconds: qemuMs === null ? null : qemuMs / 1000,
    suiteToQemuBootRatio: qemuMs ? suiteMs / qemuMs : null,
  };
  if (json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const f = (s: number) => `${s.toFixed(2)} s`;
  console.log(`harness on ${image.release} (${buildDir})`);
  console.log(`  read build ${f(result.loadSeconds)}, offsets from headers ${f(result.probeSeconds)}, boot ${f(result.bootSeconds)}`);
  console.log(`  suite: ${result.suite.scenarios} scenarios (${result.suite.pass} pass) in ${f(result.suite.seconds)} (${f(result.suite.withBootSeconds)} with boot), sweeps ${f(result.sweepSeconds)}; target ${TARGET_S} s: ${result.suite.withinTarget ? 'met' : 'MISSED'}`);
  console.log(`  ${(result.suite.instructions / 1e6).toFixed(1)} M instructions, ${result.suite.mips.toFixed(2)} MIPS including setup and observation`);
  console.log(`  getpid round trip (${bareSteps} instructions): bare emulator ${bareUs.toFixed(0)} us, as a scenario (setup, hooks, invariants) ${harnessUs.toFixed(0)} us (x${result.getpid.harnessOverheadRatio?.toFixed(1)})`);
  console.log(`  QEMU TCG boot of the same bzImage to its first panic: ${qemuMs === null ? 'n/a' : f(qemuMs / 1000)}; suite / that boot = ${result.suiteToQemuBootRatio?.toFixed(2) ?? 'n/a'}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});

// Benchmark (issue 11): time to the first-bad verdict on the Linux walk series (8 patches to
// arch/x86/entry of Debian's linux-source-6.12; 03 clobbers RBX on the SYSRET path, 05 repairs it, 07
// breaks pt_regs for good), in one run on this machine:
//   reference  the usual way: git am on a branch, `git bisect run` with a script that builds the
//              step incrementally and boots it under QEMU TCG with an initramfs whose /init checks
//              the syscall ABI from user space (bench/walk/bisect-step.sh, bench/walk/entry-test.c);
//   ours       `entrybench bisect` and `entrybench walk` (emulator checks, no boot), cold: fresh data,
//              step cache and build directory; then the same walk again, warm.
// Both sides: the same tree, config (entry-compat), gcc, -j, kind of O= build directory, and ccache
// (each side its own empty cache). Prints figures and ratios (reference / ours); --json prints JSON.
// Not a pass/fail test; it exits 1 only when a side does not name patch 03 (the figures are then void).
//   npm run bench:walk -- [--json] [--only reference,bisect,walk] [--no-ccache] [--boot-timeout S] [--keep]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureLinuxRepo, linuxUnavailable } from '../tests/helpers/linux.js';
import { walkSeriesMbox, PATCHES, WALK_SERIES_EXPECTED } from '../tests/helpers/linux-walk-series.js';
import { resolveConfig } from '../workspaces/build/fragments.js';
import { TCG_CPU } from '../workspaces/guest/qemu.js';
import { runReference, type ReferenceResult } from './walk/reference.js';
import { runBisect, runWalks, oursHome, removeReviews, buildDirOf, type OursRun, type OursStep } from './walk/ours.js';
import { round2, type LoadFigures } from './walk/measure.js';
import type { BisectReport, WalkReport } from '../workspaces/host/api/walk.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SIDES = ['reference', 'bisect', 'walk'] as const;
type Side = (typeof SIDES)[number];
const only = new Set((opt('--only') ?? SIDES.join(',')).split(',').map((s) => s.trim()) as Side[]);
const useCcache = !args.includes('--no-ccache') && hasCommand('ccache');
const keep = args.includes('--keep');
const bootTimeoutSec = Number(opt('--boot-timeout') ?? 120);
const CONFIG = 'entry-compat';
const TARGET_RATIO = 3;
const JOBS = Math.max(1, os.availableParallelism());

// Progress goes to stderr in both modes (a run takes many minutes); stdout holds only the result.
const say = (line: string) => void process.stderr.write(line + '\n');

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function firstLine(cmd: string, argv: string[]): string {
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

const sum = (xs: number[]) => round2(xs.reduce((a, b) => a + b, 0));
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round2(a / b) : null);

/** Where a side's time went, in the same categories on both sides. */
interface Breakdown {
  /** The first step built: configure plus a build from an empty build directory. */
  firstBuildSeconds: number;
  incrementalBuildSeconds: number;
  /** QEMU boots (reference) or emulator scenarios (ours). */
  checkSeconds: number;
  /** Reference: git am and git bisect's own checkouts. Ours: checkout, checkpatch, loading each build into the harness, plus start-up and apply. */
  otherSeconds: number;
}

function referenceBreakdown(r: ReferenceResult): Breakdown {
  const [first, ...rest] = r.steps;
  return {
    firstBuildSeconds: first ? round2(first.configureSeconds + first.buildSeconds) : 0,
    incrementalBuildSeconds: sum(rest.map((s) => s.configureSeconds + s.buildSeconds)),
    checkSeconds: sum(r.steps.map((s) => s.bootSeconds)),
    otherSeconds: round2(r.seconds - sum(r.steps.map((s) => s.configureSeconds + s.buildSeconds + s.bootSeconds))),
  };
}

function oursBreakdown(run: OursRun<unknown>): Breakdown {
  // The first step this run computed is the one that configured and filled the build directory.
  const [first, ...rest] = run.steps;
  return {
    firstBuildSeconds: first ? first.buildSeconds : 0,
    incrementalBuildSeconds: sum(rest.map((s) => s.buildSeconds)),
    checkSeconds: sum(run.steps.map((s) => s.emulatorSeconds)),
    otherSeconds: round2(run.seconds - sum(run.steps.map((s) => s.buildSeconds + s.emulatorSeconds))),
  };
}

/** The lines of two .config files that differ, ignoring the generated header comment. */
function configDifference(a: string, b: string): string[] {
  const lines = (f: string) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l && !/^# (Automatically generated|Linux\/x86)/.test(l));
  const [la, lb] = [lines(a), lines(b)];
  const sb = new Set(lb);
  const sa = new Set(la);
  return [...la.filter((l) => !sb.has(l)).map((l) => `- ${l}`), ...lb.filter((l) => !sa.has(l)).map((l) => `+ ${l}`)];
}

interface Figures {
  series: { patches: number; expected: typeof WALK_SERIES_EXPECTED; firstBadSubject: string };
  referenceSeconds: number | null;
  bisectSeconds: number | null;
  walkSeconds: number | null;
  walkWarmSeconds: number | null;
  ratioBisect: number | null;
  ratioWalk: number | null;
  ratioWalkWarm: number | null;
  /** The same ratios on CPU seconds (user + system of every process): less moved by the other work on this machine. */
  ratioBisectCpu: number | null;
  ratioWalkCpu: number | null;
  /** Each side minus its one build from an empty build directory (the same work on both sides). */
  afterFirstBuild: { referenceSeconds: number | null; bisectSeconds: number | null; walkSeconds: number | null; ratioBisect: number | null; ratioWalk: number | null };
  target: { ratio: number; bisect: boolean | null; walk: boolean | null };
  referenceFirstBad: number | null;
  oursFirstBad: number | null;
  walkFirstBad: number | null;
  walkFixedAt: number | null;
  verdictsAsExpected: boolean;
  stepsBuiltReference: number | null;
  stepsBuiltOurs: number | null;
  stepsBuiltWalk: number | null;
  stepsTestedReference: number[] | null;
  stepsTestedOurs: number[] | null;
  cpuSeconds: { reference: number | null; bisect: number | null; walk: number | null; walkWarm: number | null };
  breakdown: { reference: Breakdown | null; bisect: Breakdown | null; walk: Breakdown | null };
  steps: {
    reference: ReferenceResult['steps'] | null;
    bisect: OursStep[] | null;
    walk: OursStep[] | null;
  };
  machine: {
    cores: number;
    cpu: string;
    memoryGb: number;
    loadAtStart: number[];
    load: { reference: LoadFigures | null; bisect: LoadFigures | null; walk: LoadFigures | null; walkWarm: LoadFigures | null };
  };
  same: {
    tree: string;
    config: string;
    configIdentical: boolean | null;
    configDifference: string[];
    compiler: string;
    gcc: string;
    jobs: number;
    ccache: string;
    buildDirectory: string;
    qemu: string;
    qemuArgs: string;
  };
  setup: { cloneSeconds: number; initramfsSeconds: number | null; initramfsBytes: number | null; outsideStepsSeconds: { bisect: number | null; walk: number | null } };
  evidence: { reference: string | null; bisect: string | null };
  commands: { reference: string[] | null; bisect: string | null; walk: string | null };
  workDir: string | null;
}

async function main(): Promise<void> {
  const unavailable = linuxUnavailable();
  const missing = ['gcc', 'make', 'git', 'qemu-system-x86_64'].filter((c) => !hasCommand(c));
  if (unavailable || missing.length) {
    say(`walk bench: ${unavailable ?? `missing ${missing.join(', ')}: apt-get install build-essential git qemu-system-x86`}`);
    process.exitCode = 1;
    return;
  }
  const loadAtStart = os.loadavg().map(round2);
  say('walk bench: preparing the Linux repository (the first time unpacks and commits linux-source-6.12)');
  const cacheRepo = await ensureLinuxRepo();
  const base = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: cacheRepo, encoding: 'utf8' }).trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-walk-bench-'));
  // The reviewer's tree: a private clone sharing the cached repository's objects, so that neither
  // side's branches, worktrees or bisect state touch the repository other tests use.
  const tree = path.join(work, 'linux');
  const cloneStarted = performance.now();
  execFileSync('git', ['clone', '--quiet', '--shared', cacheRepo, tree], { stdio: ['ignore', 'ignore', 'inherit'] });
  const cloneSeconds = round2((performance.now() - cloneStarted) / 1000);
  const mbox = walkSeriesMbox(tree, path.join(work, 'series'));
  const patchDir = path.join(work, 'series', 'patches');
  const patches = fs.readdirSync(patchDir).sort().filter((f) => !f.startsWith('0000-')).map((f) => path.join(patchDir, f));
  const fragments = resolveConfig(CONFIG).fragments;
  const homes = { bisect: oursHome(path.join(work, 'bisect')), walk: oursHome(path.join(work, 'walk')) };
  say(`walk bench: tree ${tree} (clone ${cloneSeconds} s), ${patches.length} patches, config ${CONFIG}, -j${JOBS}, ${useCcache ? 'ccache (empty per side)' : 'no ccache'}`);

  let reference: ReferenceResult | null = null;
  let bisect: OursRun<BisectReport> | null = null;
  let walks: { cold: OursRun<WalkReport>; warm: OursRun<WalkReport> } | null = null;
  let oursConfig: string | null = null;
  try {
    if (only.has('reference')) {
      say('walk bench: reference (git bisect run, build + QEMU TCG boot per step)');
      reference = await runReference({ tree, base, patches, work: path.join(work, 'reference'), jobs: JOBS, ccache: useCcache, fragments, bootTimeoutSec, say });
      say(`  reference: first bad ${reference.firstBad} in ${reference.seconds.toFixed(1)} s`);
    }
    if (only.has('bisect')) {
      say('walk bench: entrybench bisect, cold');
      bisect = await runBisect({ tree, mbox, home: homes.bisect, ccache: useCcache, say });
      say(`  bisect: first bad ${bisect.report.firstBad?.index ?? 'none'} in ${bisect.seconds.toFixed(1)} s`);
      const dir = buildDirOf(homes.bisect);
      if (dir) {
        oursConfig = path.join(work, 'ours.config');
        fs.copyFileSync(path.join(dir, '.config'), oursConfig);
      }
      // Its worktree, branch and build directory go before the cold walk makes its own.
      await removeReviews(homes.bisect, tree);
      fs.rmSync(path.join(work, 'bisect'), { recursive: true, force: true });
    }
    if (only.has('walk')) {
      say('walk bench: entrybench walk, cold');
      walks = await runWalks({ tree, mbox, home: homes.walk, ccache: useCcache, say });
      say(`  walk: first bad ${walks.cold.report.firstBad ?? 'none'} in ${walks.cold.seconds.toFixed(1)} s, warm ${walks.warm.seconds.toFixed(1)} s`);
      const dir = buildDirOf(homes.walk);
      if (dir && !oursConfig) {
        oursConfig = path.join(work, 'ours.config');
        fs.copyFileSync(path.join(dir, '.config'), oursConfig);
      }
    }
  } finally {
    await removeReviews(homes.bisect, tree);
    await removeReviews(homes.walk, tree);
  }

  const diff = reference && oursConfig ? configDifference(reference.dotConfig, oursConfig) : [];
  const expected = WALK_SERIES_EXPECTED.firstBad;
  const referenceSeconds = reference?.seconds ?? null;
  const figures: Figures = {
    series: { patches: PATCHES.length, expected: WALK_SERIES_EXPECTED, firstBadSubject: PATCHES[expected - 1].subject },
    referenceSeconds,
    bisectSeconds: bisect?.seconds ?? null,
    walkSeconds: walks?.cold.seconds ?? null,
    walkWarmSeconds: walks?.warm.seconds ?? null,
    ratioBisect: ratio(referenceSeconds, bisect?.seconds ?? null),
    ratioWalk: ratio(referenceSeconds, walks?.cold.seconds ?? null),
    ratioWalkWarm: ratio(referenceSeconds, walks?.warm.seconds ?? null),
    ratioBisectCpu: ratio(reference?.cpuSeconds ?? null, bisect?.cpuSeconds ?? null),
    ratioWalkCpu: ratio(reference?.cpuSeconds ?? null, walks?.cold.cpuSeconds ?? null),
    afterFirstBuild: { referenceSeconds: null, bisectSeconds: null, walkSeconds: null, ratioBisect: null, ratioWalk: null },
    target: { ratio: TARGET_RATIO, bisect: null, walk: null },
    referenceFirstBad: reference?.firstBad ?? null,
    oursFirstBad: bisect?.report.firstBad?.index ?? null,
    walkFirstBad: walks?.cold.report.firstBad ?? null,
    walkFixedAt: walks?.cold.report.fixedAt ?? null,
    verdictsAsExpected: true,
    stepsBuiltReference: reference?.stepsBuilt ?? null,
    stepsBuiltOurs: bisect?.report.stepsBuilt ?? null,
    stepsBuiltWalk: walks ? walks.cold.steps.length : null,
    stepsTestedReference: reference ? reference.steps.map((s) => s.index) : null,
    stepsTestedOurs: bisect?.report.tested ?? null,
    cpuSeconds: { reference: reference?.cpuSeconds ?? null, bisect: bisect?.cpuSeconds ?? null, walk: walks?.cold.cpuSeconds ?? null, walkWarm: walks?.warm.cpuSeconds ?? null },
    breakdown: { reference: reference ? referenceBreakdown(reference) : null, bisect: bisect ? oursBreakdown(bisect) : null, walk: walks ? oursBreakdown(walks.cold) : null },
    steps: { reference: reference?.steps ?? null, bisect: bisect?.steps ?? null, walk: walks?.cold.steps ?? null },
    machine: {
      cores: JOBS,
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memoryGb: round2(os.totalmem() / 2 ** 30),
      loadAtStart,
      load: { reference: reference?.load ?? null, bisect: bisect?.load ?? null, walk: walks?.cold.load ?? null, walkWarm: walks?.warm.load ?? null },
    },
    same: {
      tree: 'Debian linux-source-6.12 as one git commit, the series applied on it',
      config: `${CONFIG}: make ARCH=x86_64 tinyconfig + ${fragments.map((f) => path.basename(f)).join(' + ')}, olddefconfig`,
      configIdentical: reference && oursConfig ? diff.length === 0 : null,
      configDifference: diff,
      compiler: useCcache ? 'ccache gcc' : 'gcc',
      gcc: firstLine('gcc', ['--version']),
      jobs: JOBS,
      ccache: useCcache ? `${firstLine('ccache', ['--version'])}, CCACHE_BASEDIR=<tree> CCACHE_NOHASHDIR=true, an empty cache directory per side` : 'off on both sides',
      buildDirectory: 'O=<fresh directory outside the tree>, nice -n 10 make ARCH=x86_64 -jN CC=... bzImage, incremental across steps',
      qemu: firstLine('qemu-system-x86_64', ['--version']),
      qemuArgs: `-accel tcg -cpu ${TCG_CPU} -m 256 -smp 1 -nographic -no-reboot, console=ttyS0 panic=-1 quiet`,
    },
    setup: {
      cloneSeconds,
      initramfsSeconds: reference?.imageSeconds ?? null,
      initramfsBytes: reference?.initramfsBytes ?? null,
      outsideStepsSeconds: { bisect: bisect?.outsideStepsSeconds ?? null, walk: walks?.cold.outsideStepsSeconds ?? null },
    },
    evidence: {
      reference: reference?.steps.find((s) => s.index === reference?.firstBad)?.evidence ?? null,
      bisect: bisect?.report.firstBad ? `${bisect.report.firstBad.check}: ${bisect.report.firstBad.summary}` : null,
    },
    commands: { reference: reference?.commands ?? null, bisect: bisect?.command ?? null, walk: walks?.cold.command ?? null },
    workDir: keep ? work : null,
  };
  const rest = (seconds: number | null, b: Breakdown | null) => (seconds === null || b === null ? null : round2(seconds - b.firstBuildSeconds));
  const after = {
    referenceSeconds: rest(figures.referenceSeconds, figures.breakdown.reference),
    bisectSeconds: rest(figures.bisectSeconds, figures.breakdown.bisect),
    walkSeconds: rest(figures.walkSeconds, figures.breakdown.walk),
  };
  figures.afterFirstBuild = { ...after, ratioBisect: ratio(after.referenceSeconds, after.bisectSeconds), ratioWalk: ratio(after.referenceSeconds, after.walkSeconds) };
  figures.target = {
    ratio: TARGET_RATIO,
    bisect: figures.ratioBisect === null ? null : figures.ratioBisect >= TARGET_RATIO,
    walk: figures.ratioWalk === null ? null : figures.ratioWalk >= TARGET_RATIO,
  };
  const verdicts = [figures.referenceFirstBad, figures.oursFirstBad, figures.walkFirstBad].filter((_, i) => only.has(SIDES[i]));
  figures.verdictsAsExpected = verdicts.every((v) => v === expected) && (!walks || figures.walkFixedAt === WALK_SERIES_EXPECTED.fixedAt);

  if (!keep) fs.rmSync(work, { recursive: true, force: true });
  else say(`walk bench: kept ${work} (the clone, logs and build directories); remove it when done`);
  if (!figures.verdictsAsExpected) {
    say(`walk bench: a side did not name patch ${String(expected).padStart(2, '0')} (reference ${figures.referenceFirstBad}, bisect ${figures.oursFirstBad}, walk ${figures.walkFirstBad}/fixed ${figures.walkFixedAt}): the figures compare different answers`);
    process.exitCode = 1;
  }
  process.stdout.write(json ? JSON.stringify(figures, null, 2) + '\n' : formatFigures(figures));
}

function formatFigures(f: Figures): string {
  const s = (n: number | null) => (n === null ? '-' : `${n.toFixed(1)} s`);
  const x = (n: number | null) => (n === null ? '-' : `${n.toFixed(2)}x`);
  const idx = (n: number | null) => (n === null ? '-' : String(n).padStart(2, '0'));
  const rows: string[][] = [['', 'to verdict', 'first bad', 'builds', 'first build', 'incr. builds', 'checks', 'other', 'cpu', 'load'], []];
  const add = (name: string, seconds: number | null, firstBad: number | null, built: number | null, b: Breakdown | null, cpu: number | null, load: LoadFigures | null, check: string) =>
    rows.push([
      name,
      s(seconds),
      idx(firstBad),
      built === null ? '-' : String(built),
      s(b?.firstBuildSeconds ?? null),
      s(b?.incrementalBuildSeconds ?? null),
      b ? `${s(b.checkSeconds)} ${check}` : '-',
      s(b?.otherSeconds ?? null),
      s(cpu),
      load ? `${load.mean.toFixed(1)} (max ${load.max.toFixed(1)})` : '-',
    ]);
  add('git bisect run + QEMU', f.referenceSeconds, f.referenceFirstBad, f.stepsBuiltReference, f.breakdown.reference, f.cpuSeconds.reference, f.machine.load.reference, 'boot');
  add('entrybench bisect (cold)', f.bisectSeconds, f.oursFirstBad, f.stepsBuiltOurs, f.breakdown.bisect, f.cpuSeconds.bisect, f.machine.load.bisect, 'emulator');
  add('entrybench walk (cold)', f.walkSeconds, f.walkFirstBad, f.stepsBuiltWalk, f.breakdown.walk, f.cpuSeconds.walk, f.machine.load.walk, 'emulator');
  add('entrybench walk (warm)', f.walkWarmSeconds, f.walkFirstBad, f.walkWarmSeconds === null ? null : 0, null, f.cpuSeconds.walkWarm, f.machine.load.walkWarm, '');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  rows[1] = widths.map((w) => '-'.repeat(w));
  const table = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
  const steps = (name: string, list: { index: number; text: string }[] | null) =>
    list ? [`  ${name}: ${list.map((l) => `${idx(l.index)} ${l.text}`).join('; ')}`] : [];
  const t = f.target;
  return [
    `walk: time to the first-bad verdict, Linux 6.12 walk series (${f.series.patches} patches; expected first bad ${idx(f.series.expected.firstBad)} "${f.series.firstBadSubject}")`,
    `  same on both sides: ${f.same.config}; ${f.same.compiler} (${f.same.gcc}), -j${f.same.jobs}, ${f.same.ccache}`,
    `  config identical on both sides: ${f.same.configIdentical === null ? 'not compared' : f.same.configIdentical ? 'yes' : `NO (${f.same.configDifference.length} lines differ)`}`,
    '',
    ...table,
    '',
    `ratios, reference / ours: bisect ${x(f.ratioBisect)}, walk ${x(f.ratioWalk)}, warm walk ${x(f.ratioWalkWarm)}; target ${t.ratio}x: bisect ${t.bisect === null ? '-' : t.bisect ? 'met' : 'not met'}, walk ${t.walk === null ? '-' : t.walk ? 'met' : 'not met'}`,
    `  on CPU seconds: bisect ${x(f.ratioBisectCpu)}, walk ${x(f.ratioWalkCpu)}; without each side's one build from an empty build directory: reference ${s(f.afterFirstBuild.referenceSeconds)}, bisect ${s(f.afterFirstBuild.bisectSeconds)} (${x(f.afterFirstBuild.ratioBisect)}), walk ${s(f.afterFirstBuild.walkSeconds)} (${x(f.afterFirstBuild.ratioWalk)})`,
    `order of steps tested: reference ${f.stepsTestedReference?.map(idx).join(', ') ?? '-'}; bisect ${f.stepsTestedOurs?.map(idx).join(', ') ?? '-'} (plus the base)`,
    'per step (build / check seconds):',
    ...steps('reference', f.steps.reference?.map((r) => ({ index: r.index, text: `${r.verdict} ${(r.configureSeconds + r.buildSeconds).toFixed(1)}/${r.bootSeconds.toFixed(1)}` })) ?? null),
    ...steps('bisect', f.steps.bisect?.map((r) => ({ index: r.index, text: `${r.buildSeconds.toFixed(1)}/${r.emulatorSeconds.toFixed(1)}+${r.otherSeconds.toFixed(1)}` })) ?? null),
    ...steps('walk', f.steps.walk?.map((r) => ({ index: r.index, text: `${r.buildSeconds.toFixed(1)}/${r.emulatorSeconds.toFixed(1)}+${r.otherSeconds.toFixed(1)}` })) ?? null),
    `  ("other" for ours: checkout, checkpatch, loading the build into the harness; outside the steps, start-up and apply took ${s(f.setup.outsideStepsSeconds.bisect)} (bisect), ${s(f.setup.outsideStepsSeconds.walk)} (walk))`,
    `evidence: reference "${f.evidence.reference ?? '-'}"; bisect "${f.evidence.bisect ?? '-'}"`,
    `machine: ${f.machine.cores} cores (${f.machine.cpu}), ${f.machine.memoryGb} GB, load at start ${f.machine.loadAtStart.join(' ')}; setup outside the figures: clone ${s(f.setup.cloneSeconds)}, initramfs ${s(f.setup.initramfsSeconds)}`,
    '',
  ].join('\n');
}

await main();

// The reference side of bench/walk.bench.ts, the usual way: the series applied with git am on a
// branch of the reviewer's tree, then `git bisect run bisect-step.sh` (incremental build + QEMU TCG
// boot of a tiny initramfs whose /init checks the syscall ABI from user space).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeCpio } from '../../workspaces/guest/cpio.js';
import { TCG_CPU } from '../../workspaces/guest/qemu.js';
import { measure, round2, LoadSampler, type LoadFigures } from './measure.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const STEP_SCRIPT = path.join(HERE, 'bisect-step.sh');
const INIT_SOURCE = path.join(HERE, 'entry-test.c');
const BRANCH = 'bench/walk-series';

export interface ReferenceOptions {
  /** The reviewer's tree (a git checkout), at the series' base. */
  tree: string;
  base: string;
  /** The series as format-patch files, without the cover letter (git am cannot take it). */
  patches: string[];
  /** Scratch directory of this side: build directory, ccache, logs, initramfs. */
  work: string;
  jobs: number;
  /** Use ccache, with its own empty cache directory (as entrybench's side gets one). */
  ccache: boolean;
  /** The project's config fragments, in order (entry-compat: entry-min then entry-compat). */
  fragments: string[];
  bootTimeoutSec: number;
  say(line: string): void;
}

export interface ReferenceStep {
  index: number;
  commit: string;
  verdict: 'good' | 'bad' | 'skip';
  configureSeconds: number;
  buildSeconds: number;
  bootSeconds: number;
  qemuExit: number | null;
  evidence: string;
}

export interface ReferenceResult {
  /** From `git checkout -b` to the first-bad line of `git bisect run`. */
  seconds: number;
  cpuSeconds: number | null;
  load: LoadFigures;
  firstBad: number | null;
  firstBadSubject: string | null;
  steps: ReferenceStep[];
  stepsBuilt: number;
  amSeconds: number;
  /** Time git bisect itself took outside the step script (checkouts, bookkeeping). */
  bisectOverheadSeconds: number;
  /** Compiling /init and writing the initramfs: one-off tooling, not counted in `seconds`. */
  imageSeconds: number;
  initramfsBytes: number;
  buildDir: string;
  dotConfig: string;
  commands: string[];
  bisectLog: string;
}

const gitEnv = {
  ...process.env,
  LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'Walk bench',
  GIT_AUTHOR_EMAIL: 'bench@entrybench.invalid',
  GIT_COMMITTER_NAME: 'Walk bench',
  GIT_COMMITTER_EMAIL: 'bench@entrybench.invalid',
  GIT_TERMINAL_PROMPT: '0',
};

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** /init compiled freestanding and static, in an initramfs with /dev/console (the kernel opens it for /init). */
export function buildInitramfs(dir: string): { initramfs: string; seconds: number; commands: string[] } {
  const started = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  const init = path.join(dir, 'init');
  const cc = ['gcc', '-static', '-nostdlib', '-ffreestanding', '-fno-pie', '-no-pie', '-fno-stack-protector', '-O2', '-Wall', '-o', init, INIT_SOURCE];
  execFileSync(cc[0], cc.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  const initramfs = path.join(dir, 'initramfs.cpio');
  fs.writeFileSync(
    initramfs,
    writeCpio([
      { type: 'dir', path: 'dev' },
      { type: 'chardev', path: 'dev/console', major: 5, minor: 1, mode: 0o600 },
      { type: 'file', path: 'init', data: fs.readFileSync(init), mode: 0o755 },
    ]),
  );
  return { initramfs, seconds: (performance.now() - started) / 1000, commands: [cc.join(' ')] };
}

function readSteps(file: string, commits: string[]): ReferenceStep[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit, verdict, t0, t1, t2, t3, qemu, evidence] = line.split('\t');
      const [a, b, c, d] = [t0, t1, t2, t3].map(Number);
      return {
        index: commits.findIndex((full) => full.startsWith(commit)) + 1,
        commit,
        verdict: verdict as ReferenceStep['verdict'],
        configureSeconds: round2(b - a),
        buildSeconds: round2(c - b),
        bootSeconds: round2(d - c),
        qemuExit: qemu === '' ? null : Number(qemu),
        evidence: evidence ?? '',
      };
    });
}

export async function runReference(o: ReferenceOptions): Promise<ReferenceResult> {
  const logs = path.join(o.work, 'logs');
  const buildDir = path.join(o.work, 'build');
  fs.mkdirSync(logs, { recursive: true });
  const image = buildInitramfs(path.join(o.work, 'image'));
  const env = {
    ...gitEnv,
    CCACHE_DIR: path.join(o.work, 'ccache'),
    EB_BUILD: buildDir,
    EB_INITRD: image.initramfs,
    EB_LOGS: logs,
    EB_JOBS: String(o.jobs),
    EB_FRAGMENTS: o.fragments.join(' '),
    EB_CC: o.ccache ? 'ccache gcc' : 'gcc',
    EB_QEMU_CPU: TCG_CPU,
    EB_BOOT_TIMEOUT: String(o.bootTimeoutSec),
  };
  const commands = [
    ...image.commands,
    `git checkout -b ${BRANCH} ${o.base}`,
    `git am ${o.patches.map((p) => path.basename(p)).join(' ')}`,
    `git bisect start ${BRANCH} ${o.base}`,
    `git bisect run ${STEP_SCRIPT}`,
  ];

  const load = new LoadSampler();
  const started = performance.now();
  git(o.tree, ['checkout', '-q', '-b', BRANCH, o.base]);
  const amStarted = performance.now();
  git(o.tree, ['am', '-q', ...o.patches]);
  const amSeconds = (performance.now() - amStarted) / 1000;
  const commits = git(o.tree, ['rev-list', '--reverse', `${o.base}..${BRANCH}`]).trim().split('\n');
  git(o.tree, ['bisect', 'start', BRANCH, o.base]);
  o.say(`reference: git bisect run over ${commits.length} commits (build + QEMU TCG boot per step)`);
  const run = await measure('git', ['bisect', 'run', STEP_SCRIPT], { cwd: o.tree, env });
  const seconds = (performance.now() - started) / 1000;
  const loadFigures = load.stop();

  const bisectLog = run.stdout + run.stderr;
  fs.writeFileSync(path.join(logs, 'bisect-run.log'), bisectLog);
  const m = /^([0-9a-f]{40}) is the first bad commit/m.exec(bisectLog);
  const firstBadCommit = m ? m[1] : null;
  const firstBad = firstBadCommit ? commits.indexOf(firstBadCommit) + 1 : null;
  const steps = readSteps(path.join(logs, 'steps.tsv'), commits);
  for (const s of steps) o.say(`  reference step ${s.index}: ${s.verdict} (build ${s.buildSeconds} s, boot ${s.bootSeconds} s) ${s.evidence}`);
  const stepSeconds = steps.reduce((a, s) => a + s.configureSeconds + s.buildSeconds + s.bootSeconds, 0);
  const saved = git(o.tree, ['bisect', 'log']);
  git(o.tree, ['bisect', 'reset']);
  if (run.exitCode !== 0 || firstBad === null) {
    throw new Error(`git bisect run did not name a first bad commit (exit ${run.exitCode}); see ${path.join(logs, 'bisect-run.log')}:\n${bisectLog.slice(-2000)}`);
  }
  return {
    seconds: round2(seconds),
    cpuSeconds: run.cpuSeconds,
    load: loadFigures,
    firstBad,
    firstBadSubject: firstBadCommit ? git(o.tree, ['log', '-1', '--format=%s', firstBadCommit]).trim() : null,
    steps,
    stepsBuilt: steps.length,
    amSeconds: round2(amSeconds),
    bisectOverheadSeconds: round2(run.seconds - stepSeconds),
    imageSeconds: round2(image.seconds),
    initramfsBytes: fs.statSync(image.initramfs).size,
    buildDir,
    dotConfig: path.join(buildDir, '.config'),
    commands,
    bisectLog: saved,
  };
}

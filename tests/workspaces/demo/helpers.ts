// Building and booting the demo kernel in tests: make out of tree, QEMU under TCG with the serial
// console on a pipe (and the TAP-only port in a file), with timings and no QEMU left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';

const made: string[] = [];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `entrybench-demo-${prefix}-`));
  made.push(dir);
  return dir;
}

export function removeTmpDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const JOBS = Math.max(1, os.availableParallelism());

export interface MakeRun {
  code: number;
  output: string;
  seconds: number;
}

/** `nice make O=buildDir ARGS` in a tree; never throws, the caller looks at code and output. */
export function makeDemo(tree: string, buildDir: string, args: string[], opts: { env?: Record<string, string> } = {}): Promise<MakeRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '10', 'make', '--no-print-directory', `O=${buildDir}`, ...args], {
      cwd: tree,
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, output, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Configure with tinyconfig (or the given target) and build; throws with make's output on failure. */
export async function buildDemo(tree: string, buildDir: string, config = 'tinyconfig', extra: string[] = []): Promise<MakeRun> {
  const conf = await makeDemo(tree, buildDir, [config]);
  if (conf.code !== 0) throw new Error(`make ${config} failed:\n${conf.output}`);
  const build = await makeDemo(tree, buildDir, [`-j${JOBS}`, ...extra]);
  if (build.code !== 0) throw new Error(`make failed:\n${build.output}`);
  return build;
}

export interface BootRun {
  /** Everything QEMU printed on the console (ttyS0). */
  console: string;
  /** What the kernel wrote to ttyS1, or null when no second port was given. */
  tap: string | null;
  exitCode: number | null;
  timedOut: boolean;
  /** Seconds from starting QEMU to "TAP version 13", to the "# Totals" line, and to its exit. */
  toTap: number | null;
  toTotals: number | null;
  seconds: number;
}

export interface BootOptions {
  /** Kernel command line; the default powers off after the checks. */
  append?: string;
  /** Also give QEMU a second serial port whose output goes to a file (the TAP-only port). */
  tapPort?: boolean;
  /** Type `send` once the console shows `after` (in order, each after the previous one matched). */
  script?: { after: string; send: string }[];
  timeoutMs?: number;
}

const running = new Set<ChildProcess>();

/** Kill QEMUs a failed test left behind (call from afterEach/afterAll). */
export function killLeftoverQemu(): number {
  let n = 0;
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      n++;
    }
  }
  running.clear();
  return n;
}

export function bootDemo(bzImage: string, opts: BootOptions = {}): Promise<BootRun> {
  const dir = tmpDir('boot');
  const tapFile = path.join(dir, 'tap.txt');
  const args = [
    '-accel', 'tcg', '-nographic', '-no-reboot', '-m', '128M', '-nic', 'none',
    '-kernel', bzImage, '-append', opts.append ?? 'panic=-1 -- poweroff',
    '-serial', 'mon:stdio',
    ...(opts.tapPort ? ['-serial', `file:${tapFile}`] : []),
  ];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  return new Promise((resolve) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let text = '';
    let toTap: number | null = null;
    let toTotals: number | null = null;
    let timedOut = false;
    const script = [...(opts.script ?? [])];
    let searchFrom = 0;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    const onData = (c: Buffer) => {
      text += c.toString('latin1');
      if (toTap === null && text.includes('TAP version 13')) toTap = elapsed();
      if (toTotals === null && text.includes('# Totals:')) toTotals = elapsed();
      while (script.length > 0) {
        const at = text.indexOf(script[0].after, searchFrom);
        if (at < 0) break;
        searchFrom = at + script[0].after.length;
        child.stdin.write(script.shift()!.send);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.stdin.on('error', () => {
      /* QEMU may exit while we type */
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        console: text.replace(/\r\n/g, '\n'),
        tap: opts.tapPort && fs.existsSync(tapFile) ? fs.readFileSync(tapFile, 'latin1').replace(/\r\n/g, '\n') : null,
        exitCode: code,
        timedOut,
        toTap,
        toTotals,
        seconds: elapsed(),
      });
    });
  });
}

/** The TAP result lines ("ok 3 - ...", "not ok 3 - ...") of a console log. */
export function tapResults(text: string): string[] {
  return text.split('\n').filter((l) => /^(not )?ok \d+ - /.test(l));
}

export function failedTap(text: string): string[] {
  return tapResults(text).filter((l) => l.startsWith('not ok'));
}

/** A throwaway copy of a tree, for tests that edit sources or touch files. */
export function copyTree(tree: string, prefix: string): string {
  const dir = path.join(tmpDir(prefix), 'tree');
  fs.cpSync(tree, dir, { recursive: true });
  return dir;
}

/** Symbols of vmlinux as `nm -n` lists them: name -> { address, type }. */
export function nmSymbols(vmlinux: string): Map<string, { address: bigint; type: string }> {
  const out = execFileSync('nm', ['-n', vmlinux], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const map = new Map<string, { address: bigint; type: string }>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{16}) (\S) (\S+)$/.exec(line);
    if (m && !map.has(m[3])) map.set(m[3], { address: BigInt(`0x${m[1]}`), type: m[2] });
  }
  return map;
}

/** The 1-based line of the first source line containing `needle`. */
export function lineOf(file: string, needle: string): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not found in ${file}`);
  return i + 1;
}

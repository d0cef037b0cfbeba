// How bench/walk.bench.ts times a command: wall clock, CPU time of its whole process tree (through
// /usr/bin/time, which counts every descendant it waited for), and the machine's load meanwhile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';

export interface LoadFigures {
  /** 1-minute load average when the command started. */
  start: number;
  /** Mean and highest 1-minute load average sampled every few seconds while it ran. */
  mean: number;
  max: number;
  samples: number;
}

export interface Measured {
  seconds: number;
  /** user + system seconds of the command and everything it started; null without /usr/bin/time. */
  cpuSeconds: number | null;
  exitCode: number;
  stdout: string;
  stderr: string;
  load: LoadFigures;
}

export interface MeasureOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Lines of the command's stderr go here as they come (progress), besides being kept. */
  onStderr?: (line: string) => void;
}

const TIME = '/usr/bin/time';
const LOAD_SAMPLE_MS = 5_000;

/** Samples the 1-minute load average until stopped. */
export class LoadSampler {
  private readonly samples: number[] = [os.loadavg()[0]];
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]), LOAD_SAMPLE_MS);
    this.timer.unref();
  }

  stop(): LoadFigures {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]);
    const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    return { start: round2(this.samples[0]), mean: round2(mean), max: round2(Math.max(...this.samples)), samples: this.samples.length };
  }
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Run a command to its end and measure it. Never rejects for a non-zero exit: the caller decides. */
export function measure(cmd: string, args: string[], opts: MeasureOptions): Promise<Measured> {
  const timed = fs.existsSync(TIME);
  const timeFile = timed ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eb-time-')), 'time') : null;
  const argv = timeFile ? ['-o', timeFile, '-f', '%U %S', cmd, ...args] : args;
  const load = new LoadSampler();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(timeFile ? TIME : cmd, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let partial = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err.push(d);
      if (!opts.onStderr) return;
      partial += d.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onStderr(line);
    });
    child.on('error', (e) => {
      load.stop();
      reject(e);
    });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      let cpuSeconds: number | null = null;
      if (timeFile) {
        // /usr/bin/time appends its line after anything the command itself wrote to stderr.
        const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        const m = /^([\d.]+) ([\d.]+)$/.exec(last);
        if (m) cpuSeconds = round2(Number(m[1]) + Number(m[2]));
        fs.rmSync(path.dirname(timeFile), { recursive: true, force: true });
      }
      resolve({
        seconds,
        cpuSeconds,
        exitCode: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        load: load.stop(),
      });
    });
  });
}

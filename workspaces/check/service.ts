// The check service: runs the emulator suite on a build directory in a worker thread (the emulator is
// CPU-bound for seconds), with progress per scenario and cancellation that stops the worker at once.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Cancelled, NotFound, ReviewError } from '../errors.js';
import { checkWorkerEntry, defaultCacheDir, scenarioDir } from '../host/paths.js';
import type { CheckReport, CheckScenarioInfo } from '../host/api/check.js';
import { loadScenarios } from '../../emulator/kernel/scenario.js';
import { runCheck, type CheckRequest } from './run.js';
import type { WorkerMessage, WorkerRequest } from './worker.js';

/** The build cannot be checked: its files are missing or inconsistent, or no profile fits it. */
export class BuildNotCheckable extends ReviewError {}
/** A scenario file or name is wrong. */
export class ScenarioProblem extends ReviewError {}
/** The harness itself failed (a bug): the message says where. */
export class CheckCrashed extends ReviewError {}

export interface CheckProgress {
  phase: 'check';
  message: string;
  done?: number;
  total?: number;
}

export interface CheckOptions {
  signal?: AbortSignal;
  onProgress?: (p: CheckProgress) => void;
}

function toReviewError(kind: string, message: string, hint: string): ReviewError {
  if (kind === 'KernelImageError' || kind === 'ProfileMismatch') return new BuildNotCheckable(message, hint);
  if (kind === 'ScenarioError') return new ScenarioProblem(message, hint);
  if (kind === 'HarnessError' && /cancelled/i.test(message)) return new Cancelled('check');
  if (kind === 'HarnessError') return new ScenarioProblem(message, hint);
  return new CheckCrashed(message, hint);
}

export class CheckService {
  readonly probeCacheDir: string;
  readonly scenarioDir: string;

  constructor(opts: { cacheDir?: string; useWorker?: boolean; scenarioDir?: string } = {}) {
    this.probeCacheDir = path.join(opts.cacheDir ?? defaultCacheDir(), 'check-probes');
    this.scenarioDir = opts.scenarioDir ?? scenarioDir();
    this.useWorker = opts.useWorker ?? true;
  }

  private readonly useWorker: boolean;

  scenarios(): CheckScenarioInfo[] {
    return loadScenarios(this.scenarioDir).map((s) => ({ name: s.name, summary: s.summary, group: s.group, requires: s.requires, invariants: s.invariants.map((i) => i.name) }));
  }

  async check(buildDir: string, scenarios: string[] | undefined, opts: CheckOptions = {}): Promise<CheckReport> {
    const dir = path.resolve(buildDir);
    if (!fs.existsSync(dir)) throw new NotFound(`No build directory at ${dir}.`, 'Build the kernel first (entrybench build --tree DIR) and pass the build directory it prints.');
    if (opts.signal?.aborted) throw new Cancelled('check');
    const req: CheckRequest = { buildDir: dir, scenarios, probeCacheDir: this.probeCacheDir, scenarioDir: this.scenarioDir };
    // The sources through tsx in a checkout, the worker bundle in the CLI bundle and in Electron.
    const entry = checkWorkerEntry().file;
    if (this.useWorker && fs.existsSync(entry)) return this.inWorker(entry, req, opts);
    return this.inProcess(req, opts);
  }

  private async inProcess(req: CheckRequest, opts: CheckOptions): Promise<CheckReport> {
    try {
      return await runCheck(req, {
        signal: opts.signal,
        onPhase: (message) => opts.onProgress?.({ phase: 'check', message }),
        onScenario: (r, done, total) => opts.onProgress?.({ phase: 'check', message: `${r.name}: ${r.verdict}`, done, total }),
      });
    } catch (err) {
      if (err instanceof ReviewError) throw err;
      const e = err as { kind?: string; message?: string; hint?: string };
      if (typeof e.kind === 'string' && typeof e.hint === 'string') throw toReviewError(e.kind, e.message ?? '', e.hint);
      throw err;
    }
  }

  private worker: Worker | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  /** One check at a time in the worker; callers queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Stop the worker thread now (tests, host shutdown); the next check starts a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (w) await w.terminate();
  }

  private inWorker(entry: string, req: CheckRequest, opts: CheckOptions): Promise<CheckReport> {
    const run = this.queue.catch(() => {}).then(() => this.runInWorker(entry, req, opts));
    this.queue = run;
    return run;
  }

  private runInWorker(entry: string, req: CheckRequest, opts: CheckOptions): Promise<CheckReport> {
    if (opts.signal?.aborted) return Promise.reject(new Cancelled('check'));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const worker = (this.worker ??= new Worker(entry));
    worker.ref();
    const id = this.nextId++;
    return new Promise<CheckReport>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        opts.signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (this.worker === worker) {
          // Idle: let the process exit, and give the thread back after a while without work.
          worker.unref();
          this.idleTimer = setTimeout(() => void this.close(), 60_000);
          this.idleTimer.unref();
        }
        fn();
      };
      // The emulator loop is synchronous in the worker: cancelling means ending the thread.
      const onAbort = () => {
        if (this.worker === worker) this.worker = null;
        finish(() => reject(new Cancelled('check')));
        void worker.terminate();
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.id !== id) return;
        if (m.type === 'phase') opts.onProgress?.({ phase: 'check', message: m.message });
        else if (m.type === 'scenario') opts.onProgress?.({ phase: 'check', message: `${m.name}: ${m.verdict}`, done: m.done, total: m.total });
        else if (m.type === 'done') finish(() => resolve(m.report as CheckReport));
        else if (m.type === 'error') finish(() => reject(toReviewError(m.kind, m.message, m.hint)));
      };
      const onError = (err: Error) => {
        if (this.worker === worker) this.worker = null;
        finish(() => reject(new CheckCrashed(`The check worker failed: ${err.message}`, 'This is a bug in the harness; run `entrybench check` on the same build directory to see it.')));
      };
      const onExit = (code: number) => {
        if (this.worker === worker) this.worker = null;
        finish(() => reject(new CheckCrashed(`The check worker exited (code ${code}) without a report.`, 'This is a bug in the harness; run `entrybench check` on the same build directory to see it.')));
      };
      opts.signal?.addEventListener('abort', onAbort);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'run', id, req } satisfies WorkerRequest);
    });
  }
}

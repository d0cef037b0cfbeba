// Programs under a pseudo-terminal (node-pty), as ByteSources for terminal channels.
// Every pty is tracked so that host shutdown ends them all: no orphaned shells or QEMUs.

import { createRequire } from 'node:module';
import type { IPty } from 'node-pty';
import type { ByteSource } from './channels.js';

const require = createRequire(import.meta.url);

export interface PtyOptions {
  cwd: string;
  env?: Record<string, string>;
  cols?: number;
  rows?: number;
}

const live = new Set<PtySource>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.kill();
  });
}

export class PtySource implements ByteSource {
  readonly pid: number;
  private readonly pty: IPty;
  private exited = false;
  private readonly exitListeners: ((code: number | null, signal: number | null) => void)[] = [];

  constructor(file: string, args: string[], opts: PtyOptions) {
    // node-pty is a native addon; load it lazily so hosts that never open a terminal do not need it.
    const nodePty = require('node-pty') as typeof import('node-pty');
    this.pty = nodePty.spawn(file, args, {
      name: 'xterm-256color',
      cols: opts.cols ?? 100,
      rows: opts.rows ?? 30,
      cwd: opts.cwd,
      env: { ...cleanEnv(), ...(opts.env ?? {}) },
      encoding: null,
    });
    this.pid = this.pty.pid;
    live.add(this);
    installExitHook();
    this.pty.onExit(({ exitCode, signal }) => {
      this.exited = true;
      live.delete(this);
      for (const l of this.exitListeners) l(exitCode ?? null, signal ?? null);
    });
  }

  get hasExited(): boolean {
    return this.exited;
  }

  write(data: Uint8Array): void {
    if (!this.exited) this.pty.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  resize(cols: number, rows: number): void {
    if (!this.exited) this.pty.resize(cols, rows);
  }

  pause(): void {
    if (!this.exited) this.pty.pause();
  }

  resume(): void {
    if (!this.exited) this.pty.resume();
  }

  onData(listener: (data: Uint8Array) => void): void {
    // With encoding: null node-pty hands out Buffers although its typings say string.
    this.pty.onData((d) => listener(typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
  }

  onExit(listener: (code: number | null, signal: number | null) => void): void {
    this.exitListeners.push(listener);
  }

  kill(): void {
    if (this.exited) return;
    // The pty child leads its own session; signal the whole group so grandchildren go too.
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      try {
        this.pty.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** Resolves when the process has exited (after kill() or on its own). */
  waitExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.onExit(() => resolve()));
  }
}

/** Environment for child programs: the user's, minus what would make them talk to us oddly. */
export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('npm_') || k === 'NODE_OPTIONS' || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  env.TERM = 'xterm-256color';
  return env;
}

export function livePtyCount(): number {
  return live.size;
}

// The guest service: prepare a step's boot (kernel image, accelerator, initramfs), run guests,
// find them again, and make sure none outlives its workspace or the host.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { AccelDecision, BootVerdict, GuestBootOptions, GuestImage, GuestState, GuestStatus, KernelFinding, SelftestResult } from '../host/api/guest.js';
import { defaultCacheDir } from '../host/paths.js';
import { WorkspaceStore } from '../store/workspace.js';
import { BadRequest, Cancelled, NotFound } from '../errors.js';
import { chooseAccel } from './accel.js';
import { guestImage } from './initramfs.js';
import { kernelImage, type KernelImage } from './kernel-image.js';
import { linuxCmdline } from './qemu.js';
import { Guest, type GuestListener } from './guest.js';

export interface GuestServiceOptions {
  dataDir: string;
  cacheDir?: string;
  /** Where QEMU's sockets live while it runs (default: $TMPDIR/entrybench-guests). */
  runRoot?: string;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface PrepareProgress {
  (message: string): void;
}

export interface Prepared {
  kernel: KernelImage;
  accel: AccelDecision;
  image: GuestImage | null;
  logDir: string;
  workspace: string | null;
}

export interface StartOptions extends GuestBootOptions {
  cols?: number;
  rows?: number;
  batch?: boolean;
  /** Batch: everything must be done by then (default: boot + every test's timeout + a minute). */
  timeoutSec?: number;
  /** Boot deadline (default 120 s under TCG, 60 s under KVM). */
  bootTimeoutSec?: number;
  signal?: AbortSignal;
  onProgress?: PrepareProgress;
}

export interface GuestEventSink {
  state?(guestId: string, state: GuestState, message: string): void;
  selftest?(guestId: string, result: SelftestResult, done: number, planned: number | null): void;
  finding?(guestId: string, finding: KernelFinding): void;
  exit?(guestId: string, verdict: BootVerdict): void;
}

const NAME_RE = /^[A-Za-z0-9_.-]+$/;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class GuestService {
  readonly cacheDir: string;
  readonly runRoot: string;
  private readonly guests = new Map<string, Guest>();
  private readonly sinks: GuestEventSink[] = [];
  private disposed = false;

  constructor(private readonly opts: GuestServiceOptions) {
    this.cacheDir = opts.cacheDir ?? defaultCacheDir();
    this.runRoot = opts.runRoot ?? path.join(os.tmpdir(), 'entrybench-guests');
    fs.mkdirSync(this.runRoot, { recursive: true, mode: 0o700 });
    this.sweepOrphans();
  }

  subscribe(sink: GuestEventSink): void {
    this.sinks.push(sink);
  }

  /**
   * QEMUs whose host died without ending them (SIGKILL, power loss): the pty hangup usually takes
   * them down, and this catches the rest at the next start. A run directory names its host's pid.
   */
  sweepOrphans(): number {
    let killed = 0;
    for (const name of fs.existsSync(this.runRoot) ? fs.readdirSync(this.runRoot) : []) {
      const dir = path.join(this.runRoot, name);
      let hostPid = 0;
      let qemuPid = 0;
      try {
        hostPid = Number(fs.readFileSync(path.join(dir, 'host.pid'), 'utf8'));
      } catch {
        continue;
      }
      if (hostPid === process.pid || pidAlive(hostPid)) continue;
      try {
        qemuPid = Number(fs.readFileSync(path.join(dir, 'qemu.pid'), 'utf8'));
      } catch {
        /* QEMU never got as far as its pid file */
      }
      if (qemuPid > 0) {
        try {
          const cmdline = fs.readFileSync(`/proc/${qemuPid}/cmdline`, 'utf8');
          if (cmdline.includes('qemu-system') && cmdline.includes(dir)) {
            process.kill(qemuPid, 'SIGKILL');
            killed++;
            this.opts.log?.('warn', `killed QEMU pid ${qemuPid} left behind by host pid ${hostPid}`);
          }
        } catch {
          /* already gone */
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return killed;
  }

  private logDirFor(o: GuestBootOptions): { logDir: string; workspace: string | null } {
    if (o.workspace) {
      const ws = new WorkspaceStore(this.opts.dataDir).get(o.workspace);
      return { logDir: ws.path('logs'), workspace: ws.id };
    }
    return { logDir: path.resolve(o.logDir ?? path.join(this.opts.dataDir, 'logs', 'guest')), workspace: null };
  }

  /** Everything before QEMU: the image, the accelerator, the initramfs (cached or built now). */
  async prepare(o: StartOptions): Promise<Prepared> {
    const say = o.onProgress ?? (() => {});
    for (const n of o.only ?? []) if (!NAME_RE.test(n)) throw new BadRequest(`"${n}" is not a selftest program name.`, 'Use names like sysret_rip_64, as the image lists them.');
    const kernel = kernelImage(o.buildDir, o.tree);
    const { logDir, workspace } = this.logDirFor(o);
    say(o.accel === 'tcg' ? 'using TCG' : 'choosing the accelerator (KVM probe)');
    const accel = await chooseAccel(o.accel ?? 'auto', this.cacheDir);
    say(accel.reason);
    if (o.signal?.aborted) throw new Cancelled('boot');
    let image: GuestImage | null = null;
    if (kernel.kind === 'linux') {
      // The programs go into the image even when they are not run at boot: the shell can run them.
      const wantSelftests = o.selftests !== false || kernel.tree !== null;
      if (!kernel.tree && o.selftests !== false) {
        throw new NotFound(
          `${kernel.buildDir} does not say which tree it was built from (no "source" link).`,
          'Pass the kernel tree (--tree DIR), or boot without selftests (--no-selftests).',
        );
      }
      say('initramfs: looking in the cache');
      image = await guestImage({
        tree: kernel.tree ?? kernel.buildDir,
        selftests: wantSelftests,
        cacheDir: this.cacheDir,
        signal: o.signal,
        onProgress: (m) => say(`initramfs: ${m}`),
      });
      if (wantSelftests && image.selftests.length === 0) say(`initramfs: no selftests (${image.bitsNote ?? 'none built'})`);
      if (o.only) {
        const missing = o.only.filter((n) => !image?.selftests.some((p) => p.name === n));
        if (missing.length) throw new NotFound(`No selftest program ${missing.join(', ')} in the image.`, `The image has: ${image.selftests.map((p) => p.name).join(' ')}`);
      }
      say(image.cached ? `initramfs from the cache (${image.selftests.length} selftest programs)` : `initramfs built in ${image.buildSeconds.toFixed(1)} s`);
    }
    return { kernel, accel, image, logDir, workspace };
  }

  /** Prepare and start a guest; resolves once QEMU answers on QMP. */
  async start(o: StartOptions): Promise<Guest> {
    if (this.disposed) throw new BadRequest('The host is shutting down.', 'Start the workbench again.');
    const requestedAt = Date.now();
    const p = await this.prepare(o);
    if (o.signal?.aborted) throw new Cancelled('boot');
    const selftests = o.selftests !== false && (p.kernel.kind === 'multiboot' || (p.image?.selftests.length ?? 0) > 0);
    const testTimeoutSec = o.testTimeoutSec ?? 60;
    const tcg = p.accel.accel === 'tcg';
    const bootTimeoutMs = (o.bootTimeoutSec ?? (tcg ? 120 : 60)) * 1000;
    const count = o.only?.length ?? p.image?.selftests.length ?? 0;
    const runTimeoutMs = o.timeoutSec ? o.timeoutSec * 1000 : bootTimeoutMs + count * testTimeoutSec * 1000 + 60_000;
    const id = `g${crypto.randomBytes(4).toString('hex')}`;
    const append =
      p.kernel.kind === 'linux'
        ? linuxCmdline({ selftests, testTimeoutSec, only: o.only, extra: o.append })
        : (o.append ?? '');
    const listener: GuestListener = {
      state: (g, state, message) => this.emit((s) => s.state?.(g.id, state, message)),
      selftest: (g, r) => {
        const run = g.verdict().selftests;
        this.emit((s) => s.selftest?.(g.id, r, run.results.length, run.planned));
      },
      finding: (g, f) => this.emit((s) => s.finding?.(g.id, f)),
      exit: (g, v) => {
        this.guests.delete(g.id);
        this.emit((s) => s.exit?.(g.id, v));
      },
    };
    o.onProgress?.('starting QEMU');
    const guest = await Guest.start(
      {
        id,
        kernel: p.kernel,
        image: p.image,
        accel: p.accel,
        memoryMb: o.memoryMb ?? 512,
        cpus: o.cpus ?? 1,
        append,
        selftests,
        testTimeoutSec,
        logDir: p.logDir,
        runRoot: this.runRoot,
        workspace: p.workspace,
        batch: o.batch ?? false,
        bootTimeoutMs,
        runTimeoutMs,
        requestedAt,
        cols: o.cols ?? 100,
        rows: o.rows ?? 30,
      },
      listener,
    );
    if (guest.hasExited) return guest;
    // The caller went away (or the host began to shut down) while QEMU was starting: end it now.
    if (o.signal?.aborted || this.disposed) {
      await guest.stop('cancelled');
      throw new Cancelled('boot');
    }
    this.guests.set(id, guest);
    this.opts.log?.('info', `guest ${id}: ${p.kernel.image} under ${p.accel.accel.toUpperCase()} (pid ${guest.pid}), console ${guest.logs.console}`);
    if (o.signal) {
      const onAbort = () => void guest.stop('cancelled');
      o.signal.addEventListener('abort', onAbort, { once: true });
      void guest.exited.then(() => o.signal?.removeEventListener('abort', onAbort));
    }
    return guest;
  }

  /** Boot, run the selftests, power off; the verdict. */
  async run(o: StartOptions): Promise<BootVerdict> {
    const guest = await this.start({ ...o, batch: true });
    return guest.exited;
  }

  private emit(fn: (s: GuestEventSink) => void): void {
    for (const s of this.sinks) {
      try {
        fn(s);
      } catch (err) {
        this.opts.log?.('warn', `guest event listener failed: ${String(err)}`);
      }
    }
  }

  get(id: string): Guest {
    const g = this.guests.get(id);
    if (!g) throw new NotFound(`No running guest ${id}.`, 'It may have powered off already; its console log stays in the workspace logs.');
    return g;
  }

  async status(g: Guest): Promise<GuestStatus> {
    return {
      guestId: g.id,
      state: g.state,
      qemu: await g.status(),
      buildDir: g.spec.kernel.buildDir,
      workspace: g.spec.workspace,
      channel: g.channel,
      startedAt: g.startedAt.toISOString(),
      verdict: g.verdict(),
    };
  }

  list(workspace?: string): Guest[] {
    const ws = workspace ? new WorkspaceStore(this.opts.dataDir).get(workspace).id : null;
    return [...this.guests.values()].filter((g) => !ws || g.spec.workspace === ws);
  }

  /** Power off every guest (of one workspace): the workspace is closing. */
  async stopAll(workspace?: string, reason = 'stopped'): Promise<number> {
    const all = this.list(workspace);
    await Promise.all(all.map((g) => g.stop(reason)));
    return all.length;
  }

  get size(): number {
    return this.guests.size;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stopAll(undefined, 'host shutting down');
  }
}

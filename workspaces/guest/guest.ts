// One running guest: QEMU under a pty (the console), sockets for TAP, window size and QMP, the
// console and TAP logs, deadlines, and the verdict when it ends.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AccelDecision, BootVerdict, GuestImage, GuestState, KernelFinding, SelftestResult } from '../host/api/guest.js';
import type { ByteSource } from '../host/channels.js';
import { PtySource } from '../host/pty.js';
import { ReviewError } from '../errors.js';
import { ConsoleReader, type Milestone } from './console.js';
import { TapReader } from './tap.js';
import { QmpClient } from './qmp.js';
import { qemuArgs, qemuSockets, type QemuPlan } from './qemu.js';
import { qemuBinary } from './toolchain.js';
import { loadSystemMap, type KernelImage } from './kernel-image.js';
import { buildVerdict } from './verdict.js';

export class GuestStartFailed extends ReviewError {}

export interface GuestSpec {
  id: string;
  kernel: KernelImage;
  image: GuestImage | null;
  accel: AccelDecision;
  memoryMb: number;
  cpus: number;
  append: string;
  selftests: boolean;
  testTimeoutSec: number;
  logDir: string;
  runRoot: string;
  workspace: string | null;
  /** Power off by itself once the selftests are done (or the prompt is up, without selftests). */
  batch: boolean;
  /** User space must be up by then (from QEMU's start). */
  bootTimeoutMs: number;
  /** Batch only: everything must be done by then. */
  runTimeoutMs: number;
  /** When the caller asked for the boot (timings start here). */
  requestedAt: number;
  cols: number;
  rows: number;
}

export interface GuestListener {
  state?(g: Guest, state: GuestState, message: string): void;
  selftest?(g: Guest, r: SelftestResult): void;
  finding?(g: Guest, f: KernelFinding): void;
  exit?(g: Guest, v: BootVerdict): void;
}

/** Console bytes kept to replay to a terminal that attaches late. */
const REPLAY_BYTES = 256 * 1024;
const QMP_CONNECT_MS = 20_000;

function listen(file: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(file, () => resolve(server));
  });
}

function firstConnection(server: net.Server): Promise<net.Socket> {
  return new Promise((resolve) => server.once('connection', resolve));
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
}

export class Guest {
  state: GuestState = 'starting';
  readonly startedAt = new Date();
  readonly logs: { console: string; tap: string | null; verdict: string };
  readonly command: string[];
  channel: number | null = null;
  private readonly pty: PtySource;
  private readonly console: ConsoleReader;
  /** TAP from the second serial port (our runner; the demo kernel may use it too). */
  private tap: TapReader;
  /** TAP printed on the console (the demo kernel); used when the port carries none. */
  private consoleTap: TapReader;
  private qmp: QmpClient | null = null;
  private ctl: net.Socket | null = null;
  private ctlReady = false;
  private readonly servers: net.Server[];
  private readonly consoleFd: number;
  private readonly tapFd: number | null;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly tapDecoder = new TextDecoder('utf-8');
  private replay: Buffer[] = [];
  private replayBytes = 0;
  private readonly dataListeners: ((d: Uint8Array) => void)[] = [];
  private readonly exitListeners: ((code: number | null, signal: number | null) => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private silence: NodeJS.Timeout | null = null;
  private size: { cols: number; rows: number };
  private stopReason: string | null = null;
  private handlingShutdown = false;
  private final: BootVerdict | null = null;
  private readonly qemuStarted = Date.now();
  readonly exited: Promise<BootVerdict>;
  private resolveExit!: (v: BootVerdict) => void;

  private constructor(
    readonly spec: GuestSpec,
    private readonly listener: GuestListener,
    servers: net.Server[],
  ) {
    this.servers = servers;
    this.size = { cols: spec.cols, rows: spec.rows };
    this.exited = new Promise((r) => (this.resolveExit = r));
    fs.mkdirSync(spec.logDir, { recursive: true });
    const base = path.join(spec.logDir, `guest-${stamp(this.startedAt)}-${spec.id}`);
    this.logs = { console: `${base}.console.log`, tap: `${base}.tap`, verdict: `${base}.json` };
    this.consoleFd = fs.openSync(this.logs.console, 'a');
    this.tapFd = fs.openSync(this.logs.tap as string, 'a');
    const clock = () => Date.now() - this.qemuStarted;
    this.console = new ConsoleReader(
      clock,
      {
        onMilestone: (m, line) => this.milestone(m, line),
        onFinding: (f) => this.listener.finding?.(this, f),
        // The demo kernel prints its TAP on the console.
        onLine: (line) => {
          if (spec.kernel.kind === 'multiboot') this.consoleTap.line(line);
        },
      },
      // "/ # " (the demo), "tiny> ": a word before the sign, so a TAP comment cut at "# " is no prompt.
      spec.kernel.kind === 'multiboot' ? /(^|\n)[\w/~.-]+ ?[>$#] $/ : null,
    );
    this.tap = this.newTap();
    this.consoleTap = this.newTap();
    const plan: QemuPlan = {
      kernel: spec.kernel.image,
      initrd: spec.image?.initramfs ?? null,
      kind: spec.kernel.kind,
      accel: spec.accel.accel,
      memoryMb: spec.memoryMb,
      cpus: spec.cpus,
      append: spec.append,
      runDir: path.join(spec.runRoot, spec.id),
      name: `entrybench-${spec.id}`,
    };
    const args = qemuArgs(plan);
    const qemu = qemuBinary();
    this.command = [qemu, ...args];
    fs.writeFileSync(this.logs.console.replace(/\.console\.log$/, '.command'), this.command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ') + '\n');
    this.pty = new PtySource(qemu, args, { cwd: plan.runDir, cols: spec.cols, rows: spec.rows });
    this.pty.onData((d) => this.consoleData(d));
    this.pty.onExit((code, signal) => void this.finish(code, signal));
  }

  get id(): string {
    return this.spec.id;
  }

  get pid(): number {
    return this.pty.pid;
  }

  get hasExited(): boolean {
    return this.final !== null;
  }

  /** Start QEMU and wait until its QMP socket answers. */
  static async start(spec: GuestSpec, listener: GuestListener = {}): Promise<Guest> {
    const runDir = path.join(spec.runRoot, spec.id);
    fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(runDir, 'host.pid'), String(process.pid));
    const s = qemuSockets(runDir);
    const [qmpServer, tapServer, ctlServer] = await Promise.all([listen(s.qmp), listen(s.tap), listen(s.ctl)]);
    const qmpConn = firstConnection(qmpServer);
    const tapConn = firstConnection(tapServer);
    const ctlConn = firstConnection(ctlServer);
    const guest = new Guest(spec, listener, [qmpServer, tapServer, ctlServer]);
    tapConn.then((sock) => guest.attachTap(sock));
    ctlConn.then((sock) => guest.attachCtl(sock));
    const ready = qmpConn.then(async (sock) => {
      const qmp = new QmpClient(sock);
      qmp.onEvent((e) => void guest.qmpEvent(e.event, e.data ?? {}));
      await qmp.ready;
      guest.qmp = qmp;
    });
    const failed = guest.exited.then(() => 'exited' as const);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), QMP_CONNECT_MS).unref());
    const first = await Promise.race([ready.then(() => 'ready' as const), failed, timeout]);
    if (first !== 'ready') {
      const said = fs.readFileSync(guest.logs.console, 'utf8').trim().split('\n').slice(-5).join(' ').trim();
      await guest.stop('failed to start');
      throw new GuestStartFailed(
        first === 'timeout' ? `QEMU did not answer on its QMP socket within ${QMP_CONNECT_MS / 1000} s.` : `QEMU exited at once${said ? `: ${said}` : ''}.`,
        'The command in the .command file next to the console log reproduces it.',
        { command: guest.command, console: guest.logs.console },
      );
    }
    guest.armDeadlines();
    guest.setState('booting', `QEMU started (${spec.accel.accel.toUpperCase()}), pid ${guest.pid}`);
    return guest;
  }

  /** The TAP stream that carries results: the port when it has any, else the console. */
  private get results(): TapReader {
    return this.tap.planned !== null || this.tap.results.length > 0 || this.spec.kernel.kind === 'linux' ? this.tap : this.consoleTap;
  }

  private newTap(): TapReader {
    return new TapReader({
      onResult: (r) => {
        this.listener.selftest?.(this, r);
        this.touch();
      },
      onSummary: () => this.maybeDone(),
    });
  }

  // ---- console and side channels ----

  private consoleData(d: Uint8Array): void {
    const buf = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    fs.writeSync(this.consoleFd, buf);
    this.replay.push(Buffer.from(buf));
    this.replayBytes += buf.length;
    while (this.replayBytes > REPLAY_BYTES && this.replay.length > 1) this.replayBytes -= (this.replay.shift() as Buffer).length;
    this.console.push(this.decoder.decode(buf, { stream: true }));
    for (const l of this.dataListeners) l(buf);
    this.touch();
  }

  private attachTap(sock: net.Socket): void {
    sock.on('data', (d: Buffer) => {
      if (this.tapFd !== null) fs.writeSync(this.tapFd, d);
      this.tap.push(this.tapDecoder.decode(d, { stream: true }));
      this.touch();
    });
    sock.on('error', () => {});
  }

  private attachCtl(sock: net.Socket): void {
    this.ctl = sock;
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      if (/(^|\n)ready\r?\n/.test(buf)) {
        // The guest's listener (re)started: give it the size we know.
        buf = '';
        this.ctlReady = true;
        this.sendSize();
      }
    });
    sock.on('error', () => {});
  }

  private sendSize(): void {
    if (this.ctl && this.ctlReady && !this.ctl.destroyed) this.ctl.write(`size ${this.size.cols} ${this.size.rows}\n`);
  }

  /** The window size of the terminal showing the console (the guest learns it over ttyS2). */
  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    if (!this.pty.hasExited) this.pty.resize(cols, rows);
    this.sendSize();
  }

  write(data: Uint8Array): void {
    this.pty.write(data);
  }

  /** The console as a terminal channel's byte source; closing the channel powers the guest off. */
  consoleSource(): ByteSource {
    return {
      write: (d) => this.write(d),
      resize: (c, r) => this.resize(c, r),
      pause: () => this.pty.pause(),
      resume: () => this.pty.resume(),
      onData: (l) => {
        for (const b of this.replay) l(b);
        this.dataListeners.push(l);
      },
      onExit: (l) => {
        if (this.final) l(0, null);
        else this.exitListeners.push(l);
      },
      kill: () => void this.stop('terminal closed'),
    };
  }

  // ---- milestones, deadlines, completion ----

  private setState(state: GuestState, message: string): void {
    if (this.state === state && state !== 'booting') return;
    this.state = state;
    this.listener.state?.(this, state, message);
  }

  private milestone(m: Milestone, line: string): void {
    if (m === 'firmware' || m === 'kernel') void this.endResetWindow();
    if (m === 'kernel') this.setState('booting', line.trim());
    else if (m === 'init') this.setState(this.spec.selftests && this.spec.kernel.kind === 'linux' ? 'selftests' : 'booting', line.trim());
    else if (m === 'summary' || m === 'selftests-skipped') {
      this.maybeDone();
    } else if (m === 'prompt') {
      this.setState('shell', 'shell prompt on the console');
      this.maybeDone();
    } else if (m === 'power-down') {
      // The guest halted (poweroff): nothing will come; end QEMU.
      void this.stop('power-down');
    }
  }

  private get booted(): boolean {
    if (this.spec.kernel.kind === 'linux') return this.console.milestones.has('init');
    return this.console.milestones.has('prompt') || this.results.planned !== null || this.results.results.length > 0;
  }

  /** Batch mode ends once the selftests are in (or the prompt is up, when there are none to wait for). */
  private maybeDone(): void {
    if (!this.spec.batch || this.stopReason) return;
    const linux = this.spec.kernel.kind === 'linux';
    const summary = this.console.milestones.has('summary') || this.console.milestones.has('selftests-skipped');
    if (linux && this.spec.selftests) {
      if (!summary) return;
      if (this.tap.complete || this.console.milestones.has('selftests-skipped')) void this.stop('done');
      // The TAP socket can lag the console by a moment.
      else this.timers.push(setTimeout(() => void this.stop('done'), 5000));
    } else if (linux) {
      if (this.console.milestones.has('prompt')) void this.stop('done');
    } else if (this.console.milestones.has('prompt')) {
      void this.stop('done');
    } else if (this.results.complete && !this.graceArmed) {
      // All TAP is in but no prompt yet: give the kernel a moment to show one, or to crash.
      this.graceArmed = true;
      this.timers.push(setTimeout(() => void this.stop('done'), 2000));
    }
  }

  private graceArmed = false;

  private armDeadlines(): void {
    const what = this.spec.kernel.kind === 'linux' ? 'no init banner' : 'no TAP and no prompt on the console';
    this.timers.push(
      setTimeout(() => {
        if (this.booted || this.final) return;
        void this.hang(`${what} within ${Math.round(this.spec.bootTimeoutMs / 1000)} s of QEMU starting (${this.spec.accel.accel.toUpperCase()})`);
      }, this.spec.bootTimeoutMs),
    );
    if (this.spec.batch) {
      this.timers.push(
        setTimeout(() => {
          if (this.final || this.stopReason) return;
          void this.hang(`the run did not finish within ${Math.round(this.spec.runTimeoutMs / 1000)} s`);
        }, this.spec.runTimeoutMs),
      );
    }
  }

  /** Output arrived: the selftest silence watchdog starts over. Each test ends within its timeout, so a long silence is a hang. */
  private touch(): void {
    if (this.silence) clearTimeout(this.silence);
    this.silence = null;
    if (this.state !== 'selftests' || this.final) return;
    const limit = this.spec.testTimeoutSec * 1000 + 30_000;
    this.silence = setTimeout(() => {
      if (this.state !== 'selftests' || this.final) return;
      const test = this.console.runningTest;
      void this.hang(`no output for ${Math.round(limit / 1000)} s${test ? ` while ${test} ran` : ''} (each selftest has ${this.spec.testTimeoutSec} s)`);
    }, limit);
  }

  // ---- QMP: resets, status, quit ----

  private async qmpEvent(event: string, data: Record<string, unknown>): Promise<void> {
    if (event !== 'SHUTDOWN' || data.guest !== true || this.handlingShutdown) return;
    if (this.resetting) {
      // A reset request the guest made before our reset took over: boot on.
      await this.qmp?.execute('system_reset').catch(() => undefined);
      await this.resume();
      return;
    }
    // The guest reset or powered itself off and, with -action shutdown=pause, the VM is paused now.
    this.handlingShutdown = true;
    try {
      await new Promise((r) => setTimeout(r, 100)); // let the console's last bytes arrive
      const restartAsked = this.console.milestones.has('restart');
      // panic=-1 reboots at once: the panic report has no end line, so it may still be open.
      const panicked = this.console.seen('panic', this.lastResetAt ?? 0);
      if (data.reason === 'guest-reset' && !restartAsked && !panicked) await this.recordTripleFault();
      if (data.reason === 'guest-reset' && restartAsked && !panicked && !this.spec.batch) {
        // "reboot" typed in the guest: boot again, as a real machine would.
        await this.reset();
        return;
      }
      await this.stop(String(data.reason ?? 'guest-shutdown'));
    } finally {
      this.handlingShutdown = false;
    }
  }

  private lastResetAt: number | null = null;
  /** Between our reset and the firmware's real boot, resets are expected (SeaBIOS triple-faults on a warm reset to get a cold one). */
  private resetting = false;
  private tripleFaultsLogged = 0;

  private triplesInLog(): number {
    try {
      const log = fs.readFileSync(qemuSockets(path.join(this.spec.runRoot, this.spec.id)).debugLog, 'utf8');
      return log.split('Triple fault').length - 1;
    } catch {
      return 0; // KVM: no TCG log
    }
  }

  private async resume(): Promise<void> {
    const status = await this.qmp?.execute<{ status: string }>('query-status').catch(() => null);
    if (status && status.status !== 'running') await this.qmp?.execute('cont').catch(() => undefined);
  }

  /** The new boot is past the firmware: a reset from now on ends the run again. */
  private async endResetWindow(): Promise<void> {
    if (!this.resetting) return;
    this.resetting = false;
    this.tripleFaultsLogged = this.triplesInLog();
    await this.qmp?.execute('set-action', { reboot: 'shutdown' }).catch(() => undefined);
  }

  /** The virtual CPU's registers (QEMU's "info registers") and RIP with its symbol, when QEMU still answers. */
  private async cpuState(): Promise<{ regs: string[]; rip: string | null }> {
    let regs: string[] = [];
    try {
      regs = (await (this.qmp as QmpClient).human('info registers', 3000)).split(/\r?\n/).filter((l) => l.trim());
    } catch {
      return { regs, rip: null };
    }
    // 64-bit mode shows RIP=, 32-bit and real mode EIP=.
    const m = /\b[RE]IP=([0-9a-f]+)/.exec(regs.join(' '));
    if (!m) return { regs, rip: null };
    let rip = m[1];
    if (this.spec.kernel.systemMap) {
      try {
        const name = loadSystemMap(this.spec.kernel.systemMap).name(BigInt('0x' + m[1]));
        if (name) rip = `${m[1]} ${name}`;
      } catch {
        /* an unreadable System.map only costs the name */
      }
    }
    const cpl = /CPL=(\d)/.exec(regs.join(' '));
    const halted = /HLT=1/.test(regs.join(' '));
    return { regs, rip: `${rip}${cpl ? ` (CPL ${cpl[1]}${halted ? ', halted' : ''})` : ''}` };
  }

  /** A deadline passed: record where the CPU is, then (batch) end the run. */
  private async hang(title: string): Promise<void> {
    if (this.final) return;
    const during = this.console.runningTest;
    const tail = this.console.tail();
    const cpu = this.qmp ? await this.cpuState() : { regs: [], rip: null };
    this.console.add({
      kind: 'hang',
      title: `${title}${cpu.rip ? `; the CPU is at RIP ${cpu.rip}` : ''}`,
      rip: cpu.rip,
      during,
      lines: [...tail, ...(cpu.regs.length ? ['--- CPU state (QEMU info registers) ---', ...cpu.regs.slice(0, 24)] : [])],
    });
    if (this.spec.batch) void this.stop('deadline');
  }

  private async recordTripleFault(): Promise<void> {
    const { regs, rip } = await this.cpuState();
    const logged = this.triplesInLog();
    const confirmed = logged > this.tripleFaultsLogged;
    this.tripleFaultsLogged = logged;
    this.console.add({
      kind: 'triple-fault',
      title: confirmed
        ? `triple fault: the CPU reset itself${rip ? ` at RIP ${rip}` : ''} (QEMU: "Triple fault")`
        : `the CPU reset without a kernel message (a triple fault?)${rip ? ` at RIP ${rip}` : ''}`,
      rip,
      lines: regs.slice(0, 30),
    });
  }

  /** Reset the machine (the toolbar's reset button): the console starts over, findings stay. */
  async reset(): Promise<boolean> {
    const qmp = this.qmp;
    if (!qmp || this.final) return false;
    // With -no-reboot a reset request means "exit": let resets through until the new boot is past
    // the firmware (the console says so), then make them end the run again.
    this.resetting = true;
    await qmp.execute('set-action', { reboot: 'reset' });
    await qmp.execute('system_reset');
    await this.resume();
    this.timers.push(setTimeout(() => void this.endResetWindow(), 30_000));
    this.lastResetAt = Date.now() - this.qemuStarted;
    const note = Buffer.from('\r\n[entrybench: guest reset]\r\n');
    fs.writeSync(this.consoleFd, note);
    for (const l of this.dataListeners) l(note);
    this.console.resetMilestones();
    this.tap = this.newTap();
    this.consoleTap = this.newTap();
    this.ctlReady = false;
    this.setState('booting', 'reset');
    return true;
  }

  async status(): Promise<string | null> {
    if (!this.qmp || this.final) return null;
    try {
      return (await this.qmp.execute<{ status: string }>('query-status', undefined, 2000)).status;
    } catch {
      return null;
    }
  }

  /** End QEMU: ask politely over QMP, then kill its process group. Resolves with the verdict. */
  async stop(reason: string): Promise<BootVerdict> {
    if (this.final) return this.final;
    this.stopReason ??= reason;
    if (this.qmp && !this.qmp.isClosed) {
      await this.qmp.execute('quit', undefined, 2000).catch(() => undefined);
    }
    const quit = await Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    if (!quit) {
      this.stopReason = `${reason} (killed)`;
      this.pty.kill();
    }
    return this.exited;
  }

  /** Kill at once (host shutting down). */
  kill(): void {
    this.stopReason ??= 'killed';
    this.pty.kill();
  }

  // ---- the end ----

  private async finish(code: number | null, signal: number | null): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    if (this.silence) clearTimeout(this.silence);
    this.console.push(this.decoder.decode());
    this.console.end();
    this.qmp?.close();
    this.ctl?.destroy();
    for (const s of this.servers) s.close();
    const ended = this.stopReason ?? (signal ? `signal ${signal}` : `exited (${code ?? 'unknown'})`);
    this.state = 'exited';
    const verdict = this.verdict(ended);
    this.final = verdict;
    try {
      fs.writeFileSync(this.logs.verdict, JSON.stringify(verdict, null, 2) + '\n');
    } catch {
      /* the log directory went away; the verdict is still returned */
    }
    fs.closeSync(this.consoleFd);
    if (this.tapFd !== null) fs.closeSync(this.tapFd);
    fs.rmSync(path.join(this.spec.runRoot, this.spec.id), { recursive: true, force: true });
    for (const l of this.exitListeners) l(code, signal);
    this.listener.state?.(this, 'exited', `QEMU ended: ${ended}`);
    this.resolveExit(verdict);
    this.listener.exit?.(this, verdict);
  }

  /** The verdict so far (final once the guest has exited). */
  verdict(ended = this.final?.ended ?? 'running'): BootVerdict {
    if (this.final) return this.final;
    const at = (m: Milestone) => {
      const t = this.console.milestones.get(m);
      return t === undefined ? null : t + (this.qemuStarted - this.spec.requestedAt);
    };
    return buildVerdict({
      findings: this.console.findings,
      booted: this.booted,
      kernelVersion: this.console.kernelVersion,
      selftestsRequested: this.spec.selftests && (this.spec.kernel.kind === 'multiboot' || (this.spec.image?.selftests.length ?? 0) > 0),
      tap: this.results,
      accel: this.spec.accel,
      kind: this.spec.kernel.kind,
      timings: {
        toKernelMs: at('kernel'),
        toInitMs: this.spec.kernel.kind === 'linux' ? at('init') : null,
        toSummaryMs: at('summary'),
        toPromptMs: at('prompt'),
        totalMs: Date.now() - this.spec.requestedAt,
        prepareMs: this.qemuStarted - this.spec.requestedAt,
      },
      ended,
      logs: this.logs,
      command: this.command,
    });
  }
}

// A QMP client (QEMU Machine Protocol: JSON lines) for status, reset and quit, over the socket
// QEMU connects to when it starts.
import type net from 'node:net';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

export class QmpError extends Error {
  constructor(
    readonly command: string,
    readonly qmpClass: string,
    desc: string,
  ) {
    super(`QMP ${command} failed: ${desc}`);
  }
}

interface Waiter {
  command: string;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<string, Waiter>();
  private readonly listeners: ((e: QmpEvent) => void)[] = [];
  private closed = false;
  /** Resolves once the greeting arrived and capabilities were negotiated. */
  readonly ready: Promise<void>;
  private greeted!: () => void;

  constructor(private readonly socket: net.Socket) {
    const greeting = new Promise<void>((resolve) => (this.greeted = resolve));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => this.shut('QMP connection closed'));
    socket.on('error', () => this.shut('QMP connection failed'));
    this.ready = greeting.then(() => this.execute('qmp_capabilities').then(() => undefined));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onEvent(listener: (e: QmpEvent) => void): void {
    this.listeners.push(listener);
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 5000): Promise<T> {
    if (this.closed) return Promise.reject(new QmpError(command, 'Closed', 'QEMU is gone'));
    const id = `eb-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new QmpError(command, 'Timeout', `no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  /** Run a human monitor command ("info registers") and return its text. */
  human(commandLine: string, timeoutMs = 5000): Promise<string> {
    return this.execute<string>('human-monitor-command', { 'command-line': commandLine }, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
    this.shut('QMP connection closed');
  }

  private shut(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new QmpError(w.command, 'Closed', why));
      this.waiting.delete(id);
    }
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let msg: { QMP?: unknown; id?: string; return?: unknown; error?: { class: string; desc: string }; event?: string; data?: Record<string, unknown> };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.QMP) this.greeted();
      else if (msg.event) for (const l of this.listeners) l({ event: msg.event, data: msg.data });
      else if (msg.id && this.waiting.has(msg.id)) {
        const w = this.waiting.get(msg.id) as Waiter;
        this.waiting.delete(msg.id);
        clearTimeout(w.timer);
        if (msg.error) w.reject(new QmpError(w.command, msg.error.class, msg.error.desc));
        else w.resolve(msg.return);
      }
    }
  }
}

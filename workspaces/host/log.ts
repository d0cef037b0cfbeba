// The host log: a bounded ring of entries that the UI's log view and `host.log` read.
import type { LogEntry, LogLevel } from './api.js';

export class HostLog {
  private readonly entries: LogEntry[] = [];
  private seq = 0;
  private readonly listeners = new Set<(e: LogEntry) => void>();

  constructor(
    private readonly capacity = 5000,
    private readonly echo: ((e: LogEntry) => void) | null = null,
  ) {}

  write(level: LogLevel, source: string, message: string): LogEntry {
    const entry: LogEntry = { seq: ++this.seq, time: new Date().toISOString(), level, source, message };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.echo?.(entry);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  info(source: string, message: string): void {
    this.write('info', source, message);
  }
  warn(source: string, message: string): void {
    this.write('warn', source, message);
  }
  error(source: string, message: string): void {
    this.write('error', source, message);
  }
  debug(source: string, message: string): void {
    this.write('debug', source, message);
  }

  since(seq = 0): LogEntry[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  subscribe(listener: (e: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

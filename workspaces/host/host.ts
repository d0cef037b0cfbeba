// The host: services plus the RPC dispatcher and terminal channels, independent of any transport.
// The web server and the Electron shell both create one of these and connect clients to it.

import fs from 'node:fs';
import path from 'node:path';
import type { EventName, HostEvents, HostInfo } from './api.js';
import { Dispatcher, eventNotification, type Peer } from './rpc.js';
import { ChannelHub } from './channels.js';
import { HostLog } from './log.js';
import { appRoot, defaultDataDir } from './paths.js';
import { registerSystemMethods } from './methods/system.js';
import { registerWorkspaceMethods } from './methods/workspace.js';
import { registerWalkMethods } from './methods/walk.js';
import { WorkspaceStore } from '../store/workspace.js';
import { registerTreeMethods } from './methods/tree.js';
import { registerTreeFileMethods } from './methods/tree-file.js';
import { registerSeriesMethods } from './methods/series.js';
import { registerReviewMethods } from './methods/review.js';
import { registerCheckMethods } from './methods/check.js';
import { registerGuestMethods } from './methods/guest.js';

export interface HostOptions {
  shell: HostInfo['shell'];
  dataDir?: string;
  /** A workspace or series file to open at start (the demo with `npm start`). */
  initialWorkspace?: string | null;
  /** Native file dialog, provided by the Electron shell. */
  pickFiles?: (opts: { title?: string; directory?: boolean }) => Promise<string[]>;
  /** Print log lines to stderr as well (the CLI does, tests do not). */
  echoLog?: boolean;
}

/** A connected client: text for RPC, binary for terminal frames. Transports subclass this. */
export abstract class Connection implements Peer {
  private readonly cleanups: (() => void)[] = [];
  constructor(readonly id: number) {}
  abstract sendText(text: string): void;
  abstract sendBinary(frame: Uint8Array): void;
  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }
  /** Run the cleanups services registered; returns the errors instead of throwing. */
  runCleanups(): unknown[] {
    const errors: unknown[] = [];
    for (const fn of this.cleanups.splice(0)) {
      try {
        fn();
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}

export class Host {
  readonly dispatcher: Dispatcher;
  readonly channels = new ChannelHub();
  readonly log: HostLog;
  readonly dataDir: string;
  readonly startedAt = new Date();
  /** The one store of review workspaces every service shares. */
  readonly workspaces: WorkspaceStore;
  /** Set when the host serves the bundled demo (npm start with no arguments). */
  demo: { workspace: string; tree: string } | null = null;
  /** Workspace to show first; the shell sets it once it is prepared. */
  initialWorkspace: string | null;
  private readonly connections = new Map<number, Connection>();
  private nextPeerId = 1;
  private readonly disposers: (() => void | Promise<void>)[] = [];

  constructor(readonly options: HostOptions) {
    this.dataDir = options.dataDir ?? defaultDataDir();
    this.initialWorkspace = options.initialWorkspace ?? null;
    fs.mkdirSync(this.dataDir, { recursive: true });
    this.log = new HostLog(
      5000,
      options.echoLog ? (e) => process.stderr.write(`[${e.level}] ${e.source}: ${e.message}\n`) : null,
    );
    this.dispatcher = new Dispatcher((method, err) =>
      this.log.error('rpc', `${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    );
    this.log.subscribe((entry) => this.emit('log', entry));
    this.workspaces = new WorkspaceStore(this.dataDir);
    registerSystemMethods(this);
    registerWorkspaceMethods(this);
    registerWalkMethods(this);
    registerTreeMethods(this);
    registerTreeFileMethods(this);
    registerSeriesMethods(this);
    registerReviewMethods(this);
    registerCheckMethods(this);
    registerGuestMethods(this);
  }

  info(): HostInfo {
    return {
      name: 'entrybench',
      version: packageVersion(),
      shell: this.options.shell,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      dataDir: this.dataDir,
      nativeDialog: typeof this.options.pickFiles === 'function',
      initialWorkspace: this.initialWorkspace,
      demo: this.demo,
    };
  }

  newPeerId(): number {
    return this.nextPeerId++;
  }

  connect(conn: Connection): void {
    this.connections.set(conn.id, conn);
  }

  /** The client went away: abort its requests, close its channels, run its cleanups. */
  disconnect(conn: Connection): void {
    this.connections.delete(conn.id);
    this.dispatcher.abortPeer(conn);
    this.channels.closeOwnedBy(conn.id);
    for (const err of conn.runCleanups()) this.log.warn('host', `cleanup after disconnect failed: ${String(err)}`);
  }

  connection(id: number): Connection | undefined {
    return this.connections.get(id);
  }

  /** Handle one text frame from a client. */
  async receiveText(conn: Connection, text: string): Promise<void> {
    const response = await this.dispatcher.handle(text, conn);
    if (response !== null) conn.sendText(response);
  }

  receiveBinary(conn: Connection, bytes: Uint8Array): void {
    this.channels.receive(conn.id, bytes);
  }

  /** Push an event to every connected client. */
  emit<E extends EventName>(event: E, data: HostEvents[E]): void {
    const text = eventNotification({ event, data });
    for (const c of this.connections.values()) c.sendText(text);
  }

  onDispose(fn: () => void | Promise<void>): void {
    this.disposers.push(fn);
  }

  /** End every channel and service resource; safe to call more than once. */
  async dispose(): Promise<void> {
    this.channels.closeAll();
    const fns = this.disposers.splice(0);
    for (const fn of fns.reverse()) {
      try {
        await fn();
      } catch (err) {
        this.log.warn('host', `dispose step failed: ${String(err)}`);
      }
    }
  }
}

let cachedVersion: string | null = null;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  } catch {
    cachedVersion = '0.0.0';
  }
  return cachedVersion;
}

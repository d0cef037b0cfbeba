// Host-level API: identity, capabilities, the log, and terminal channels.
import type { MethodSpec } from '../api.js';

export type Empty = Record<string, never>;

export interface HostInfo {
  name: 'entrybench';
  version: string;
  /** "electron" when the desktop shell hosts it, "web" for `entrybench serve`. */
  shell: 'electron' | 'web';
  node: string;
  platform: string;
  pid: number;
  startedAt: string;
  /** Where workspaces, caches and drafts live. */
  dataDir: string;
  /** A native file dialog is available (Electron only). */
  nativeDialog: boolean;
  /** Workspace opened at start (the demo workspace with `npm start`), if any. */
  initialWorkspace: string | null;
  /** The bundled demo, when the host was started with it: its workspace and its kernel tree. */
  demo: { workspace: string; tree: string } | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  seq: number;
  time: string;
  level: LogLevel;
  source: string;
  message: string;
}

export interface TerminalOpened {
  channel: number;
  title: string;
}

export interface SystemMethods {
  'host.info': MethodSpec<Empty, HostInfo>;
  /** Log entries after `since` (a seq), oldest first. */
  'host.log': MethodSpec<{ since?: number }, LogEntry[]>;
  /** Native open dialog (Electron); web mode answers with an error telling the UI to upload. */
  'host.pickFiles': MethodSpec<{ title?: string; directory?: boolean }, string[]>;
  /** A shell in the given directory (default: the data directory), on a new terminal channel. */
  'terminal.openShell': MethodSpec<{ cwd?: string; cols?: number; rows?: number }, TerminalOpened>;
  'terminal.close': MethodSpec<{ channel: number }, { closed: boolean }>;
}

export interface SystemEvents {
  log: LogEntry;
  'terminal.exit': { channel: number; exitCode: number | null; signal: number | null };
}

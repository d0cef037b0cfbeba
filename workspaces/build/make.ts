// Running make for a kernel tree: argument arrays, nice, cancellation that kills the whole job,
// progress from Kbuild's "  CC      path.o" lines, and the first errors with file:line.
import { spawn } from 'node:child_process';
import { Cancelled, ToolMissing } from '../errors.js';

export interface CompilerMessage {
  file: string;
  line: number;
  column: number | null;
  severity: 'error' | 'warning';
  message: string;
  /** The full line as the compiler printed it. */
  text: string;
}

export interface MakeResult {
  exitCode: number;
  seconds: number;
  /** Kbuild lines such as "CC kernel/fork.o" (object files rebuilt). */
  steps: string[];
  errors: CompilerMessage[];
  warnings: CompilerMessage[];
  /** objtool's own complaints ("vmlinux.o: warning: objtool: ..."). */
  objtool: string[];
  /** Last lines of output, for the report when something fails without a file:line. */
  tail: string[];
}

export interface MakeOptions {
  cwd: string;
  args: string[];
  env?: Record<string, string>;
  signal?: AbortSignal;
  onLine?: (line: string) => void;
  /** Lower priority so a build does not starve the UI (default 10). */
  niceness?: number;
}

const DIAG = /^(.+?):(\d+):(?:(\d+):)? (fatal error|error|warning): (.*)$/;
const KBUILD_STEP = /^\s{2}([A-Z][A-Z0-9_]*)\s+(\S.*)$/;

export function parseDiagnostic(line: string): CompilerMessage | null {
  const m = DIAG.exec(line);
  if (!m) return null;
  return {
    file: m[1],
    line: Number(m[2]),
    column: m[3] ? Number(m[3]) : null,
    severity: m[4] === 'warning' ? 'warning' : 'error',
    message: m[5],
    text: line,
  };
}

export function runMake(opts: MakeOptions): Promise<MakeResult> {
  const started = Date.now();
  const niceness = opts.niceness ?? 10;
  const argv = niceness > 0 ? ['-n', String(niceness), 'make', ...opts.args] : opts.args;
  const cmd = niceness > 0 ? 'nice' : 'make';
  const result: MakeResult = { exitCode: -1, seconds: 0, steps: [], errors: [], warnings: [], objtool: [], tail: [] };
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Cancelled('build'));
    const child = spawn(cmd, argv, {
      cwd: opts.cwd,
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so cancelling kills make and every compiler it started.
      detached: true,
    });
    const onAbort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const seen = new Set<string>();
    const take = (line: string) => {
      result.tail.push(line);
      if (result.tail.length > 60) result.tail.shift();
      const step = KBUILD_STEP.exec(line);
      if (step) result.steps.push(`${step[1]} ${step[2]}`);
      if (line.includes('objtool:')) result.objtool.push(line.trim());
      const diag = parseDiagnostic(line);
      if (diag && !seen.has(diag.text)) {
        seen.add(diag.text);
        (diag.severity === 'error' ? result.errors : result.warnings).push(diag);
      }
      opts.onLine?.(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          take(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      stream.on('end', () => buf && take(buf));
    }
    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err.code === 'ENOENT' ? missing(cmd) : err);
    });
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort);
      result.exitCode = code ?? -1;
      result.seconds = (Date.now() - started) / 1000;
      if (opts.signal?.aborted) reject(new Cancelled('build'));
      // nice found, make not: nice exits 127 and says so; that is no result of the tree.
      else if (cmd === 'nice' && code === 127 && result.tail.some((l) => /^nice: .make.: No such file or directory/.test(l))) reject(missing('make'));
      else resolve(result);
    });
  });
}

function missing(tool: string): ToolMissing {
  return new ToolMissing(tool, tool === 'nice' ? 'apt-get install coreutils' : 'apt-get install make');
}

/** The shell-quoted form of a command, for "how to reproduce" records only (never executed). */
export function quoteCommand(argv: string[], env: Record<string, string> = {}): string {
  const q = (s: string) => (/^[A-Za-z0-9_./:=,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [...Object.entries(env).map(([k, v]) => `${k}=${q(v)}`), ...argv.map(q)].join(' ');
}

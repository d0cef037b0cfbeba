// Structure offsets and constants asm-offsets.h does not carry, read from the build the way kbuild
// makes asm-offsets.h: compile a small C file with the build's own recorded compiler command (from
// arch/x86/kernel/.asm-offsets.s.cmd) against its headers and .config, and read the "->NAME VALUE"
// markers out of the assembly. Results are cached by the command and the content of every header used.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';

export interface ProbeRequest {
  /** Headers to include, as the kernel's C files would (<linux/sched.h>, "kernel/audit.h"). */
  includes: string[];
  /** NAME -> C constant expression, e.g. TASK_mm -> offsetof(struct task_struct, mm). */
  values: Record<string, string>;
}

export interface ProbeResult {
  values: Map<string, bigint>;
  /** Names whose expression does not compile on this kernel (a field that does not exist here). */
  missing: string[];
  /** Why nothing could be probed (no recorded command, no compiler), or null. */
  unavailable: string | null;
  fromCache: boolean;
  seconds: number;
}

interface CacheEntry {
  key: string;
  deps: { file: string; size: number; mtimeMs: number }[];
  values: Record<string, string>;
  missing: string[];
}

/** Split a shell command line the way sh would for the words kbuild writes (quotes, backslashes). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) i++;
        cur += line[i++];
      }
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** The compiler command kbuild recorded for asm-offsets.s, or null. */
export function recordedCompileCommand(buildDir: string): string[] | null {
  const file = path.join(buildDir, 'arch', 'x86', 'kernel', '.asm-offsets.s.cmd');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const m = /^(?:saved)?cmd_\S*asm-offsets\.s\s*:=\s*(.*)$/m.exec(text);
  if (!m) return null;
  return shellWords(m[1]);
}

function probeSource(req: ProbeRequest, names: string[]): { text: string; lineOf: Map<number, string> } {
  const lines = ['#define COMPILE_OFFSETS', '#include <linux/kbuild.h>'];
  for (const inc of req.includes) lines.push(`#include ${inc.startsWith('"') || inc.startsWith('<') ? inc : `<${inc}>`}`);
  lines.push('int main(void);', 'int main(void)', '{');
  const lineOf = new Map<number, string>();
  for (const name of names) {
    lineOf.set(lines.length + 1, name);
    lines.push(`\tDEFINE(${name}, ${req.values[name]});`);
  }
  lines.push('\treturn 0;', '}', '');
  return { text: lines.join('\n'), lineOf };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

function parseMarkers(asm: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const re = /\.ascii\s+"->(\w+) [$#]?(-?(?:0x[0-9a-fA-F]+|\d+)) /g;
  for (let m = re.exec(asm); m; m = re.exec(asm)) out.set(m[1], BigInt(m[2]));
  return out;
}

function parseDeps(text: string, cwd: string): string[] {
  const body = text.replace(/\\\n/g, ' ');
  const colon = body.indexOf(':');
  return body
    .slice(colon + 1)
    .split(/\s+/)
    .filter((f) => f && !f.endsWith('probe.c'))
    .map((f) => path.resolve(cwd, f));
}

function depsUnchanged(entry: CacheEntry): boolean {
  for (const d of entry.deps) {
    try {
      const st = fs.statSync(d.file);
      if (st.size !== d.size || st.mtimeMs !== d.mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Compile the probe against a build. `cacheDir` (optional) keeps results across runs; a cached entry
 * is reused only while the compiler command and every header it read are unchanged.
 */
export async function probeBuild(buildDir: string, req: ProbeRequest, cacheDir?: string): Promise<ProbeResult> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const command = recordedCompileCommand(buildDir);
  if (!command) {
    return { values: new Map(), missing: Object.keys(req.values), unavailable: `no recorded compiler command in ${buildDir}/arch/x86/kernel/.asm-offsets.s.cmd`, fromCache: false, seconds: seconds() };
  }
  const key = crypto.createHash('sha256').update(JSON.stringify({ command, req, buildDir: path.resolve(buildDir), v: 1 })).digest('hex');
  const cacheFile = cacheDir ? path.join(cacheDir, `${key.slice(0, 32)}.json`) : null;
  if (cacheFile) {
    try {
      const entry = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as CacheEntry;
      if (entry.key === key && depsUnchanged(entry)) {
        const values = new Map(Object.entries(entry.values).map(([k, v]) => [k, BigInt(v)]));
        return { values, missing: entry.missing, unavailable: null, fromCache: true, seconds: seconds() };
      }
    } catch {
      /* no usable cache entry */
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-probe-'));
  try {
    let names = Object.keys(req.values);
    const missing: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const { text, lineOf } = probeSource(req, names);
      const src = path.join(tmp, 'probe.c');
      const out = path.join(tmp, 'probe.s');
      const dep = path.join(tmp, 'probe.d');
      fs.writeFileSync(src, text);
      const args: string[] = [];
      for (let i = 1; i < command.length; i++) {
        const a = command[i];
        if (a.startsWith('-Wp,-MMD,') || a.startsWith('-Wp,-MD,')) args.push(`-Wp,-MMD,${dep}`);
        else if (a === '-o') {
          args.push('-o', out);
          i++;
        } else if (a.endsWith('asm-offsets.c')) args.push(src);
        else if (a.startsWith('-DKBUILD_')) continue;
        else args.push(a);
      }
      const res = await run(command[0], args, buildDir);
      if (res.code === 0) {
        const values = parseMarkers(fs.readFileSync(out, 'utf8'));
        const deps = fs.existsSync(dep) ? parseDeps(fs.readFileSync(dep, 'utf8'), buildDir) : [];
        if (cacheFile) {
          const entry: CacheEntry = {
            key,
            deps: deps.flatMap((file) => {
              try {
                const st = fs.statSync(file);
                return [{ file, size: st.size, mtimeMs: st.mtimeMs }];
              } catch {
                return [];
              }
            }),
            values: Object.fromEntries([...values].map(([k, v]) => [k, v.toString()])),
            missing,
          };
          fs.mkdirSync(cacheDir as string, { recursive: true });
          fs.writeFileSync(cacheFile + '.tmp', JSON.stringify(entry));
          fs.renameSync(cacheFile + '.tmp', cacheFile);
        }
        return { values, missing, unavailable: null, fromCache: false, seconds: seconds() };
      }
      // Drop the definitions the compiler rejected (fields this kernel does not have) and retry.
      const bad = new Set<string>();
      let inError = false;
      for (const line of res.stderr.split('\n')) {
        if (/: error:/.test(line)) inError = true;
        else if (/: warning:/.test(line)) inError = false;
        const m = /probe\.c:(\d+):\d+: (?:error|note)/.exec(line);
        if (m && inError) {
          const name = lineOf.get(Number(m[1]));
          if (name) bad.add(name);
        }
      }
      if (bad.size === 0) {
        const first = res.stderr.split('\n').find((l) => /error/.test(l)) ?? res.stderr.split('\n')[0] ?? '';
        return { values: new Map(), missing: Object.keys(req.values), unavailable: `the probe did not compile: ${first.trim()}`, fromCache: false, seconds: seconds() };
      }
      missing.push(...bad);
      names = names.filter((n) => !bad.has(n));
    }
    return { values: new Map(), missing: Object.keys(req.values), unavailable: 'the probe did not compile after dropping the failing definitions', fromCache: false, seconds: seconds() };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

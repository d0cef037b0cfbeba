// Style check of one patch with the tree's own scripts/checkpatch.pl, as a reviewer would run it.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';

export interface StyleReport {
  /** False when the tree has no checkpatch.pl (the demo tree, or a stripped tree). */
  available: boolean;
  errors: number;
  warnings: number;
  checks: number;
  /** checkpatch's own lines: "-:14: ERROR:TRAILING_WHITESPACE: trailing whitespace". */
  lines: string[];
}

const LINE = /^[^:]*:\d+: (ERROR|WARNING|CHECK):/;

export function parseCheckpatch(output: string): Omit<StyleReport, 'available'> {
  const report = { errors: 0, warnings: 0, checks: 0, lines: [] as string[] };
  for (const line of output.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    report.lines.push(line);
    if (m[1] === 'ERROR') report.errors++;
    else if (m[1] === 'WARNING') report.warnings++;
    else report.checks++;
  }
  return report;
}

/** Run checkpatch.pl from `tree` on the patch text (an mbox message or a plain diff). */
export function runCheckpatch(tree: string, patch: string | Uint8Array, signal?: AbortSignal): Promise<StyleReport> {
  const script = path.join(tree, 'scripts', 'checkpatch.pl');
  if (!fs.existsSync(script)) return Promise.resolve({ available: false, errors: 0, warnings: 0, checks: 0, lines: [] });
  return new Promise((resolve, reject) => {
    const child = spawn('perl', [script, '--terse', '--show-types', '--no-summary', '--color=never', '-'], {
      cwd: tree,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal,
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.resume();
    child.on('error', reject);
    // checkpatch exits 1 when it found something; that is a result, not a failure.
    child.on('close', () => resolve({ available: true, ...parseCheckpatch(out) }));
    child.stdin.end(patch);
  });
}

// The emulator suite as a walk check: one result per scenario ("emulator:<name>") for each built step.
// Wire it into workspaces/bisect/checkers.ts: `checkers.push(emulatorChecker())`.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { StepChecker } from '../bisect/walk.js';
import type { CheckResult } from '../bisect/types.js';
import { ReviewError } from '../errors.js';
import { CheckCrashed, CheckService } from './service.js';
import { checkWorkerEntry, emulatorSourceDir, scenarioDir } from '../host/paths.js';

/**
 * Digest of the emulator and harness code and the scenario files: results change when they do. In a
 * checkout that is the emulator sources (whether a bundle runs or not, so caches survive the switch);
 * a packaged app has only the worker bundle, which carries the same code compiled in.
 */
function harnessDigest(): string {
  const h = crypto.createHash('sha256');
  const walk = (root: string, dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(root, p);
      else if (/\.(ts|json)$/.test(e.name)) h.update(path.relative(root, p)).update(fs.readFileSync(p));
    }
  };
  const sources = emulatorSourceDir();
  if (fs.existsSync(sources)) walk(sources, sources);
  else {
    h.update(fs.readFileSync(checkWorkerEntry().file));
    walk(scenarioDir(), scenarioDir());
  }
  return h.digest('hex').slice(0, 16);
}

export function emulatorChecker(service = new CheckService()): StepChecker {
  let id: string | null = null;
  return {
    get id() {
      return (id ??= `emulator:${harnessDigest()}`);
    },
    async run(ctx) {
      let report;
      try {
        report = await service.check(ctx.build.buildDir, undefined, { signal: ctx.signal, onProgress: (p) => ctx.say(`emulator ${p.done ?? ''}${p.total ? `/${p.total}` : ''} ${p.message}`.replace(/\s+/g, ' ')) });
      } catch (err) {
        // A build the harness cannot read is a result of the step; a crashed worker is not (the walk retries it).
        if (err instanceof ReviewError && err.kind !== 'Cancelled' && !(err instanceof CheckCrashed)) {
          return [{ check: 'emulator', status: 'error', summary: `${err.message} ${err.hint}` }];
        }
        throw err;
      }
      const results: CheckResult[] = report.scenarios.map((s) => ({
        check: `emulator:${s.name}`,
        status: s.verdict,
        summary: s.verdict === 'pass' ? s.summary : `${s.invariant}: expected ${s.expected}, seen ${s.seen}`,
        evidence: s.evidence ?? undefined,
        seconds: s.ms / 1000,
      }));
      for (const s of report.skipped) results.push({ check: `emulator:${s.name}`, status: 'skip', summary: s.reason });
      return results;
    },
  };
}

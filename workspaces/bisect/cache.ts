// Step results cached by what determines them: the base commit, the exact content of every step up to
// this one (tree, author and message of its commit), the config, and the version of the checks.
// Re-walking, or walking v2 of a series, reuses every unchanged prefix.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeJsonAtomic } from '../store/atomic.js';
import type { StepRecord } from './types.js';

export interface StepKey {
  base: string;
  /** Content ids of steps 1..index, in order (empty for the base): see StepRunner.contentIds. */
  steps: string[];
  /** Config name plus a digest of its content. */
  config: string;
  /** Identifies the check suite (harness version, scenario set, boot on/off). */
  checks: string;
}

export function stepKeyHash(key: StepKey): string {
  return crypto.createHash('sha256').update(JSON.stringify([key.base, key.steps, key.config, key.checks])).digest('hex');
}

export class StepCache {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private file(key: StepKey): string {
    const h = stepKeyHash(key);
    return path.join(this.dir, h.slice(0, 2), `${h}.json`);
  }

  get(key: StepKey): StepRecord | null {
    try {
      const rec = JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as { key: StepKey; record: StepRecord };
      // Guard against a hash collision or a hand-edited file.
      if (JSON.stringify(rec.key) !== JSON.stringify(key)) return null;
      return { ...rec.record, cached: true };
    } catch {
      return null;
    }
  }

  put(key: StepKey, record: StepRecord): void {
    writeJsonAtomic(this.file(key), { key, record: { ...record, cached: false } });
  }
}

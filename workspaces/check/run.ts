// One check of one build, in whichever thread calls it: open the build, boot the emulated CPU, run the
// scenarios, build the report. The service runs this in a worker thread; tests may call it directly.
import { KernelHarness, type ScenarioResult } from '../../emulator/kernel/runner.js';
import type { CheckReport, CheckScenarioResult } from '../host/api/check.js';
import { buildReport, scenarioResult } from './report.js';

export interface CheckRequest {
  buildDir: string;
  scenarios?: string[];
  /** Where struct offsets read from builds are cached. */
  probeCacheDir?: string;
  /** The scenario files (host/paths.ts scenarioDir()); default: next to the harness sources. */
  scenarioDir?: string;
}

export interface CheckRunHooks {
  signal?: AbortSignal;
  onPhase?: (message: string) => void;
  onScenario?: (result: CheckScenarioResult, done: number, total: number) => void;
}

export async function runCheck(req: CheckRequest, hooks: CheckRunHooks = {}): Promise<CheckReport> {
  const started = Date.now();
  hooks.onPhase?.(`reading ${req.buildDir}`);
  const harness = await KernelHarness.open(req.buildDir, { probeCacheDir: req.probeCacheDir, scenarioDir: req.scenarioDir });
  hooks.onPhase?.(`booting ${harness.image.release ?? 'the kernel'} in the emulator`);
  harness.bootFor('intel');
  const setupSeconds = (Date.now() - started) / 1000;
  const t = Date.now();
  const results: ScenarioResult[] = [];
  const { skipped } = harness.runSuite({
    names: req.scenarios,
    signal: hooks.signal,
    onScenario: (r, done, total) => {
      results.push(r);
      hooks.onScenario?.(scenarioResult(r), done, total);
    },
  });
  return buildReport(harness, results, skipped, setupSeconds, (Date.now() - t) / 1000);
}

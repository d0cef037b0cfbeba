// The check report as the host API carries it, built from the harness's results for one build.
import fs from 'node:fs';
import path from 'node:path';
import type { CheckReport, CheckScenarioResult } from '../host/api/check.js';
import type { KernelHarness, ScenarioResult, SkippedScenario } from '../../emulator/kernel/runner.js';
import { SETUP_NOTES } from '../../emulator/kernel/setup.js';

/** The config name `entrybench build` stamped into the build directory, or "custom". */
export function buildConfigName(buildDir: string): string {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(buildDir, '.entrybench-build.json'), 'utf8')) as { config?: unknown };
    if (typeof stamp.config === 'string' && stamp.config) return stamp.config;
  } catch {
    /* not built by entrybench */
  }
  return 'custom';
}

export function scenarioResult(r: ScenarioResult): CheckScenarioResult {
  return {
    name: r.name,
    summary: r.summary,
    group: r.group,
    verdict: r.verdict,
    invariant: r.invariant,
    expected: r.expected,
    seen: r.seen,
    evidence: r.evidence,
    violations: r.violations.map((v) => ({ invariant: v.invariant, expected: v.expected, seen: v.seen, detail: v.detail })),
    steps: r.steps,
    kernelSteps: r.kernelSteps,
    ms: r.ms,
    sweep: r.sweep,
  };
}

export function buildReport(harness: KernelHarness, results: ScenarioResult[], skipped: SkippedScenario[], setupSeconds: number, seconds: number): CheckReport {
  const image = harness.image;
  const scenarios = results.map(scenarioResult);
  const count = (v: string) => scenarios.filter((s) => s.verdict === v).length;
  const probe = harness.facts.probe;
  return {
    kernel: image.release ?? 'unknown',
    banner: image.banner,
    config: buildConfigName(image.buildDir),
    buildDir: image.buildDir,
    profile: harness.facts.profile.name,
    scenarios,
    skipped,
    pass: count('pass'),
    fail: count('fail'),
    error: count('error'),
    setupSeconds,
    seconds,
    probe: { fromCache: probe.fromCache, unavailable: probe.unavailable, missing: probe.missing },
    notes: [...SETUP_NOTES, ...(probe.unavailable ? [`Struct offsets could not be read from the build (${probe.unavailable}); ABI constants come from the profile.`] : [])],
  };
}

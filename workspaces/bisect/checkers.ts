// The checks a walk runs on every built step: the emulator suite always, the guest boot when asked.
import type { Workspace } from '../store/workspace.js';
import type { StepChecker } from './walk.js';
import { emulatorChecker } from '../check/step-checker.js';
import { CheckService } from '../check/service.js';
import { ReviewError } from '../errors.js';

/** The walk was asked to boot each step, and no boot check is wired into it yet. */
export class BootCheckUnavailable extends ReviewError {}

export interface CheckerOptions {
  workspace: Workspace;
  boot: boolean;
}

// One harness service (its worker thread, its loaded images) for every walk in this process.
let checks: CheckService | null = null;

export function defaultCheckers(opts: CheckerOptions): StepChecker[] {
  // Saying so beats a walk that reports boot: true having booted nothing.
  if (opts.boot) {
    throw new BootCheckUnavailable(
      'The walk cannot boot each step yet: no guest boot check is wired into it.',
      'Walk without --boot (the emulator suite runs on every step); boot a single build in the guest instead.',
    );
  }
  checks ??= new CheckService();
  return [emulatorChecker(checks)];
}

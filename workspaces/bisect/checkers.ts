// The checks a walk runs on every built step. Each one is a StepChecker; the emulator suite and the
// guest boot register here as they become available.
import type { Workspace } from '../store/workspace.js';
import type { StepChecker } from './walk.js';

export interface CheckerOptions {
  workspace: Workspace;
  boot: boolean;
}

export function defaultCheckers(_opts: CheckerOptions): StepChecker[] {
  return [];
}

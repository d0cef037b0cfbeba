// Errors of the kernel harness a user can hit: what happened (message) and what to do next (hint).
// The check service in workspaces/ turns them into ReviewErrors; the emulator cannot import those.

export class HarnessError extends Error {
  /** Stable machine-readable kind, e.g. "KernelImageError". */
  readonly kind: string;
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.kind = new.target.name;
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** The build directory or one of its files is missing, unreadable or not what it should be. */
export class KernelImageError extends HarnessError {}

/** The kernel lacks a symbol, offset or table the profile needs. */
export class ProfileMismatch extends HarnessError {}

/** A scenario file is malformed or names something that does not exist. */
export class ScenarioError extends HarnessError {}

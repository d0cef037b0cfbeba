// Errors a reviewer can hit: each says what happened and what to do next, and crosses the RPC boundary intact.

export class ReviewError extends Error {
  /** Stable machine-readable kind, e.g. "PatchDoesNotApply"; the UI and CLI key on it. */
  readonly kind: string;
  /** What the user can do about it, in one sentence. */
  readonly hint: string;
  /** Optional structured details (files, hunks, command lines). */
  readonly details: unknown;

  constructor(message: string, hint: string, details?: unknown) {
    super(message);
    this.kind = new.target.name;
    this.name = new.target.name;
    this.hint = hint;
    this.details = details;
  }
}

/** A request named something that does not exist (workspace, step, file). */
export class NotFound extends ReviewError {}

/** The request was understood but its arguments are not acceptable. */
export class BadRequest extends ReviewError {}

/** The operation was cancelled by the user. */
export class Cancelled extends ReviewError {
  constructor(what = 'operation') {
    super(`The ${what} was cancelled.`, 'Start it again when you are ready; nothing was left half-done.');
  }
}

/** A tool the workbench needs (git, qemu, gcc, ...) is missing from this machine. */
export class ToolMissing extends ReviewError {
  constructor(tool: string, install: string) {
    super(`${tool} is not installed.`, `Install it with: ${install}`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

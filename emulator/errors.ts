// Errors the emulator's callers can hit when they misuse its API: what happened, and what to do next.
// (Guest faults are not errors: they are delivered to the guest or end a run with a stop report.)

export class EmulatorError extends Error {
  /** Stable machine-readable kind, e.g. "BadRegister". */
  readonly kind: string;
  /** What the caller can do about it, in one sentence. */
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.kind = new.target.name;
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** A register, MSR or segment name the emulator does not know. */
export class UnknownRegister extends EmulatorError {}

/** A memory map request that overlaps, is unaligned or names nothing. */
export class BadMapping extends EmulatorError {}

/** A value out of range for where it is being put (a selector > 0xffff, a non-canonical base...). */
export class BadValue extends EmulatorError {}

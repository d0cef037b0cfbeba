// Errors of the review engine a user can hit: each says what happened and what to do next.
import { ReviewError } from '../errors.js';

/** Someone else changed the annotation or draft since it was read. */
export class EditConflict extends ReviewError {}

/** No send command is configured, or the one configured cannot be used. */
export class SendNotConfigured extends ReviewError {}

/** The confirmation token is unknown, used, expired, or the draft changed after the preview. */
export class SendNotConfirmed extends ReviewError {}

/** The configured send command ran and failed. */
export class SendFailed extends ReviewError {}

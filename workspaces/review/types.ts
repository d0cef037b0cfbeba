// The review model: what drafting needs to know about the mail, the annotations a reviewer writes, and the walk's evidence.

export type * from '../host/api/review.js';
import type { ReplyAddress } from '../host/api/review.js';

/** A mailbox address (the series model's `Address` has the same shape). */
export type MailAddress = ReplyAddress;

/**
 * What a reply needs from the message it answers. The series model's decoded messages
 * (workspaces/series, `MailMessage`) have these fields as they are, so they can be passed directly.
 */
export interface ReplyTargetMessage {
  /** Message-ID without angle brackets, or null (archive pages have none). */
  messageId: string | null;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** Decoded subject, folding removed. */
  subject: string;
  date: Date | null;
  /** The Date header as written, so the attribution can keep the sender's time zone. */
  dateText: string | null;
  inReplyTo: string | null;
  /** Message-IDs from References, oldest first, without angle brackets. */
  references: string[];
  /** The decoded text body with LF line ends; patch text exactly as sent (never unflowed). */
  body: string;
}

/** One patch of a series as the review engine sees it: its place and its message (commit message + diff in the body). */
export interface ReviewPatch {
  /** 1-based position in the series. */
  index: number;
  message: ReplyTargetMessage;
}

/** One version of a series. */
export interface ReviewSeries {
  /** 1 for an unversioned series. */
  version: number;
  title: string;
  /** Number of patches the subjects announce (the N of "M/N"). */
  total: number;
  cover: ReplyTargetMessage | null;
  patches: ReviewPatch[];
}

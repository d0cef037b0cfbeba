// Series API: opening mail and the assembled series. The mail/series issue owns and extends this file.
import type { MethodSpec } from '../api.js';

/** A problem found while reading mail: what and where. Loading goes on past it. */
export interface MailDiagnostic {
  severity: 'error' | 'warning';
  /** File (and message offset or index) it concerns. */
  where: string;
  message: string;
}

export interface AddressSummary {
  name: string;
  email: string;
}

/** A reply to a patch or cover letter, in thread order. */
export interface ReplySummary {
  /** Index into `messageList`. */
  message: number;
  messageId: string | null;
  /** "Name <email>" */
  from: string;
  subject: string;
  /** ISO 8601, or null. */
  date: string | null;
  /** 1 for a direct reply. */
  depth: number;
}

export interface TrailerSummary {
  name: string;
  value: string;
  /** Message-ID of the reply that gave it. */
  from: string | null;
  /** "cover": given to the cover letter, so it applies to every patch. */
  source: 'reply' | 'cover';
  /** The trailer names its sender (b4 drops the ones that do not). */
  senderMatches: boolean;
  /** Carried from an identical patch of this older version. */
  carriedFromVersion: number | null;
}

export interface SeriesPartSummary {
  index: number;
  /** The subject as sent. */
  subject: string;
  /** "Name <email>" of the patch author (an in-body From: wins). */
  author: string;
  messageId: string | null;
  damaged: boolean;
  replies: number;
  trailers: TrailerSummary[];
  /** Index into `messageList`. */
  message: number;
  cleanSubject: string;
  authorAddress: AddressSummary;
  date: string | null;
  /** Version the part was sent as (older than the series' in a filled-in partial reroll). */
  version: number;
  /** Why it cannot be applied as-is. */
  damageReasons: string[];
  diffstat: { files: number; insertions: number; deletions: number };
  replyList: ReplySummary[];
}

export interface SeriesSummary {
  title: string;
  version: number;
  rfc: boolean;
  total: number;
  cover: { subject: string; message: number; messageId: string | null; replies: ReplySummary[] } | null;
  missing: number[];
  parts: SeriesPartSummary[];
  /** Stable within one load; names the series in `series.patch`. */
  key: string;
  versionText: string | null;
  resend: boolean;
  treeTag: string | null;
  /** The highest version of this series in the input: the one to review by default. */
  latest: boolean;
  versions: number[];
  otherVersions: string[];
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  partialReroll: boolean;
  /** Index into `threadTrees`. */
  thread: number;
}

export interface MessageSummary {
  index: number;
  messageId: string | null;
  from: string;
  subject: string;
  date: string | null;
  inReplyTo: string | null;
  /** Rebuilt from archive page text: no headers, text may be damaged. */
  synthetic: boolean;
  /** "file message N at byte B" */
  source: string;
}

export interface ThreadNodeSummary {
  /** Index into `messageList`, or null for a message that is not in the input. */
  message: number | null;
  messageId: string | null;
  subject: string;
  children: ThreadNodeSummary[];
}

export interface SourceSummary {
  name: string;
  kind: string;
  gzip: boolean;
  bytes: number;
  messages: number;
}

export interface OpenSeriesResult {
  messages: number;
  duplicates: number;
  threads: number;
  series: SeriesSummary[];
  diagnostics: MailDiagnostic[];
  /** Names this load in `series.message` and `series.patch` (kept while the host runs, a few at a time). */
  loadId: string;
  messageList: MessageSummary[];
  threadTrees: ThreadNodeSummary[];
  sources: SourceSummary[];
}

export interface MessageDetail {
  index: number;
  headers: { name: string; value: string }[];
  /** The decoded text body (never format=flowed decoded). */
  body: string;
  parts: { contentType: string; filename: string | null; charset: string | null; size: number; isPatch: boolean }[];
  synthetic: boolean;
  /** Size of the original bytes. */
  rawSize: number;
}

export interface PatchFileSummary {
  oldPath: string | null;
  newPath: string | null;
  status: string;
  binary: boolean;
  additions: number;
  deletions: number;
  index: { old: string; new: string; mode: string | null } | null;
}

export interface PatchDetail {
  series: string;
  index: number;
  commitMessage: string;
  notes: string;
  diffText: string;
  files: PatchFileSummary[];
  damageReasons: string[];
  /**
   * The part as an mboxrd message for `git am --patch-format=mboxrd`, or null when it is damaged. Shown as
   * UTF-8 text; engine code that applies patches calls renderPatchForGitAm for the exact bytes.
   */
  mbox: string | null;
  /** Pass --keep-cr to git am: the diff carries CRs that are content. */
  keepCr: boolean;
}

export interface SeriesMethods {
  /** Read mail files (paths on the host machine) and assemble the series in them. */
  'series.open': MethodSpec<{ paths: string[] }, OpenSeriesResult>;
  /** Read pasted text (an archive page, or a message) and assemble the series in it. */
  'series.openText': MethodSpec<{ text: string; name?: string }, OpenSeriesResult>;
  /** One message of a load, in full. */
  'series.message': MethodSpec<{ loadId: string; message: number }, MessageDetail>;
  /** One patch of a series of a load: its parts, files and the mbox to apply it. */
  'series.patch': MethodSpec<{ loadId: string; series: string; index: number }, PatchDetail>;
}

export interface SeriesEvents {}

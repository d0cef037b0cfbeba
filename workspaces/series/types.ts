// The series model other engines consume: subjects, diffs, patches, trailers, series versions, and a load result.
export type {
  Address,
  SourceKind,
  MessageOrigin,
  MailDiagnostic,
  HeaderField,
  MailPart,
  MailMessage,
  DuplicateMessage,
  ThreadNode,
  MailThread,
} from '../mail/types.js';
import type { Address, DuplicateMessage, MailDiagnostic, MailMessage, MailThread } from '../mail/types.js';

/** What a subject line says. */
export interface SubjectInfo {
  raw: string;
  /** The subject without reply prefixes, [PATCH ...] prefixes and other leading [tags]. */
  cleaned: string;
  /** How many reply prefixes (Re:, RE:, AW:, SV:, ...) were removed. */
  replyDepth: number;
  isReply: boolean;
  /** A Fwd:/Fw: prefix was present. */
  forwarded: boolean;
  /** A [PATCH ...]-like prefix (PATCH, RFC, RFT, or a counter) was found. */
  isPatch: boolean;
  rfc: boolean;
  resend: boolean;
  /** Version number: 1 when none was given; 5.1 for "v5.1". */
  version: number;
  /** The version as written ("v5.1"), or null when none was given. */
  versionText: string | null;
  /** Position in the series: 0 is the cover letter. A single [PATCH] is 1 of 1. Null when not a patch. */
  index: number | null;
  total: number | null;
  /** No "n/m" counter was written (a single patch). */
  counterInferred: boolean;
  /** Words of the prefix that name a tree or branch: "net-next", "4.4", "for-next". */
  treeTag: string | null;
  /** Every token of the patch prefix, in order. */
  prefixes: string[];
  /** Other leading bracket groups, e.g. "tip:x86/entry". */
  tags: string[];
}

/** One line of a hunk. Text excludes the one-character prefix and the newline; a CR stays in the text. */
export interface DiffLine {
  kind: 'context' | 'add' | 'remove' | 'no-newline';
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

export interface DiffHunk {
  /** The "@@ -a,b +c,d @@ section" line. */
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Function context after the second "@@". */
  section: string;
  lines: DiffLine[];
}

export interface FileDiff {
  /** Path before, without "a/"; null when the file is new (/dev/null). */
  oldPath: string | null;
  /** Path after, without "b/"; null when the file is deleted. */
  newPath: string | null;
  status: 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';
  oldMode: string | null;
  newMode: string | null;
  /** "similarity index" of renames and copies, in percent. */
  similarity: number | null;
  binary: boolean;
  /** The `index` line: preimage and postimage blob hashes (abbreviated as written) and the mode. */
  index: { old: string; new: string; mode: string | null } | null;
  hunks: DiffHunk[];
  additions: number;
  deletions: number;
  /** The file came with a "diff --git" header (otherwise a plain unified diff). */
  git: boolean;
}

export interface ParsedDiff {
  files: FileDiff[];
  /** Structural problems: a hunk shorter than its header, a line that is not a diff line inside a hunk, ... */
  problems: string[];
}

export interface Diffstat {
  files: number;
  insertions: number;
  deletions: number;
  perFile: { path: string; insertions: number; deletions: number; binary: boolean }[];
}

/** The diffstat the sender's format-patch wrote (" 3 files changed, 35 insertions(+), 16 deletions(-)"). */
export interface ReportedDiffstat {
  files: number;
  insertions: number;
  deletions: number;
  perFile: { path: string; changes: number | null; binary: boolean }[];
}

/** A patch message taken apart the way git mailinfo does. */
export interface PatchText {
  /** "From:", "Subject:", "Date:" lines at the top of the body, which override the mail headers. */
  inBodyHeaders: { name: string; value: string }[];
  /** The commit message: body up to the "---" line (or the diff). */
  commitMessage: string;
  /** Between "---" and the diff: notes and the diffstat. */
  notes: string;
  /** From the first diff line up to the format-patch signature, byte for byte. */
  diffText: string;
  /** The "-- " signature that format-patch appends (git version), or null. */
  signature: string | null;
  reportedDiffstat: ReportedDiffstat | null;
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  changeId: string | null;
}

/** A trailer line ("Reviewed-by: Name <mail>"). */
export interface Trailer {
  name: string;
  value: string;
}

/** A trailer collected from a reply. */
export interface CollectedTrailer extends Trailer {
  /** Message-ID of the reply that gave it (null for archive pages). */
  from: string | null;
  /** Index of that message. */
  message: number;
  /** "reply": answered this patch; "cover": answered the cover letter, so it applies to every patch. */
  source: 'reply' | 'cover';
  /** The trailer names the person who sent it (b4 ignores trailers that do not). */
  senderMatches: boolean;
  /** The commit message already carries this trailer. */
  inCommit: boolean;
  /** Carried over from this version's identical patch (same patch id). */
  carriedFromVersion: number | null;
}

/** A reply to a patch or cover letter, in thread order. */
export interface ReplyRef {
  message: number;
  messageId: string | null;
  from: Address | null;
  subject: string;
  date: Date | null;
  /** 1 for a direct reply, 2 for a reply to that, ... */
  depth: number;
  /** The message it answers. */
  parent: number | null;
}

export interface SeriesPart {
  index: number;
  message: number;
  messageId: string | null;
  subject: { raw: string; cleaned: string };
  /** The patch author: an in-body From: wins over the mail From. */
  author: Address;
  date: Date | null;
  /** The version this part was sent as; lower than the series version when a partial reroll was filled in. */
  version: number;
  commitMessage: string;
  /** Trailers already in the commit message (Signed-off-by, ...). */
  commitTrailers: Trailer[];
  notes: string;
  diffText: string;
  diff: ParsedDiff;
  /** Counted from the diff. */
  diffstat: Diffstat;
  reportedDiffstat: ReportedDiffstat | null;
  /** Why the patch cannot be applied as-is; empty when it looks whole. */
  damaged: string[];
  /** git patch-id-like hash of the diff (whitespace and line numbers ignored), or null without a diff. */
  patchId: string | null;
  replies: ReplyRef[];
  trailers: CollectedTrailer[];
}

export interface SeriesCover {
  message: number;
  messageId: string | null;
  subject: { raw: string; cleaned: string };
  author: Address | null;
  date: Date | null;
  body: string;
  replies: ReplyRef[];
}

/** One version of one series. */
export interface Series {
  /** Stable key within one load: "<thread root id or title>#v<version>". */
  key: string;
  title: string;
  version: number;
  versionText: string | null;
  rfc: boolean;
  resend: boolean;
  total: number;
  treeTag: string | null;
  /** This is the highest version of its series in the input (the one to review by default). */
  latest: boolean;
  /** Every version of this series found in the input, ascending. */
  versions: number[];
  /** Keys of the other versions, ascending by version. */
  otherVersions: string[];
  cover: SeriesCover | null;
  /** Indices 1..total that are not in the input. */
  missing: number[];
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  changeId: string | null;
  /** Some parts were sent as replies to an older version and the rest filled in from it. */
  partialReroll: boolean;
  parts: SeriesPart[];
  /** Index of the thread holding the series (its first part's thread). */
  thread: number;
  /** Every message of this series: cover, parts and their replies. */
  messages: number[];
}

/** Everything `loadMail` found. */
export interface MailLoad {
  messages: MailMessage[];
  duplicates: DuplicateMessage[];
  threads: MailThread[];
  /** For each message, the index of its thread. */
  threadOf: number[];
  series: Series[];
  diagnostics: MailDiagnostic[];
  sources: { name: string; kind: string; gzip: boolean; bytes: number; messages: number }[];
}

// Review API: annotations anchored to patches, reply drafts, export and the confirmed send. Types only.
// The review engine (workspaces/review/types.ts) re-exports these model types, so there is one definition.
import type { MethodSpec } from '../api.js';

/** A mailbox address. `email` may be '' when a header held only a name. */
export interface ReplyAddress {
  name: string;
  email: string;
}

// ---- anchors and annotations ----

/** Which patch an anchor was written on: enough to find the same patch in another version of the series. */
export interface PatchIdentity {
  seriesVersion: number;
  index: number;
  /** Subject without "Re:" and the [PATCH vN M/N] tag: the same patch in the next version usually keeps it. */
  subject: string;
  /** `git patch-id --stable` of the patch's diff; null when the patch has no diff. */
  patchId: string | null;
  messageId: string | null;
}

/** A comment on one line of a patch's diff. */
export interface DiffAnchor {
  kind: 'diff';
  patch: PatchIdentity;
  file: string;
  /** "new": a line of the patched file (context or added); "old": of the original (context or removed). */
  side: 'old' | 'new';
  line: number;
  hunk: {
    /** The hunk's "@@ -a,b +c,d @@ section" line when the comment was written. */
    header: string;
    /** sha256 of the file path and the hunk's lines, line numbers left out (see anchors.ts). */
    fingerprint: string;
    /** Position of the commented line among the hunk's lines, from 0. */
    offset: number;
  };
  /** The commented diff line and up to 3 lines before it, with their +/-/space prefix: shown when outdated. */
  context: string[];
}

/** A comment on the commit message of a patch: a line, or the message as a whole (line null). */
export interface MessageAnchor {
  kind: 'message';
  patch: PatchIdentity;
  /** 1-based line of the commit message, or null for the patch as a whole. */
  line: number | null;
  context: string[];
}

/** A comment on the cover letter: a line of its text, or the letter as a whole. */
export interface CoverAnchor {
  kind: 'cover';
  seriesVersion: number;
  messageId: string | null;
  subject: string;
  /** 1-based line of the cover letter body, or null. */
  line: number | null;
  context: string[];
}

/** A comment on a walk result: the result, optionally one step or one failing scenario of it. */
export interface WalkAnchor {
  kind: 'walk';
  seriesVersion: number;
  /** The walk result's id (ReviewEvidence.result). */
  result: string;
  step: number | null;
  scenario: string | null;
}

export type Anchor = DiffAnchor | MessageAnchor | CoverAnchor | WalkAnchor;

/** A reviewer's comment, stored in the workspace (one file per annotation, see annotation-store.ts). */
export interface Annotation {
  id: string;
  /** 1 when written, +1 on every edit; an edit names the revision it replaces. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  text: string;
  anchor: Anchor;
}

/**
 * Where a comment stands against one version of the series:
 *   current       the patch is the one it was written on (same patch-id), possibly at shifted line numbers;
 *   carried-over  the patch changed but the commented hunk (or message lines) did not;
 *   outdated      the hunk changed or the patch is gone: shown with its old context, not placed in replies.
 */
export type AnchorStatus = 'current' | 'carried-over' | 'outdated';

/** Where a comment sits now, in the version it was resolved against. */
export type ResolvedLocation =
  | { kind: 'diff'; patch: number; file: string; side: 'old' | 'new'; line: number; hunkHeader: string }
  | { kind: 'message'; patch: number; line: number | null }
  | { kind: 'cover'; line: number | null }
  | { kind: 'walk'; result: string; step: number | null; scenario: string | null };

export interface ResolvedAnnotation {
  annotation: Annotation;
  status: AnchorStatus;
  /** Null when outdated. */
  location: ResolvedLocation | null;
  /** For an outdated comment: why, in one line. */
  reason?: string;
}

// ---- evidence from the walk ----

/** A patch named by the evidence. */
export interface EvidencePatch {
  index: number;
  subject: string;
  /** Commit of this step on the review branch, if known. */
  commit?: string;
}

/**
 * A check that failed: an emulator scenario with what its invariant expected and what ran, or another check
 * (builds, boot, style) with one line on what went wrong.
 */
export interface EvidenceFailure {
  scenario: string;
  /** One line: what the scenario checks, or what went wrong when there is no expected/seen. */
  description?: string;
  expected?: string;
  seen?: string;
  /** Extra lines (registers, trace excerpt), printed as they are. */
  details?: string[];
}

/**
 * What the walk found, for the evidence block of a reply. Every field is optional; the block prints what is
 * there, in this order, plainly. The walk fills it; `entrybench reply --evidence FILE.json` reads it from JSON.
 */
export interface ReviewEvidence {
  /** Id of the walk result these facts come from; comments on that walk result are placed in the block. */
  result?: string;
  /** What the series was applied to: a commit and/or a description ("v6.12", "tip/x86/entry"). */
  base?: { commit?: string; description?: string };
  firstBad?: EvidencePatch;
  lastGood?: EvidencePatch;
  /** The first later patch after which the failure is gone again (a series need not be monotonic). */
  fixedBy?: EvidencePatch;
  failures?: EvidenceFailure[];
  /** The decoded oops, one console line each. */
  oops?: string[];
  /** Failing selftest TAP lines ("not ok 3 sysret_rip ..."). */
  selftests?: string[];
  /** The checks run on every step ("builds", "emulator:syscall-fastpath", "boot", ...). */
  checks?: string[];
  /** The kernel config: its name ("tinyconfig + entry-min") and the options that matter. */
  config?: { name: string; options?: string[] };
  /** Commands that reproduce the failure, one per line. */
  reproduce?: string[];
}

// ---- drafts, export and sending ----

export type TrailerKind = 'reviewed-by' | 'tested-by' | 'acked-by';

/** What a draft answers: a patch of a series version, or its cover letter. */
export type DraftTarget = { kind: 'patch'; version: number; patch: number } | { kind: 'cover'; version: number };

/** My identity, from git config (or given explicitly). */
export interface ReplyIdentity extends ReplyAddress {
  /** Where it came from: "sendemail.from", "user.name/user.email" or "given". */
  source: string;
}

/** Where a comment should go, as a user or the CLI names it. `version` defaults to the series it is given with. */
export type AnnotationTargetInput =
  | { kind: 'diff'; patch: number; file: string; side?: 'old' | 'new'; line: number }
  | { kind: 'message'; patch: number; line?: number }
  | { kind: 'cover'; line?: number }
  | { kind: 'walk'; result: string; step?: number; scenario?: string };

export interface ReplyHeaders {
  from: ReplyAddress;
  to: ReplyAddress[];
  cc: ReplyAddress[];
  subject: string;
  /** Without angle brackets. */
  inReplyTo: string | null;
  references: string[];
  /** RFC 5322 date text. */
  date: string;
  messageId: string;
}

/** A reply as composed from the annotations, before it is stored as a draft. */
export interface ComposedReply {
  headers: ReplyHeaders;
  body: string;
  /** Annotations placed in the reply. */
  placed: string[];
  /** Annotations about this message that could not be placed, and why (outdated ones). */
  unplaced: { annotation: string; reason: string }[];
  /** Things the reviewer should know before sending (obfuscated addresses, no Message-ID, ...). */
  warnings: string[];
}

export interface SentRecord {
  at: string;
  /** The command as it ran. */
  command: string[];
  exitCode: number;
}

export interface ReplyDraft {
  id: string;
  revision: number;
  target: DraftTarget;
  headers: ReplyHeaders;
  body: string;
  trailers: TrailerKind[];
  evidence: ReviewEvidence | null;
  /** Annotations placed in the body when it was composed. */
  placed: string[];
  unplaced: { annotation: string; reason: string }[];
  warnings: string[];
  createdAt: string;
  updatedAt: string;
  /** The body or headers were edited by hand after composing. */
  edited: boolean;
  sent: SentRecord | null;
}

/** What an edit may change. */
export interface DraftEdit {
  body?: string;
  subject?: string;
  to?: ReplyHeaders['to'];
  cc?: ReplyHeaders['cc'];
}

/** How the user sends mail. */
export type SendConfig =
  /** `git send-email` with the user's own sendemail.* configuration (SMTP server, auth); `args` are added as they are. */
  | { method: 'git-send-email'; args?: string[] }
  /** A sendmail-compatible program (sendmail, msmtp, ...): the message on stdin, recipients as arguments. */
  | { method: 'sendmail'; path: string; args?: string[] };

export interface SendPreview {
  token: string;
  expiresAt: string;
  method: SendConfig['method'];
  /** The exact command line that will run, as argv and as a shell line. */
  command: string[];
  commandLine: string;
  /** The message file it sends. */
  file: string;
  from: string;
  to: string[];
  cc: string[];
  /** Envelope recipients the command will use (for git send-email: from its own dry run). */
  recipients: string[];
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  /** The exact message text. */
  message: string;
  warnings: string[];
}

export interface SendResult {
  draft: ReplyDraft;
  exitCode: number;
  output: string;
}

// ---- the methods ----

export interface AnnotationList {
  /** The version the annotations were placed in. */
  version: number;
  /** Every version of the series in the workspace. */
  versions: number[];
  annotations: ResolvedAnnotation[];
  /** Annotation files that could not be read (left on disk untouched). */
  problems: { file: string; message: string }[];
}

/** A draft with its message as it would be sent, and where its .eml is. */
export interface DraftView extends ReplyDraft {
  file: string;
  message: string;
}

export interface DraftExport {
  file: string;
  bytes: number;
  messages: number;
}

/** A reply as it would be sent: its composition and the message text. */
export interface DraftPreview extends ComposedReply {
  target: DraftTarget;
  message: string;
}

type WorkspaceRef = {
  /** Workspace id, or the path of its directory. */
  workspace: string;
};

export type DraftRequest = WorkspaceRef & {
  /** Series version to reply to; default the latest in the workspace. */
  version?: number;
  target: { kind: 'patch'; patch: number } | { kind: 'cover' };
  trailers?: TrailerKind[];
  evidence?: ReviewEvidence;
  /** Take the evidence block from the workspace's last walk (when `evidence` is not given). */
  walkEvidence?: boolean;
  /** Send as this address instead of the git config identity. */
  from?: ReplyAddress;
};

export interface ReviewMethods {
  /** Every annotation of the workspace, placed in one version (default the latest): current, carried-over or outdated. */
  'review.annotations.list': MethodSpec<WorkspaceRef & { version?: number }, AnnotationList>;
  /** Store a comment; answers once it is on disk. */
  'review.annotations.add': MethodSpec<WorkspaceRef & { version?: number; target: AnnotationTargetInput; text: string }, ResolvedAnnotation>;
  /** Change its text; with `revision`, refused when it was edited meanwhile. */
  'review.annotations.update': MethodSpec<WorkspaceRef & { id: string; text: string; revision?: number }, Annotation>;
  'review.annotations.remove': MethodSpec<WorkspaceRef & { id: string; revision?: number }, { removed: true }>;
  /** Compose a reply to a patch or the cover letter from the annotations, and store it as a draft. */
  'review.drafts.create': MethodSpec<DraftRequest, DraftView>;
  /** The same, without storing anything: what the reply would say now (a live preview). */
  'review.drafts.compose': MethodSpec<DraftRequest, DraftPreview>;
  'review.drafts.list': MethodSpec<WorkspaceRef, ReplyDraft[]>;
  'review.drafts.get': MethodSpec<WorkspaceRef & { id: string }, DraftView>;
  /** Hand edits of the body, subject or recipients. */
  'review.drafts.update': MethodSpec<WorkspaceRef & DraftEdit & { id: string; revision?: number }, DraftView>;
  'review.drafts.remove': MethodSpec<WorkspaceRef & { id: string }, { removed: true }>;
  /** One draft as .eml, or several (default all) as one mbox; default place: the workspace's drafts/. */
  'review.drafts.export': MethodSpec<WorkspaceRef & { ids?: string[]; format: 'eml' | 'mbox'; path?: string }, DraftExport>;
  /** Who the replies are from (git config user.name/user.email, or sendemail.from). */
  'review.identity': MethodSpec<Record<string, never>, ReplyIdentity>;
  'review.send.getConfig': MethodSpec<Record<string, never>, { config: SendConfig | null }>;
  'review.send.setConfig': MethodSpec<{ config: SendConfig | null }, { config: SendConfig | null }>;
  /** Step one of sending: the exact command, recipients and message, and a one-time token to confirm them. */
  'review.send.preview': MethodSpec<WorkspaceRef & { id: string }, SendPreview>;
  /** Step two: run exactly what the preview showed. */
  'review.send.confirm': MethodSpec<{ token: string }, SendResult>;
}

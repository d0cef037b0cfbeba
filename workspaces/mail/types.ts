// The mail model: decoded messages with their original bytes, where they came from, and what went wrong reading them.

/** A mailbox address as written in a header. `email` is '' when the header held only a name. */
export interface Address {
  name: string;
  /** Lower-case is NOT applied: addresses are kept as written (archives obfuscate them as `luto@xxxxxxxxxx`). */
  email: string;
}

/** How the messages of one input were stored. */
export type SourceKind =
  | 'mboxrd'
  | 'mboxo'
  | 'maildir'
  | 'eml'
  | 'format-patch'
  | 'archive-mail-archive'
  | 'archive-lkml'
  | 'unknown';

/** Where one message was found. Offsets count bytes of the (gunzipped) input. */
export interface MessageOrigin {
  /** Path of the file, or "<stdin>" / the name given to pasted text. */
  file: string;
  kind: SourceKind;
  /** Whether the input was gzip-compressed (offsets then count decompressed bytes). */
  gzip: boolean;
  /** Byte offset of the message (after its From_ line) in the input, or null for synthetic ones. */
  offset: number | null;
  /** Length in bytes of the message in the input (escaped form for mbox). */
  length: number;
  /** 0-based position of the message in its input. */
  position: number;
  /** The mbox From_ line, without its newline, or null. */
  fromLine: string | null;
}

/** A problem found while reading mail: what and where. Loading goes on past it. */
export interface MailDiagnostic {
  severity: 'error' | 'warning';
  /** File, plus the message position and byte offset when it concerns one message. */
  where: string;
  message: string;
}

/** One header field: the name as written, the value unfolded and RFC 2047 decoded, the raw bytes as text. */
export interface HeaderField {
  name: string;
  value: string;
  /** The field as it stood in the message, folding included, without the final newline. */
  raw: string;
}

/** One leaf MIME part of a message. */
export interface MailPart {
  /** Lower-case media type, e.g. "text/plain", "text/x-patch". */
  contentType: string;
  /** The charset the part declared, lower-case, or null. */
  charset: string | null;
  /** The charset actually used to decode the text (after fallback), or null for non-text parts. */
  decodedWith: string | null;
  transferEncoding: string;
  disposition: 'inline' | 'attachment';
  filename: string | null;
  /** format=flowed was declared. The text below is NOT unflowed: patch text must stay as sent. */
  flowed: boolean;
  delSp: boolean;
  /** Content after transfer decoding, transport CRLFs turned into LF (content CRs kept). */
  bytes: Uint8Array;
  /** Decoded text for text parts, null for binary parts. */
  text: string | null;
  /** The part carries a patch (x-patch/x-diff type, .patch/.diff name, or a diff in its text). */
  isPatch: boolean;
}

/** A decoded message. */
export interface MailMessage {
  /** Position in the loaded list (after duplicates were dropped). */
  index: number;
  /** Message-ID without angle brackets, or null when it had none (archive pages). */
  messageId: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  /** Decoded subject, folding removed. */
  subject: string;
  /** Parsed Date, or null when missing or unreadable (see dateText). */
  date: Date | null;
  dateText: string | null;
  inReplyTo: string | null;
  /** Message-IDs from References, oldest first, without angle brackets. */
  references: string[];
  /** Every header in order. */
  headers: HeaderField[];
  /**
   * The text body: the decoded text/plain parts and patch attachments in order, joined by a newline.
   * Never format=flowed-decoded; transport CRLF removed.
   */
  body: string;
  parts: MailPart[];
  /**
   * The original bytes of the message as sent: headers and body, without the mbox From_ line and with
   * the mbox ">From " escaping undone. For archive pages: the page text of this message.
   */
  raw: Uint8Array;
  origin: MessageOrigin;
  /** True for messages rebuilt from archive page text: no original headers, whitespace may be damaged. */
  synthetic: boolean;
  /** Line endings were CRLF on the wire (and were normalised). */
  crlf: boolean;
}

/** A copy of a message that was dropped because an equal one was already loaded. */
export interface DuplicateMessage {
  /** Index of the message that was kept. */
  keptIndex: number;
  messageId: string | null;
  origin: MessageOrigin;
  /** "message-id": same Message-ID; "content": same author, subject and text (archive pages). */
  reason: 'message-id' | 'content';
}

/** A node of a thread tree: a message, or a placeholder for a parent that is not in the input. */
export interface ThreadNode {
  /** Index into messages, or null for a placeholder. */
  message: number | null;
  /** The Message-ID (placeholders know it from References), or null. */
  messageId: string | null;
  /** Subject of the message; for placeholders the best guess (from a reply's subject), or ''. */
  subject: string;
  /** Children in thread order: by date, then by input order. */
  children: ThreadNode[];
}

/** One thread: a tree whose root may be a placeholder. */
export interface MailThread {
  root: ThreadNode;
  /** Number of real messages in the tree. */
  size: number;
  /** Message indices in thread order (depth first, children by date). */
  order: number[];
}

// What the apply engine takes: a series as the series assembly hands it over, one mbox message per patch.

export interface PreimageBlob {
  /** Path before the patch (the `a/` side). */
  path: string;
  /** Abbreviated blob id from the patch's `index OLD..NEW` line; all zeros for a new file. */
  blob: string;
}

export interface PatchToApply {
  /** Position in the series, from 1. */
  index: number;
  subject: string;
  /** Message-ID without angle brackets, or null when the mail had none. */
  messageId: string | null;
  /** One mboxrd message (From_ line, headers, body) for `git am --patch-format=mboxrd`. */
  mbox: Uint8Array;
  /** The diff has CRs that belong to the content (git am --keep-cr); default false. */
  keepCr?: boolean;
  /** Why the series assembly considers this mail broken; empty when it is sound. */
  damaged: string[];
  /** Every path the diff names, old and new sides, relative to the tree's top. */
  paths: string[];
  /** The `index` preimage hashes, one per modified, renamed or deleted file. */
  preimages: PreimageBlob[];
}

export interface SeriesToApply {
  /** Short name for the review branch: "x86-entry-fred". */
  slug: string;
  version: number;
  /** The series' subject line without prefixes, for listings. */
  title: string;
  /** The `base-commit:` the cover letter or a patch carried, or null. */
  baseCommit: string | null;
  patches: PatchToApply[];
}

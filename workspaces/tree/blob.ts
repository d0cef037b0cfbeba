// git cat-file blob: the bytes of one file at one commit, without checking anything out.
import { runGit } from './git.js';
import { treeEntries } from './ls-tree.js';

export interface BlobAtCommit {
  /** null when the commit has no file (blob or symlink) at that path. */
  bytes: Buffer | null;
  mode: string | null;
}

export async function blobAt(cwd: string, commit: string, path: string, signal?: AbortSignal): Promise<BlobAtCommit> {
  const [entry] = (await treeEntries(cwd, commit, [path], signal)).filter((e) => e.path === path && e.type === 'blob');
  if (!entry) return { bytes: null, mode: null };
  const r = await runGit(['cat-file', 'blob', entry.object], { cwd, signal });
  return { bytes: r.stdoutBytes, mode: entry.mode };
}

// git ls-tree: the entries (mode, blob, path) a commit holds at given paths.
import { runGit, splitNul } from './git.js';

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  object: string;
  path: string;
}

export const SYMLINK_MODE = '120000';

/** Entries at exactly these paths (directories as tree entries, not their contents). */
export async function treeEntries(cwd: string, commit: string, paths: string[], signal?: AbortSignal): Promise<TreeEntry[]> {
  if (paths.length === 0) return [];
  const out: TreeEntry[] = [];
  // Long path lists go in slices so the argument list stays within the kernel's limit.
  for (let i = 0; i < paths.length; i += 2000) {
    const slice = paths.slice(i, i + 2000);
    const r = await runGit(['ls-tree', '-z', '--full-tree', commit, '--', ...slice.map((p) => `:(literal)${p}`)], { cwd, signal });
    for (const rec of splitNul(r.stdout)) {
      const m = /^(\d{6}) (blob|tree|commit) ([0-9a-f]+)\t(.*)$/s.exec(rec);
      if (m) out.push({ mode: m[1], type: m[2] as TreeEntry['type'], object: m[3], path: m[4] });
    }
  }
  return out;
}

// git log: the first-parent history of a few paths, with the blob each commit left at each of them.
import { runGit, splitNul } from './git.js';

export interface PathChange {
  path: string;
  /** Blob before the commit, or null when the commit created the path. */
  oldBlob: string | null;
  newBlob: string | null;
}

export interface HistoryCommit {
  commit: string;
  /** First parent, or null for a root commit. */
  parent: string | null;
  changes: PathChange[];
}

const ZERO = /^0+$/;

/** Newest first: up to `limit` first-parent commits of `rev` that touched any of `paths`. */
export async function pathHistory(cwd: string, rev: string, paths: string[], limit: number, signal?: AbortSignal): Promise<HistoryCommit[]> {
  if (paths.length === 0) return [];
  const r = await runGit(
    ['log', '-z', '--first-parent', '--no-renames', '--raw', '--no-abbrev', `--max-count=${limit}`, '--format=commit %H %P', rev, '--', ...paths.map((p) => `:(literal)${p}`)],
    { cwd, signal },
  );
  const out: HistoryCommit[] = [];
  let cur: HistoryCommit | null = null;
  const fields = splitNul(r.stdout);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i].replace(/^\n+/, '');
    if (f.startsWith('commit ')) {
      const [, id, parent] = f.split(' ');
      cur = { commit: id, parent: parent || null, changes: [] };
      out.push(cur);
    } else if (f.startsWith(':') && cur) {
      const [, , oldBlob, newBlob] = f.slice(1).split(' ');
      const file = fields[++i];
      cur.changes.push({ path: file, oldBlob: ZERO.test(oldBlob) ? null : oldBlob, newBlob: ZERO.test(newBlob) ? null : newBlob });
    }
  }
  return out;
}

/** Commits of a range, oldest first. */
export async function commitsInRange(cwd: string, range: string, signal?: AbortSignal): Promise<string[]> {
  const r = await runGit(['rev-list', '--reverse', range], { cwd, signal });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

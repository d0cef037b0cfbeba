// git cat-file --batch-check: which (abbreviated) object ids exist in the repository, in one process.
import { runGit } from './git.js';

export type ObjectLookup = { state: 'found'; id: string; type: string } | { state: 'missing' } | { state: 'ambiguous' };

export async function lookupObjects(cwd: string, ids: string[], signal?: AbortSignal): Promise<Map<string, ObjectLookup>> {
  const out = new Map<string, ObjectLookup>();
  const unique = [...new Set(ids)].filter((id) => /^[0-9a-f]{4,64}$/.test(id));
  if (unique.length === 0) return out;
  const r = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd, input: unique.join('\n') + '\n', signal });
  const lines = r.stdout.split('\n');
  unique.forEach((id, i) => {
    const line = lines[i] ?? '';
    if (line.endsWith(' missing')) out.set(id, { state: 'missing' });
    else if (line.endsWith(' ambiguous')) out.set(id, { state: 'ambiguous' });
    else {
      const [full, type] = line.split(' ');
      out.set(id, { state: 'found', id: full, type });
    }
  });
  return out;
}

// git cat-file --batch-check and --batch: which (abbreviated) object ids exist, and the text of commit objects,
// each in one process.
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

/** The raw text of commit objects (headers, blank line, message), by the ids asked for; a missing one is left out. */
export async function readCommitObjects(cwd: string, ids: string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)].filter((id) => /^[0-9a-f]{40,64}$/.test(id));
  if (unique.length === 0) return out;
  const bytes = (await runGit(['cat-file', '--batch'], { cwd, input: unique.join('\n') + '\n', signal })).stdoutBytes;
  let at = 0;
  for (const id of unique) {
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0) break;
    const header = bytes.subarray(at, nl).toString('utf8').split(' ');
    at = nl + 1;
    if (header[1] === 'missing' || header.length !== 3) continue;
    const size = Number(header[2]);
    if (header[1] === 'commit') out.set(id, bytes.subarray(at, at + size).toString('utf8'));
    at += size + 1; // the object, then a newline
  }
  return out;
}

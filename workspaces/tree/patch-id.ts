// git patch-id --stable: the identity of a change that survives rebases, new versions and line moves.
import { runGit } from './git.js';

/** A fake commit id per input, so git's "<patch-id> <commit>" lines map back to our patches. */
function tag(i: number): string {
  return (i + 1).toString(16).padStart(40, '0');
}

/**
 * One patch id per diff text (null for text without a diff), all in one git process. Only the diff
 * part is fed: a commit message line "commit <40 hex>" would otherwise start a new patch for git.
 */
export async function patchIds(cwd: string, diffs: (string | null)[], signal?: AbortSignal): Promise<(string | null)[]> {
  const input = diffs
    .map((d, i) => {
      if (d === null) return '';
      const at = d.search(/^diff /m);
      return at < 0 ? '' : `commit ${tag(i)}\n${d.slice(at).replace(/\n?$/, '\n')}`;
    })
    .join('');
  const out: (string | null)[] = diffs.map(() => null);
  if (input === '') return out;
  const r = await runGit(['patch-id', '--stable'], { cwd, input, signal });
  for (const line of r.stdout.split('\n')) {
    const [id, commit] = line.split(' ');
    if (!id || !commit) continue;
    const i = parseInt(commit, 16) - 1;
    if (i >= 0 && i < out.length) out[i] = id;
  }
  return out;
}

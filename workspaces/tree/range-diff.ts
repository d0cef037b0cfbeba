// git range-diff: how each patch of one version of a series relates to the other version's.
import type { RangeDiffPair } from '../host/api/tree.js';
import { runGit } from './git.js';

const PAIR = /^\s*(\d+|-):\s+(\S+)\s+([=!<>])\s+(\d+|-):\s+(\S+)\s+(.*)$/;

/** A changed line of the inner diff: in the message (Link: trailers aside), or in the code. */
function classify(pair: RangeDiffPair, section: string, text: string): void {
  if (section === 'Commit message' || section === 'Metadata') {
    if (!/^\s*(Link: .*)?$/.test(text)) pair.messageChanged = true;
  } else pair.codeChanged = true;
}

/** Parse `git range-diff --no-color` output; commit ids are filled in from the two commit lists. */
export function parseRangeDiff(text: string, oldCommits: string[], newCommits: string[]): RangeDiffPair[] {
  const pairs: RangeDiffPair[] = [];
  let cur: RangeDiffPair | null = null;
  let section = '';
  for (const line of text.split('\n')) {
    const m = PAIR.exec(line);
    if (m) {
      const oldIndex = m[1] === '-' ? null : Number(m[1]);
      const newIndex = m[4] === '-' ? null : Number(m[4]);
      cur = {
        relation: m[3] as RangeDiffPair['relation'],
        old: oldIndex === null ? null : { index: oldIndex, commit: oldCommits[oldIndex - 1] ?? m[2] },
        new: newIndex === null ? null : { index: newIndex, commit: newCommits[newIndex - 1] ?? m[5] },
        subject: m[6],
        diff: '',
        codeChanged: false,
        messageChanged: false,
      };
      section = '';
      pairs.push(cur);
    } else if (cur && line.startsWith('    ')) {
      const inner = line.slice(4);
      cur.diff += inner + '\n';
      const header = /^[ +-]\s*## (.*) ##\s*$/.exec(inner);
      if (header) section = header[1];
      else if (inner.startsWith('@@ Metadata')) section = 'Metadata';
      else if (/^[+-]/.test(inner)) classify(cur, section, inner.slice(1));
    }
  }
  return pairs;
}

export async function rangeDiff(cwd: string, base: string, oldTip: string, newTip: string, signal?: AbortSignal): Promise<string> {
  const r = await runGit(['range-diff', '--no-color', `${base}..${oldTip}`, `${base}..${newTip}`], { cwd, signal });
  return r.stdout;
}

// The evidence block of a reply: what the walk found, in plain lines a kernel reviewer would write by hand.
import { wrapComment } from './quote.js';
import type { EvidencePatch, ReviewEvidence } from './types.js';

/** A comment on the walk result, placed under the part of the block it is about. */
export interface WalkComment {
  step: number | null;
  scenario: string | null;
  text: string;
}

function patchName(p: EvidencePatch, total: number): string {
  const width = String(Math.max(total, p.index)).length;
  const num = total > 1 ? `${String(p.index).padStart(width, '0')}/${total}` : String(p.index);
  return `${num} ("${p.subject}")${p.commit ? ` at ${p.commit.slice(0, 12)}` : ''}`;
}

const indent = (lines: string[]) => lines.map((l) => (l === '' ? '' : `  ${l}`));

/** True when the evidence has anything to say. */
export function hasEvidence(e: ReviewEvidence): boolean {
  return Boolean(
    e.base || e.firstBad || e.lastGood || e.fixedBy || e.failures?.length || e.oops?.length || e.selftests?.length || e.checks?.length || e.config || e.reproduce?.length,
  );
}

/** The block's lines; `total` is the number of patches in the series (for "07/12"). */
export function renderEvidence(e: ReviewEvidence, total: number, comments: WalkComment[] = [], wrap: number | false = 72): string[] {
  const sections: string[][] = [];
  const used = new Set<WalkComment>();
  const commentLines = (pick: (c: WalkComment) => boolean): string[] => {
    const out: string[] = [];
    for (const c of comments) {
      if (used.has(c) || !pick(c)) continue;
      used.add(c);
      out.push('', ...wrapComment(c.text, wrap));
    }
    return out;
  };

  const head: string[] = [];
  if (e.base) {
    const parts = [e.base.description, e.base.commit ? e.base.commit.slice(0, 12) : undefined].filter(Boolean);
    head.push(`Applied on: ${parts.length === 2 ? `${parts[0]} (${parts[1]})` : parts[0]}`);
  }
  const named: [string, EvidencePatch | undefined][] = [
    ['Last good patch', e.lastGood],
    ['First bad patch', e.firstBad],
    ['Passes again from', e.fixedBy],
  ];
  for (const [label, p] of named) {
    if (!p) continue;
    head.push(`${label}: ${patchName(p, total)}`);
    head.push(...commentLines((c) => c.scenario === null && c.step === p.index));
  }
  if (head.length) sections.push(head);

  for (const f of e.failures ?? []) {
    const both = f.expected !== undefined && f.seen !== undefined;
    const lines = both
      ? [`Failing check: ${f.scenario}${f.description ? ` (${f.description})` : ''}`, `  expected: ${f.expected}`, `  seen:     ${f.seen}`]
      : [`Failing check: ${f.scenario}${f.description ? `: ${f.description}` : ''}`, ...(f.expected !== undefined ? [`  expected: ${f.expected}`] : []), ...(f.seen !== undefined ? [`  seen:     ${f.seen}`] : [])];
    if (f.details?.length) lines.push(...indent(f.details));
    lines.push(...commentLines((c) => c.scenario === f.scenario));
    sections.push(lines);
  }
  if (e.oops?.length) sections.push(['Oops:', ...indent(e.oops)]);
  if (e.selftests?.length) sections.push(['Failing selftests:', ...indent(e.selftests)]);
  const failed = Boolean(e.firstBad || e.failures?.length || e.oops?.length || e.selftests?.length);
  if (e.checks?.length) sections.push([`${failed ? 'Checks run on each step' : 'Every step passes'}: ${e.checks.join(', ')}`]);
  if (e.config) sections.push([`Config: ${e.config.name}`, ...indent(e.config.options ?? [])]);
  if (e.reproduce?.length) sections.push([failed ? 'To reproduce:' : 'Tested with:', ...indent(e.reproduce)]);

  const rest = commentLines(() => true);
  if (rest.length) sections.push(rest.slice(1));

  const out: string[] = [];
  for (const s of sections) {
    if (out.length) out.push('');
    out.push(...s);
  }
  return out;
}

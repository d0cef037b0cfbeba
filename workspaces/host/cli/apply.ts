// `entrybench apply`: apply a series to a kernel tree on a review branch; list, remove and range-diff reviews.
import type { CommandIO, CommandSpec, ParsedArgs } from './args.js';
import { flag, value, UsageError } from './args.js';
import type { ApplyResult, RangeDiffResult, RemovePlan, ReviewSummary } from '../api/tree.js';
import { defaultDataDir } from '../paths.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { TreeService, type TreeProgress } from '../../tree/service.js';
import { applyMail } from '../../tree/from-series.js';

/** Exit status when the review branch was made but some patches did not go in. */
export const EXIT_NOT_ALL_APPLIED = 3;

const STATUS_WIDTH = 'applied-3way'.length;

export function formatApplyResult(r: ApplyResult): string {
  const total = r.steps.length;
  const w = String(total).length;
  const lines = [
    `${r.series.title || r.series.slug} v${r.series.version} on ${r.branch}`,
    `  tree      ${r.tree}${r.initialized ? ' (made a git repository by --init)' : ''}`,
    `  worktree  ${r.worktree}`,
    `  base      ${r.base.slice(0, 12)}  chosen by ${r.baseRule}: ${r.baseReason}`,
    '',
  ];
  for (const s of r.steps) {
    const n = `${String(s.index).padStart(w, '0')}/${total}`;
    lines.push(`  ${n}  ${s.status.padEnd(STATUS_WIDTH)}  ${s.commit ? s.commit.slice(0, 12) : '-'.padEnd(12)}  ${s.subject}`);
    for (const c of s.conflicts) lines.push(`  ${' '.repeat(n.length)}    ${c.file}${c.hunk ? `  ${c.hunk}` : ''}\n  ${' '.repeat(n.length)}      ${c.reason}`);
    for (const d of s.damaged) lines.push(`  ${' '.repeat(n.length)}    damaged: ${d}`);
    if (s.note) lines.push(`  ${' '.repeat(n.length)}    ${s.note}`);
  }
  const m = r.summary;
  const parts = [`${m.applied + m.applied3way} of ${total} applied${m.applied3way ? ` (${m.applied3way} by 3-way merge)` : ''}`];
  if (m.conflict) parts.push(`${m.conflict} conflict${m.conflict > 1 ? 's' : ''}`);
  if (m.damaged) parts.push(`${m.damaged} damaged`);
  if (m.skipped) parts.push(`${m.skipped} skipped${r.continuePastConflicts ? '' : ' (--continue-past-conflicts tries them on top of the last good step)'}`);
  lines.push('', parts.join(', ') + '.', `Build or inspect the review in ${r.worktree}`, '');
  return lines.join('\n');
}

function formatReviews(list: ReviewSummary[]): string {
  if (list.length === 0) return 'No reviews recorded.\n';
  return (
    list
      .map((r) => {
        const done = r.summary.applied + r.summary.applied3way;
        const total = done + r.summary.conflict + r.summary.damaged + r.summary.skipped;
        return `${r.branch}  ${done}/${total} applied on ${r.base.slice(0, 12) || '?'}  ${r.present ? r.worktree : '(worktree or branch gone)'}\n  ${r.series.title} v${r.series.version}, ${r.tree}, workspace ${r.workspace}`;
      })
      .join('\n') + '\n'
  );
}

function formatRemove(p: RemovePlan): string {
  if (p.removed) return `Removed the worktree ${p.worktree} and the branch ${p.branch}.\n`;
  return (
    `Would remove the worktree ${p.worktree}\n` +
    `and the branch ${p.branch} (${p.commits} review commit${p.commits === 1 ? '' : 's'} found on no other branch).\n` +
    'Nothing else is touched. Run again with --yes to remove them.\n'
  );
}

function formatRangeDiff(r: RangeDiffResult): string {
  const what = (p: RangeDiffResult['pairs'][number]): string => {
    if (p.relation === '=') return 'same';
    if (p.relation === '<') return 'dropped';
    if (p.relation === '>') return 'new';
    const changed = [p.codeChanged ? 'code' : '', p.messageChanged ? 'message' : ''].filter(Boolean);
    return changed.length ? `${changed.join(' and ')} changed` : 'same (only the Link: trailer differs)';
  };
  const rows = r.pairs.map((p) => `  ${String(p.old?.index ?? '-').padStart(3)} ${p.relation} ${String(p.new?.index ?? '-').padEnd(3)} ${what(p).padEnd(36)} ${p.subject}`);
  return `${r.old} -> ${r.new} on ${r.base.slice(0, 12)}\n${rows.join('\n') || '  (no patches on either branch)'}\n\n${r.text}`;
}

function progressPrinter(io: CommandIO): (p: TreeProgress) => void {
  return (p) => io.err(`${p.phase}: ${p.message}\n`);
}

async function runApply(args: ParsedArgs, io: CommandIO, service: TreeService, store: WorkspaceStore, tree: string, json: boolean): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('give the mail of the series: FILE... (mbox, .eml, maildir, format-patch files)');
  const seriesText = value(args, 'series');
  const which = seriesText === undefined ? undefined : Number(seriesText);
  if (which !== undefined && (!Number.isInteger(which) || which < 0)) throw new UsageError(`--series must be a number from 0, got ${seriesText}`);
  const result = await applyMail(service, store, {
    tree,
    files: args.positionals,
    series: which,
    base: value(args, 'base'),
    init: flag(args, 'init'),
    continuePastConflicts: flag(args, 'continue-past-conflicts'),
    progress: json ? undefined : progressPrinter(io),
  });
  io.out(json ? JSON.stringify(result, null, 2) + '\n' : formatApplyResult(result));
  const all = result.summary.applied + result.summary.applied3way === result.steps.length;
  return all ? 0 : EXIT_NOT_ALL_APPLIED;
}

export const applyCommand: CommandSpec = {
  name: 'apply',
  summary: 'Apply a series to your kernel tree on a review branch in its own worktree, one commit per patch.',
  usage: '--tree DIR [--base REV] [--init] [--continue-past-conflicts] [--series N] [--json] FILE...\n' +
    '       entrybench apply --tree DIR (--list | --remove BRANCH [--yes] | --range-diff OLD..NEW) [--json]',
  options: [
    { name: 'tree', type: 'string', value: 'DIR', help: 'your kernel tree (its top directory)' },
    { name: 'base', type: 'string', value: 'REV', help: 'apply on this commit instead of the one chosen' },
    { name: 'init', type: 'flag', help: 'make a tree that is not a git repository one, with a single base commit' },
    { name: 'continue-past-conflicts', type: 'flag', help: 'after a patch fails, apply the rest on top of the last good step' },
    { name: 'series', type: 'string', value: 'N', help: 'which series of the mail to apply, from 0, when it holds several' },
    { name: 'list', type: 'flag', help: 'list the reviews recorded for the tree' },
    { name: 'remove', type: 'string', value: 'BRANCH', help: 'remove a review: its worktree and its branch, nothing else' },
    { name: 'yes', type: 'flag', help: 'confirm --remove (without it, only say what would be removed)' },
    { name: 'range-diff', type: 'string', value: 'OLD..NEW', help: 'git range-diff between two review branches on the same base' },
    { name: 'data', type: 'string', value: 'DIR', help: 'data directory (default: ~/.local/share/entrybench)' },
    { name: 'json', type: 'flag', help: 'print the result as JSON' },
  ],
  details:
    'The base is --base, else the series\' base-commit when it exists in the tree, else the newest commit\n' +
    'whose blobs match the patches\' `index` lines, else HEAD; the output says which rule chose it.\n' +
    'Your checked-out branch, index and files are never touched: the review lives on review/<series>-v<N>\n' +
    'in a worktree under the data directory. Patches that reach outside the tree are refused first.\n\n' +
    'Exit status: 0 every patch applied; 3 the review branch was made but some patches did not apply;\n' +
    '1 nothing was done (the message says why); 2 wrong usage.',
  async run(args, io) {
    const tree = value(args, 'tree');
    if (!tree) throw new UsageError('--tree DIR is required');
    const json = flag(args, 'json');
    const store = new WorkspaceStore(value(args, 'data') ?? defaultDataDir());
    const service = new TreeService(store);
    const modes = ['list', 'remove', 'range-diff'].filter((m) => (m === 'list' ? flag(args, m) : value(args, m) !== undefined));
    if (modes.length > 1) throw new UsageError(`--${modes.join(' and --')} cannot be combined`);
    if (modes.length === 1 && args.positionals.length > 0) throw new UsageError(`--${modes[0]} takes no FILE arguments`);
    const print = (data: unknown, text: string) => io.out(json ? JSON.stringify(data, null, 2) + '\n' : text);

    if (flag(args, 'list')) {
      const list = await service.reviews(tree);
      print(list, formatReviews(list));
      return 0;
    }
    const remove = value(args, 'remove');
    if (remove !== undefined) {
      const plan = await service.remove(tree, remove, flag(args, 'yes'));
      print(plan, formatRemove(plan));
      return plan.removed ? 0 : 1;
    }
    const range = value(args, 'range-diff');
    if (range !== undefined) {
      const m = /^(.+?)\.\.(.+)$/.exec(range);
      if (!m) throw new UsageError(`--range-diff takes OLD..NEW (two review branches), got ${range}`);
      const diff = await service.rangeDiff(tree, m[1], m[2]);
      print(diff, formatRangeDiff(diff));
      return 0;
    }
    return runApply(args, io, service, store, tree, json);
  },
};

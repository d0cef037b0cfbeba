// `entrybench open`: read mail (files, directories, .gz, "-" for stdin) and show its threads and series.
import type { CommandSpec, CommandIO } from './args.js';
import { flag, UsageError } from './args.js';
import { loadMail, walkNodes, type MailInput, type MailLoad, type Series } from '../../series/index.js';
import { formatAddress, openSeriesResult } from '../methods/series.js';

function pad2(n: number, total: number): string {
  return String(n).padStart(Math.max(2, String(total).length), '0');
}

function seriesHeading(x: Series): string {
  const tags = [x.rfc ? 'RFC' : '', x.resend ? 'RESEND' : '', x.treeTag ?? ''].filter(Boolean).join(' ');
  const v = x.versionText ?? 'v1';
  const versions = x.versions.length > 1 ? ` (versions ${x.versions.map((n) => `v${n}`).join(', ')}${x.latest ? '; this is the latest' : ''})` : '';
  return `${tags ? `${tags} ` : ''}${v} "${x.title}", ${x.parts.length} of ${x.total} patch(es)${versions}${x.partialReroll ? ', partial reroll filled in from an older version' : ''}`;
}

function printSeries(x: Series, out: (t: string) => void): void {
  out(`\n${seriesHeading(x)}\n`);
  if (x.cover) {
    out(`  cover: ${x.cover.subject.raw} (${formatAddress(x.cover.author)}), ${x.cover.replies.length} repl${x.cover.replies.length === 1 ? 'y' : 'ies'}\n`);
  } else out('  cover: none\n');
  if (x.baseCommit) out(`  base-commit: ${x.baseCommit}\n`);
  for (const id of x.prerequisitePatchIds) out(`  prerequisite-patch-id: ${id}\n`);
  if (x.missing.length) out(`  missing: ${x.missing.map((n) => pad2(n, x.total)).join(', ')}\n`);
  for (const p of x.parts) {
    const from = p.version !== x.version ? ` [from v${p.version}]` : '';
    const stat = p.diff.files.length ? ` +${p.diffstat.insertions} -${p.diffstat.deletions}` : '';
    out(`  ${pad2(p.index, x.total)} ${p.subject.cleaned}${from}\n`);
    out(`     ${formatAddress(p.author)},${stat} in ${p.diffstat.files} file(s), ${p.replies.length} repl${p.replies.length === 1 ? 'y' : 'ies'}\n`);
    if (p.damaged.length) {
      out('     DAMAGED, cannot be applied as-is:\n');
      for (const r of p.damaged) out(`       - ${r}\n`);
    }
    for (const t of p.trailers) {
      const note = [t.source === 'cover' ? 'to the cover' : '', t.senderMatches ? '' : 'not from the person named', t.carriedFromVersion !== null ? `from v${t.carriedFromVersion}` : '', t.inCommit ? 'already in the commit' : '']
        .filter(Boolean)
        .join(', ');
      out(`     + ${t.name}: ${t.value}${note ? ` (${note})` : ''}\n`);
    }
  }
}

function printThreads(load: MailLoad, out: (t: string) => void): void {
  out('\nThreads:\n');
  for (const t of load.threads) {
    walkNodes(t.root, (n, depth) => {
      const m = n.message === null ? null : load.messages[n.message];
      const who = m ? ` (${formatAddress(m.from) || 'unknown sender'}${m.date ? `, ${m.date.toISOString().slice(0, 10)}` : ''})` : ' (not in the input)';
      out(`  ${'  '.repeat(depth)}${n.subject || '(no subject)'}${who}\n`);
    });
  }
}

export function printSummary(load: MailLoad, io: CommandIO, opts: { threads: boolean }): void {
  const out = io.out;
  for (const src of load.sources) {
    out(`${src.name}: ${src.kind}${src.gzip ? ', gzip' : ''}, ${src.messages} message(s)\n`);
  }
  out(
    `${load.messages.length} message(s)${load.duplicates.length ? ` (${load.duplicates.length} duplicate cop${load.duplicates.length === 1 ? 'y' : 'ies'} dropped)` : ''}, ` +
      `${load.threads.length} thread(s), ${load.series.length} series\n`,
  );
  for (const x of load.series) printSeries(x, out);
  if (opts.threads) printThreads(load, out);
  if (load.diagnostics.length) {
    out('\nProblems:\n');
    for (const d of load.diagnostics) out(`  ${d.severity}: ${d.where}: ${d.message}\n`);
  }
}

export const openCommand: CommandSpec = {
  name: 'open',
  summary: 'Read mail (mbox, .gz, maildir, .eml, format-patch folder, archive page, - for stdin) and show its series.',
  usage: '[--json] [--threads] FILE...',
  options: [
    { name: 'json', type: 'flag', help: 'print messages, duplicates, threads, series and diagnostics as JSON' },
    { name: 'threads', type: 'flag', help: 'also print the thread trees' },
  ],
  details:
    'Every version of every series is listed; the highest version of each is marked the latest.\n' +
    'Patches whose text was damaged in transit (archive pages, broken hunks) are marked and never applied.\n' +
    'Exit status: 0 when mail was read, 1 when none could be read.',
  async run(args, io) {
    if (args.positionals.length === 0) throw new UsageError('name at least one FILE (or - for standard input)');
    const inputs: MailInput[] = [];
    for (const p of args.positionals) inputs.push(p === '-' ? { bytes: await io.stdin(), name: '<stdin>' } : p);
    const load = await loadMail(inputs);
    if (flag(args, 'json')) {
      const { loadId: _unused, ...rest } = openSeriesResult(load, '');
      io.out(JSON.stringify(rest, null, 2) + '\n');
    } else printSummary(load, io, { threads: flag(args, 'threads') });
    if (load.messages.length === 0) {
      if (!flag(args, 'json')) io.err('entrybench open: no mail could be read; see the problems above.\n');
      return 1;
    }
    return 0;
  },
};

// `entrybench reply`: draft the inline-quoted reply to one patch (or the cover letter) as an .eml, for scripting.
import fs from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from './args.js';
import { flag, list, value, UsageError } from './args.js';
import { parse, SchemaError } from '../schema.js';
import { evidenceSchema } from '../methods/review.js';
import { defaultDataDir } from '../paths.js';
import { BadRequest, NotFound } from '../../errors.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { AnnotationStore } from '../../review/annotation-store.js';
import { draftReplyToSeries, type EphemeralComment } from '../../review/service.js';
import { loadReviewSeries, loadWorkspaceSeries } from '../../review/series-source.js';
import { readIdentity, parseIdentityText, type IdentityInfo } from '../../review/identity.js';
import { renderMbox, renderMessage } from '../../review/message.js';
import { plainAddress } from '../../review/send.js';
import { evidenceFromWalk, lastWalkReport } from '../../review/walk-evidence.js';
import type { ReviewEvidence, ReviewSeries, TrailerKind } from '../../review/types.js';

const TRAILERS: Record<string, TrailerKind> = { 'reviewed-by': 'reviewed-by', 'tested-by': 'tested-by', 'acked-by': 'acked-by' };

/** "PATH:LINE:TEXT" (a line of the patched file), ":LINE:TEXT" (of the commit message or cover letter), "::TEXT" (the whole message). */
export function parseCommentOption(spec: string, target: { kind: 'patch'; patch: number } | { kind: 'cover' }): EphemeralComment {
  const m = /^(.*?):(\d*):([\s\S]*)$/.exec(spec);
  if (!m || (m[1] !== '' && m[2] === '')) throw new UsageError(`--comment "${spec}" is not PATH:LINE:TEXT (or :LINE:TEXT for the message, ::TEXT for all of it)`);
  const [, file, lineText, text] = m;
  if (text.trim() === '') throw new UsageError(`--comment "${spec}" has no text`);
  const line = lineText === '' ? undefined : Number(lineText);
  if (file === '') {
    return { target: target.kind === 'cover' ? { kind: 'cover', line } : { kind: 'message', patch: target.patch, line }, text };
  }
  if (target.kind === 'cover') throw new UsageError('the cover letter has no diff: comment on its lines with :LINE:TEXT');
  return { target: { kind: 'diff', patch: target.patch, file, side: 'new', line: line as number }, text };
}

function pickVersion(all: ReviewSeries[], wanted: number | undefined, where: string): ReviewSeries {
  if (all.length === 0) throw new NotFound(`${where} holds no patch series.`, 'Give the mbox, .eml files or format-patch folder of the series.');
  if (wanted === undefined) return all[all.length - 1];
  const s = all.find((x) => x.version === wanted);
  if (!s) throw new NotFound(`${where} has no v${wanted} of the series.`, `It has: ${all.map((x) => `v${x.version}`).join(', ')}.`);
  return s;
}

function readEvidence(file: string): ReviewEvidence {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BadRequest(`Cannot read the evidence file ${file}: ${err instanceof Error ? err.message : String(err)}.`, 'Give a JSON file with the walk result (firstBad, failures, oops, selftests, config, reproduce).');
  }
  try {
    return parse(evidenceSchema, json);
  } catch (err) {
    if (err instanceof SchemaError) throw new BadRequest(`The evidence file ${file} does not fit: ${err.message}.`, 'See ReviewEvidence in workspaces/host/api/review.ts for the fields.');
    throw err;
  }
}

export const replyCommand: CommandSpec = {
  name: 'reply',
  summary: 'Draft the inline-quoted reply to a patch or the cover letter, with comments, trailers and evidence, as an .eml.',
  usage: '(--workspace DIR | --series FILE...) (--patch N | --cover) [--comment PATH:LINE:TEXT]... [--trailer KIND]... [--evidence FILE.json] [-o FILE] [--json]',
  options: [
    { name: 'workspace', type: 'string', value: 'DIR', help: 'a review workspace (id or directory): its stored annotations are placed too' },
    { name: 'series', type: 'list', value: 'FILE', help: 'mail holding the series: mbox, .eml, maildir or format-patch folder' },
    { name: 'data', type: 'string', value: 'DIR', help: 'data directory holding the workspaces (default: ~/.local/share/entrybench)' },
    { name: 'patch', type: 'string', value: 'N', help: 'reply to patch N (0 = the cover letter)' },
    { name: 'cover', type: 'flag', help: 'reply to the cover letter' },
    { name: 'version', type: 'string', value: 'N', help: 'series version to reply to (default: the latest)' },
    { name: 'comment', type: 'list', value: 'PATH:LINE:TEXT', help: 'a comment under LINE of PATH as patched; :LINE:TEXT for the commit message, ::TEXT for the whole patch' },
    { name: 'trailer', type: 'list', value: 'KIND', help: 'add my reviewed-by, tested-by or acked-by' },
    { name: 'evidence', type: 'string', value: 'FILE.json', help: 'walk evidence to add as a plain block (see ReviewEvidence)' },
    { name: 'walk-evidence', type: 'flag', help: "with --workspace: the evidence of the workspace's last walk" },
    { name: 'from', type: 'string', value: '"NAME <EMAIL>"', help: 'send as this instead of git config sendemail.from / user.name+user.email' },
    { name: 'output', short: 'o', type: 'string', value: 'FILE', help: 'write the draft here (.eml; .mbox for mbox); default: standard output' },
    { name: 'json', type: 'flag', help: 'print the draft and what was placed as JSON' },
  ],
  details: [
    'Examples:',
    '  entrybench reply --series v2.mbox --patch 7 --comment arch/x86/entry/entry_64.S:120:"Why not SYSRET here?" --trailer reviewed-by -o reply.eml',
    '  entrybench reply --workspace ~/.local/share/entrybench/workspaces/ptregs-1a2b3c --cover --evidence walk.json -o cover-reply.eml',
    '',
    'PATH may be a unique suffix ("entry_64.S"). LINE is a line number of the patched file that the diff shows.',
    'Nothing is sent: send the .eml with git send-email, or from the workbench after its confirmation step.',
  ].join('\n'),
  async run(args, io) {
    const wsRef = value(args, 'workspace');
    const files = [...list(args, 'series'), ...args.positionals];
    if (!wsRef && files.length === 0) throw new UsageError('give --workspace DIR or --series FILE');
    if (wsRef && files.length) throw new UsageError('give --workspace or --series, not both');
    const patchText = value(args, 'patch');
    const cover = flag(args, 'cover') || patchText === '0';
    if (!cover && patchText === undefined) throw new UsageError('give --patch N or --cover');
    const patchNo = cover ? 0 : Number(patchText);
    if (!Number.isInteger(patchNo) || patchNo < 0) throw new UsageError(`--patch must be a patch number, got ${patchText}`);
    const target = cover ? ({ kind: 'cover' } as const) : ({ kind: 'patch', patch: patchNo } as const);
    const versionText = value(args, 'version');
    const version = versionText === undefined ? undefined : Number(versionText);
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw new UsageError(`--version must be a positive integer, got ${versionText}`);
    const trailers = list(args, 'trailer').map((t) => {
      const k = TRAILERS[t.toLowerCase().replace(/:$/, '')];
      if (!k) throw new UsageError(`--trailer ${t}: use reviewed-by, tested-by or acked-by`);
      return k;
    });
    const comments = list(args, 'comment').map((c) => parseCommentOption(c, target));
    const evidenceFile = value(args, 'evidence');
    let evidence = evidenceFile ? readEvidence(evidenceFile) : null;
    if (flag(args, 'walk-evidence') && !wsRef) throw new UsageError('--walk-evidence needs --workspace (the walk is kept in the workspace)');
    if (flag(args, 'walk-evidence') && evidenceFile) throw new UsageError('give --evidence or --walk-evidence, not both');

    let series: ReviewSeries;
    let stored: AnnotationStore | null = null;
    if (wsRef) {
      const ws = new WorkspaceStore(value(args, 'data') ?? defaultDataDir()).get(wsRef);
      series = pickVersion(await loadWorkspaceSeries(ws), version, `Workspace ${ws.id}`);
      stored = new AnnotationStore(ws.path('annotations'));
      if (flag(args, 'walk-evidence')) {
        const report = lastWalkReport(ws);
        if (!report) throw new NotFound(`Workspace ${ws.id} has not been walked yet.`, 'Walk it first: entrybench walk --workspace ' + ws.id);
        evidence = evidenceFromWalk(report);
      }
    } else {
      for (const f of files) if (!fs.existsSync(f)) throw new NotFound(`No such file or directory: ${f}`, 'Check the path of the mail.');
      series = pickVersion(await loadReviewSeries(files), version, files.join(', '));
    }

    const fromText = value(args, 'from');
    let identity: IdentityInfo;
    if (fromText) {
      const a = parseIdentityText(fromText);
      if (!a) throw new UsageError(`--from "${fromText}" is not NAME <EMAIL>`);
      identity = { identity: { ...a, source: 'given' }, myAddresses: [a.email.toLowerCase()] };
    } else identity = await readIdentity(process.cwd()); // per-repository config of the tree you run it in counts

    const { reply } = await draftReplyToSeries(series, { target, trailers, evidence, comments, identity, stored: stored?.load().annotations ?? [] });
    const eml = renderMessage(reply.headers, reply.body);
    const out = value(args, 'output');
    const text = out && out.endsWith('.mbox') ? renderMbox([{ eml, sender: reply.headers.from.email, date: new Date() }]) : eml;
    if (out) writeFileAtomic(path.resolve(out), text);

    if (flag(args, 'json')) {
      io.out(JSON.stringify({ file: out ? path.resolve(out) : null, headers: reply.headers, body: reply.body, placed: reply.placed.length, unplaced: reply.unplaced, warnings: reply.warnings, message: out ? undefined : eml }, null, 2) + '\n');
      return 0;
    }
    if (!out) io.out(text);
    const h = reply.headers;
    const report = io.err;
    report(`${out ? `wrote ${out}` : 'draft'}: ${h.subject}\n`);
    report(`  From: ${plainAddress(h.from)}\n  To:   ${h.to.map(plainAddress).join(', ') || '(nobody)'}\n`);
    if (h.cc.length) report(`  Cc:   ${h.cc.map(plainAddress).join(', ')}\n`);
    report(`  In-Reply-To: ${h.inReplyTo ? `<${h.inReplyTo}>` : '(none)'}\n`);
    report(`  ${reply.placed.length} comment(s) placed${reply.unplaced.length ? `, ${reply.unplaced.length} not placed` : ''}\n`);
    for (const u of reply.unplaced) report(`  not placed: ${u.annotation}: ${u.reason}\n`);
    for (const w of reply.warnings) report(`  warning: ${w}\n`);
    return 0;
  },
};

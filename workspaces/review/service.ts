// The review service: annotations and reply drafts of a workspace, export, and the confirmed send.
// Plain class, no transport: the host methods and the CLI call it.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeFileAtomic } from '../store/atomic.js';
import { BadRequest, NotFound } from '../errors.js';
import type { Workspace, WorkspaceStore } from '../store/workspace.js';
import type { TreeSection } from '../tree/service.js';
import { analyseSeries, makeAnchor, resolveAnnotation, resolveAnnotations, type AnalysedSeries } from './anchors.js';
import { AnnotationStore } from './annotation-store.js';
import { composeReply } from './compose.js';
import { DraftStore } from './draft-store.js';
import { readIdentity, type IdentityInfo } from './identity.js';
import { evidenceFromWalk, lastWalkReport } from './walk-evidence.js';
import { renderMbox, renderMessage } from './message.js';
import { formatMailDate } from './mime-headers.js';
import { SendNotConfigured } from './errors.js';
import {
  dryRunRecipients,
  failIfNonZero,
  plainAddress,
  runCommand,
  sendCommand,
  shellLine,
  SendGate,
  type SendConfigFile,
} from './send.js';
import type {
  Annotation,
  ComposedReply,
  AnnotationTargetInput,
  DraftEdit,
  DraftTarget,
  MailAddress,
  ReplyDraft,
  ReplyIdentity,
  ResolvedAnnotation,
  ReviewEvidence,
  ReviewSeries,
  SendConfig,
  SendPreview,
  SendResult,
  TrailerKind,
} from './types.js';

/** Turns a workspace into its series versions (the series model's adapter, see series-source.ts). */
export type SeriesLoader = (ws: Workspace) => Promise<ReviewSeries[]>;

export interface ReviewServiceOptions {
  store: WorkspaceStore;
  loadSeries: SeriesLoader;
  sendConfig: SendConfigFile;
  /** My identity; default: git config, read in the workspace's kernel tree when it has one (per-repository config counts). */
  identity?: (tree: string | null) => Promise<IdentityInfo>;
}

/** A comment given with a draft request but not stored (the CLI's --comment). */
export interface EphemeralComment {
  target: AnnotationTargetInput;
  text: string;
}

export interface DraftOptions {
  target: { kind: 'patch'; patch: number } | { kind: 'cover' };
  /** Series version to reply to; default the latest in the workspace. */
  version?: number;
  trailers?: TrailerKind[];
  evidence?: ReviewEvidence | null;
  /** Take the evidence from the workspace's last walk when `evidence` is not given. */
  walkEvidence?: boolean;
  comments?: EphemeralComment[];
  /** Send as someone other than git config says. */
  from?: MailAddress;
}

function draftTarget(version: number, t: DraftOptions['target']): DraftTarget {
  return t.kind === 'cover' ? { kind: 'cover', version } : { kind: 'patch', version, patch: t.patch };
}

/** Compose a reply to one message of a series with comments that are not stored anywhere (CLI, scripts). */
export async function draftReplyToSeries(
  series: ReviewSeries,
  req: Omit<DraftOptions, 'version' | 'from'> & { identity: IdentityInfo; stored?: Annotation[]; now?: Date },
): Promise<{ analysed: AnalysedSeries; reply: ComposedReply; resolved: ResolvedAnnotation[] }> {
  const analysed = await analyseSeries(series);
  const stamp = (req.now ?? new Date()).toISOString();
  const ephemeral: Annotation[] = (req.comments ?? []).map((c, i) => ({
    id: `a-cli-${String(i).padStart(8, '0')}`,
    revision: 1,
    createdAt: stamp,
    updatedAt: stamp,
    text: c.text,
    anchor: makeAnchor(analysed, c.target),
  }));
  const resolved = resolveAnnotations(analysed, [...(req.stored ?? []), ...ephemeral]);
  const reply = composeReply(analysed, draftTarget(series.version, req.target), resolved, {
    identity: req.identity.identity,
    myAddresses: req.identity.myAddresses,
    trailers: req.trailers,
    evidence: req.evidence ?? null,
    now: req.now,
  });
  return { analysed, reply, resolved };
}

export class ReviewService {
  private readonly cache = new Map<string, Promise<AnalysedSeries[]>>();
  readonly gate = new SendGate();

  constructor(private readonly opts: ReviewServiceOptions) {}

  workspace(ref: string): Workspace {
    return this.opts.store.get(ref);
  }

  annotationsOf(ws: Workspace): AnnotationStore {
    return new AnnotationStore(ws.path('annotations'));
  }

  draftsOf(ws: Workspace): DraftStore {
    return new DraftStore(ws.path('drafts'));
  }

  /** The kernel tree the workspace's series was applied to (the tree module's section), if it still exists. */
  treeOf(ws: Workspace): string | null {
    const tree = ws.section<Partial<TreeSection>>('tree')?.reviews?.[0]?.tree;
    return tree && fs.existsSync(tree) ? tree : null;
  }

  async identity(ws?: Workspace): Promise<IdentityInfo> {
    const tree = ws ? this.treeOf(ws) : null;
    return this.opts.identity ? this.opts.identity(tree) : readIdentity(tree ?? undefined);
  }

  /** The evidence a draft asks for: given, or from the workspace's last walk. */
  evidenceFor(ws: Workspace, req: DraftOptions): ReviewEvidence | null {
    if (req.evidence) return req.evidence;
    if (!req.walkEvidence) return null;
    const report = lastWalkReport(ws);
    if (!report) throw new NotFound(`Workspace ${ws.id} has not been walked yet.`, 'Walk the series first (entrybench walk), or give the evidence yourself.');
    return evidenceFromWalk(report);
  }

  private async me(ws: Workspace, from?: MailAddress): Promise<IdentityInfo> {
    if (from) return { identity: { ...from, source: 'given' } as ReplyIdentity, myAddresses: [from.email.toLowerCase()] };
    return this.identity(ws);
  }

  /** Compose a reply without storing it: what the draft would say now (for a live preview). */
  async composeDraft(ref: string, req: DraftOptions): Promise<ComposedReply & { target: DraftTarget }> {
    const ws = this.workspace(ref);
    const s = await this.series(ws, req.version);
    const stored = this.annotationsOf(ws).load().annotations;
    const evidence = this.evidenceFor(ws, req);
    const { reply } = await draftReplyToSeries(s.series, { ...req, evidence, identity: await this.me(ws, req.from), stored });
    return { ...reply, target: draftTarget(s.series.version, req.target) };
  }

  /** Every version of the workspace's series, analysed (patch-ids computed once per set of mail files). */
  private allVersions(ws: Workspace): Promise<AnalysedSeries[]> {
    const key = `${ws.dir}\0${ws.meta.sources.map((s) => s.sha256).join(',')}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.opts.loadSeries(ws).then((list) => Promise.all(list.map((s) => analyseSeries(s))));
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  async versions(ws: Workspace): Promise<number[]> {
    return (await this.allVersions(ws)).map((s) => s.series.version).sort((a, b) => a - b);
  }

  async series(ws: Workspace, version?: number): Promise<AnalysedSeries> {
    const all = await this.allVersions(ws);
    if (all.length === 0) throw new NotFound(`Workspace ${ws.id} holds no patch series.`, 'Open the mail with the series in it.');
    if (version === undefined) return all.reduce((a, b) => (b.series.version > a.series.version ? b : a));
    const s = all.find((x) => x.series.version === version);
    if (!s) throw new NotFound(`Workspace ${ws.id} has no v${version} of the series.`, `It has: ${all.map((x) => `v${x.series.version}`).join(', ')}.`);
    return s;
  }

  /** Every annotation, placed in one version (default the latest): current, carried over or outdated. */
  async listAnnotations(ref: string, version?: number): Promise<{ version: number; annotations: ResolvedAnnotation[]; problems: { file: string; message: string }[] }> {
    const ws = this.workspace(ref);
    const s = await this.series(ws, version);
    const loaded = this.annotationsOf(ws).load();
    return { version: s.series.version, annotations: resolveAnnotations(s, loaded.annotations), problems: loaded.problems };
  }

  /** Store a comment; resolves once it is on disk (acknowledged). */
  async addAnnotation(ref: string, target: AnnotationTargetInput, text: string, version?: number): Promise<ResolvedAnnotation> {
    if (text.trim() === '') throw new BadRequest('The comment is empty.', 'Write something to say about the line.');
    const ws = this.workspace(ref);
    const s = await this.series(ws, version);
    const anchor = makeAnchor(s, target);
    return ws.exclusive(() => resolveAnnotation(s, this.annotationsOf(ws).add(anchor, text)));
  }

  async updateAnnotation(ref: string, id: string, text: string, revision?: number): Promise<Annotation> {
    if (text.trim() === '') throw new BadRequest('The comment is empty.', 'Remove the annotation instead of emptying it.');
    const ws = this.workspace(ref);
    return ws.exclusive(() => this.annotationsOf(ws).update(id, text, revision));
  }

  async removeAnnotation(ref: string, id: string, revision?: number): Promise<void> {
    const ws = this.workspace(ref);
    await ws.exclusive(() => this.annotationsOf(ws).remove(id, revision));
  }

  /** Compose a reply from the workspace's annotations (plus any extra comments) and store it as a draft. */
  async createDraft(ref: string, req: DraftOptions): Promise<ReplyDraft> {
    const ws = this.workspace(ref);
    const s = await this.series(ws, req.version);
    const stored = this.annotationsOf(ws).load().annotations;
    const evidence = this.evidenceFor(ws, req);
    const { reply } = await draftReplyToSeries(s.series, { ...req, evidence, identity: await this.me(ws, req.from), stored });
    const target = draftTarget(s.series.version, req.target);
    return ws.exclusive(() =>
      this.draftsOf(ws).create({
        target,
        headers: reply.headers,
        body: reply.body,
        trailers: req.trailers ?? [],
        evidence,
        placed: reply.placed,
        unplaced: reply.unplaced,
        warnings: reply.warnings,
      }),
    );
  }

  listDrafts(ref: string): ReplyDraft[] {
    return this.draftsOf(this.workspace(ref)).list();
  }

  getDraft(ref: string, id: string): ReplyDraft {
    return this.draftsOf(this.workspace(ref)).get(id);
  }

  async editDraft(ref: string, id: string, edit: DraftEdit, revision?: number): Promise<ReplyDraft> {
    const ws = this.workspace(ref);
    return ws.exclusive(() => this.draftsOf(ws).edit(id, edit, revision));
  }

  async removeDraft(ref: string, id: string): Promise<void> {
    const ws = this.workspace(ref);
    await ws.exclusive(() => this.draftsOf(ws).remove(id));
  }

  /** Write drafts as one .eml (a single draft) or one mbox file; default place: the workspace's drafts/. */
  exportDrafts(ref: string, ids: string[], format: 'eml' | 'mbox', dest?: string): { file: string; bytes: number; messages: number } {
    const ws = this.workspace(ref);
    const drafts = this.draftsOf(ws);
    const list = (ids.length ? ids : drafts.list().map((d) => d.id)).map((id) => drafts.get(id));
    if (list.length === 0) throw new NotFound('There are no drafts to export.', 'Compose a reply first.');
    if (format === 'eml' && list.length !== 1) throw new BadRequest(`An .eml holds one message; ${list.length} drafts were named.`, 'Export several drafts as mbox, or name one draft.');
    const text =
      format === 'eml'
        ? renderMessage(list[0].headers, list[0].body)
        : renderMbox(list.map((d) => ({ eml: renderMessage(d.headers, d.body), sender: d.headers.from.email, date: new Date(d.updatedAt) })));
    const file = path.resolve(dest ?? ws.path('drafts', format === 'eml' ? `${list[0].id}.export.eml` : 'drafts.mbox'));
    writeFileAtomic(file, text);
    return { file, bytes: Buffer.byteLength(text), messages: list.length };
  }

  getSendConfig(): SendConfig | null {
    return this.opts.sendConfig.get();
  }

  setSendConfig(config: SendConfig | null): void {
    if (config?.method === 'sendmail') {
      if (!path.isAbsolute(config.path)) throw new BadRequest(`The sendmail path "${config.path}" is not absolute.`, 'Give the full path, e.g. /usr/sbin/sendmail or /usr/bin/msmtp.');
      if (!fs.existsSync(config.path)) throw new NotFound(`There is no program at ${config.path}.`, 'Install it or give the path of one that exists.');
    }
    this.opts.sendConfig.set(config);
  }

  /** Step one: write the exact message, show the exact command and recipients, hand out a one-time token. */
  async previewSend(ref: string, id: string, signal?: AbortSignal): Promise<SendPreview> {
    const config = this.getSendConfig();
    if (!config) {
      throw new SendNotConfigured(
        'No send command is configured.',
        'Configure git send-email (uses your sendemail.* git config) or the path of a sendmail-compatible program, or export the draft and send it yourself.',
      );
    }
    const ws = this.workspace(ref);
    const drafts = this.draftsOf(ws);
    const draft = drafts.get(id);
    const warnings = [...draft.warnings];
    if (draft.sent) warnings.push(`This draft was already sent on ${draft.sent.at}.`);
    const date = formatMailDate(new Date());
    const headers = { ...draft.headers, date };
    if (headers.to.length === 0) throw new BadRequest('The draft has no To address.', 'Edit the draft and add a recipient.');
    const message = renderMessage(headers, draft.body);
    const file = drafts.outgoingPath(id);
    writeFileAtomic(file, message);
    const { argv, stdin } = sendCommand(config, headers, file);
    const cwd = this.treeOf(ws) ?? ws.dir;
    const expected = [...headers.to, ...headers.cc].map((a) => a.email.toLowerCase());
    let recipients = [...new Set(expected)];
    if (config.method === 'git-send-email') {
      const dry = [argv[0], argv[1], '--dry-run', ...argv.slice(2)];
      const outcome = await runCommand(dry, null, { signal, cwd });
      failIfNonZero(outcome, dry);
      const seen = dryRunRecipients(outcome.output);
      if (seen) {
        recipients = seen;
        const a = [...new Set(seen.map((x) => x.toLowerCase()))].sort().join(',');
        const b = [...new Set(expected)].sort().join(',');
        if (a !== b) warnings.push(`git send-email would send to ${seen.join(', ')}, not exactly the To and Cc of the draft (sendemail.tocmd or other git config?).`);
      }
    }
    const pending = this.gate.issue({
      workspaceDir: ws.dir,
      draftId: id,
      draftRevision: draft.revision,
      argv,
      stdin,
      cwd,
      file,
      sha256: crypto.createHash('sha256').update(message).digest('hex'),
      date,
    });
    return {
      token: pending.token,
      expiresAt: new Date(pending.expires).toISOString(),
      method: config.method,
      command: argv,
      commandLine: shellLine(argv),
      file,
      from: plainAddress(headers.from),
      to: headers.to.map(plainAddress),
      cc: headers.cc.map(plainAddress),
      recipients,
      subject: headers.subject,
      messageId: headers.messageId,
      inReplyTo: headers.inReplyTo,
      message,
      warnings,
    };
  }

  /** Step two: run exactly the previewed command on exactly the previewed message. */
  async confirmSend(token: string, signal?: AbortSignal): Promise<SendResult> {
    const p = this.gate.take(token);
    const ws = this.workspace(p.workspaceDir);
    const drafts = this.draftsOf(ws);
    const draft = drafts.get(p.draftId);
    if (draft.revision !== p.draftRevision) {
      throw new BadRequest(`Draft ${p.draftId} changed after the preview.`, 'Preview the send again and check the new version.');
    }
    const outcome = await runCommand(p.argv, p.stdin ? fs.readFileSync(p.file) : null, { signal, cwd: p.cwd });
    failIfNonZero(outcome, p.argv);
    const sent = await ws.exclusive(() => drafts.markSent(p.draftId, { at: new Date().toISOString(), command: p.argv, exitCode: outcome.exitCode }, p.date));
    return { draft: sent, exitCode: outcome.exitCode, output: outcome.output };
  }
}

// Builds the demo series with real git: the base commit, one commit per file in series/, then
// `git format-patch --cover-letter --thread`, shaped into one mbox the way git send-email and the
// list would have delivered it, with the replies in thread.
import fs from 'node:fs';
import path from 'node:path';
import { BadRequest } from '../errors.js';
import { runGit } from '../tree/git.js';
import { DEMO_PATCHES_DIR } from './paths.js';
import { createDemoRepository, reproducibleGitEnv } from './repository.js';
import { COVER, PATCHES, REPLIES, SENT, address, type Person, type ReplySpec } from './series-spec.js';

/** One patch file: the commit message, then the diff (from the first "diff --git" line on). */
export interface PatchFile {
  subject: string;
  message: string;
  diff: string;
}

export function parsePatchFile(text: string, name = 'patch'): PatchFile {
  const at = text.startsWith('diff --git ') ? 0 : text.indexOf('\ndiff --git ') + 1;
  if (at <= 0 && !text.startsWith('diff --git ')) {
    throw new BadRequest(`${name} has no diff.`, 'A patch file is the commit message, a blank line, then the output of git diff.');
  }
  const message = text.slice(0, at).replace(/\s+$/, '') + '\n';
  const subject = message.split('\n')[0].trim();
  if (!subject) throw new BadRequest(`${name} has no subject line.`, 'Start the file with the commit subject.');
  return { subject, message, diff: text.slice(at) };
}

/** One message of the mbox, headers in order, body as it goes on the wire (before mbox escaping). */
export interface SeriesMessage {
  headers: [string, string][];
  body: string;
}

export interface BuiltSeries {
  /** The finished mbox text. */
  mbox: string;
  messages: SeriesMessage[];
  /** The git repository the patches were committed in (base + one commit per patch). */
  repo: string;
  baseCommit: string;
  commits: string[];
}

export interface BuildOptions {
  /** An empty scratch directory; the repository and format-patch output go below it. */
  workDir: string;
  patchesDir?: string;
  tree?: string;
  signal?: AbortSignal;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface LocalTime {
  /** Wall-clock time at the writer's place, stored as if it were UTC. */
  wall: Date;
  offset: string;
}

function parseLocal(iso: string): LocalTime {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$/.exec(iso);
  if (!m) throw new BadRequest(`Bad date in the series spec: ${iso}`, 'Write dates as 2024-11-19T09:30:12+01:00.');
  const wall = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return { wall, offset: `${m[7]}${m[8]}${m[9]}` };
}

/** RFC 5322 date in the writer's own zone: "Tue, 19 Nov 2024 09:30:12 +0100". */
export function mailDate(iso: string, plusSeconds = 0): string {
  const { wall, offset } = parseLocal(iso);
  const t = new Date(wall.getTime() + plusSeconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[t.getUTCDay()]}, ${t.getUTCDate()} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} ${offset}`
  );
}

/** Fold a header at spaces so that no line is longer than 78 characters. */
export function foldHeader(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const w of words) {
    if (line.length + 1 + w.length > 78 && line.trim() !== `${name}:`) {
      lines.push(line);
      line = ` ${w}`;
    } else {
      line += ` ${w}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function headerValue(msg: SeriesMessage, name: string): string {
  const h = msg.headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
  if (!h) throw new Error(`message without ${name}`);
  return h[1];
}

/** Read a format-patch file: its headers (unfolded) and body. */
function readFormatPatch(text: string): { headers: Map<string, string>; body: string } {
  const split = text.indexOf('\n\n');
  const head = text.slice(0, split).split('\n').slice(1); // drop the "From <sha> ..." line
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head) {
    if (/^\s/.test(line) && last) headers.set(last, `${headers.get(last)} ${line.trim()}`);
    else {
      const colon = line.indexOf(':');
      last = line.slice(0, colon).toLowerCase();
      headers.set(last, line.slice(colon + 1).trim());
    }
  }
  return { headers, body: text.slice(split + 2) };
}

function sendEmailId(n: number): string {
  return `<${SENT.messageIdStem}-${n}-${SENT.from.email}>`;
}

/** The bytes of one message in an mboxrd file (lore's "From mboxrd@z" separator). */
function mboxEntry(msg: SeriesMessage): string {
  const headers = msg.headers.map(([n, v]) => (n === 'Subject' || n === 'References' ? foldHeader(n, v) : `${n}: ${v}`)).join('\n');
  const body = msg.body.replace(/\s+$/, '\n').replace(/^(>*From )/gm, '>$1');
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\n${headers}\n\n${body}`;
}

async function commitPatches(repo: string, patchesDir: string, signal?: AbortSignal): Promise<string[]> {
  const commits: string[] = [];
  for (const spec of PATCHES) {
    const file = path.join(patchesDir, spec.file);
    const patch = parsePatchFile(fs.readFileSync(file, 'utf8'), spec.file);
    const env = reproducibleGitEnv({ ...SENT.from, date: spec.authorDate });
    await runGit(['apply', '--index', '--whitespace=nowarn', '-'], { cwd: repo, env, input: patch.diff, signal });
    await runGit(['commit', '--quiet', '--no-verify', '-F', '-'], { cwd: repo, env, input: patch.message, signal });
    commits.push((await runGit(['rev-parse', 'HEAD'], { cwd: repo, env, signal })).stdout.trim());
  }
  return commits;
}

function replyMessage(spec: ReplySpec, parent: SeriesMessage, parentFrom: Person | string): SeriesMessage {
  const parentId = headerValue(parent, 'Message-ID');
  const parentRefs = parent.headers.find(([n]) => n === 'References')?.[1];
  const subject = headerValue(parent, 'Subject').replace(/^(Re:\s*)+/i, '');
  const to = typeof parentFrom === 'string' ? parentFrom : address(parentFrom);
  return {
    headers: [
      ['Date', mailDate(spec.date)],
      ['From', address(spec.from)],
      ['To', to],
      ['Cc', spec.cc.join(', ')],
      ['Subject', `Re: ${subject}`],
      ['Message-ID', `<${spec.messageId}>`],
      ['References', parentRefs ? `${parentRefs} ${parentId}` : parentId],
      ['MIME-Version', '1.0'],
      ['Content-Type', 'text/plain; charset=us-ascii'],
      ['Content-Disposition', 'inline'],
      ['In-Reply-To', parentId],
      ['User-Agent', spec.userAgent],
    ],
    body: spec.body,
  };
}

/** Commit the patches onto a fresh demo repository and produce the mbox. */
export async function buildDemoSeries(opts: BuildOptions): Promise<BuiltSeries> {
  const patchesDir = opts.patchesDir ?? DEMO_PATCHES_DIR;
  const repoDir = path.join(opts.workDir, 'tree');
  const outDir = path.join(opts.workDir, 'format-patch');
  const { baseCommit } = await createDemoRepository(repoDir, { tree: opts.tree, signal: opts.signal });
  const commits = await commitPatches(repoDir, patchesDir, opts.signal);

  const env = reproducibleGitEnv({ ...SENT.from, date: SENT.date });
  const fp = await runGit(
    [
      'format-patch',
      '--cover-letter',
      '--thread=shallow',
      `--base=${baseCommit}`,
      `--signature=${SENT.signature}`,
      '--output-directory',
      outDir,
      `${baseCommit}..HEAD`,
    ],
    { cwd: repoDir, env, signal: opts.signal },
  );
  const files = fp.stdout.split('\n').filter((l) => l.trim() !== '');
  if (files.length !== PATCHES.length + 1) {
    throw new BadRequest(`git format-patch wrote ${files.length} files, expected ${PATCHES.length + 1}.`, 'Check the patch files in series/.');
  }

  const cover = sendEmailId(1);
  const messages: SeriesMessage[] = files.map((file, n) => {
    const { headers, body } = readFormatPatch(fs.readFileSync(path.resolve(repoDir, file), 'utf8'));
    let subject = headers.get('subject') ?? '';
    let text = body;
    if (n === 0) {
      subject = subject.replace('*** SUBJECT HERE ***', COVER.subject);
      text = text.replace('*** BLURB HERE ***\n', COVER.blurb);
    }
    const h: [string, string][] = [
      ['From', address(SENT.from)],
      ['To', SENT.to.join(', ')],
      ['Cc', SENT.cc.join(', ')],
      ['Subject', subject],
      ['Date', mailDate(SENT.date, n)],
      ['Message-ID', sendEmailId(n + 1)],
      ['X-Mailer', SENT.mailer],
    ];
    if (n > 0) h.push(['In-Reply-To', cover], ['References', cover]);
    h.push(['MIME-Version', '1.0'], ['Content-Transfer-Encoding', '8bit']);
    return { headers: h, body: text };
  });

  const byKey = new Map<string, SeriesMessage>();
  for (const spec of REPLIES) {
    const parentReply = spec.toReply !== undefined ? byKey.get(spec.toReply) : undefined;
    if (spec.toReply !== undefined && !parentReply) throw new BadRequest(`Reply ${spec.key} answers unknown reply ${spec.toReply}.`, 'List replies after the ones they answer.');
    const parent = parentReply ?? messages[spec.toPatch ?? 0];
    const reply = replyMessage(spec, parent, headerValue(parent, 'From'));
    byKey.set(spec.key, reply);
    messages.push(reply);
  }

  return {
    mbox: messages.map(mboxEntry).join('\n'),
    messages,
    repo: repoDir,
    baseCommit,
    commits,
  };
}

/**
 * Write the commits base..HEAD of an edited checkout back to the patch files, in order: the commit
 * message, a blank line, the diff. The number of commits must match the spec's list of patches.
 */
export async function exportPatches(repo: string, patchesDir = DEMO_PATCHES_DIR, signal?: AbortSignal): Promise<string[]> {
  const root = (await runGit(['rev-list', '--max-parents=0', 'HEAD'], { cwd: repo, signal })).stdout.trim();
  const list = (await runGit(['rev-list', '--reverse', `${root}..HEAD`], { cwd: repo, signal })).stdout.split('\n').filter(Boolean);
  if (list.length !== PATCHES.length) {
    throw new BadRequest(
      `${repo} has ${list.length} commits on top of its base, the series spec lists ${PATCHES.length}.`,
      'Add or remove entries in workspaces/demo/series-spec.ts to match, then export again.',
    );
  }
  const written: string[] = [];
  for (const [i, commit] of list.entries()) {
    const message = (await runGit(['log', '-1', '--format=%B', commit], { cwd: repo, signal })).stdout.replace(/\s+$/, '') + '\n';
    const diff = (await runGit(['diff', '--no-color', '--no-ext-diff', `${commit}~1`, commit], { cwd: repo, signal })).stdout;
    const file = path.join(patchesDir, PATCHES[i].file);
    fs.writeFileSync(file, `${message}\n${diff}`);
    written.push(file);
  }
  return written;
}

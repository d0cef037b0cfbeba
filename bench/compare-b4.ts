// Side by side with b4 (Debian's b4 0.12): series detection and collected trailers on our mail fixtures, and
// b4's own subject parser (LoreSubject) on the subjects the issue lists. Prints every difference with a stable
// key; workspaces/series/B4-DIFFERENCES.md explains each key, and the integration test checks that it does.
//
//   node bin/run-ts.mjs bench/compare-b4.ts [--json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMail, parseSubject, splitPatch, commitTrailers, type Series } from '../workspaces/series/index.js';
import { splitMbox } from '../workspaces/mail/mbox.js';
import { parseMessage } from '../workspaces/mail/message.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../tests/fixtures/mail');
const PYTHON = '/usr/bin/python3'; // the interpreter b4 is installed for

export interface Difference {
  /** Stable key, quoted in B4-DIFFERENCES.md. */
  key: string;
  ours: string;
  b4: string;
}

/** The subjects the issue names, plus reply prefixes. */
export const SUBJECTS = [
  '[PATCH 07/12] T', '[PATCH v2 07/12] T', '[PATCHv3 07/12] T', '[PATCH v6,19/24] T', '[RFC v2 1/6] T', '[RFC 00/30] T',
  '[PATCH 01/12 v2] T', 'PATCH 1 of 8 T', '[PATCH v5.1 10/12] T', '[PATCH net-next v2 3/4] T', '[PATCH RESEND] T',
  'Re: [PATCH 3/4] T', 'RE: [PATCH 3/4] T', 'AW: [PATCH 3/4] T', 'Fwd: [PATCH 3/4] T', 'Re: AW: RE: [PATCH v2 3/4] T',
];

function compareSubjects(): Difference[] {
  const script = [
    'import sys, json, b4',
    'for s in json.load(sys.stdin):',
    '    l = b4.LoreSubject(s)',
    '    print(json.dumps(dict(s=s, reply=l.reply, rfc=l.rfc, resend=l.resend, revision=l.revision, counter=l.counter, expected=l.expected, subject=l.subject)))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(SUBJECTS), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`b4's LoreSubject could not run: ${r.stderr}`);
  const out: Difference[] = [];
  for (const line of r.stdout.trim().split('\n')) {
    const b = JSON.parse(line) as { s: string; reply: boolean; rfc: boolean; resend: boolean; revision: number; counter: number; expected: number; subject: string };
    const o = parseSubject(b.s);
    const ours = { reply: o.isReply, rfc: o.rfc, resend: o.resend, revision: o.version, counter: o.index ?? 1, expected: o.total ?? 1, subject: o.cleaned };
    // b4 stops at the reply prefix and keeps the rest as the subject; compare the prefix facts only then
    const fields = b.reply ? (['reply'] as const) : (['reply', 'rfc', 'resend', 'revision', 'counter', 'expected', 'subject'] as const);
    for (const f of fields) {
      if (ours[f] !== b[f]) out.push({ key: `subject ${JSON.stringify(b.s)} ${f}`, ours: String(ours[f]), b4: String(b[f]) });
    }
  }
  return out;
}

interface B4Run {
  /** index → trailers b4 added to the commit message */
  parts: Map<number, string[]>;
  found: boolean;
  notes: string;
}

function runB4(file: string, version: number, work: string): B4Run {
  const out = fs.mkdtempSync(path.join(work, 'b4-'));
  const r = spawnSync('b4', ['am', '-m', file, '-o', out, '-v', String(version), '-t', '--no-cover'], { encoding: 'utf8' });
  const mbx = fs.readdirSync(out).find((f) => f.endsWith('.mbx'));
  const parts = new Map<number, string[]>();
  if (!mbx) return { parts, found: false, notes: (r.stderr + r.stdout).trim().split('\n').slice(-1)[0] ?? '' };
  for (const m of splitMbox(fs.readFileSync(path.join(out, mbx)))) {
    const msg = parseMessage(m.bytes, { file: mbx, kind: 'mboxrd', gzip: false, offset: 0, length: 0, position: 0, fromLine: null }).message;
    const index = parseSubject(msg.subject).index ?? 1;
    parts.set(index, commitTrailers(splitPatch(msg.body).commitMessage).map((t) => `${t.name}: ${t.value}`));
  }
  return { parts, found: true, notes: '' };
}

/** Our trailers as b4 would add them: naming their sender, the cover's and carried-over ones, and the commit's own. */
function oursOf(s: Series): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const p of s.parts) {
    const own = p.commitTrailers.map((t) => `${t.name}: ${t.value}`);
    const added = p.trailers.filter((t) => t.senderMatches && !t.inCommit).map((t) => `${t.name}: ${t.value}`);
    m.set(p.index, [...own, ...added]);
  }
  return m;
}

/** One mbox per input so that b4 (which reads only mbox files) sees what we see. */
function inputs(work: string): { name: string; file: string }[] {
  const list: { name: string; file: string }[] = [];
  const add = (name: string, data: Buffer) => {
    const file = path.join(work, name.replace(/[/ ]/g, '_') + '.mbox');
    fs.writeFileSync(file, data);
    list.push({ name, file });
  };
  const asMbox = (b: Buffer) => Buffer.concat([Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\n'), b, Buffer.from('\n')]);
  add('series-v1.mbox', fs.readFileSync(path.join(fixtures, 'series-v1.mbox')));
  add('series-v2.mbox.gz', zlib.gunzipSync(fs.readFileSync(path.join(fixtures, 'series-v2.mbox.gz'))));
  add('series-v1.mbox + series-v2.mbox.gz', Buffer.concat([fs.readFileSync(path.join(fixtures, 'series-v1.mbox')), zlib.gunzipSync(fs.readFileSync(path.join(fixtures, 'series-v2.mbox.gz')))]));
  add('mboxo.mbox', fs.readFileSync(path.join(fixtures, 'mboxo.mbox')));
  add('crlf.mbox', fs.readFileSync(path.join(fixtures, 'crlf.mbox')));
  add('broken.mbox', fs.readFileSync(path.join(fixtures, 'broken.mbox')));
  const fp = path.join(fixtures, 'format-patch');
  add('format-patch/', Buffer.concat(fs.readdirSync(fp).sort().map((f) => Buffer.concat([fs.readFileSync(path.join(fp, f)), Buffer.from('\n')]))));
  const md = path.join(fixtures, 'maildir');
  add('maildir/', Buffer.concat(['new', 'cur'].flatMap((d) => fs.readdirSync(path.join(md, d)).sort().map((f) => asMbox(fs.readFileSync(path.join(md, d, f)))))));
  for (const eml of ['single-qp.eml', 'base64-latin1.eml', 'multipart-attachment.eml', 'flowed.eml', 'cr-content.eml']) add(eml, asMbox(fs.readFileSync(path.join(fixtures, eml))));
  return list;
}

export async function compareWithB4(): Promise<{ differences: Difference[]; compared: { input: string; version: number; parts: number }[] }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-b4-'));
  const differences: Difference[] = compareSubjects();
  const compared: { input: string; version: number; parts: number }[] = [];
  try {
    for (const { name, file } of inputs(work)) {
      const load = await loadMail([file]);
      const versions = [...new Set(load.series.map((s) => s.version))].sort((a, b) => a - b);
      for (const v of versions) {
        // with several series of one version in one mailbox b4 takes them as one; we compare the latest
        const ours = load.series.filter((s) => s.version === v).sort((a, b) => Number(b.latest) - Number(a.latest))[0];
        const b4 = runB4(file, v, work);
        const at = `${name} v${v}`;
        if (!b4.found) {
          differences.push({ key: `${at}: series`, ours: `${ours.parts.length} of ${ours.total} patches`, b4: b4.notes || 'none' });
          continue;
        }
        compared.push({ input: name, version: v, parts: ours.parts.length });
        const mine = oursOf(ours);
        const indices = [...new Set([...mine.keys(), ...b4.parts.keys()])].sort((a, b) => a - b);
        for (const i of indices) {
          const a = mine.get(i);
          const b = b4.parts.get(i);
          if (!a || !b) {
            differences.push({ key: `${at} #${i}: patch`, ours: a ? 'present' : 'absent', b4: b ? 'present' : 'absent' });
            continue;
          }
          for (const t of a) if (!b.includes(t)) differences.push({ key: `${at} #${i}: trailer "${t}"`, ours: 'collected', b4: 'not collected' });
          for (const t of b) if (!a.includes(t)) differences.push({ key: `${at} #${i}: trailer "${t}"`, ours: 'not collected', b4: 'collected' });
        }
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { differences, compared };
}

/** Keys that B4-DIFFERENCES.md explains (each quoted in backticks in a list item). */
export function documentedKeys(): Set<string> {
  const doc = fs.readFileSync(path.resolve(here, '../workspaces/series/B4-DIFFERENCES.md'), 'utf8');
  const keys = new Set<string>();
  for (const m of doc.matchAll(/^\s*- `(.+)`\s*$/gm)) keys.add(m[1]);
  return keys;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { differences, compared } = await compareWithB4();
  const documented = documentedKeys();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ compared, differences: differences.map((d) => ({ ...d, documented: documented.has(d.key) })) }, null, 2) + '\n');
  } else {
    process.stdout.write(`Compared ${compared.length} series versions and ${SUBJECTS.length} subjects with b4.\n`);
    for (const d of differences) process.stdout.write(`${documented.has(d.key) ? 'documented  ' : 'UNEXPLAINED '} ${d.key}: ours ${d.ours}, b4 ${d.b4}\n`);
    const open = differences.filter((d) => !documented.has(d.key)).length;
    process.stdout.write(`${differences.length} difference(s), ${open} not explained in workspaces/series/B4-DIFFERENCES.md\n`);
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { analyseSeries, makeAnchor, resolveAnnotations, type AnalysedSeries } from '../../../workspaces/review/anchors.js';
import { composeReply } from '../../../workspaces/review/compose.js';
import { loadReviewSeries } from '../../../workspaces/review/series-source.js';
import type { Annotation, AnnotationTargetInput, ReplyTargetMessage, ResolvedAnnotation, ReviewSeries } from '../../../workspaces/review/types.js';
import { generateSeries, ME, type GeneratedSeries } from './series-fixture.js';

let tmp: string;
let gen: GeneratedSeries;
let v1: AnalysedSeries;
let v1Rebased: AnalysedSeries;
let v2: AnalysedSeries;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-anchors-'));
  gen = generateSeries(tmp);
  const load = async (files: string[]) => {
    const all = await loadReviewSeries(files);
    expect(all).toHaveLength(1);
    return analyseSeries(all[0]);
  };
  v1 = await load(gen.v1);
  v1Rebased = await load(gen.v1Rebased);
  v2 = await load(gen.v2);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function annotate(s: AnalysedSeries, target: AnnotationTargetInput, text: string): Annotation {
  return { id: `a-test-${text.replace(/\W/g, '').slice(0, 8).padEnd(8, '0')}`, revision: 1, createdAt: '', updatedAt: '', text, anchor: makeAnchor(s, target) };
}

/** The text of `file` at `rev` in the generated repository, 1-based lines. */
function fileAt(rev: string, file: string): string[] {
  return execFileSync('git', ['show', `${rev}:${file}`], { cwd: gen.repo, encoding: 'utf8' }).split('\n');
}

const ENTRY = 'arch/x86/entry/entry_64.S';
const COMMON = 'arch/x86/entry/common.c';

describe('diff line numbers', () => {
  it('match the real files before and after each patch', () => {
    const revs = ['base', 'v1~2', 'v1~1', 'v1'];
    for (const p of v1.patches) {
      for (const f of p.body.files) {
        const before = fileAt(revs[p.index - 1], f.path);
        const after = fileAt(revs[p.index], f.path);
        for (const h of f.hunks) {
          for (const l of h.lines) {
            if (l.newLine !== null) expect(after[l.newLine - 1], `${f.path}:${l.newLine} (new)`).toBe(l.raw.slice(1));
            if (l.oldLine !== null) expect(before[l.oldLine - 1], `${f.path}:${l.oldLine} (old)`).toBe(l.raw.slice(1));
          }
        }
      }
    }
  });
});

describe('anchors', () => {
  let notes: Record<string, Annotation>;
  beforeAll(() => {
    notes = {
      // patch 1 has two hunks: A is unchanged in v2, B is rewritten
      hunkA: annotate(v1, { kind: 'diff', patch: 1, file: ENTRY, line: 92 }, 'hunk A: the user RSP'),
      hunkB: annotate(v1, { kind: 'diff', patch: 1, file: 'entry_64.S', line: 141 }, 'hunk B: SYSRET wants RCX'),
      removed: annotate(v1, { kind: 'diff', patch: 1, file: ENTRY, side: 'old', line: 92 }, 'the old comment'),
      // patch 2's diff is the same in v2, its commit message's last paragraph is not
      nrCheck: annotate(v1, { kind: 'diff', patch: 2, file: COMMON, line: 78 }, 'nr -1 first'),
      msgKept: annotate(v1, { kind: 'message', patch: 2, line: 2 }, 'msg: kept paragraph'),
      msgChanged: annotate(v1, { kind: 'message', patch: 2, line: 5 }, 'msg: changed line'),
      whole: annotate(v1, { kind: 'message', patch: 2 }, 'whole patch'),
      // patch 3 is rewritten
      xen: annotate(v1, { kind: 'diff', patch: 3, file: COMMON, line: 93 }, 'xen: hypercall'),
    };
  });
  const byText = (list: ResolvedAnnotation[], a: Annotation) => list.find((r) => r.annotation.id === a.id) as ResolvedAnnotation;

  it('refuse lines the diff does not show, files it does not touch, and patches that do not exist', () => {
    expect(() => makeAnchor(v1, { kind: 'diff', patch: 1, file: ENTRY, line: 120 })).toThrow(/not in the diff of patch 1/);
    expect(() => makeAnchor(v1, { kind: 'diff', patch: 1, file: COMMON, line: 78 })).toThrow(/does not change/);
    expect(() => makeAnchor(v1, { kind: 'diff', patch: 1, file: ENTRY, side: 'old', line: 150 })).toThrow(/old side/);
    expect(() => makeAnchor(v1, { kind: 'message', patch: 2, line: 99 })).toThrow(/has 7 lines/);
    expect(() => makeAnchor(v1, { kind: 'cover' })).toThrow(/no cover letter/);
    expect(() => makeAnchor(v1, { kind: 'diff', patch: 4, file: ENTRY, line: 1 })).toThrow(/no patch 4/);
  });

  it('are current in the version they were written on', () => {
    const r = resolveAnnotations(v1, Object.values(notes));
    for (const x of r) expect(x.status, x.annotation.text).toBe('current');
    expect(byText(r, notes.hunkA).location).toMatchObject({ kind: 'diff', patch: 1, file: ENTRY, side: 'new', line: 92 });
    expect(byText(r, notes.msgChanged).location).toEqual({ kind: 'message', patch: 2, line: 5 });
  });

  it('survive re-applying the series to another base: same patch-ids, shifted line numbers', () => {
    expect(v1Rebased.patches.map((p) => p.patchId)).toEqual(v1.patches.map((p) => p.patchId));
    const r = resolveAnnotations(v1Rebased, Object.values(notes));
    for (const x of r) expect(x.status, x.annotation.text).not.toBe('outdated');
    // three lines were added above entry_SYSCALL_64, two above the common.c code
    expect(byText(r, notes.hunkA).location).toMatchObject({ line: 95 });
    expect(byText(r, notes.hunkB).location).toMatchObject({ line: 144 });
    expect(byText(r, notes.removed).location).toMatchObject({ side: 'old', line: 95 });
    expect(byText(r, notes.nrCheck).location).toMatchObject({ line: 80 });
    const after = fileAt('v1-rebased~2', ENTRY);
    expect(after[95 - 1]).toContain('the user RSP stays there');
  });

  it('carry over to v2 where the hunk is unchanged and are outdated where it changed', () => {
    const r = resolveAnnotations(v2, Object.values(notes));
    const status = Object.fromEntries(Object.entries(notes).map(([k, a]) => [k, byText(r, a).status]));
    expect(status).toEqual({
      hunkA: 'carried-over',
      hunkB: 'outdated',
      removed: 'carried-over',
      nrCheck: 'carried-over',
      msgKept: 'carried-over',
      msgChanged: 'outdated',
      whole: 'carried-over',
      xen: 'outdated',
    });
    expect(byText(r, notes.hunkA).location).toMatchObject({ kind: 'diff', patch: 1, line: 95 });
    expect(byText(r, notes.nrCheck).location).toMatchObject({ patch: 2, line: 80 });
    const b = byText(r, notes.hunkB);
    expect(b.location).toBeNull();
    expect(b.reason).toMatch(/changed in v2 patch 1/);
    // the old context stays with it, to show what it was about
    expect(b.annotation.anchor.kind === 'diff' && b.annotation.anchor.context.at(-1)).toBe('+\t/* RCX and R11 are the user RIP and RFLAGS again; SYSRET consumes them. */');
  });

  it('place carried-over comments in the v2 reply and list the outdated ones as not placed', () => {
    const r = resolveAnnotations(v2, Object.values(notes));
    const reply = composeReply(v2, { kind: 'patch', version: 2, patch: 1 }, r, { identity: { ...ME, source: 'given' } });
    expect(reply.placed.sort()).toEqual([notes.hunkA.id, notes.removed.id].sort());
    expect(reply.unplaced.map((u) => u.annotation)).toEqual([notes.hunkB.id]);
    expect(reply.unplaced[0].reason).toMatch(/^outdated: /);
    expect(reply.body).toContain('> +\t/* tss.sp2 is scratch space: the user RSP stays there until pt_regs is built. */\n\nhunk A: the user RSP\n');
    expect(reply.body).not.toContain('SYSRET wants RCX');
  });
});

describe('a patch split in the next version', () => {
  const msg = (subject: string, body: string): ReplyTargetMessage => ({
    messageId: `${subject.length}.${body.length}@x`, from: { name: 'A', email: 'a@x' }, to: [], cc: [], replyTo: [], subject, date: null, dateText: null, inReplyTo: null, references: [], body,
  });
  const diff = (file: string, minus: string, plus: string) => `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1,3 +1,3 @@\n a\n-${minus}\n+${plus}\n c\n`;
  const series = (version: number, patches: [string, string][]): ReviewSeries => ({
    version, title: 't', total: patches.length, cover: null,
    patches: patches.map(([subject, body], i) => ({ index: i + 1, message: msg(subject, body) })),
  });

  it('finds an unchanged hunk in the patch it moved to', async () => {
    const v1s = await analyseSeries(series(1, [['[PATCH 1/1] x86/entry: two things', `Both.\n---\n${diff('x.c', 'b', 'B')}${diff('y.c', 'q', 'Q')}`]]));
    const v2s = await analyseSeries(series(2, [
      ['[PATCH v2 1/2] x86/entry: two things', `Only x now.\n---\n${diff('x.c', 'b', 'BB')}`],
      ['[PATCH v2 2/2] x86/entry: the y part', `Split out.\n---\n${diff('y.c', 'q', 'Q')}`],
    ]));
    const onY = annotate(v1s, { kind: 'diff', patch: 1, file: 'y.c', line: 2 }, 'about Q');
    const onX = annotate(v1s, { kind: 'diff', patch: 1, file: 'x.c', line: 2 }, 'about B');
    const [y, x] = resolveAnnotations(v2s, [onY, onX]);
    expect(y).toMatchObject({ status: 'carried-over', location: { kind: 'diff', patch: 2, file: 'y.c', line: 2 } });
    expect(x.status).toBe('outdated');
  });
});

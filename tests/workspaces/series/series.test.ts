// Series assembly on a lore-style thread (v1 with replies and a partial v2 reroll) and a separate full v2.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadMail, type MailLoad, type Series } from '../../../workspaces/series/index.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const v1File = path.join(fixtures, 'series-v1.mbox');
const v2File = path.join(fixtures, 'series-v2.mbox.gz');
const trailers = (s: Series, index: number) => s.parts.find((p) => p.index === index)!.trailers.map((t) => `${t.name}: ${t.value}${t.source === 'cover' ? ' [cover]' : ''}${t.senderMatches ? '' : ' [not the sender]'}${t.carriedFromVersion ? ` [v${t.carriedFromVersion}]` : ''}`);
const from = (load: MailLoad, i: number) => load.messages[i].from?.name;

describe('one thread: v1, its replies, and a v2 of patch 2 sent as a reply', () => {
  it('finds v1 complete with its cover, base-commit and prerequisite', async () => {
    const load = await loadMail([v1File]);
    expect(load.series.map((s) => [s.versionText ?? 'v1', s.parts.length, s.partialReroll, s.latest])).toEqual([
      ['v1', 3, false, false],
      ['v2', 3, true, true],
    ]);
    const v1 = load.series[0];
    expect(v1.title).toBe('x86/entry/64: Move ptregs syscalls off the fast path');
    expect(v1.total).toBe(3);
    expect(v1.missing).toEqual([]);
    expect(v1.cover?.subject.raw).toBe('[PATCH 0/3] x86/entry/64: Move ptregs syscalls off the fast path');
    expect(v1.baseCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(v1.prerequisitePatchIds).toEqual(['3c1a6a9b7e7d2b5f1e0d4c3b2a19087f6e5d4c3b']);
    expect(v1.versions).toEqual([1, 2]);
    expect(v1.otherVersions).toEqual([load.series[1].key]);
    expect(v1.parts.map((p) => [p.index, p.subject.cleaned, p.diffstat.insertions, p.diffstat.deletions, p.damaged])).toEqual([
      [1, 'x86/syscalls: Add syscall entry qualifiers', 3, 1, []],
      [2, 'x86/entry/64: Always run ptregs-using syscalls on the slow path', 11, 1, []],
      [3, 'x86/entry/64: Move the fork stubs next to the 64-bit entry', 1, 0, []],
    ]);
  });

  it('collects trailers: own lines only, wrapped ones joined, cover trailers on every patch', async () => {
    const load = await loadMail([v1File]);
    const v1 = load.series[0];
    expect(trailers(v1, 1)).toEqual([
      'Reviewed-by: Brian Gerst <brgerst@gmail.com>',
      'Tested-by: Kees Cook <keescook@chromium.org> [not the sender]',
      'Acked-by: Ingo Molnar <mingo@kernel.org> [cover]',
    ]);
    expect(trailers(v1, 2)).toEqual([
      'Reviewed-by: Borislav Petkov <bp@alien8.de>',
      'Tested-by: Thomas Gleixner <tglx@linutronix.de>',
      'Acked-by: Josh Poimboeuf <jpoimboe@redhat.com>',
      'Acked-by: Ingo Molnar <mingo@kernel.org> [cover]',
    ]);
    expect(trailers(v1, 3)).toEqual(['Acked-by: Ingo Molnar <mingo@kernel.org> [cover]']);
    const t = v1.parts[0].trailers[0];
    expect(load.messages[t.message].messageId).toBe('CAMzpN2g1@mail.gmail.com');
    expect(t.from).toBe('CAMzpN2g1@mail.gmail.com');
    expect(v1.parts[0].commitTrailers).toEqual([{ name: 'Signed-off-by', value: 'Andy Lutomirski <luto@kernel.org>' }]);
  });

  it('lists each patch\'s replies in thread order, without the rerolled patch', async () => {
    const load = await loadMail([v1File]);
    const v1 = load.series[0];
    expect(v1.parts[0].replies.map((r) => [from(load, r.message), r.depth])).toEqual([
      ['Brian Gerst', 1],
      ['Andy Lutomirski', 2],
    ]);
    expect(v1.parts[1].replies.map((r) => [from(load, r.message), r.depth])).toEqual([
      ['Borislav Petkov', 1],
      ['Thomas Gleixner', 1],
      ['Josh Poimboeuf', 2],
    ]);
    expect(v1.cover?.replies.map((r) => from(load, r.message))).toEqual(['Ingo Molnar']);
    expect(v1.messages).toHaveLength(11 - 1);
  });

  it('fills the partial reroll from v1: patch 2 from v2, patches 1 and 3 from v1', async () => {
    const load = await loadMail([v1File]);
    const v2 = load.series[1];
    expect(v2.version).toBe(2);
    expect(v2.parts.map((p) => [p.index, p.version])).toEqual([
      [1, 1],
      [2, 2],
      [3, 1],
    ]);
    expect(v2.parts[1].subject.raw).toBe('[PATCH v2 2/3] x86/entry/64: Always run ptregs-using syscalls on the slow path');
    expect(v2.parts[1].commitMessage).toContain('Changes from v1');
    // v2 of patch 2 got no review yet; the v1 reviews do not carry over because the patch changed
    expect(trailers(v2, 2)).toEqual(['Acked-by: Ingo Molnar <mingo@kernel.org> [cover]']);
    expect(v2.parts[1].patchId).not.toBe(load.series[0].parts[1].patchId);
  });
});

describe('two mailboxes: the v1 thread and a full v2 thread', () => {
  it('lists every version and marks the newest full v2 the latest', async () => {
    const load = await loadMail([v1File, v2File]);
    expect(load.series.map((s) => [s.versionText ?? 'v1', s.partialReroll, s.latest, s.cover?.subject.raw])).toEqual([
      ['v1', false, false, '[PATCH 0/3] x86/entry/64: Move ptregs syscalls off the fast path'],
      ['v2', true, false, '[PATCH 0/3] x86/entry/64: Move ptregs syscalls off the fast path'],
      ['v2', false, true, '[PATCH v2 0/3] x86/entry/64: Move ptregs syscalls off the fast path'],
    ]);
    expect(new Set(load.series.map((s) => s.key)).size).toBe(3);
    expect(load.series.every((s) => s.versions.join() === '1,2')).toBe(true);
  });

  it('carries reviews of unchanged patches over to v2, not series acks or reviews of changed patches', async () => {
    const load = await loadMail([v1File, v2File]);
    const v2 = load.series.find((s) => s.latest)!;
    expect(v2.parts.every((p) => p.version === 2)).toBe(true);
    expect(trailers(v2, 1)).toEqual(['Reviewed-by: Brian Gerst <brgerst@gmail.com> [v1]', 'Tested-by: Kees Cook <keescook@chromium.org> [not the sender] [v1]']);
    expect(trailers(v2, 2)).toEqual([]);
    expect(trailers(v2, 3)).toEqual([]);
    expect(v2.parts[0].patchId).toBe(load.series[0].parts[0].patchId);
  });

  it('never mixes versions: each part of a series is the message of that version or its explicit fill-in', async () => {
    const load = await loadMail([v1File, v2File]);
    for (const s of load.series) {
      for (const p of s.parts) {
        const subj = load.messages[p.message].subject;
        if (p.version === 2) expect(subj).toMatch(/^\[PATCH v2 /);
        else expect(subj).toMatch(/^\[PATCH \d/);
        if (!s.partialReroll) expect(p.version).toBe(s.version);
      }
    }
  });
});

describe('single patches', () => {
  it('takes a [PATCH] without a counter as patch 1 of 1 and an in-body From: as the author', async () => {
    const load = await loadMail([{ text: 'From: Brian Gerst <brgerst@gmail.com>\nSubject: [PATCH] x86/entry: Fix the stub\nDate: Tue, 8 Dec 2015 08:43:10 -0500\nMessage-ID: <one@x>\n\nFrom: Andy Lutomirski <luto@kernel.org>\n\nThe fix.\n\nSigned-off-by: Andy Lutomirski <luto@kernel.org>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n', name: 'one.eml' }]);
    expect(load.series).toHaveLength(1);
    expect(load.series[0].parts[0]).toMatchObject({ index: 1, author: { name: 'Andy Lutomirski', email: 'luto@kernel.org' }, commitMessage: 'The fix.\n\nSigned-off-by: Andy Lutomirski <luto@kernel.org>\n' });
    expect(load.series[0].total).toBe(1);
  });
  it('does not take talk with a [PATCH] subject and no diff for a patch', async () => {
    const load = await loadMail([{ text: 'From: A <a@x>\nSubject: [PATCH] ideas for the entry code\nMessage-ID: <talk@x>\n\nNo code yet.\n', name: 'talk.eml' }]);
    expect(load.series).toEqual([]);
  });
});

// Parsers of the apply engine on git's exact wording: diff headers, am and apply output, range-diff,
// the Link: trailer and path checks. Fast: no git runs here.
import { describe, expect, it } from 'vitest';
import { hunkHeaders, scanDiffHeaders, unquoteGitPath } from '../../../workspaces/tree/diff-headers.js';
import { parseAmOutput } from '../../../workspaces/tree/am.js';
import { parseApplyCheck } from '../../../workspaces/tree/apply.js';
import { parseRangeDiff } from '../../../workspaces/tree/range-diff.js';
import { addTrailerToBody, linkFor, withLinkTrailer } from '../../../workspaces/tree/link.js';
import { ancestors, checkSymlinkAncestors, unsafePathReason, type GuardedPatch } from '../../../workspaces/tree/path-guard.js';
import { reviewBranchName } from '../../../workspaces/tree/service.js';
import { basePreimages } from '../../../workspaces/tree/base.js';
import { PatchPathOutsideTree } from '../../../workspaces/tree/errors.js';
import { bodyText } from '../../../workspaces/tree/mbox-message.js';

const PATCH = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: A <a@b>
Subject: [PATCH] x

Message line.

Signed-off-by: A <a@b>
---
diff --git a/arch/x86/entry/old.c b/arch/x86/entry/new.c
similarity index 90%
rename from arch/x86/entry/old.c
rename to arch/x86/entry/new.c
index 1234567..89abcde 100644
--- a/arch/x86/entry/old.c
+++ b/arch/x86/entry/new.c
@@ -1,2 +1,2 @@ int f(void)
 a
--- this removed line looks like a header
+++ and this added one too
diff --git a/scripts/x.sh b/scripts/x.sh
old mode 100644
new mode 100755
diff --git "a/Documentation/caf\\303\\251 \\"q\\".bin" "b/Documentation/caf\\303\\251 \\"q\\".bin"
new file mode 100644
index 0000000000000000000000000000000000000000..e69de29bb2d1d6434b8b29ae775ad8c2e48c5391
GIT binary patch
literal 3
KcmZQzU|;|M00aO5

literal 0
HcmV?d00001

diff --git a/link b/link
new file mode 120000
index 0000000..2b6a1f9
--- /dev/null
+++ b/link
@@ -0,0 +1 @@
+../..
\\ No newline at end of file
`;

describe('diff headers', () => {
  it('reads renames, mode changes, quoted binary names and symlinks, skipping hunk bodies', () => {
    const h = scanDiffHeaders(PATCH);
    expect(h.map((x) => [x.oldPath, x.newPath, x.oldMode, x.newMode, x.oldBlob, x.binary])).toEqual([
      ['arch/x86/entry/old.c', 'arch/x86/entry/new.c', '100644', '100644', '1234567', false],
      ['scripts/x.sh', 'scripts/x.sh', '100644', '100755', null, false],
      [null, 'Documentation/café "q".bin', null, '100644', '0000000000000000000000000000000000000000', true],
      [null, 'link', null, '120000', '0000000', false],
    ]);
  });

  it('takes a "--- name" line in the message for a header, as git mailinfo and git apply do', () => {
    expect(scanDiffHeaders('Text.\n--- a/../x\n+++ b/../x\n').map((h) => h.rawNames)).toEqual([['a/../x', 'b/../x']]);
  });

  it('never lets a wrong hunk count swallow the next file header', () => {
    const text = 'diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,9 +1,9 @@\n a\ndiff --git a/../x b/../x\n--- a/../x\n+++ b/../x\n';
    expect(scanDiffHeaders(text).map((h) => h.newPath)).toEqual(['f', '../x']);
  });

  it('unquotes C-style paths', () => {
    expect(unquoteGitPath('"a/tab\\there"')).toBe('a/tab\there');
    expect(unquoteGitPath('plain/path')).toBe('plain/path');
  });

  it('lists hunk headers per file under both names', () => {
    const hunks = hunkHeaders(PATCH);
    expect(hunks.get('arch/x86/entry/new.c')).toEqual([{ oldStart: 1, header: '@@ -1,2 +1,2 @@ int f(void)' }]);
    expect(hunks.get('arch/x86/entry/old.c')).toEqual(hunks.get('arch/x86/entry/new.c'));
  });
});

describe('git am output', () => {
  it('follows each patch: plain, 3-way, already applied and the one that stopped', () => {
    const run = parseAmOutput({
      exitCode: 128,
      stdoutBytes: Buffer.alloc(0),
      stdout: [
        'Applying: one',
        'Applying: two',
        'Using index info to reconstruct a base tree...',
        'M\tf',
        'Falling back to patching base and 3-way merge...',
        'Auto-merging f',
        'Applying: three',
        'Using index info to reconstruct a base tree...',
        'Falling back to patching base and 3-way merge...',
        'No changes -- Patch already applied.',
        'Applying: four',
        'Using index info to reconstruct a base tree...',
        'M\tf',
        'Falling back to patching base and 3-way merge...',
        'Auto-merging f',
        'CONFLICT (content): Merge conflict in f',
        'Patch failed at 0004 four',
        'When you have resolved this problem, run "git am --continue".',
      ].join('\n'),
      stderr: "error: Failed to merge in the changes.\nhint: Use 'git am --show-current-patch=diff' to see the failed patch\n",
    });
    expect(run.attempts.map((a) => [a.subject, a.threeWay, a.alreadyApplied, a.failed])).toEqual([
      ['one', false, false, false],
      ['two', true, false, false],
      ['three', true, true, false],
      ['four', true, false, true],
    ]);
    expect(run.attempts[3].conflictLines).toEqual(['CONFLICT (content): Merge conflict in f']);
    expect(run.errors).toEqual(['Failed to merge in the changes.']);
  });

  it('reads every failing hunk from git apply --check --reject', () => {
    const check = parseApplyCheck('Checking patch f...\nerror: while searching for:\n7\n8\n\nerror: patch failed: f:7\nerror: patch failed: dir/a:b.c:17\n');
    expect(check.failedHunks).toEqual([
      { file: 'f', line: 7 },
      { file: 'dir/a:b.c', line: 17 },
    ]);
  });
});

describe('range-diff output', () => {
  it('pairs patches of two versions and keeps the inner diff of changed ones', () => {
    const text = [
      '1:  1111111 = 1:  aaaaaaa x86/entry: first',
      '2:  2222222 ! 2:  bbbbbbb x86/entry: second',
      '    @@ common.c',
      '    -common 10 v1',
      '    +common 10 v2',
      '3:  3333333 < -:  ------- x86/entry: dropped',
      '-:  ------- > 3:  ccccccc x86/entry: new',
      '',
    ].join('\n');
    const pairs = parseRangeDiff(text, ['o1', 'o2', 'o3'], ['n1', 'n2', 'n3']);
    expect(pairs.map((p) => [p.relation, p.old?.commit ?? null, p.new?.commit ?? null, p.subject])).toEqual([
      ['=', 'o1', 'n1', 'x86/entry: first'],
      ['!', 'o2', 'n2', 'x86/entry: second'],
      ['<', 'o3', null, 'x86/entry: dropped'],
      ['>', null, 'n3', 'x86/entry: new'],
    ]);
    expect(pairs[1].diff).toBe('@@ common.c\n-common 10 v1\n+common 10 v2\n');
  });

  it('tells a changed Link: trailer from changed code or message', () => {
    const text = [
      '1:  1111111 ! 1:  aaaaaaa p1',
      '    @@ Metadata',
      '      ## Commit message ##',
      '         p1',
      '    -    Link: https://x/1',
      '    +    Link: https://x/3',
      '      ## f ##',
      '2:  2222222 ! 2:  bbbbbbb p2',
      '      ## Commit message ##',
      '    -    Old wording.',
      '    +    New wording.',
      '      ## f ##',
      '     @@ f: five',
      '     -9',
      '    -+nine',
      '    ++NINE',
    ].join('\n');
    expect(parseRangeDiff(text, [], []).map((p) => [p.codeChanged, p.messageChanged])).toEqual([
      [false, false],
      [true, true],
    ]);
  });
});

describe('Link: trailer', () => {
  it('joins a trailer block at its end, or starts a paragraph', () => {
    expect(addTrailerToBody('Fix it.\n\nSigned-off-by: A <a@b>\n---\n f | 1 +\n', 'Link: L')).toBe('Fix it.\n\nSigned-off-by: A <a@b>\nLink: L\n---\n f | 1 +\n');
    expect(addTrailerToBody('Fix it.\n---\ndiff --git a/f b/f\n', 'Link: L')).toBe('Fix it.\n\nLink: L\n---\ndiff --git a/f b/f\n');
    expect(addTrailerToBody('Fix it.\n\nLink: L\n---\n', 'Link: L')).toBeNull();
    expect(addTrailerToBody('Fix it.\r\n\r\nAcked-by: B\r\n---\r\n', 'Link: L')).toBe('Fix it.\r\n\r\nAcked-by: B\r\nLink: L\r\n---\r\n');
  });

  it('spells the archive URL like kernel trailers do', () => {
    expect(linkFor('<20241201.12345-1-ada@example.org>')).toBe('https://lore.kernel.org/r/20241201.12345-1-ada@example.org');
    expect(linkFor('a/b c@d')).toBe('https://lore.kernel.org/r/a%2Fb%20c@d');
  });

  it('decodes a base64 body so the trailer lands in the commit message', () => {
    const body = Buffer.from('Fix.\n\nSigned-off-by: A <a@b>\n---\ndiff --git a/f b/f\n').toString('base64');
    const mbox = Buffer.from(`From mboxrd@z Thu Jan  1 00:00:00 1970\nSubject: x\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    const linked = withLinkTrailer(mbox, 'id@x');
    expect(linked.trailer).toBe('Link: https://lore.kernel.org/r/id@x');
    expect(linked.mbox.toString()).toContain('Content-Transfer-Encoding: 8bit\n\nFix.\n\nSigned-off-by: A <a@b>\nLink: https://lore.kernel.org/r/id@x\n---\n');
    expect(bodyText(mbox)).toContain('diff --git a/f b/f');
  });
});

describe('path checks', () => {
  it('names why a path is unsafe', () => {
    expect(unsafePathReason('arch/x86/entry/entry_64.S')).toBeNull();
    expect(unsafePathReason('../etc/passwd')).toMatch(/\.\./);
    expect(unsafePathReason('arch/../../x')).toMatch(/\.\./);
    expect(unsafePathReason('/etc/passwd')).toMatch(/absolute/);
    expect(unsafePathReason('.git/config')).toMatch(/\.git/);
    expect(unsafePathReason('sub/.GIT/hooks/x')).toMatch(/\.git/);
    expect(ancestors('a/b/c')).toEqual(['a', 'a/b']);
  });

  it('tracks symlinks the series makes and removes', () => {
    const header = (newPath: string | null, newMode: string | null, oldPath: string | null = null) => ({
      rawNames: [], oldPath, newPath, oldMode: null, newMode, oldBlob: null, newBlob: null, binary: false,
    });
    const patches: GuardedPatch[] = [
      { index: 1, subject: 'add link', headers: [header('l', '120000')], paths: ['l'] },
      { index: 2, subject: 'drop link', headers: [header(null, null, 'l')], paths: ['l'] },
      { index: 3, subject: 'make l a dir', headers: [header('l/x', '100644')], paths: ['l/x'] },
    ];
    expect(() => checkSymlinkAncestors(patches, new Set())).not.toThrow();
    expect(() => checkSymlinkAncestors([patches[0], patches[2]], new Set())).toThrow(PatchPathOutsideTree);
  });
});

describe('names and base constraints', () => {
  it('makes review branch names git accepts', () => {
    expect(reviewBranchName('x86/entry: Fix SYSRET..', 3)).toBe('review/x86-entry-fix-sysret-v3');
    expect(reviewBranchName('...', 1)).toBe('review/series-v1');
  });

  it('takes each path\'s preimage from the first patch that touches it', () => {
    const p = (index: number, paths: string[], preimages: { path: string; blob: string }[]) => ({
      index, subject: '', messageId: null, mbox: Buffer.alloc(0), damaged: [], paths, preimages,
    });
    const wanted = basePreimages({
      slug: 's', version: 1, title: '', baseCommit: null,
      patches: [p(1, ['a', 'n'], [{ path: 'a', blob: 'aaaa111' }]), p(2, ['a', 'b', 'n'], [{ path: 'a', blob: 'bbbb222' }, { path: 'b', blob: 'cccc333' }, { path: 'n', blob: 'dddd444' }])],
    });
    expect([...wanted]).toEqual([
      ['a', 'aaaa111'],
      ['b', 'cccc333'],
    ]);
  });
});

// Patch bodies taken apart (in-body headers, message, notes, diff, signature, base-commit) and damage found.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { splitPatch, commitTrailers, damageReasons } from '../../../workspaces/series/patch.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const bodyOf = (file: string) => {
  const t = fs.readFileSync(path.join(fixtures, file), 'utf8');
  return t.slice(t.indexOf('\n\n') + 2);
};
const patch1 = bodyOf('format-patch/0001-x86-syscalls-Add-syscall-entry-qualifiers.patch');
const patch2 = bodyOf('format-patch/0002-x86-entry-64-Always-run-ptregs-using-syscalls-on-the.patch');
const check = (body: string, synthetic = false) => damageReasons({ split: splitPatch(body), synthetic, lineless: false, body });

describe('splitting a patch', () => {
  it('separates message, diffstat notes, diff and the format-patch signature', () => {
    const s = splitPatch(patch2);
    expect(s.commitMessage.startsWith('64-bit syscalls currently have an optimization')).toBe(true);
    expect(s.commitMessage.endsWith('Signed-off-by: Andy Lutomirski <luto@kernel.org>\n')).toBe(true);
    expect(s.notes).toBe(' arch/x86/entry/common.c   |  1 +\n arch/x86/entry/entry_64.S | 11 ++++++++++-\n 2 files changed, 11 insertions(+), 1 deletion(-)\n');
    expect(s.diffText.startsWith('diff --git a/arch/x86/entry/common.c')).toBe(true);
    expect(s.diffText.endsWith(' \tSAVE_EXTRA_REGS 8\n')).toBe(true);
    expect(s.signature).toBe('2.6.3\n');
    expect(s.reportedDiffstat).toMatchObject({ files: 2, insertions: 11, deletions: 1 });
    expect(check(patch2)).toEqual([]);
  });

  it('reads in-body From/Subject/Date that override the mail headers', () => {
    const s = splitPatch('From: Brian Gerst <brgerst@gmail.com>\nSubject: [PATCH] x86/entry: Real subject\nDate: Tue, 8 Dec 2015 08:43:10 -0500\n\nThe message.\n---\n' + patch2.slice(patch2.indexOf('diff --git')));
    expect(s.inBodyHeaders).toEqual([
      { name: 'From', value: 'Brian Gerst <brgerst@gmail.com>' },
      { name: 'Subject', value: '[PATCH] x86/entry: Real subject' },
      { name: 'Date', value: 'Tue, 8 Dec 2015 08:43:10 -0500' },
    ]);
    expect(s.commitMessage).toBe('The message.\n');
    // prose that starts like a header is not a header block
    expect(splitPatch('From: here on it gets better\nreally\n').inBodyHeaders).toEqual([]);
  });

  it('reads base-commit, prerequisite-patch-id and change-id', () => {
    const s = splitPatch('cover text\n\nbase-commit: 74697f89d07a9d2ebbbb16fc28827f8d27b1be65\nprerequisite-patch-id: 3c1a6a9b7e7d2b5f1e0d4c3b2a19087f6e5d4c3b\nchange-id: 20151207-ptregs-5f1e0d\n-- \n2.6.3\n');
    expect(s.baseCommit).toBe('74697f89d07a9d2ebbbb16fc28827f8d27b1be65');
    expect(s.prerequisitePatchIds).toEqual(['3c1a6a9b7e7d2b5f1e0d4c3b2a19087f6e5d4c3b']);
    expect(s.changeId).toBe('20151207-ptregs-5f1e0d');
  });

  it('reads a diff that starts without a "---" line', () => {
    const s = splitPatch('Just the fix.\n\nSigned-off-by: A <a@b>\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n');
    expect(s.commitMessage).toBe('Just the fix.\n\nSigned-off-by: A <a@b>\n');
    expect(s.diff.files).toHaveLength(1);
  });

  it('finds commit trailers in the last paragraph only', () => {
    expect(commitTrailers('Subject line\n\nReviewed-by: here is prose\nthat goes on.\n\nReported-by: A <a@b>\nSigned-off-by: B <b@c>\n[bp: fix typo]\nCc: stable@vger.kernel.org # 4.4\n')).toEqual([
      { name: 'Reported-by', value: 'A <a@b>' },
      { name: 'Signed-off-by', value: 'B <b@c>' },
      { name: 'Cc', value: 'stable@vger.kernel.org # 4.4' },
    ]);
    expect(commitTrailers('Only: one paragraph\n')).toEqual([]);
  });
});

describe('damage', () => {
  const diff = patch2.slice(patch2.indexOf('diff --git'));
  it('sees "#include" lines whose <...> an archive dropped', () => {
    expect(check(patch1)).toEqual([]);
    const broken = patch1.replace(' #include <asm/syscalls_64.h>', ' #include ');
    expect(check(broken)).toContain('1 "#include" line(s) have no file name: the "<...>" was dropped');
  });
  it('sees tabs turned into spaces in code', () => {
    const spaced = patch2.replace(/^([ +-])\t+/gm, (_m, p: string) => `${p}        `);
    expect(check(spaced)).toContain('none of 20 indented code lines starts with a tab: tabs were turned into spaces');
  });
  it('sees wrapped lines and eaten leading spaces as broken hunks', () => {
    const eaten = patch2.replace('\n \tmovq\t%rax, RAX(%rsp)\n', '\n\tmovq\t%rax, RAX(%rsp)\n');
    expect(check(eaten).some((r) => /entry_64\.S: hunk @@ -15,12 \+15,21 @@ is short by .* line "\tmovq\t%rax, RAX\(%rsp\)" is not a diff line/.test(r))).toBe(true);
  });
  it('sees a diff that no longer matches its diffstat', () => {
    const lost = patch2.replace('+\t/* ptregs syscalls always arrive here, on the slow path */\n', '');
    expect(check(lost)).toContain('the diffstat says 2 file(s), +11 -1 but the diff has 2 file(s), +10 -1');
  });
  it('sees non-breaking spaces, a missing diff, and archive text', () => {
    expect(check(patch2.replace(' \tmovq\t%r10, %rcx', '\u00a0\tmovq\t%r10, %rcx'))[0]).toMatch(/non-breaking spaces|short by/);
    expect(check('Just words, no diff.\n')).toEqual(['no diff was found in the message']);
    expect(check(diff, true)[0]).toBe('the text comes from an archive page, not from the mail: whitespace, "<...>" and "&" may have been changed');
  });
});

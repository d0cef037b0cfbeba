// Diffs: git (renames, modes, binary, index hashes, quoted paths) and plain unified; line numbers; problems.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { parseDiff, diffstatOf, parseReportedDiffstat, patchIdOf, formatDiff } from '../../../workspaces/series/diff.js';
import { splitPatch } from '../../../workspaces/series/patch.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const patch3 = fs.readFileSync(path.join(fixtures, 'format-patch/0003-x86-entry-64-Move-the-fork-stubs-next-to-the-64-bit-.patch'), 'utf8');
const patch2 = fs.readFileSync(path.join(fixtures, 'format-patch/0002-x86-entry-64-Always-run-ptregs-using-syscalls-on-the.patch'), 'utf8');

describe('git diffs', () => {
  it('reads renames, mode changes and binary files with their index lines', () => {
    const d = splitPatch(patch3.slice(patch3.indexOf('\n\n') + 2)).diff;
    expect(d.problems).toEqual([]);
    expect(d.files.map((f) => ({ old: f.oldPath, new: f.newPath, status: f.status, modes: [f.oldMode, f.newMode], sim: f.similarity, bin: f.binary }))).toEqual([
      { old: 'arch/x86/entry/stubs.S', new: 'arch/x86/entry/stubs_64.S', status: 'renamed', modes: ['100644', '100644'], sim: 66, bin: false },
      { old: 'tools/testing/selftests/x86/run_entry_tests.sh', new: 'tools/testing/selftests/x86/run_entry_tests.sh', status: 'modified', modes: ['100644', '100755'], sim: null, bin: false },
      { old: null, new: 'tools/testing/selftests/x86/syscall_table.bin', status: 'added', modes: [null, '100644'], sim: null, bin: true },
    ]);
    expect(d.files[0].index).toEqual({ old: '0776b0b', new: 'aab0bb6', mode: '100644' });
    expect(d.files[2].index).toEqual({ old: '0000000000000000000000000000000000000000', new: '501110e07843ef18575d47f55de7aedf84dfce3d', mode: null });
  });

  it('numbers hunk lines on both sides', () => {
    const d = splitPatch(patch2.slice(patch2.indexOf('\n\n') + 2)).diff;
    const entry = d.files.find((f) => f.newPath === 'arch/x86/entry/entry_64.S')!;
    expect(entry.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([[15, 12, 15, 21]]);
    const call = entry.hunks[0].lines.find((l) => l.kind === 'add' && l.text.includes('sys_call_table_fastpath_64'))!;
    expect(call).toEqual({ kind: 'add', text: '\tcall\t*sys_call_table_fastpath_64(, %rax, 8)', oldLine: null, newLine: 18 });
    const removed = entry.hunks[0].lines.find((l) => l.kind === 'remove')!;
    expect(removed.oldLine).toBe(18);
    expect(diffstatOf(d)).toMatchObject({ files: 2, insertions: 11, deletions: 1 });
  });

  it('unquotes C-quoted paths and keeps paths with spaces', () => {
    const d = parseDiff(
      'diff --git "a/Documentation/x86/t\\303\\251st.txt" "b/Documentation/x86/t\\303\\251st.txt"\nindex 1111111..2222222 100644\n--- "a/Documentation/x86/t\\303\\251st.txt"\n+++ "b/Documentation/x86/t\\303\\251st.txt"\n@@ -1 +1 @@\n-a\n+b\n' +
        'diff --git a/dir with space/f b/dir with space/f\nnew file mode 100644\nindex 0000000..3333333\n--- /dev/null\n+++ b/dir with space/f\n@@ -0,0 +1 @@\n+x\n',
    );
    expect(d.files.map((f) => [f.oldPath, f.newPath, f.status])).toEqual([
      ['Documentation/x86/tést.txt', 'Documentation/x86/tést.txt', 'modified'],
      [null, 'dir with space/f', 'added'],
    ]);
  });

  it('reads "\\ No newline at end of file" and hunks without counts', () => {
    const d = parseDiff('--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old\n\\ No newline at end of file\n+new\n\\ No newline at end of file\n');
    expect(d.problems).toEqual([]);
    expect(d.files[0].hunks[0].lines.map((l) => l.kind)).toEqual(['remove', 'no-newline', 'add', 'no-newline']);
  });
});

describe('plain unified diffs', () => {
  it('reads diff -u output with timestamps', () => {
    const d = parseDiff(
      'diff -u linux.orig/arch/x86/entry/common.c linux/arch/x86/entry/common.c\n--- linux.orig/arch/x86/entry/common.c\t2015-12-07 16:51:02.000000000 -0800\n+++ linux/arch/x86/entry/common.c\t2015-12-08 09:00:00.000000000 -0800\n@@ -10,2 +10,3 @@ do_syscall_64\n \tstruct thread_info *ti = current_thread_info();\n+\t/* slow path */\n \tunsigned long nr = regs->orig_ax;\n',
    );
    expect(d.problems).toEqual([]);
    expect(d.files).toHaveLength(1);
    expect(d.files[0]).toMatchObject({ git: false, oldPath: 'linux.orig/arch/x86/entry/common.c', newPath: 'linux/arch/x86/entry/common.c', additions: 1, deletions: 0 });
    expect(d.files[0].hunks[0].section).toBe('do_syscall_64');
  });
});

describe('damage', () => {
  it('reports a hunk cut short and where, and reads the next file anyway', () => {
    const d = parseDiff('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\nwrapped text\n+c\n c\n--- a/g\n+++ b/g\n@@ -1 +1 @@\n-x\n+y\n');
    expect(d.problems).toEqual(['f: hunk @@ -1,3 +1,3 @@ is short by 1 old and 2 new line(s): line "wrapped text" is not a diff line']);
    expect(d.files.map((f) => f.newPath)).toEqual(['f', 'g']);
    expect(d.files[1].hunks[0].lines).toHaveLength(2);
  });
  it('takes an empty line in a hunk as an empty context line, as git apply does', () => {
    const d = parseDiff('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n');
    expect(d.problems).toEqual([]);
    expect(d.files[0].hunks[0].lines[1]).toEqual({ kind: 'context', text: '', oldLine: 2, newLine: 2 });
  });
});

describe('diffstat, patch id and printing', () => {
  it('reads the diffstat format-patch wrote', () => {
    expect(parseReportedDiffstat(' arch/x86/entry/entry_64.S | 17 +++++-\n a.bin | Bin 0 -> 12 bytes\n 2 files changed, 16 insertions(+), 1 deletion(-)\n')).toEqual({
      files: 2, insertions: 16, deletions: 1,
      perFile: [{ path: 'arch/x86/entry/entry_64.S', changes: 17, binary: false }, { path: 'a.bin', changes: null, binary: true }],
    });
    expect(parseReportedDiffstat(' 1 file changed, 3 insertions(+)\n')).toMatchObject({ files: 1, insertions: 3, deletions: 0 });
    expect(parseReportedDiffstat('no stat here')).toBeNull();
  });
  it('gives one patch id to the same change whatever its line numbers and whitespace', () => {
    const a = parseDiff('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-\tfoo(a, b);\n+\tfoo(a,  c);\n');
    const b = parseDiff('--- a/f\n+++ b/f\n@@ -40,2 +41,2 @@ ctx\n y\n-  foo(a, b);\n+foo(a, c);\n');
    const c = parseDiff('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-\tfoo(a, b);\n+\tfoo(a, d);\n');
    expect(patchIdOf(a)).toBe(patchIdOf(b));
    expect(patchIdOf(a)).not.toBe(patchIdOf(c));
    expect(patchIdOf(parseDiff('text'))).toBeNull();
  });
  it('prints a parsed git diff back to the same text', () => {
    const body = patch2.slice(patch2.indexOf('\n\n') + 2);
    const s = splitPatch(body);
    expect(formatDiff(s.diff)).toBe(s.diffText);
  });
});

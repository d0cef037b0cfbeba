import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findDiffLine, findFiles, parsePatchBody, type PatchBody } from '../../../workspaces/review/patch-body.js';

let tmp: string;
let repo: string;
let body: PatchBody;

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.org', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.org' },
  });
}

/** The body of a format-patch message: after the header block. */
function bodyOf(patch: string): string {
  return patch.slice(patch.indexOf('\n\n') + 2);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-patch-body-'));
  repo = path.join(tmp, 'repo');
  fs.mkdirSync(path.join(repo, 'arch/x86/entry'), { recursive: true });
  const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i + 1}`).join('\n') + '\n';
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/old_name.c'), lines(40, 'moved'));
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/gone.c'), lines(3, 'gone'));
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/tail.S'), 'a\nb\nc');
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  // a rename with an edit, a binary file, a file without a final newline, a deleted file and a non-ASCII name
  git('mv', 'arch/x86/entry/old_name.c', 'arch/x86/entry/new_name.c');
  const moved = fs.readFileSync(path.join(repo, 'arch/x86/entry/new_name.c'), 'utf8').replace('moved line 20\n', 'moved line 20 (changed)\nan added line\n');
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/new_name.c'), moved);
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/blob.bin'), Buffer.from([0, 1, 2, 3, 255, 0, 9, 10, 0, 42]));
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/tail.S'), 'a\nB\nc');
  fs.rmSync(path.join(repo, 'arch/x86/entry/gone.c'));
  fs.writeFileSync(path.join(repo, 'arch/x86/entry/café.c'), 'int x;\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'x86/entry: shuffle things\n\nThe second paragraph.\n\nSigned-off-by: A <a@example.org>');
  const out = path.join(tmp, 'out');
  git('format-patch', '-q', '-M', '--binary', '-o', out, 'HEAD~1');
  body = parsePatchBody(bodyOf(fs.readFileSync(path.join(out, fs.readdirSync(out)[0]), 'utf8')));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('patch body', () => {
  it('finds the commit message, every file of the diff and what happened to it', () => {
    expect(body.messageLines.map((i) => body.lines[i])).toEqual(['The second paragraph.', '', 'Signed-off-by: A <a@example.org>']);
    const files = body.files.map((f) => [f.oldPath, f.newPath, f.hunks.length]);
    expect(files).toEqual(
      expect.arrayContaining([
        ['arch/x86/entry/old_name.c', 'arch/x86/entry/new_name.c', 1],
        [null, 'arch/x86/entry/blob.bin', 0],
        [null, 'arch/x86/entry/café.c', 1],
        ['arch/x86/entry/gone.c', null, 1],
        ['arch/x86/entry/tail.S', 'arch/x86/entry/tail.S', 1],
      ]),
    );
    expect(body.files).toHaveLength(5);
    expect(body.files.find((f) => f.oldPath === 'arch/x86/entry/gone.c')?.path).toBe('arch/x86/entry/gone.c');
  });

  it('gives every body line a role: message, separator, file header, hunk, and the signature after the diff', () => {
    const kinds = new Set(body.roles.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['after-diff', 'file-header', 'hunk-header', 'hunk-line', 'message', 'separator']);
    const sig = body.lines.indexOf('-- ');
    expect(body.roles[sig]).toEqual({ kind: 'after-diff' });
    // the binary patch's base85 lines belong to its file, so the next file is still found
    const bin = body.files.findIndex((f) => f.path.endsWith('blob.bin'));
    expect(body.files[bin].headerLines.some((i) => body.lines[i].startsWith('literal '))).toBe(true);
    expect(body.diffText.startsWith('diff --git ')).toBe(true);
    expect(body.diffText).not.toContain('\n-- \n');
  });

  it('numbers hunk lines as the files have them, across "No newline at end of file"', () => {
    const renamed = findFiles(body, 'new_name.c')[0];
    const after = fs.readFileSync(path.join(repo, 'arch/x86/entry/new_name.c'), 'utf8').split('\n');
    for (const l of renamed.hunks[0].lines) if (l.newLine !== null) expect(after[l.newLine - 1]).toBe(l.raw.slice(1));
    expect(findDiffLine(renamed, 'new', 21)).not.toBeNull();
    const tail = findFiles(body, 'tail.S')[0];
    const kinds = tail.hunks[0].lines.map((l) => `${l.kind}${l.oldLine ?? ''}/${l.newLine ?? ''}`);
    expect(kinds).toEqual([' 1/1', '-2/', '+/2', ' 3/3', '\\/']);
    expect(findFiles(body, 'café.c')[0].hunks[0].lines[0]).toMatchObject({ kind: '+', newLine: 1, raw: '+int x;' });
  });

  it('keeps reading a hunk whose empty context lines lost their space (mail damage)', () => {
    const text = ['msg', '---', 'diff --git a/x.c b/x.c', '--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', ' a', '', '-b', '+B', '-- ', '2.39.5'].join('\n');
    const b = parsePatchBody(text);
    expect(b.files[0].hunks[0].lines.map((l) => [l.kind, l.oldLine, l.newLine])).toEqual([
      [' ', 1, 1],
      [' ', 2, 2],
      ['-', 3, null],
      ['+', null, 3],
    ]);
    expect(b.roles[10]).toEqual({ kind: 'after-diff' });
  });
});

describe('git paths', () => {
  it('are unquoted from the diff --git line when there are no ---/+++ lines (mode change)', () => {
    const b = parsePatchBody(['diff --git "a/arch/caf\\303\\251.S" "b/arch/caf\\303\\251.S"', 'old mode 100644', 'new mode 100755'].join('\n'));
    expect(b.files.map((f) => [f.oldPath, f.newPath])).toEqual([['arch/café.S', 'arch/café.S']]);
  });
});

// renderPatchForGitAm against real git am: a repo made here, its commits sent through every mail encoding,
// read back, rendered, applied with `git am -3 --patch-format=mboxrd`; the trees must be the originals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMail, renderPatchForGitAm, renderSeriesForGitAm, PatchDamaged, type MailLoad } from '../../../workspaces/series/index.js';
import { escapeMboxrd } from '../../../workspaces/mail/mbox.js';

let dir: string;
let repo: string;
let base: string;
let commits: string[];
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Andy Lutomirski', GIT_AUTHOR_EMAIL: 'luto@kernel.org',
  GIT_COMMITTER_NAME: 'Test Runner', GIT_COMMITTER_EMAIL: 'runner@example.com',
  GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0',
};
const git = (cwd: string, args: string[], input?: Buffer | string) =>
  execFileSync('git', args, { cwd, env: { ...env, HOME: dir }, input, maxBuffer: 64 << 20 }).toString('utf8');

function write(rel: string, data: string | Buffer, mode?: number) {
  const p = path.join(repo, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  if (mode) fs.chmodSync(p, mode);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-render-'));
  repo = path.join(dir, 'src');
  fs.mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'master']);
  write('arch/x86/entry/entry_64.S', 'ENTRY(entry_SYSCALL_64)\n\tSWAPGS_UNSAFE_STACK\n\tcall\t*sys_call_table(, %rax, 8)\n\tUSERGS_SYSRET64\nEND(entry_SYSCALL_64)\n');
  write('arch/x86/entry/stubs.S', '\tFORK_LIKE clone\n\tFORK_LIKE fork\n');
  write('tools/testing/selftests/x86/run.sh', '#!/bin/sh\n./sigreturn_64\n');
  write('tools/testing/selftests/x86/tests.lst', 'sigreturn_64\r\nsyscall_nt_64\r\n');
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'base']);
  base = git(repo, ['rev-parse', 'HEAD']).trim();
  const commit = (msg: string, date: string) => {
    git(repo, ['add', '-A']);
    execFileSync('git', ['commit', '-q', '-F', '-'], { cwd: repo, env: { ...env, HOME: dir, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }, input: msg });
  };
  // 1: a plain change with a trailing-space context line and a non-ASCII author line in the message
  write('arch/x86/entry/entry_64.S', 'ENTRY(entry_SYSCALL_64)\n\tSWAPGS_UNSAFE_STACK \n\tcall\t*sys_call_table_fastpath_64(, %rax, 8)\n\tUSERGS_SYSRET64\nEND(entry_SYSCALL_64)\n');
  commit('x86/entry/64: Use the fast path table\n\nFrom the start the fast path used its own table.\n>From here on, "From " lines must survive mboxrd.\n\nReported-by: Frédéric Weisbecker <fweisbec@gmail.com>\nSigned-off-by: Andy Lutomirski <luto@kernel.org>\n', '2015-12-07T21:51:01Z');
  // 2: rename, mode change and a binary file
  fs.renameSync(path.join(repo, 'arch/x86/entry/stubs.S'), path.join(repo, 'arch/x86/entry/stubs_64.S'));
  fs.chmodSync(path.join(repo, 'tools/testing/selftests/x86/run.sh'), 0o755);
  write('tools/testing/selftests/x86/table.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe, 0x0d, 0x0a, 0]));
  commit('x86/entry/64: Move the stubs\n\nSigned-off-by: Andy Lutomirski <luto@kernel.org>\n', '2015-12-07T21:51:02Z');
  // 3: a file with CRLF line ends
  write('tools/testing/selftests/x86/tests.lst', 'sigreturn_64\r\nsyscall_nt_64\r\nentry_from_vm86_32\r\n');
  commit('selftests/x86: List the vm86 test\n\nSigned-off-by: Andy Lutomirski <luto@kernel.org>\n', '2015-12-07T21:51:03Z');
  commits = git(repo, ['rev-list', '--reverse', `${base}..HEAD`]).trim().split('\n');
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A clone at the base, with `git am` run on the bytes; returns the trees and messages it made. */
function applyAll(mboxes: { bytes: Buffer; keepCr: boolean }[]): { trees: string[]; messages: string[]; authors: string[] } {
  const work = fs.mkdtempSync(path.join(dir, 'am-'));
  git(dir, ['clone', '-q', repo, work]);
  git(work, ['checkout', '-q', base]);
  for (const m of mboxes) {
    const file = path.join(work, '..', `${path.basename(work)}.mbox`);
    fs.writeFileSync(file, m.bytes);
    git(work, ['am', '-3', '--patch-format=mboxrd', ...(m.keepCr ? ['--keep-cr'] : []), file]);
  }
  const list = git(work, ['rev-list', '--reverse', `${base}..HEAD`]).trim().split('\n');
  return {
    trees: list.map((c) => git(work, ['rev-parse', `${c}^{tree}`]).trim()),
    messages: list.map((c) => git(work, ['log', '-1', '--format=%B', c])),
    authors: list.map((c) => git(work, ['log', '-1', '--format=%an <%ae> %aI', c])),
  };
}

const originals = () => ({
  trees: commits.map((c) => git(repo, ['rev-parse', `${c}^{tree}`]).trim()),
  messages: commits.map((c) => git(repo, ['log', '-1', '--format=%B', c])),
  authors: commits.map((c) => git(repo, ['log', '-1', '--format=%an <%ae> %aI', c])),
});

function formatPatchFiles(): { name: string; bytes: Buffer }[] {
  const out = fs.mkdtempSync(path.join(dir, 'fp-'));
  git(repo, ['format-patch', '-q', '-o', out, `${base}..HEAD`]);
  return fs.readdirSync(out).sort().map((name) => ({ name, bytes: fs.readFileSync(path.join(out, name)) }));
}

function renderAll(load: MailLoad) {
  const s = load.series.find((x) => x.latest)!;
  expect(s.parts.map((p) => p.damaged)).toEqual(s.parts.map(() => []));
  return s.parts.map((p) => renderPatchForGitAm(load.messages[p.message], p));
}

/** Re-wrap format-patch output as a mail with another transfer encoding. */
function asMail(fp: Buffer, encode: 'qp' | 'base64' | 'attachment', k: number): Buffer {
  const text = fp.toString('utf8');
  const at = text.indexOf('\n\n');
  const headers = text.slice(text.indexOf('\n') + 1, at).split('\n').filter((l) => !/^(MIME-Version|Content-)/i.test(l));
  const body = Buffer.from(text.slice(at + 2), 'utf8');
  const id = `Message-ID: <render-${encode}-${k}@kernel.org>`;
  if (encode === 'base64') {
    return Buffer.from([...headers, id, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', body.toString('base64').replace(/.{76}/g, '$&\n'), ''].join('\n'));
  }
  if (encode === 'qp') {
    const qp = [...body]
      .map((b) => (b === 0x0a ? '\n' : b === 0x3d || b > 0x7e || b === 0x0d || (b < 0x20 && b !== 0x09) ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b)))
      .join('')
      .split('\n')
      .map((l) => l.replace(/ $/, '=20').replace(/\t$/, '=09'))
      .map((l) => {
        const chunks: string[] = [];
        let rest = l;
        while (rest.length > 76) {
          let cut = 75;
          while (rest[cut - 1] === '=' || rest[cut - 2] === '=') cut--;
          chunks.push(rest.slice(0, cut) + '=');
          rest = rest.slice(cut);
        }
        chunks.push(rest);
        return chunks.join('\n');
      })
      .join('\n');
    return Buffer.from([...headers, id, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', qp].join('\n'));
  }
  const b = body.toString('utf8');
  const split = b.indexOf('\ndiff --git ');
  return Buffer.from(
    [
      ...headers, id, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="=-=-="', '', '--=-=-=', 'Content-Type: text/plain; charset=utf-8', '',
      b.slice(0, split + 1), '--=-=-=', 'Content-Type: text/x-patch; charset=utf-8', 'Content-Disposition: attachment; filename="fix.patch"', 'Content-Transfer-Encoding: base64', '',
      Buffer.from(b.slice(split + 1), 'utf8').toString('base64').replace(/.{76}/g, '$&\n'), '--=-=-=--', '',
    ].join('\n'),
  );
}

describe('rendered patches apply with git am to the original trees', () => {
  it('from a git format-patch folder', async () => {
    const fps = formatPatchFiles();
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder);
    for (const f of fps) fs.writeFileSync(path.join(folder, f.name), f.bytes);
    const load = await loadMail([folder]);
    const rendered = renderAll(load);
    expect(rendered.map((r) => r.keepCr)).toEqual([false, false, true]);
    expect(applyAll(rendered)).toEqual(originals());
    // the rendered mbox carries the original headers git am needs
    const first = rendered[0].bytes.toString('utf8');
    expect(first.startsWith('From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Andy Lutomirski <luto@kernel.org>\nDate: ')).toBe(true);
    expect(first).toContain('\nSubject: [PATCH 1/3] x86/entry/64: Use the fast path table\n');
    expect(first).toContain('\n>From the start the fast path used its own table.\n>>From here on,');
  });

  it.each(['qp', 'base64', 'attachment'] as const)('from mail sent as %s, also in a CRLF mailbox', async (encode) => {
    const fps = formatPatchFiles();
    const mails = fps.map((f, k) => asMail(f.bytes, encode, k));
    // an mboxrd writer escapes every /^>*From / line of the mail
    const mbox = Buffer.concat(mails.map((m) => Buffer.concat([Buffer.from('From mboxrd@z Thu Jan  1 00:00:00 1970\n'), Buffer.from(escapeMboxrd(m)), Buffer.from('\n')])));
    const load = await loadMail([{ bytes: mbox, name: `${encode}.mbox` }]);
    expect(load.diagnostics).toEqual([]);
    expect(applyAll(renderAll(load))).toEqual(originals());
    if (encode !== 'attachment') {
      // the whole mailbox with CRLF line ends on the wire: CRs of the transport go, CRs of the file stay
      const crlf = Buffer.from(mbox.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      const again = await loadMail([{ bytes: crlf, name: `${encode}-crlf.mbox` }]);
      expect(applyAll(renderAll(again)).trees).toEqual(originals().trees);
    }
  });

  it('renders a whole series in one mbox, and adds collected trailers when asked', async () => {
    const fps = formatPatchFiles();
    const replies = 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: Brian Gerst <brgerst@gmail.com>\nSubject: Re: [PATCH 1/3] x86/entry/64: Use the fast path table\nMessage-ID: <rev@x>\nIn-Reply-To: <p1@x>\n\nReviewed-by: Brian Gerst <brgerst@gmail.com>\nTested-by: Someone Else <else@x>\n\n';
    const withIds = fps.map((f, k) => f.bytes.toString('utf8').replace('\nSubject: ', `\nMessage-ID: <p${k + 1}@x>\nSubject: `));
    const load = await loadMail([{ bytes: Buffer.from(withIds.join('\n') + '\n' + replies), name: 'thread.mbox' }]);
    const s = load.series[0];
    const all = renderSeriesForGitAm(load.messages, s, { addTrailers: true });
    expect(all.addedTrailers.map((t) => `${t.name}: ${t.value}`)).toEqual(['Reviewed-by: Brian Gerst <brgerst@gmail.com>']);
    const applied = applyAll([all]);
    expect(applied.trees).toEqual(originals().trees);
    expect(applied.messages[0]).toContain('Signed-off-by: Andy Lutomirski <luto@kernel.org>\nReviewed-by: Brian Gerst <brgerst@gmail.com>\n');
    expect(applied.messages[1]).toBe(originals().messages[1]);
  });

  it('refuses damaged patches and archive text unless asked', async () => {
    const fps = formatPatchFiles();
    const broken = fps[0].bytes.toString('utf8').replace('\n \tUSERGS_SYSRET64\n', '\n\tUSERGS_SYSRET64\n');
    const load = await loadMail([{ bytes: Buffer.from(broken), name: 'broken.patch' }]);
    const p = load.series[0].parts[0];
    expect(p.damaged.length).toBeGreaterThan(0);
    expect(() => renderPatchForGitAm(load.messages[p.message], p)).toThrow(PatchDamaged);
    expect(renderPatchForGitAm(load.messages[p.message], p, { allowDamaged: true }).bytes.length).toBeGreaterThan(0);
    const page = await loadMail(['/work/shared/fixtures/archive-pages/mail-archive-ptregs-slow-path-07-12.txt']);
    const q = page.series[0].parts[0];
    expect(() => renderPatchForGitAm(page.messages[q.message], q, { allowDamaged: true })).toThrow(/comes from archive page text/);
  });
});

// The bundled demo series as the workbench reads it: one thread, a cover letter and ten patches with
// sign-offs, a Reviewed-by the trailer collector picks up, a failure report on the bad patch, and
// replies whose quotes are lines of the messages they answer.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMail } from '../../../workspaces/series/load.js';
import type { MailLoad } from '../../../workspaces/series/types.js';
import { DEMO_PATCHES_DIR, DEMO_SERIES_MBOX } from '../../../workspaces/demo/paths.js';
import { foldHeader, mailDate, parsePatchFile } from '../../../workspaces/demo/series.js';
import { BREAKS_AT, FIXED_AT, JONAS, MIRA, PATCHES, REPLIES, TOMASZ } from '../../../workspaces/demo/series-spec.js';
import { BadRequest } from '../../../workspaces/errors.js';

async function load(): Promise<MailLoad> {
  return loadMail([{ path: DEMO_SERIES_MBOX }]);
}

describe('the demo series mbox', () => {
  it('is one thread holding one complete v1 series with a cover letter and ten patches', async () => {
    const mail = await load();
    expect(mail.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(mail.messages).toHaveLength(1 + PATCHES.length + REPLIES.length);
    expect(mail.threads).toHaveLength(1);
    expect(mail.series).toHaveLength(1);
    const s = mail.series[0];
    expect(s).toMatchObject({ version: 1, total: PATCHES.length, missing: [], rfc: false });
    expect(s.cover?.subject.raw).toBe('[PATCH 00/10] x86/entry/64: Decide SYSRET vs IRET in C, and small entry cleanups');
    expect(s.baseCommit).toMatch(/^[0-9a-f]{40}$/);

    for (const [i, part] of s.parts.entries()) {
      const file = parsePatchFile(fs.readFileSync(path.join(DEMO_PATCHES_DIR, PATCHES[i].file), 'utf8'));
      expect(part.index).toBe(i + 1);
      expect(part.subject.cleaned).toBe(file.subject);
      expect(part.subject.raw).toMatch(new RegExp(`^\\[PATCH ${String(i + 1).padStart(2, '0')}/10\\] `));
      expect(part.author.email).toBe(JONAS.email);
      expect(part.commitTrailers).toContainEqual({ name: 'Signed-off-by', value: `${JONAS.name} <${JONAS.email}>` });
      expect(part.damaged).toEqual([]);
      expect(part.diffstat.files).toBeGreaterThan(0);
    }
  });

  it('carries Reviewed-by from the replies to patches 01 and 06, and two replies on the bad patch', async () => {
    const s = (await load()).series[0];
    for (const n of [1, FIXED_AT]) {
      expect(s.parts[n - 1].trailers).toContainEqual(
        expect.objectContaining({ name: 'Reviewed-by', value: `${TOMASZ.name} <${TOMASZ.email}>`, senderMatches: true, inCommit: false }),
      );
    }
    const bad = s.parts[BREAKS_AT - 1];
    expect(bad.trailers).toEqual([]);
    expect(bad.replies.map((r) => [r.from?.email, r.depth])).toEqual([
      [MIRA.email, 1],
      [JONAS.email, 2],
    ]);
  });

  it('has a failure report on the bad patch quoting the failing TAP line, and the author answering it', async () => {
    const mail = await load();
    const bad = mail.series[0].parts[BREAKS_AT - 1];
    const report = mail.messages[bad.replies[0].message];
    expect(report.subject).toBe(`Re: ${bad.subject.raw}`);
    expect(report.body).toContain('  not ok 3 - rbx preserved across syscall\n');
    expect(report.body).toContain('  # Totals: pass:21 fail:2 xfail:0 xpass:0 skip:0 error:0\n');
    const answer = mail.messages[bad.replies[1].message];
    expect(answer.inReplyTo).toBe(report.messageId);
    expect(answer.body).toMatch(/6\/10 drops skip_r11rcx/);
  });

  it('threads every patch under the cover letter, with unique ids and dates in sending order', async () => {
    const mail = await load();
    const [cover, ...patches] = mail.messages.slice(0, 1 + PATCHES.length);
    for (const p of patches) {
      expect(p.inReplyTo).toBe(cover.messageId);
      expect(p.references).toEqual([cover.messageId]);
    }
    const ids = mail.messages.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    const times = mail.messages.map((m) => m.date!.getTime());
    expect(times.every((t, i) => i === 0 || times[i - 1] < t)).toBe(true);
  });

  it('quotes in every reply only lines of the message it answers', async () => {
    const mail = await load();
    const byId = new Map(mail.messages.map((m) => [m.messageId, m]));
    for (const reply of mail.messages.slice(1 + PATCHES.length)) {
      const parent = byId.get(reply.inReplyTo)!;
      const parentLines = new Set(parent.body.split('\n'));
      const quoted = reply.body.split('\n').filter((l) => l.startsWith('>'));
      expect(quoted.length, reply.subject).toBeGreaterThan(0);
      for (const q of quoted) expect(parentLines.has(q.replace(/^> ?/, '')), `${reply.from?.name}: ${q}`).toBe(true);
    }
  });
});

describe('the series generator helpers', () => {
  it("writes mail dates in the sender's own zone, seconds added", () => {
    expect(mailDate('2024-11-19T09:30:12+01:00', 3)).toBe('Tue, 19 Nov 2024 09:30:15 +0100');
    expect(mailDate('2024-11-20T23:59:59-05:00', 1)).toBe('Thu, 21 Nov 2024 00:00:00 -0500');
  });

  it('folds long headers at spaces and leaves short ones alone', () => {
    const folded = foldHeader('Subject', 'Re: [PATCH 03/10] x86/entry/64: Don\'t reload RCX and R11 on the SYSRET path');
    expect(folded.split('\n').every((l) => l.length <= 78)).toBe(true);
    expect(folded.replace(/\n /g, ' ')).toBe("Subject: Re: [PATCH 03/10] x86/entry/64: Don't reload RCX and R11 on the SYSRET path");
    expect(foldHeader('To', 'a@example.org')).toBe('To: a@example.org');
  });

  it('splits a patch file into message and diff, and refuses a file without a diff', () => {
    const p = parsePatchFile('x86: Subject\n\nBody.\n\nSigned-off-by: A <a@b>\n\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n');
    expect(p).toEqual({ subject: 'x86: Subject', message: 'x86: Subject\n\nBody.\n\nSigned-off-by: A <a@b>\n', diff: 'diff --git a/f b/f\n--- a/f\n+++ b/f\n' });
    expect(() => parsePatchFile('x86: Subject\n\nNo diff here.\n')).toThrow(BadRequest);
  });
});

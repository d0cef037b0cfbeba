// The two real archive pages (read-only shared fixtures): what a reviewer must get out of them.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadMail, walkNodes, type MailLoad, type ThreadNode } from '../../../workspaces/series/index.js';

const pages = '/work/shared/fixtures/archive-pages';
const mailArchive = path.join(pages, 'mail-archive-ptregs-slow-path-07-12.txt');
const lkmlIu = path.join(pages, 'lkml-iu-complete-pt-regs-4-5.txt');

/** "Author: first words of their own text" for each node, indented by depth. */
function outline(load: MailLoad, root: ThreadNode): string[] {
  const out: string[] = [];
  walkNodes(root, (n, depth) => {
    if (n.message === null) {
      out.push(`${'  '.repeat(depth)}(missing) ${n.subject}`);
      return;
    }
    const m = load.messages[n.message];
    const own = m.body.split('\n').find((l) => l.trim() && !l.startsWith('>') && !/wrote:\s*$/.test(l) && !/^ \S/.test(l));
    out.push(`${'  '.repeat(depth)}${m.from?.name}: ${own?.trim().split(/\s+/).slice(0, 4).join(' ')}`);
  });
  return out;
}

describe('mail-archive.com page of [PATCH 07/12]', () => {
  it('finds one series with patch 07/12, damaged, and the other parts missing', async () => {
    const load = await loadMail([mailArchive]);
    expect(load.series).toHaveLength(1);
    const s = load.series[0];
    expect(s.title).toBe('x86/entry/64: Always run ptregs-using syscalls on the slow path');
    expect(s.total).toBe(12);
    expect(s.version).toBe(1);
    expect(s.cover).toBeNull();
    expect(s.missing).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    expect(s.parts.map((p) => p.index)).toEqual([7]);
    const p = s.parts[0];
    expect(p.subject.raw).toBe('[PATCH 07/12] x86/entry/64: Always run ptregs-using syscalls on the slow path');
    expect(p.author.name).toBe('Andy Lutomirski');
    expect(p.damaged.length).toBeGreaterThan(0);
    expect(p.damaged.join('\n')).toMatch(/archive page/);
    expect(p.damaged.join('\n')).toMatch(/is not a diff line/);
    expect(p.commitMessage).toMatch(/^64-bit syscalls currently have an optimization/);
    expect(p.commitTrailers).toEqual([{ name: 'Signed-off-by', value: 'Andy Lutomirski' }]);
  });

  it('drops the repeated copies and threads the eleven messages by what they quote', async () => {
    const load = await loadMail([mailArchive]);
    expect(load.messages).toHaveLength(11);
    expect(load.duplicates).toHaveLength(11);
    expect(load.duplicates.every((d) => d.reason === 'content')).toBe(true);
    expect(load.threads).toHaveLength(1);
    expect(outline(load, load.threads[0].root)).toEqual([
      'Andy Lutomirski: 64-bit syscalls currently have',
      "  Brian Gerst: I've got an idea",
      '    Brian Gerst: [Resend after gmail web',
      "      Andy Lutomirski: I think there's value",
      "        Brian Gerst: I'm working on a",
      '          Ingo Molnar: Note that what matters',
      '            Andy Lutomirski: I suspect that they',
      '  Brian Gerst: Fails to boot, bisected',
      "    Andy Lutomirski: I'm not reproducing this,",
      '      Andy Lutomirski: Never mind, I found',
      "        Brian Gerst: I can't reproduce it",
    ]);
  });

  it('lists the ten replies of the patch in thread order', async () => {
    const load = await loadMail([mailArchive]);
    const p = load.series[0].parts[0];
    expect(p.replies).toHaveLength(10);
    expect(p.replies.map((r) => r.depth)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4]);
    expect(p.trailers).toEqual([]);
  });

  it('keeps the complete copy when one copy of the patch was cut short', async () => {
    const load = await loadMail([mailArchive]);
    expect(load.series[0].parts[0].diffText).toContain('321common  bpf');
  });
});

describe('lkml.iu.edu page of a reply to [PATCH 4/5]', () => {
  it('has one reply in the thread of the patch, which is not in the input', async () => {
    const load = await loadMail([lkmlIu]);
    expect(load.messages).toHaveLength(1);
    const m = load.messages[0];
    expect(m.from?.name).toBe('Andy Lutomirski');
    expect(m.subject).toBe('Re: [PATCH 4/5] x86: entry_64.S: always allocate complete "struct pt_regs"');
    expect(m.date?.toISOString()).toBe('2014-08-06T00:02:53.000Z');
    expect(m.synthetic).toBe(true);
    expect(load.threads).toHaveLength(1);
    const root = load.threads[0].root;
    expect(root.message).toBeNull();
    expect(root.subject).toBe('[PATCH 4/5] x86: entry_64.S: always allocate complete "struct pt_regs"');
    expect(root.children.map((c) => c.message)).toEqual([0]);
    expect(load.series).toEqual([]);
    expect(m.body).toMatch(/^On Aug 6, 2014 12:17 AM, "Denys Vlasenko" <dvlasenk@xxxxxxxxxx> wrote:/);
  });
});

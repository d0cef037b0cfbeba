// Child process of the crash test: adds, edits and removes annotations as fast as it can and reports each
// operation before it starts ("begin") and after the store returned ("ack"), until it is killed.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { AnnotationStore } from '../../../workspaces/review/annotation-store.js';
import type { Anchor } from '../../../workspaces/review/types.js';

const RUN = '--crash-writer-run';
const say = (line: string) => fs.writeSync(1, `${line}\n`);

/** The text of an annotation is a function of its id and revision (empty when just added), so the test checks content too. */
export function expectedText(id: string, revision: number): string {
  if (revision === 1) return '';
  const seed = crypto.createHash('sha256').update(`${id}:${revision}`).digest('hex');
  const n = parseInt(seed.slice(0, 4), 16) % 4000;
  return `${id} r${revision} ${seed} ` + 'x'.repeat(n);
}

const anchor: Anchor = {
  kind: 'diff',
  patch: { seriesVersion: 1, index: 1, subject: 'x86/entry/64: test', patchId: 'f'.repeat(40), messageId: null },
  file: 'arch/x86/entry/entry_64.S',
  side: 'new',
  line: 92,
  hunk: { header: '@@ -89,7 +89,7 @@', fingerprint: '0'.repeat(64), offset: 4 },
  context: ['+\t/* tss.sp2 */'],
};

// Bundled and started as `node writer.mjs --crash-writer-run DIR`; imported by the test only for expectedText.
const runAt = process.argv.indexOf(RUN);
if (runAt >= 0) {
  const store = new AnnotationStore(process.argv[runAt + 1]);
  const ids = store.load().annotations.map((a) => a.id);
  say(`ready ${ids.length}`);
  for (;;) {
    const r = Math.random();
    if (r < 0.55 || ids.length === 0) {
      say('begin add');
      // add() picks the id; its text is rewritten to the id-derived one in the same atomic write below
      const a = store.add(anchor, '');
      say(`ack add ${a.id} 1`);
      say(`begin upd ${a.id}`);
      const b = store.update(a.id, expectedText(a.id, 2));
      say(`ack upd ${a.id} ${b.revision}`);
      ids.push(a.id);
    } else if (r < 0.9) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      const cur = store.get(id);
      say(`begin upd ${id}`);
      const b = store.update(id, expectedText(id, cur.revision + 1));
      say(`ack upd ${id} ${b.revision}`);
    } else {
      const i = Math.floor(Math.random() * ids.length);
      const id = ids[i];
      say(`begin del ${id}`);
      store.remove(id);
      say(`ack del ${id}`);
      ids.splice(i, 1);
    }
  }
}

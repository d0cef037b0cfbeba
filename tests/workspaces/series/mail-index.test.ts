// indexMail, the header-only index for big mailboxes, finds the same series and threads as loadMail.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { indexMail, loadMail } from '../../../workspaces/series/index.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const inputs = [path.join(fixtures, 'series-v1.mbox'), path.join(fixtures, 'series-v2.mbox.gz'), path.join(fixtures, 'format-patch'), path.join(fixtures, 'maildir')];

describe('indexMail', () => {
  it('agrees with loadMail on messages, threads and series', async () => {
    const [index, load] = await Promise.all([indexMail(inputs), loadMail(inputs)]);
    expect(index.messages.map((m) => m.messageId)).toEqual(load.messages.map((m) => m.messageId));
    expect(index.messages.map((m) => m.subject)).toEqual(load.messages.map((m) => m.subject));
    expect(index.threads.map((t) => t.order)).toEqual(load.threads.map((t) => t.order));
    expect(index.series.map((s) => [s.title, s.version, s.total, s.missing, s.latest, s.partialReroll, s.parts.map((p) => p.index)])).toEqual(
      load.series.map((s) => [s.title, s.version, s.total, s.missing, s.latest, s.partialReroll, s.parts.map((p) => p.index)]),
    );
    expect(index.duplicates).toBe(load.duplicates.length);
  });

  it('points at each message so it can be read back from the file', async () => {
    const file = path.join(fixtures, 'series-v1.mbox');
    const index = await indexMail([file]);
    const bytes = fs.readFileSync(file);
    for (const m of index.messages) {
      const text = bytes.subarray(m.offset!, m.offset! + m.length).toString('utf8');
      expect(text).toContain(`Message-Id: <${m.messageId}>`);
    }
    expect(index.messages.filter((m) => m.hasDiff)).toHaveLength(4);
    expect(index.bytes).toBeGreaterThan(bytes.length - 11 * 60);
  });
});

// The mbox splitter: From_ separators, mboxrd/mboxo/format-patch escaping, chunk boundaries, junk.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { MboxSplitter, escapeMboxrd, isFromLine, splitMbox, unescapeFrom } from '../../../workspaces/mail/mbox.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/mail');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('From_ lines', () => {
  it('knows lore, classic and format-patch separators', () => {
    expect(isFromLine('From mboxrd@z Thu Jan  1 00:00:00 1970')).toBe(true);
    expect(isFromLine('From luto@kernel.org Mon Dec  7 16:51:02 2015')).toBe(true);
    expect(isFromLine('From 4f5e0fc0c8a4f8c1b2d3e4f5a6b7c8d9e0f1a2b3 Mon Sep 17 00:00:00 2001')).toBe(true);
    expect(isFromLine('From - Tue Aug 05 19:02:53 2014')).toBe(true);
  });
  it('does not take prose for a separator', () => {
    expect(isFromLine('From the audit trace below it boots fine here:')).toBe(false);
    expect(isFromLine('From: Andy Lutomirski <luto@kernel.org>')).toBe(false);
    expect(isFromLine('From what I can tell, 2015 was fine')).toBe(false);
  });
});

describe('splitting', () => {
  it('splits a lore mboxrd and undoes its escaping', () => {
    const msgs = splitMbox(fs.readFileSync(path.join(fixtures, 'series-v1.mbox')));
    expect(msgs).toHaveLength(11);
    expect(msgs.every((m) => m.info.escaping === 'mboxrd')).toBe(true);
    const thomas = msgs.map((m) => text(m.bytes)).find((t) => t.includes('From: Thomas Gleixner'))!;
    // ">From the audit" on disk is "From the audit" in the mail; ">>From the stub" is ">From the stub"
    expect(thomas).toContain('\nFrom the audit trace below it boots fine here:\n');
    expect(thomas).toContain('\n>From the stub the slow path is a jump away.\n');
    expect(thomas).not.toContain('>>From');
  });

  it('gives offsets and lengths that point at the message in the file', () => {
    const file = fs.readFileSync(path.join(fixtures, 'series-v1.mbox'));
    const msgs = splitMbox(file);
    for (const m of msgs) {
      const onDisk = file.subarray(m.info.offset, m.info.offset + m.info.length).toString('utf8');
      expect(onDisk.startsWith('From: ')).toBe(true);
      expect(file.subarray(m.info.offset - m.info.fromLine!.length - 1, m.info.offset).toString()).toBe(`${m.info.fromLine}\n`);
    }
    // the blank line before the next From_ line is the separator, not part of the message
    expect(text(msgs[0].bytes).endsWith('-- \n2.6.3\n\n')).toBe(true);
    expect(file.subarray(msgs[0].info.offset + msgs[0].info.length, msgs[0].info.offset + msgs[0].info.length + 6).toString()).toBe('\nFrom ');
  });

  it('undoes only one level of mboxo escaping and leaves format-patch text alone', () => {
    const mboxo = splitMbox(fs.readFileSync(path.join(fixtures, 'mboxo.mbox')));
    expect(mboxo.map((m) => m.info.escaping)).toEqual(['mboxo', 'mboxo']);
    expect(text(mboxo[1].bytes)).toContain('\nFrom the boot log:\n');
    const raw = Buffer.from('From 4f5e0fc0c8a4f8c1b2d3e4f5a6b7c8d9e0f1a2b3 Mon Sep 17 00:00:00 2001\nFrom: A <a@b>\nSubject: x\n\n>From here on\n');
    const fp = splitMbox(raw);
    expect(fp[0].info.escaping).toBe('none');
    expect(text(fp[0].bytes)).toContain('\n>From here on\n');
  });

  it('gives the same messages whatever the chunk size', () => {
    const file = fs.readFileSync(path.join(fixtures, 'series-v1.mbox'));
    const whole = splitMbox(file).map((m) => text(m.bytes));
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const got: string[] = [];
      const s = new MboxSplitter((b) => got.push(text(b)), { initialCapacity: 16 });
      for (let i = 0; i < file.length; i += size) s.push(file.subarray(i, i + size));
      s.end();
      expect(got).toEqual(whole);
    }
  });

  it('skips and counts junk before the first From_ line', () => {
    const s = new MboxSplitter(() => undefined);
    s.push(fs.readFileSync(path.join(fixtures, 'broken.mbox')));
    s.end();
    expect(s.messages).toBe(4);
    expect(s.leadingBytes).toBe('this line is not mail and comes before the first From line\n\n'.length);
  });

  it('needs a header after a From_ line, so a quoted date line in a body does not split', () => {
    const raw = Buffer.from('From a@b Mon Dec  7 16:51:02 2015\nFrom: a@b\nSubject: one\n\nbody\nFrom x Mon Dec  7 16:51:02 2015 was the time\nstill body\n');
    const msgs = splitMbox(raw);
    expect(msgs).toHaveLength(1);
    expect(text(msgs[0].bytes)).toContain('still body');
  });

  it('splits a CRLF mailbox and drops the CRLF separator line', () => {
    const msgs = splitMbox(fs.readFileSync(path.join(fixtures, 'crlf.mbox')));
    expect(msgs).toHaveLength(2);
    expect(text(msgs[0].bytes).endsWith('2.6.3\r\n\r\n')).toBe(true);
    expect(text(msgs[0].bytes).endsWith('\r\n\r\n\r\n')).toBe(false);
  });
});

describe('escaping', () => {
  it('escapes every >*From line for mboxrd and unescapes back', () => {
    const body = Buffer.from('From here\n>From there\n>>From far\nnot From\n');
    const esc = escapeMboxrd(body);
    expect(text(esc)).toBe('>From here\n>>From there\n>>>From far\nnot From\n');
    expect(text(unescapeFrom(esc, 'mboxrd'))).toBe(text(body));
  });
});

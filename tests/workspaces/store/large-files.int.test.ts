// Mail files larger than a single read: whole-list archive mboxes exceed the 2 GiB Node reads at once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sha256File } from '../../../workspaces/store/workspace.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-store-large-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('digests of mail files', () => {
  it('hashes a file larger than one read can return (2 GiB), as sha256sum does', () => {
    const file = path.join(tmp, 'big.mbox');
    fs.writeFileSync(file, 'From x@y Thu Jan  1 00:00:00 1970\n');
    fs.truncateSync(file, 2 ** 31 + 4096); // sparse: no disk used
    const expected = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(sha256File(file)).toBe(expected);
  }, 120_000);
});

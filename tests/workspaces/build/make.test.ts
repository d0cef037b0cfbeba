// runMake on a machine without make: the user is told what to install, not handed a spawn error.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMake } from '../../../workspaces/build/make.js';
import { ToolMissing } from '../../../workspaces/errors.js';

describe('runMake without make', () => {
  it('says make is missing when nice cannot find it', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-nice-only-'));
    fs.symlinkSync(fs.realpathSync('/usr/bin/nice'), path.join(bin, 'nice'));
    const err = await runMake({ cwd: os.tmpdir(), args: ['tinyconfig'], env: { PATH: bin } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissing);
    expect((err as ToolMissing).message).toBe('make is not installed.');
  });

  it('says so when neither nice nor make is on the PATH', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-empty-path-'));
    await expect(runMake({ cwd: os.tmpdir(), args: ['tinyconfig'], env: { PATH: empty } })).rejects.toBeInstanceOf(ToolMissing);
    await expect(runMake({ cwd: os.tmpdir(), args: ['tinyconfig'], env: { PATH: empty }, niceness: 0 })).rejects.toBeInstanceOf(ToolMissing);
  });
});

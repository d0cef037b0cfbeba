// runGit itself, on real git: what a caller sees when the directory or git is not there.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runGit } from '../../../workspaces/tree/git.js';
import { NotFound, ToolMissing } from '../../../workspaces/errors.js';

describe('runGit', () => {
  it('says the directory is missing, not that git is, when it runs in a directory that is gone', async () => {
    const gone = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eb-git-')), 'moved-away');
    const err = await runGit(['status'], { cwd: gone }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFound);
    expect((err as NotFound).message).toBe(`git cannot run in ${gone}: there is no such directory.`);
    expect(err).not.toBeInstanceOf(ToolMissing);
  });

  it('says git is missing when it is', async () => {
    const saved = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-empty-path-'));
    try {
      await expect(runGit(['--version'], { cwd: os.tmpdir() })).rejects.toBeInstanceOf(ToolMissing);
    } finally {
      process.env.PATH = saved;
    }
  });
});

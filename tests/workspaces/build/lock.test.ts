// The build directory lock between processes: a lock file holding the holder's pid.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { withDirLock } from '../../../workspaces/build/lock.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lockFile = () => path.join(dir, '.entrybench.lock');

/** withDirLock must still be waiting after a while, and run once the lock file goes. */
async function expectWaitsUntilReleased(): Promise<void> {
  let ran = false;
  const done = withDirLock(dir, async () => void (ran = true));
  await sleep(600);
  expect(ran).toBe(false);
  fs.rmSync(lockFile());
  await done;
  expect(ran).toBe(true);
}

describe('withDirLock', () => {
  it('waits while a live process holds the lock, and runs once it is released', async () => {
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(lockFile(), String(holder.pid));
      await expectWaitsUntilReleased();
      expect(fs.existsSync(lockFile())).toBe(false);
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock whose process is gone', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    fs.writeFileSync(lockFile(), String(gone.pid));
    expect(await withDirLock(dir, async () => 'ran')).toBe('ran');
  });

  it('does not take a lock that another process has just made and not yet written its pid into', async () => {
    // Between its exclusive create and its write, a lock file is empty: that is a lock being taken.
    fs.writeFileSync(lockFile(), '');
    await expectWaitsUntilReleased();
  });

  it('takes over an empty lock file left long ago by a process killed between create and write', async () => {
    fs.writeFileSync(lockFile(), '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(), old, old);
    expect(await withDirLock(dir, async () => 'ran')).toBe('ran');
  });
});

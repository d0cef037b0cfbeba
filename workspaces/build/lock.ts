// One build at a time per build directory, across this process and others (a lock file with a pid).
import fs from 'node:fs';
import path from 'node:path';

const inProcess = new Map<string, Promise<unknown>>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How long an empty lock file counts as being written by its creator (create and write are two steps). */
const EMPTY_LOCK_GRACE_MS = 5000;

async function acquireFile(lock: string): Promise<void> {
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let text: string;
    let ageMs: number;
    try {
      text = fs.readFileSync(lock, 'utf8').trim();
      ageMs = Date.now() - fs.statSync(lock).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
      throw err;
    }
    const holder = /^\d+$/.test(text) ? Number(text) : 0;
    // A lock left by a process that died (killed mid-build) is taken over; an empty one only once it is old,
    // since its creator may be between creating it and writing its pid.
    const stale = holder > 0 ? !pidAlive(holder) || holder === process.pid : ageMs > EMPTY_LOCK_GRACE_MS;
    if (stale) {
      fs.rmSync(lock, { force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(dir);
  const previous = inProcess.get(key) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(async () => {
    const lock = path.join(key, '.entrybench.lock');
    await acquireFile(lock);
    try {
      return await fn();
    } finally {
      fs.rmSync(lock, { force: true });
    }
  });
  inProcess.set(key, run);
  try {
    return await run;
  } finally {
    if (inProcess.get(key) === run) inProcess.delete(key);
  }
}

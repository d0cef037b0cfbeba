// The emulator runs in a worker thread (how the check service uses it): iced-x86's WASM loads there.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect, it } from 'vitest';
import { asm } from './helpers/asm.js';

it('runs a program in a worker thread', async () => {
  const code = asm('xor %eax, %eax\n1: add %rcx, %rax\nloop 1b\nhlt');
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'worker-entry.mjs');
  const result = await new Promise<{ reason: string; rax: string; instructions: number }>((resolve, reject) => {
    const w = new Worker(entry, { workerData: { code, iterations: 1000 } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  expect(result).toMatchObject({ reason: 'hlt', rax: String((1000 * 1001) / 2), instructions: 1 + 2 * 1000 + 1 });
}, 60_000);

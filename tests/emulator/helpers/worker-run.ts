// Runs a small program in a Machine inside a worker thread and posts what it computed.
import { parentPort, workerData } from 'node:worker_threads';
import { Machine } from '../../../emulator/index.js';

const { code, iterations } = workerData as { code: Uint8Array; iterations: number };
const m = new Machine();
m.memory.load(0x400000n, code, 'rx');
m.set('rip', 0x400000n);
m.set('rcx', BigInt(iterations));
const stop = m.run();
parentPort!.postMessage({ reason: stop.reason, rax: m.get('rax').toString(), instructions: stop.instructions, message: stop.message });

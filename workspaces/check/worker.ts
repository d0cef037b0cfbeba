// Worker-thread side of the check service: runs one check and posts progress and the report back.
import { parentPort, workerData } from 'node:worker_threads';
import { runCheck, type CheckRequest } from './run.js';

export type WorkerMessage =
  | { type: 'phase'; message: string }
  | { type: 'scenario'; name: string; verdict: string; done: number; total: number }
  | { type: 'done'; report: unknown }
  | { type: 'error'; kind: string; message: string; hint: string };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const post = (m: WorkerMessage) => port.postMessage(m);
  try {
    const report = await runCheck(workerData as CheckRequest, {
      onPhase: (message) => post({ type: 'phase', message }),
      onScenario: (r, done, total) => post({ type: 'scenario', name: r.name, verdict: r.verdict, done, total }),
    });
    post({ type: 'done', report });
  } catch (err) {
    const e = err as { kind?: unknown; message?: unknown; hint?: unknown; stack?: unknown };
    post({
      type: 'error',
      kind: typeof e.kind === 'string' ? e.kind : 'InternalError',
      message: typeof e.message === 'string' ? e.message : String(err),
      hint: typeof e.hint === 'string' ? e.hint : `This is a bug in the harness; please report it with: ${String(e.stack ?? err).split('\n').slice(0, 4).join(' | ')}`,
    });
  }
}

await main();

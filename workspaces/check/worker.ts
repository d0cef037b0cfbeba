// Worker-thread side of the check service: runs checks one after another (the thread stays up between
// them, so a walk pays the start-up — tsx, iced-x86's WASM — once) and posts progress and reports back.
import { parentPort } from 'node:worker_threads';
import { runCheck, type CheckRequest } from './run.js';

export type WorkerRequest = { type: 'run'; id: number; req: CheckRequest };

export type WorkerMessage =
  | { type: 'phase'; id: number; message: string }
  | { type: 'scenario'; id: number; name: string; verdict: string; done: number; total: number }
  | { type: 'done'; id: number; report: unknown }
  | { type: 'error'; id: number; kind: string; message: string; hint: string };

async function run(id: number, req: CheckRequest, post: (m: WorkerMessage) => void): Promise<void> {
  try {
    const report = await runCheck(req, {
      onPhase: (message) => post({ type: 'phase', id, message }),
      onScenario: (r, done, total) => post({ type: 'scenario', id, name: r.name, verdict: r.verdict, done, total }),
    });
    post({ type: 'done', id, report });
  } catch (err) {
    const e = err as { kind?: unknown; message?: unknown; hint?: unknown; stack?: unknown };
    post({
      type: 'error',
      id,
      kind: typeof e.kind === 'string' ? e.kind : 'InternalError',
      message: typeof e.message === 'string' ? e.message : String(err),
      hint: typeof e.hint === 'string' ? e.hint : `This is a bug in the harness; please report it with: ${String(e.stack ?? err).split('\n').slice(0, 4).join(' | ')}`,
    });
  }
}

const port = parentPort;
if (port) {
  const post = (m: WorkerMessage) => port.postMessage(m);
  // The service sends one request at a time; queue anyway so a misuse cannot interleave two runs.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (m: WorkerRequest) => {
    if (m.type === 'run') chain = chain.then(() => run(m.id, m.req, post));
  });
}

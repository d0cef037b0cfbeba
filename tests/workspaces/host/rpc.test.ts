import { describe, expect, it } from 'vitest';
import { Dispatcher, ErrorCode, type Peer } from '../../../workspaces/host/rpc.js';
import * as s from '../../../workspaces/host/schema.js';
import { ReviewError } from '../../../workspaces/errors.js';

class TestPeer implements Peer {
  readonly sent: unknown[] = [];
  constructor(readonly id = 1) {}
  sendText(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  onClose(): void {}
}

class PatchDoesNotApply extends ReviewError {}

function dispatcher(): Dispatcher {
  const d = new Dispatcher();
  d.register('host.log', s.object({ since: s.optional(s.integer({ min: 0 })) }), ({ since }) => [
    { seq: since ?? 0, time: 't', level: 'info', source: 'test', message: 'hello' },
  ]);
  d.register('host.pickFiles', s.object({ title: s.optional(s.string()), directory: s.optional(s.boolean()) }), async (p, ctx) => {
    if (p.title === 'fail') throw new PatchDoesNotApply('Patch 3/8 does not apply.', 'Rebase the series or pass --base.');
    if (p.title === 'crash') throw new TypeError('boom');
    if (p.title === 'slow') {
      ctx.progress({ phase: 'build', message: 'building 1/2', done: 1, total: 2 });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(ctx.signal.reason);
        });
      });
    }
    return ['ok'];
  });
  return d;
}

async function call(d: Dispatcher, peer: Peer, msg: unknown) {
  const out = await d.handle(typeof msg === 'string' ? msg : JSON.stringify(msg), peer);
  return out === null ? null : JSON.parse(out);
}

describe('JSON-RPC dispatcher', () => {
  it('runs a valid call and returns its result under the same id', async () => {
    const res = await call(dispatcher(), new TestPeer(), { jsonrpc: '2.0', id: 7, method: 'host.log', params: { since: 3 } });
    expect(res).toEqual({ jsonrpc: '2.0', id: 7, result: [{ seq: 3, time: 't', level: 'info', source: 'test', message: 'hello' }] });
  });

  it('treats missing params as an empty object', async () => {
    const res = await call(dispatcher(), new TestPeer(), { jsonrpc: '2.0', id: 'a', method: 'host.log' });
    expect(res.result[0].seq).toBe(0);
  });

  it('rejects invalid params before the service runs, listing the fields', async () => {
    const res = await call(dispatcher(), new TestPeer(), { jsonrpc: '2.0', id: 1, method: 'host.log', params: { since: -1, x: 1 } });
    expect(res.error.code).toBe(ErrorCode.invalidParams);
    expect(res.error.data.issues).toEqual([
      { path: 'x', message: 'unknown field' },
      { path: 'since', message: 'must be >= 0' },
    ]);
  });

  it('answers parse errors, bad envelopes and unknown methods with the JSON-RPC codes', async () => {
    const d = dispatcher();
    const peer = new TestPeer();
    expect((await call(d, peer, '{not json')).error.code).toBe(ErrorCode.parseError);
    expect((await call(d, peer, '[1,2]')).error.code).toBe(ErrorCode.invalidRequest);
    expect((await call(d, peer, { id: 1, method: 'host.log' })).error.code).toBe(ErrorCode.invalidRequest);
    expect((await call(d, peer, { jsonrpc: '2.0', id: {}, method: 'host.log' })).error.code).toBe(ErrorCode.invalidRequest);
    const unknown = await call(d, peer, { jsonrpc: '2.0', id: 2, method: 'nope' });
    expect(unknown.error.code).toBe(ErrorCode.methodNotFound);
    expect(unknown.id).toBe(2);
  });

  it('never answers notifications', async () => {
    expect(await call(dispatcher(), new TestPeer(), { jsonrpc: '2.0', method: 'host.log', params: {} })).toBeNull();
  });

  it('carries a ReviewError kind and hint to the client', async () => {
    const res = await call(dispatcher(), new TestPeer(), { jsonrpc: '2.0', id: 1, method: 'host.pickFiles', params: { title: 'fail' } });
    expect(res.error).toEqual({
      code: ErrorCode.reviewError,
      message: 'Patch 3/8 does not apply.',
      data: { kind: 'PatchDoesNotApply', hint: 'Rebase the series or pass --base.' },
    });
  });

  it('turns unexpected exceptions into an internal error without leaking the stack', async () => {
    const logged: string[] = [];
    const d = new Dispatcher((m, e) => logged.push(`${m}: ${(e as Error).message}`));
    d.register('host.info', s.object({}), () => {
      throw new TypeError('boom');
    });
    const res = await call(d, new TestPeer(), { jsonrpc: '2.0', id: 1, method: 'host.info', params: {} });
    expect(res.error.code).toBe(ErrorCode.internalError);
    expect(res.error.message).toBe('Internal error in host.info: boom');
    expect(JSON.stringify(res)).not.toMatch(/\\n\s+at /);
    expect(logged).toEqual(['host.info: boom']);
  });

  it('sends progress for the request and cancels it on $/cancelRequest', async () => {
    const d = dispatcher();
    const peer = new TestPeer(4);
    const pending = call(d, peer, { jsonrpc: '2.0', id: 99, method: 'host.pickFiles', params: { title: 'slow' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(peer.sent[0]).toMatchObject({ method: '$/progress', params: { requestId: 99, phase: 'build', done: 1, total: 2 } });
    // Another peer cannot cancel it.
    await call(d, new TestPeer(5), { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 99 } });
    await call(d, peer, { jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 99 } });
    const res = await pending;
    expect(res.error.code).toBe(ErrorCode.cancelled);
    expect(res.error.data.kind).toBe('Cancelled');
  });

  it('aborts a peer\'s running requests when it disconnects', async () => {
    const d = dispatcher();
    const peer = new TestPeer(8);
    const pending = call(d, peer, { jsonrpc: '2.0', id: 1, method: 'host.pickFiles', params: { title: 'slow' } });
    await new Promise((r) => setTimeout(r, 10));
    d.abortPeer(peer);
    expect((await pending).error.code).toBe(ErrorCode.cancelled);
  });

  it('refuses to register a method twice', () => {
    const d = dispatcher();
    expect(() => d.register('host.log', s.object({}), () => [])).toThrow('registered twice');
  });
});

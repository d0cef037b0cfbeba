// The web mode's gate, proven with real sockets: token, Host and Origin checks on HTTP and WebSocket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';
import { Frame, ackPayload, encodeFrame, decodeFrame } from '../../../workspaces/host/channels.js';
import { livePtyCount } from '../../../workspaces/host/pty.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, pathname: string, headers: Record<string, string> = {}, method = 'GET', body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let t: TestHost;
let staticDir: string;

beforeAll(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-static-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>ok</title>');
  t = await startTestHost({ staticDir });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('web mode HTTP gate', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token', () => {
    expect(t.server.url).toBe(`http://127.0.0.1:${t.server.port}/?token=${t.server.token}`);
    expect(t.server.token.length).toBeGreaterThanOrEqual(40);
  });

  it('trades the launch token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const res = await request(t.server.port, `/?token=${t.server.token}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    expect(res.headers['set-cookie']?.[0]).toBe(`entrybench_token=${t.server.token}; HttpOnly; SameSite=Strict; Path=/`);
    const page = await request(t.server.port, '/', { cookie: `entrybench_token=${t.server.token}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses requests without the token, with a wrong token, a foreign Host or a foreign Origin', async () => {
    const cookie = `entrybench_token=${t.server.token}`;
    expect((await request(t.server.port, '/')).status).toBe(403);
    expect((await request(t.server.port, '/?token=wrong')).status).toBe(403);
    expect((await request(t.server.port, '/', { cookie: 'entrybench_token=wrong' })).status).toBe(403);
    const rebinding = await request(t.server.port, '/', { cookie, host: `evil.example:${t.server.port}` });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body).toContain('Host evil.example');
    expect((await request(t.server.port, '/', { cookie, host: `127.0.0.1:1` })).status).toBe(403);
    expect((await request(t.server.port, '/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    // the same page by its other loopback name is fine
    expect((await request(t.server.port, '/', { cookie, host: `localhost:${t.server.port}` })).status).toBe(200);
  });

  it('serves nothing outside the UI directory', async () => {
    const cookie = `entrybench_token=${t.server.token}`;
    expect((await request(t.server.port, '/../../etc/passwd', { cookie })).status).toBe(404);
    expect((await request(t.server.port, '/%2e%2e/%2e%2e/etc/passwd', { cookie })).status).toBe(404);
  });

  it('stores uploads in the data directory under a sanitized name, only as octet-stream', async () => {
    const cookie = `entrybench_token=${t.server.token}`;
    const body = Buffer.from('From x@y Thu Jan  1 00:00:00 1970\nSubject: [PATCH] x\n\nhi\n');
    const bad = await request(t.server.port, '/upload?name=a.mbox', { cookie, 'content-type': 'text/plain' }, 'POST', body);
    expect(bad.status).toBe(415);
    const res = await request(t.server.port, '/upload?name=../../evil.mbox', { cookie, 'content-type': 'application/octet-stream' }, 'POST', body);
    expect(res.status).toBe(200);
    const { path: stored, bytes } = JSON.parse(res.body);
    expect(bytes).toBe(body.length);
    expect(stored.startsWith(path.join(t.dataDir, 'uploads') + path.sep)).toBe(true);
    expect(path.basename(stored)).toBe('evil.mbox');
    expect(fs.readFileSync(stored)).toEqual(body);
  });

  it('keeps nothing of an upload the client cut off', async () => {
    const uploads = path.join(t.dataDir, 'uploads');
    const named = () => (fs.existsSync(uploads) ? fs.readdirSync(uploads).filter((d) => fs.existsSync(path.join(uploads, d, 'cut.mbox'))) : []);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port: t.server.port,
        path: '/upload?name=cut.mbox',
        method: 'POST',
        headers: { host: `127.0.0.1:${t.server.port}`, cookie: `entrybench_token=${t.server.token}`, 'content-type': 'application/octet-stream', 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1000, 'x'), () => setTimeout(() => req.destroy(), 200));
    });
    for (let i = 0; i < 40 && named().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(named()).toEqual([]);
  });
});

describe('web mode WebSocket gate', () => {
  const url = () => `ws://127.0.0.1:${t.server.port}/rpc`;

  it('accepts the token as cookie or as subprotocol and answers RPC', async () => {
    const a = await RpcClient.connect(url(), { headers: { cookie: `entrybench_token=${t.server.token}` } });
    const info = await a.result<{ name: string; shell: string }>('host.info');
    expect(info).toMatchObject({ name: 'entrybench', shell: 'web' });
    a.close();
    const b = await RpcClient.connect(url(), { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`], origin: `http://localhost:${t.server.port}` });
    expect((await b.result<{ pid: number }>('host.info')).pid).toBe(process.pid);
    b.close();
  });

  it('refuses upgrades without the token, with a foreign Host or a foreign Origin', async () => {
    const token = { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`] };
    await expect(RpcClient.connect(url())).rejects.toThrow('HTTP 403');
    await expect(RpcClient.connect(url(), { protocols: ['entrybench.rpc', 'entrybench.token.nope'] })).rejects.toThrow('HTTP 403');
    await expect(RpcClient.connect(url(), { ...token, headers: { host: `evil.example:${t.server.port}` } })).rejects.toThrow('HTTP 403');
    await expect(RpcClient.connect(url(), { ...token, origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(RpcClient.connect(url(), { ...token, origin: `http://127.0.0.1:${t.server.port + 1}` })).rejects.toThrow('HTTP 403');
  });

  it('validates arguments before a service runs', async () => {
    const c = await RpcClient.connect(url(), { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`] });
    const res = await c.call('terminal.openShell', { cwd: 42 });
    expect(res.error?.code).toBe(-32602);
    expect(res.error?.message).toContain('cwd: expected string, got number');
    c.close();
  });
});

describe('terminal channel over the binary frames', () => {
  it('runs a real shell, applies ack flow control to a flood, and kills it when the client leaves', async () => {
    const c = await RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`] });
    const before = livePtyCount();
    const { channel } = await c.result<{ channel: number }>('terminal.openShell', { cwd: t.dataDir });
    const output = () =>
      c.frames
        .map((f) => decodeFrame(new Uint8Array(f)))
        .filter((f) => f && f.channel === channel && f.kind === Frame.output)
        .map((f) => Buffer.from(f!.payload).toString('latin1'))
        .join('');
    c.ws.send(encodeFrame(Frame.input, channel, Buffer.from('echo entry$((6*7))bench\r')));
    await waitFor(() => output().includes('entry42bench'));

    // 2 MB of output with no acks: the host must stop near the high watermark, not flood the socket.
    c.frames.length = 0;
    c.ws.send(encodeFrame(Frame.input, channel, Buffer.from('head -c 2000000 /dev/zero | tr "\\0" x; echo; echo FLOOD-$((40+2))\r')));
    await new Promise((r) => setTimeout(r, 1500));
    const received = output().length;
    expect(received).toBeGreaterThan(50_000);
    expect(received).toBeLessThan(400_000);
    expect(output().includes('FLOOD-42')).toBe(false);
    // Acks release the rest.
    const ackLoop = setInterval(() => c.ws.send(encodeFrame(Frame.ack, channel, ackPayload(200_000))), 5);
    await waitFor(() => output().includes('FLOOD-42'), 20_000);
    clearInterval(ackLoop);

    expect(livePtyCount()).toBe(before + 1);
    c.close();
    await waitFor(() => livePtyCount() === before, 5000);
  }, 60_000);
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Start a real host and web server on port 0 with a throwaway data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { Host } from '../../workspaces/host/host.js';
import { startWebServer, type WebServer } from '../../workspaces/host/server.js';

export interface TestHost {
  host: Host;
  server: WebServer;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestHost(opts: { staticDir?: string | null } = {}): Promise<TestHost> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-test-'));
  const host = new Host({ shell: 'web', dataDir });
  const server = await startWebServer({ host, staticDir: opts.staticDir ?? null });
  return {
    host,
    server,
    dataDir,
    async close() {
      await server.close();
      await host.dispose();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON-RPC client over a real WebSocket, as the renderer would be. */
export class RpcClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (msg: { result?: unknown; error?: { code: number; message: string; data?: unknown } }) => void>();
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly frames: Buffer[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.frames.push(data as Buffer);
        return;
      }
      const msg = JSON.parse(String(data));
      if (typeof msg.id === 'number' && this.waiting.has(msg.id)) {
        this.waiting.get(msg.id)?.(msg);
        this.waiting.delete(msg.id);
      } else if (msg.method) this.notifications.push({ method: msg.method, params: msg.params });
    });
  }

  static connect(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<RpcClient> {
    const ws = new WebSocket(url, options.protocols ?? ['entrybench.rpc'], options);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RpcClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  call(method: string, params: unknown = {}): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async result<T>(method: string, params: unknown = {}): Promise<T> {
    const res = await this.call(method, params);
    if (res.error) throw new Error(`${method}: ${res.error.message}`);
    return res.result as T;
  }

  close(): void {
    this.ws.close();
  }
}

// The renderer's only way out: JSON-RPC over the host WebSocket, plus binary terminal frames.
import type {
  MethodName,
  ParamsOf,
  ResultOf,
  ProgressEvent,
  HostEventMessage,
  EventName,
  HostEvents,
  RpcErrorData,
  FrameKinds,
} from '../../workspaces/host/api.js';

export const FRAME: FrameKinds = { output: 1, input: 2, resize: 3, ack: 4 };

export class HostCallError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data: RpcErrorData | undefined,
  ) {
    super(message);
    this.name = 'HostCallError';
  }
  get hint(): string {
    return this.data?.hint ?? '';
  }
  get kind(): string {
    return this.data?.kind ?? 'Error';
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  onProgress?: (p: ProgressEvent) => void;
}

export interface CallOptions {
  onProgress?: (p: ProgressEvent) => void;
  signal?: AbortSignal;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface HostAddress {
  url: string;
  /** Electron passes the token explicitly; web mode relies on the HttpOnly cookie. */
  token: string | null;
}

export class HostClient {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private readonly channelListeners = new Map<number, (bytes: Uint8Array) => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  state: ConnectionState = 'connecting';

  constructor(private readonly address: HostAddress) {}

  connect(): Promise<void> {
    const protocols = ['entrybench.rpc'];
    if (this.address.token) protocols.push(`entrybench.token.${this.address.token}`);
    const ws = new WebSocket(this.address.url, protocols);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.setState('connecting');
    return new Promise((resolve, reject) => {
      ws.onopen = () => {
        this.setState('open');
        resolve();
      };
      ws.onerror = () => reject(new Error(`Cannot reach the Entrybench host at ${this.address.url}.`));
      ws.onclose = () => {
        this.setState('closed');
        for (const p of this.pending.values()) p.reject(new HostCallError('The connection to the host closed.', -1, undefined));
        this.pending.clear();
      };
      ws.onmessage = (ev) => this.onMessage(ev.data);
    });
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>, opts: CallOptions = {}): Promise<ResultOf<M>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new HostCallError('Not connected to the host.', -1, { kind: 'Disconnected', hint: 'Reload the page; if that fails, restart `entrybench serve`.' }));
    }
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.notify('$/cancelRequest', { id }), { once: true });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  private notify(method: string, params: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  on<E extends EventName>(event: E, listener: (data: HostEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (d: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (d: unknown) => void);
  }

  /** Receive output bytes of one terminal channel. */
  attachChannel(channel: number, onOutput: (bytes: Uint8Array) => void): () => void {
    this.channelListeners.set(channel, onOutput);
    return () => this.channelListeners.delete(channel);
  }

  sendFrame(kind: number, channel: number, payload: Uint8Array): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    const frame = new Uint8Array(5 + payload.length);
    const view = new DataView(frame.buffer);
    view.setUint8(0, kind);
    view.setUint32(1, channel);
    frame.set(payload, 5);
    this.ws.send(frame);
  }

  private onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      const bytes = new Uint8Array(data);
      if (bytes.length < 5) return;
      const view = new DataView(data);
      if (view.getUint8(0) !== FRAME.output) return;
      this.channelListeners.get(view.getUint32(1))?.(bytes.subarray(5));
      return;
    }
    let msg: { id?: number; result?: unknown; error?: { code: number; message: string; data?: RpcErrorData }; method?: string; params?: unknown };
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (msg.method === '$/progress') {
      const p = msg.params as ProgressEvent;
      this.pending.get(Number(p.requestId))?.onProgress?.(p);
      return;
    }
    if (msg.method === '$/event') {
      const e = msg.params as HostEventMessage;
      for (const l of this.listeners.get(e.event) ?? []) l(e.data);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) p.reject(new HostCallError(msg.error.message, msg.error.code, msg.error.data));
    else p.resolve(msg.result);
  }
}

/** Where the host is: Electron's preload says so; in a browser it is this page's own origin. */
export function hostAddress(): HostAddress {
  const bridge = (globalThis as { entrybench?: { host(): HostAddress } }).entrybench;
  if (bridge) return bridge.host();
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { url: `${scheme}//${location.host}/rpc`, token: null };
}

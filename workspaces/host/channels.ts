// Terminal byte channels over the WebSocket's binary frames, with ack-based flow control.
// A channel connects one byte source (a pty: shell or QEMU console) to one client terminal.

import type { FrameKinds, FlowControl } from './api.js';

export const Frame: FrameKinds = { output: 1, input: 2, resize: 3, ack: 4 };
export const Flow: FlowControl = { highWatermarkBytes: 100_000, lowWatermarkBytes: 5_000, ackEveryBytes: 5_000 };

const HEADER = 5;

export interface DecodedFrame {
  kind: number;
  channel: number;
  payload: Uint8Array;
}

export function encodeFrame(kind: number, channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, kind);
  view.setUint32(1, channel >>> 0, false);
  out.set(payload, HEADER);
  return out;
}

export function decodeFrame(bytes: Uint8Array): DecodedFrame | null {
  if (bytes.length < HEADER) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { kind: view.getUint8(0), channel: view.getUint32(1, false), payload: bytes.subarray(HEADER) };
}

export function resizePayload(cols: number, rows: number): Uint8Array {
  const out = new Uint8Array(4);
  const v = new DataView(out.buffer);
  v.setUint16(0, cols);
  v.setUint16(2, rows);
  return out;
}

export function ackPayload(bytes: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, bytes >>> 0);
  return out;
}

/** What a channel needs from the thing producing bytes. node-pty fits; tests use a plain stream. */
export interface ByteSource {
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  onData(listener: (data: Uint8Array) => void): void;
  onExit(listener: (exitCode: number | null, signal: number | null) => void): void;
  /** End the source and everything it runs. Must be safe to call twice. */
  kill(): void;
}

/** Where output frames go: one connection's binary sender. */
export type FrameSink = (frame: Uint8Array) => void;

export class Channel {
  private unacked = 0;
  private paused = false;
  private closed = false;

  constructor(
    readonly id: number,
    readonly title: string,
    private readonly source: ByteSource,
    private readonly sink: FrameSink,
    private readonly onEnd: (exitCode: number | null, signal: number | null) => void,
  ) {
    source.onData((data) => this.forward(data));
    source.onExit((code, signal) => {
      this.closed = true;
      onEnd(code, signal);
    });
  }

  /** Bytes sent and not yet acknowledged by the client terminal. */
  get pending(): number {
    return this.unacked;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  private forward(data: Uint8Array): void {
    if (this.closed) return;
    this.sink(encodeFrame(Frame.output, this.id, data));
    this.unacked += data.length;
    if (!this.paused && this.unacked > Flow.highWatermarkBytes) {
      this.paused = true;
      this.source.pause();
    }
  }

  /** A frame from the client for this channel. */
  receive(kind: number, payload: Uint8Array): void {
    if (this.closed) return;
    if (kind === Frame.input) {
      this.source.write(payload);
    } else if (kind === Frame.resize && payload.length >= 4) {
      const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      const cols = v.getUint16(0);
      const rows = v.getUint16(2);
      if (cols > 0 && rows > 0 && cols <= 1000 && rows <= 1000) this.source.resize(cols, rows);
    } else if (kind === Frame.ack && payload.length >= 4) {
      const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      this.unacked = Math.max(0, this.unacked - v.getUint32(0));
      if (this.paused && this.unacked < Flow.lowWatermarkBytes) {
        this.paused = false;
        this.source.resume();
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.kill();
  }
}

/** All channels of one host; each belongs to the connection that opened it and dies with it. */
export class ChannelHub {
  private nextId = 1;
  private readonly channels = new Map<number, { channel: Channel; owner: number }>();

  open(
    owner: number,
    title: string,
    source: ByteSource,
    sink: FrameSink,
    onEnd: (id: number, exitCode: number | null, signal: number | null) => void,
  ): Channel {
    const id = this.nextId++;
    const channel = new Channel(id, title, source, sink, (code, signal) => {
      this.channels.delete(id);
      onEnd(id, code, signal);
    });
    this.channels.set(id, { channel, owner });
    return channel;
  }

  /** Route a client frame; frames for channels the client does not own are dropped. */
  receive(owner: number, bytes: Uint8Array): void {
    const frame = decodeFrame(bytes);
    if (!frame) return;
    const entry = this.channels.get(frame.channel);
    if (entry && entry.owner === owner) entry.channel.receive(frame.kind, frame.payload);
  }

  get(id: number): Channel | undefined {
    return this.channels.get(id)?.channel;
  }

  close(id: number, owner?: number): boolean {
    const entry = this.channels.get(id);
    if (!entry || (owner !== undefined && entry.owner !== owner)) return false;
    this.channels.delete(id);
    entry.channel.close();
    return true;
  }

  closeOwnedBy(owner: number): void {
    for (const [id, entry] of [...this.channels]) if (entry.owner === owner) this.close(id);
  }

  closeAll(): void {
    for (const id of [...this.channels.keys()]) this.close(id);
  }

  get size(): number {
    return this.channels.size;
  }
}

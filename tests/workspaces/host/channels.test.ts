import { describe, expect, it } from 'vitest';
import { ChannelHub, Flow, Frame, ackPayload, decodeFrame, encodeFrame, resizePayload, type ByteSource } from '../../../workspaces/host/channels.js';

/** A byte source driven by the test, recording what the channel asked of it. */
class ScriptedSource implements ByteSource {
  written: Uint8Array[] = [];
  sizes: [number, number][] = [];
  paused = false;
  killed = 0;
  private dataListener: (d: Uint8Array) => void = () => {};
  private exitListener: (c: number | null, s: number | null) => void = () => {};
  write(d: Uint8Array) { this.written.push(d); }
  resize(c: number, r: number) { this.sizes.push([c, r]); }
  pause() { this.paused = true; }
  resume() { this.paused = false; }
  onData(l: (d: Uint8Array) => void) { this.dataListener = l; }
  onExit(l: (c: number | null, s: number | null) => void) { this.exitListener = l; }
  kill() { this.killed++; }
  emit(n: number) { this.dataListener(new Uint8Array(n).fill(0x41)); }
  exit(code: number) { this.exitListener(code, null); }
}

describe('terminal frames', () => {
  it('round-trips kind, channel and payload', () => {
    const f = decodeFrame(encodeFrame(Frame.output, 0xdeadbeef, new Uint8Array([1, 2, 3])));
    expect(f).toEqual({ kind: Frame.output, channel: 0xdeadbeef, payload: new Uint8Array([1, 2, 3]) });
    expect(decodeFrame(new Uint8Array(3))).toBeNull();
  });
});

describe('channel flow control', () => {
  function setup() {
    const hub = new ChannelHub();
    const src = new ScriptedSource();
    const frames: Uint8Array[] = [];
    const ended: number[] = [];
    const ch = hub.open(1, 't', src, (f) => frames.push(f), (id) => ended.push(id));
    return { hub, src, frames, ch, ended };
  }

  it('pauses the source above the high watermark and resumes below the low one', () => {
    const { hub, src, ch } = setup();
    src.emit(60_000);
    expect(src.paused).toBe(false);
    src.emit(60_000);
    expect(src.paused).toBe(true);
    expect(ch.pending).toBe(120_000);
    hub.receive(1, encodeFrame(Frame.ack, ch.id, ackPayload(100_000)));
    expect(src.paused).toBe(true); // 20 000 still unacked, above the low watermark
    hub.receive(1, encodeFrame(Frame.ack, ch.id, ackPayload(16_000)));
    expect(ch.pending).toBe(4_000);
    expect(src.paused).toBe(false);
    expect(Flow.lowWatermarkBytes).toBeGreaterThan(4_000);
  });

  it('forwards input and sane resizes, and ignores frames from other connections', () => {
    const { hub, src, ch } = setup();
    hub.receive(1, encodeFrame(Frame.input, ch.id, new TextEncoder().encode('ls\r')));
    hub.receive(2, encodeFrame(Frame.input, ch.id, new TextEncoder().encode('rm -rf /\r')));
    hub.receive(1, encodeFrame(Frame.resize, ch.id, resizePayload(120, 40)));
    hub.receive(1, encodeFrame(Frame.resize, ch.id, resizePayload(0, 40)));
    expect(src.written.map((w) => new TextDecoder().decode(w))).toEqual(['ls\r']);
    expect(src.sizes).toEqual([[120, 40]]);
  });

  it('kills the source when its owner goes away, and forgets channels that exit', () => {
    const { hub, src, ended, ch } = setup();
    const other = new ScriptedSource();
    hub.open(2, 'other', other, () => {}, () => {});
    hub.closeOwnedBy(1);
    expect(src.killed).toBe(1);
    expect(other.killed).toBe(0);
    expect(hub.size).toBe(1);
    other.exit(0);
    expect(hub.size).toBe(0);
    expect(ended).toEqual([]);
    expect(hub.get(ch.id)).toBeUndefined();
  });
});

// An xterm.js terminal bound to one host channel, with ack-based flow control and resize forwarding.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { FlowControl } from '../../workspaces/host/api.js';
import { FRAME, type HostClient } from './host-client.js';

const FLOW: FlowControl = { highWatermarkBytes: 100_000, lowWatermarkBytes: 5_000, ackEveryBytes: 5_000 };

export interface ChannelTerminal {
  term: Terminal;
  fit(): void;
  dispose(): void;
}

export function darkMode(): boolean {
  return window.matchMedia('(prefers-color-scheme: dark)').matches;
}

export function createTerminal(container: HTMLElement): { term: Terminal; fit: FitAddon } {
  const term = new Terminal({
    fontSize: 13,
    fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
    scrollback: 10_000,
    cursorBlink: true,
    convertEol: false,
    theme: darkMode() ? { background: '#1e1e1e' } : { background: '#ffffff', foreground: '#1e1e1e', cursor: '#1e1e1e' },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(container);
  return { term, fit };
}

/** Connect a terminal to a channel: output written with callbacks so acks follow what xterm really processed. */
export function bindChannel(client: HostClient, channel: number, container: HTMLElement): ChannelTerminal {
  const { term, fit } = createTerminal(container);
  let processed = 0;
  const detach = client.attachChannel(channel, (bytes) => {
    term.write(bytes, () => {
      processed += bytes.length;
      if (processed >= FLOW.ackEveryBytes) {
        const payload = new Uint8Array(4);
        new DataView(payload.buffer).setUint32(0, processed);
        client.sendFrame(FRAME.ack, channel, payload);
        processed = 0;
      }
    });
  });
  const encoder = new TextEncoder();
  const input = term.onData((data) => client.sendFrame(FRAME.input, channel, encoder.encode(data)));
  const binary = term.onBinary((data) => {
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i) & 0xff;
    client.sendFrame(FRAME.input, channel, bytes);
  });
  const resize = term.onResize(({ cols, rows }) => {
    const payload = new Uint8Array(4);
    const v = new DataView(payload.buffer);
    v.setUint16(0, cols);
    v.setUint16(2, rows);
    client.sendFrame(FRAME.resize, channel, payload);
  });
  const doFit = () => {
    if (container.offsetWidth > 0 && container.offsetHeight > 0) fit.fit();
  };
  const observer = new ResizeObserver(doFit);
  observer.observe(container);
  doFit();
  return {
    term,
    fit: doFit,
    dispose() {
      observer.disconnect();
      detach();
      input.dispose();
      binary.dispose();
      resize.dispose();
      term.dispose();
    },
  };
}

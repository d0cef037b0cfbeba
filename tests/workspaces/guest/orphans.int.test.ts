// No QEMU outlives what started it: its terminal channel, its connection, its workspace, the host,
// or a host that was killed outright.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GuestService } from '../../../workspaces/guest/service.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { decodeFrame, encodeFrame, Frame } from '../../../workspaces/host/channels.js';
import { RpcClient, startTestHost, type TestHost } from '../../helpers/host.js';
import { alive, plain, qemuProcesses, tinyKernelBuild, waitFor } from './support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
let dir: string;
let runRoot: string;
let tap: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-orphans-'));
  runRoot = path.join(dir, 'run');
  tap = tinyKernelBuild(dir, 'TAP');
});

afterEach(() => {
  expect(qemuProcesses(runRoot)).toEqual([]);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function output(client: RpcClient, channel: number): string {
  return plain(
    client.frames
      .map((f) => decodeFrame(new Uint8Array(f)))
      .filter((f) => f && f.kind === Frame.output && f.channel === channel)
      .map((f) => Buffer.from(f!.payload).toString('utf8'))
      .join(''),
  );
}

describe('a guest dies with', () => {
  it('its host, even when the host is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'run-ts.mjs'), path.join(here, 'host-child.ts'), tap, runRoot, path.join(dir, 'data')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const { pid } = JSON.parse(await waitFor('the child host to start a guest', () => out.split('\n').find((l) => l.startsWith('{')), 60_000)) as { pid: number };
    expect(alive(pid)).toBe(true);
    child.kill('SIGKILL');
    // The pty's master closes with the host; the kernel hangs up QEMU's terminal and QEMU quits.
    await waitFor('QEMU to go', () => !alive(pid), 15_000);
    // What is left of its run directory is swept by the next host.
    new GuestService({ dataDir: path.join(dir, 'data'), runRoot }).sweepOrphans();
    expect(fs.readdirSync(runRoot)).toEqual([]);
  });

  it('its host, when a QEMU survived the host somehow: the next host kills it', async () => {
    const runDir = path.join(runRoot, 'gdeadbeef');
    fs.mkdirSync(runDir, { recursive: true });
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    fs.writeFileSync(path.join(runDir, 'host.pid'), String(gone.pid));
    const qemu = spawn('qemu-system-x86_64', ['-accel', 'tcg', '-nodefaults', '-display', 'none', '-kernel', path.join(tap, 'arch/x86/boot/bzImage'), '-pidfile', path.join(runDir, 'qemu.pid')], {
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise((r) => qemu.on('exit', r));
    await waitFor('the pid file', () => fs.existsSync(path.join(runDir, 'qemu.pid')) && fs.readFileSync(path.join(runDir, 'qemu.pid'), 'utf8').trim(), 10_000);
    // A new host sweeps when it starts.
    const service = new GuestService({ dataDir: path.join(dir, 'data'), runRoot });
    await exited;
    expect(service.sweepOrphans()).toBe(0);
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('its workspace: stopAll(workspace) powers off that workspace\'s guests only', async () => {
    const data = path.join(dir, 'ws-data');
    const store = new WorkspaceStore(data);
    const mail = path.join(dir, 'x.mbox');
    fs.writeFileSync(mail, 'From x\n\n');
    const a = store.create([{ path: mail }], 'a');
    const b = store.create([{ path: mail }], 'b');
    const service = new GuestService({ dataDir: data, runRoot });
    const ga = await service.start({ buildDir: tap, workspace: a.id, accel: 'tcg' });
    const gb = await service.start({ buildDir: tap, workspace: b.id, accel: 'tcg' });
    expect(ga.logs.console.startsWith(a.path('logs'))).toBe(true);
    expect(await service.stopAll(a.id)).toBe(1);
    expect(alive(ga.pid)).toBe(false);
    expect(alive(gb.pid)).toBe(true);
    await service.dispose();
    expect(alive(gb.pid)).toBe(false);
  });
});

function connect(t: TestHost): Promise<RpcClient> {
  return RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, { headers: { cookie: `entrybench_token=${t.server.token}` } });
}

describe('over the host API', () => {
  let th: TestHost;

  beforeAll(async () => {
    th = await startTestHost();
  });

  afterAll(async () => {
    await th?.close();
  });

  it('boots on a terminal channel, takes input frames, and ends when the connection closes', async () => {
    const client = await connect(th);
    const booted = await client.result<{ guestId: string; channel: number; kind: string; accel: { accel: string } }>('guest.boot', { buildDir: tap, accel: 'tcg' });
    expect(booted.kind).toBe('multiboot');
    await waitFor('the prompt on the channel', () => output(client, booted.channel).includes('tiny> '), 30_000);
    client.ws.send(encodeFrame(Frame.input, booted.channel, Buffer.from('over rpc\r')));
    await waitFor('the echo', () => output(client, booted.channel).includes('you typed: over rpc'), 10_000);
    const status = await client.result<{ state: string; qemu: string; channel: number }>('guest.status', { guestId: booted.guestId });
    expect(status).toMatchObject({ qemu: 'running', channel: booted.channel });
    const listed = await client.result<{ guestId: string }[]>('guest.list', {});
    expect(listed.map((g) => g.guestId)).toContain(booted.guestId);
    const pids = qemuProcesses(`entrybench-${booted.guestId}`);
    expect(pids).toHaveLength(1);
    client.close();
    await waitFor('QEMU to end with the connection', () => !alive(pids[0]), 15_000);
  });

  it('powers off on request with the verdict, and the channel reports its end', async () => {
    const client = await connect(th);
    const booted = await client.result<{ guestId: string; channel: number }>('guest.boot', { buildDir: tap, accel: 'tcg' });
    await waitFor('the prompt', () => output(client, booted.channel).includes('tiny> '), 30_000);
    const verdict = await client.result<{ ended: string; outcome: string }>('guest.powerOff', { guestId: booted.guestId });
    expect(verdict).toMatchObject({ ended: 'powered off', outcome: 'booted' });
    await waitFor('terminal.exit', () => client.notifications.some((n) => (n.params as { event?: string; data?: { channel?: number } })?.event === 'terminal.exit' && (n.params as { data: { channel: number } }).data.channel === booted.channel), 5000);
    expect(client.notifications.some((n) => (n.params as { event?: string })?.event === 'guest.exit')).toBe(true);
    const gone = await client.call('guest.status', { guestId: booted.guestId });
    expect(gone.error?.message).toMatch(/No running guest/);
    client.close();
  });

  it('ends every guest when the host is disposed', async () => {
    const client = await connect(th);
    const booted = await client.result<{ guestId: string }>('guest.boot', { buildDir: tap, accel: 'tcg' });
    const [pid] = qemuProcesses(`entrybench-${booted.guestId}`);
    await th.close();
    expect(alive(pid)).toBe(false);
    th = await startTestHost();
  });
});

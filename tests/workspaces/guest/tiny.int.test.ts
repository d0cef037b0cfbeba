// Real QEMU on a tiny multiboot kernel built here: TAP from the second port, the console as a
// terminal, a triple fault named with the CPU state, a silent hang caught by the boot deadline.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GuestService } from '../../../workspaces/guest/service.js';
import { plain, qemuProcesses, tinyKernelBuild, waitFor, within } from './support.js';

let dir: string;
let runRoot: string;
let service: GuestService;
const builds: Record<string, string> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-tiny-'));
  runRoot = path.join(dir, 'run');
  service = new GuestService({ dataDir: path.join(dir, 'data'), runRoot });
  for (const mode of ['TAP', 'TRIPLE', 'HANG'] as const) builds[mode] = tinyKernelBuild(dir, mode);
});

afterEach(() => {
  expect(qemuProcesses(runRoot)).toEqual([]);
});

afterAll(async () => {
  await service.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a multiboot kernel', () => {
  it('boots to a verdict with the TAP of its second serial port (not counted twice from the console)', async () => {
    const v = await service.run({ buildDir: builds.TAP, accel: 'tcg' });
    expect(v.kind).toBe('multiboot');
    expect(v.outcome).toBe('booted');
    expect(v.booted).toBe(true);
    expect(v.ended).toBe('done');
    expect(v.selftests.results.map((r) => [r.name, r.status])).toEqual([
      ['boots', 'pass'],
      ['deliberately failing', 'fail'],
      ['not here', 'skip'],
    ]);
    expect(v.selftests.complete).toBe(true);
    expect(v.headline).toMatch(/^booted; selftests 1 pass, 1 fail \(deliberately failing\), 1 skip$/);
    expect(fs.readFileSync(v.logs.console, 'utf8')).toContain('tiny kernel: up');
    expect(fs.readFileSync(v.logs.tap as string, 'utf8')).toMatch(/^TAP version 13\r?\n1\.\.3/);
    expect(JSON.parse(fs.readFileSync(v.logs.verdict, 'utf8'))).toEqual(JSON.parse(JSON.stringify(v)));
  });

  it('gives its console as a terminal: typed input reaches it, its answer comes back', async () => {
    const g = await service.start({ buildDir: builds.TAP, accel: 'tcg' });
    let out = '';
    const src = g.consoleSource();
    src.onData((d) => (out += Buffer.from(d).toString('utf8')));
    await waitFor('the prompt', () => plain(out).includes('tiny> '), 30_000);
    src.write(Buffer.from('hello guest\r'));
    await waitFor('the echo', () => plain(out).includes('you typed: hello guest'), 10_000);
    // 'q' powers off through the ACPI port: QEMU reports a guest shutdown and the host ends it.
    src.write(Buffer.from('q'));
    const v = await within(g.exited, 30_000, 'the guest to power off');
    expect(v.ended).toBe('guest-shutdown');
    expect(v.outcome).toBe('booted');
  });

  it('calls a triple fault by name, with the CPU registers and the symbol at the faulting address', async () => {
    const v = await service.run({ buildDir: builds.TRIPLE, accel: 'tcg' });
    expect(v.outcome).toBe('triple-fault');
    const [f] = v.findings;
    expect(f.kind).toBe('triple-fault');
    expect(f.title).toMatch(/^triple fault: the CPU reset itself at RIP [0-9a-f]+ tiny_triple_fault\+0x0\/0x1 .*\(QEMU: "Triple fault"\)$/);
    expect(f.lines.some((l) => /EIP=/.test(l))).toBe(true);
    expect(v.ended).toBe('guest-reset');
    // The TAP it printed before the fault still counts.
    expect(v.selftests.results).toHaveLength(3);
  });

  it('calls a silent kernel a hang when the boot deadline passes, and says where the CPU is', async () => {
    const started = Date.now();
    const v = await service.run({ buildDir: builds.HANG, accel: 'tcg', bootTimeoutSec: 3 });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(v.outcome).toBe('hang');
    expect(v.findings[0].title).toMatch(/^no TAP and no prompt on the console within 3 s of QEMU starting \(TCG\); the CPU is at RIP [0-9a-f]+ halt_forever\+0x[0-9a-f]+\/0x[0-9a-f]+ \(CPL 0, halted\)$/);
    expect(v.ended).toBe('deadline');
    expect(v.booted).toBe(false);
  });

  it('is powered off on request, and a reset boots it again', async () => {
    const g = await service.start({ buildDir: builds.TAP, accel: 'tcg' });
    let out = '';
    g.consoleSource().onData((d) => (out += Buffer.from(d).toString('utf8')));
    await waitFor('the prompt', () => plain(out).includes('tiny> '), 30_000);
    expect(await g.status()).toBe('running');
    expect(await g.reset()).toBe(true);
    await waitFor('a second boot', () => plain(out).split('tiny kernel: up').length === 3, 30_000);
    expect(await g.status()).toBe('running');
    const v = await g.stop('powered off');
    expect(v.ended).toBe('powered off');
    // A reset is not a triple fault, even though SeaBIOS triple-faults once on a warm reset.
    expect(v.findings).toEqual([]);
    expect(service.size).toBe(0);
  });
});

// The KVM probe: the probe guest itself is a valid machine (it runs to its exit port under TCG), and
// the choice says why it was made.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chooseAccel, probeBios, runKvmProbe, PROBE_DEADLINE_MS } from '../../../workspaces/guest/accel.js';

describe('the KVM probe', () => {
  it('is a BIOS image that counts down and exits through isa-debug-exit (run here under TCG)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-probe-'));
    try {
      const bios = path.join(dir, 'probe.bin');
      fs.writeFileSync(bios, probeBios());
      expect(fs.statSync(bios).size).toBe(65536);
      const started = Date.now();
      const r = spawnSync('qemu-system-x86_64', ['-accel', 'tcg', '-bios', bios, '-display', 'none', '-nodefaults', '-no-user-config', '-m', '16', '-device', 'isa-debug-exit,iobase=0xf4,iosize=1'], { timeout: 20_000 });
      expect(r.status).toBe((0x2a << 1) | 1);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers within its deadline and says why', async () => {
    const started = Date.now();
    const r = await runKvmProbe();
    expect(Date.now() - started).toBeLessThan(PROBE_DEADLINE_MS + 5000);
    expect(r.reason.length).toBeGreaterThan(10);
    if (r.usable) expect(r.reason).toMatch(/ran under KVM in \d+ ms/);
  });

  it('chooses TCG when asked, and names the probe when it decides', async () => {
    expect(await chooseAccel('tcg')).toMatchObject({ accel: 'tcg', reason: 'TCG as requested' });
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-probe-cache-'));
    try {
      const first = await chooseAccel('auto', cache);
      expect(first.cached).toBe(false);
      expect(first.reason).toMatch(first.accel === 'kvm' ? /^KVM: / : /^TCG: KVM unusable, /);
      const again = await chooseAccel('auto', cache);
      expect(again).toMatchObject({ accel: first.accel, cached: true });
      expect(again.reason).toMatch(/probed \d+ min ago/);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

// `entrybench check` and the check.* host methods on real Linux 6.12 builds: the JSON the walk and the
// UI consume, the readable summary, exit codes, progress over the WebSocket and cancellation.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { linuxUnavailable } from '../../helpers/linux.js';
import { startTestHost, RpcClient, type TestHost } from '../../helpers/host.js';
import { variantBuild } from '../../emulator/kernel/variants.js';
import type { CheckReport } from '../../../workspaces/host/api/check.js';

const skip = linuxUnavailable();
const root = path.resolve(__dirname, '../../..');

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/entrybench.mjs'), ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: String(out), err: String(errOut) });
    });
  });
}

describe.skipIf(skip !== null)('entrybench check', () => {
  let base = '';
  let twice = '';
  beforeAll(async () => {
    base = await variantBuild(null);
    twice = await variantBuild('syscall-work-twice.patch');
  });

  it('prints the JSON report: kernel, config, and per scenario verdict, invariant, expected, seen, evidence', async () => {
    const r = await cli(['check', '--json', twice]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as CheckReport;
    expect(report.kernel).toMatch(/^6\.12\./);
    expect(report.config).toBe('entry-compat');
    expect(report.profile).toBe('linux-6.12');
    expect(report.scenarios.length).toBeGreaterThanOrEqual(20);
    for (const s of report.scenarios) expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'verdict', 'invariant', 'expected', 'seen', 'evidence']));
    const audit = report.scenarios.find((s) => s.name === 'slowpath-audit-getpid');
    expect(audit).toMatchObject({ verdict: 'fail', invariant: 'hooks', expected: 'syscall_trace_enter() runs exactly once', seen: '2 times' });
    expect(audit?.evidence?.oops).toMatch(/^WARNING: CPU: 0 PID: 4242 at kernel\/auditsc\.c:\d+ __audit_syscall_entry/);
    const pass = report.scenarios.find((s) => s.name === 'syscall64-getpid');
    expect(pass).toMatchObject({ verdict: 'pass', invariant: null, expected: null, seen: null, evidence: null });
    expect(report.pass + report.fail + report.error).toBe(report.scenarios.length);
  });

  it('without --json prints a table, then the evidence of each failure; exit 0 when all pass', async () => {
    const bad = await cli(['check', twice]);
    expect(bad.out).toMatch(/^Linux 6\.12\.\S+ \(entry-compat, profile linux-6\.12\): \d+ scenarios/);
    expect(bad.out).toMatch(/\n {2}FAIL {2}slowpath-audit-getpid +hooks: expected syscall_trace_enter\(\) runs exactly once, seen 2 times\n/);
    expect(bad.out).toMatch(/\n {2}pass {2}sweep-nmi-getpid +\d+ injection points\n/);
    expect(bad.out).toMatch(/\n {2}Call Trace:\n {3}<TASK>\n {3}syscall_trace_enter\+/);
    const good = await cli(['check', '--scenario', 'syscall64-getpid', '--scenario', 'compat-int80-getpid', base]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/2 scenarios .*: 2 pass, 0 fail\n/);
  });

  it('says what is wrong with a directory that is not a build, and with an unknown scenario', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-notabuild-'));
    const r = await cli(['check', empty]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has no vmlinux\.\n {2}Build the kernel first/);
    const missing = await cli(['check', path.join(empty, 'nope')]);
    expect(missing.err).toMatch(/No build directory at/);
    const unknown = await cli(['check', '--scenario', 'no-such-thing', base]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No scenario named no-such-thing\.\n {2}Scenarios: syscall64-getpid/);
    const usage = await cli(['check']);
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/BUILD_DIR is required/);
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it('lists the scenarios', async () => {
    const r = await cli(['check', '--list', '--json']);
    const { scenarios } = JSON.parse(r.out) as { scenarios: { name: string; invariants: string[] }[] };
    expect(scenarios.map((s) => s.name)).toContain('sweep-irq-getpid');
    expect(scenarios.every((s) => s.invariants.length > 0)).toBe(true);
  });

  describe('host API', () => {
    let t: TestHost;
    let c: RpcClient;
    beforeAll(async () => {
      t = await startTestHost();
      c = await RpcClient.connect(`ws://127.0.0.1:${t.server.port}/rpc`, { protocols: ['entrybench.rpc', `entrybench.token.${t.server.token}`] });
    });
    afterAll(async () => {
      c?.close();
      await t?.close();
    });

    it('check.run returns the report and sends progress per scenario', async () => {
      const report = await c.result<CheckReport>('check.run', { buildDir: twice, scenarios: ['syscall64-getpid', 'slowpath-trace-getpid'] });
      expect(report.scenarios.map((s) => [s.name, s.verdict])).toEqual([['syscall64-getpid', 'pass'], ['slowpath-trace-getpid', 'fail']]);
      const progress = c.notifications.filter((n) => n.method === '$/progress').map((n) => n.params as { phase: string; message: string; done?: number; total?: number });
      expect(progress.some((p) => p.phase === 'check' && p.done === 2 && p.total === 2)).toBe(true);
    });

    it('check.run rejects bad arguments by schema and missing builds with a hint', async () => {
      const bad = await c.call('check.run', { buildDir: '' });
      expect(bad.error?.code).toBe(-32602);
      const missing = await c.call('check.run', { buildDir: '/nonexistent/build' });
      expect(missing.error?.data).toMatchObject({ kind: 'NotFound' });
    });

    it('check.run can be cancelled while a sweep runs', async () => {
      const id = 9001;
      // Cancel as soon as the run reports its first progress: the check worker is busy then.
      const done = new Promise<{ error?: { code: number } }>((resolve) => {
        c.ws.on('message', (data) => {
          const m = JSON.parse(String(data));
          if (m.method === '$/progress' && m.params.requestId === id) {
            c.ws.send(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id } }));
          }
          if (m.id === id) resolve(m);
        });
      });
      c.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'check.run', params: { buildDir: base, scenarios: ['sweep-nmi-getpid'] } }));
      const res = await done;
      expect(res.error?.code).toBe(-32800);
    });

    it('check.scenarios lists the suite', async () => {
      const { scenarios } = await c.result<{ scenarios: { name: string }[] }>('check.scenarios');
      expect(scenarios.length).toBeGreaterThanOrEqual(20);
    });
  });
});

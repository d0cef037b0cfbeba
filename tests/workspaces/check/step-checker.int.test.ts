// The emulator suite as the walk runs it on a step: one result per scenario, failures summarised.
import { describe, expect, it } from 'vitest';
import { linuxUnavailable } from '../../helpers/linux.js';
import { variantBuild } from '../../emulator/kernel/variants.js';
import { emulatorChecker } from '../../../workspaces/check/step-checker.js';
import type { BuildResult } from '../../../workspaces/build/kernel-build.js';

const skip = linuxUnavailable();

describe.skipIf(skip !== null)('emulator step checker', () => {
  it('gives one emulator:<scenario> result per scenario, and a one-line summary of each failure', async () => {
    const checker = emulatorChecker();
    expect(checker.id).toMatch(/^emulator:[0-9a-f]{16}$/);
    const said: string[] = [];
    const buildDir = await variantBuild('sysret-clobbers-rbx.patch');
    const results = await checker.run({ step: 3, build: { buildDir } as BuildResult, say: (m) => said.push(m) });
    expect(results.length).toBeGreaterThanOrEqual(20);
    expect(results.every((r) => r.check.startsWith('emulator:'))).toBe(true);
    const getpid = results.find((r) => r.check === 'emulator:syscall64-getpid');
    expect(getpid?.status).toBe('fail');
    expect(getpid?.summary).toMatch(/^registers-preserved: expected RBX = 0x1b1b1b1b1b1b1b1b \(as before the syscall\), seen 0xffffffff8/);
    expect((getpid?.evidence as { oops: string }).oops).toMatch(/RBX: ffffffff8/);
    expect(results.find((r) => r.check === 'emulator:compat-int80-getpid')?.status).toBe('pass');
    expect(said.some((m) => /syscall64-getpid: fail/.test(m))).toBe(true);
  });

  it('reports a directory it cannot check as one error result, not an exception', async () => {
    const results = await emulatorChecker().run({ step: 1, build: { buildDir: '/nonexistent-build' } as BuildResult, say: () => {} });
    expect(results).toEqual([{ check: 'emulator', status: 'error', summary: expect.stringMatching(/No build directory at \/nonexistent-build/) }]);
  });
});

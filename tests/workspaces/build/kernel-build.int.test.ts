// Real kernel builds of Debian's linux-source-6.12: configure, build, incremental rebuild, dropped options.
import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLinuxSource, linuxBuild, linuxUnavailable } from '../../helpers/linux.js';
import { configureKernel } from '../../../workspaces/build/kernel-build.js';
import { readConfig } from '../../../workspaces/build/kconfig.js';

const unavailable = linuxUnavailable();

describe.skipIf(unavailable)('building Linux 6.12 with the entry fragments', () => {
  beforeAll(() => {
    if (unavailable) console.warn(unavailable);
  });

  it('builds entry-compat out of tree with every requested option kept', async () => {
    const r = await linuxBuild('entry-compat');
    expect(fs.existsSync(r.vmlinux)).toBe(true);
    expect(r.bzImage && fs.statSync(r.bzImage).size).toBeGreaterThan(100_000);
    expect(r.asmOffsets && fs.readFileSync(r.asmOffsets, 'utf8')).toContain('#define PTREGS_SIZE 168');
    expect(r.config.dropped).toEqual([]);
    const cfg = readConfig(r.dotConfig);
    for (const opt of ['CONFIG_64BIT', 'CONFIG_IA32_EMULATION', 'CONFIG_AUDITSYSCALL', 'CONFIG_SECCOMP', 'CONFIG_BUG', 'CONFIG_KALLSYMS']) {
      expect(cfg.get(opt), opt).toBe('y');
    }
  }, 1_800_000);

  it('rebuilds nothing when nothing changed', async () => {
    const r = await linuxBuild('entry-compat');
    expect(r.config.reconfigured).toBe(false);
    expect(r.objectsRebuilt).toBe(0);
  }, 600_000);

  it('says which requested options Kconfig dropped', async () => {
    const tree = await ensureLinuxSource();
    const configs = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-configs-'));
    // DRM_I915 needs PCI and friends, which tinyconfig lacks: Kconfig must drop it.
    fs.writeFileSync(path.join(configs, 'entry-min.config'), 'CONFIG_64BIT=y\nCONFIG_DRM_I915=y\nCONFIG_PRINTK=y\n');
    const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-build-'));
    process.env.ENTRYBENCH_CONFIGS_DIR = configs;
    try {
      const r = await configureKernel({ tree, config: 'entry-min', buildDir });
      expect(r.reconfigured).toBe(true);
      expect(r.dropped).toEqual([{ option: 'CONFIG_DRM_I915', wanted: 'y', got: null }]);
      const cfg = readConfig(r.dotConfig);
      expect(cfg.get('CONFIG_64BIT')).toBe('y');
      expect(r.commands.some((c) => c.includes(' tinyconfig'))).toBe(true);
    } finally {
      delete process.env.ENTRYBENCH_CONFIGS_DIR;
      fs.rmSync(buildDir, { recursive: true, force: true });
      fs.rmSync(configs, { recursive: true, force: true });
    }
  }, 600_000);
});

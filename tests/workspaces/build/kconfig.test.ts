import { describe, expect, it } from 'vitest';
import { droppedOptions, formatConfig, mergeValues, parseConfig } from '../../../workspaces/build/kconfig.js';
import { parseDiagnostic, quoteCommand } from '../../../workspaces/build/make.js';
import { resolveConfig } from '../../../workspaces/build/fragments.js';

describe('kernel config fragments', () => {
  it('parses set, unset and string values and merges later fragments over earlier ones', () => {
    const base = parseConfig('CONFIG_64BIT=y\n# CONFIG_AUDIT is not set\nCONFIG_CMDLINE="console=ttyS0"\n# a comment\n');
    expect(base.get('CONFIG_AUDIT')).toBeNull();
    expect(base.get('CONFIG_CMDLINE')).toBe('"console=ttyS0"');
    const merged = mergeValues(base, parseConfig('CONFIG_AUDIT=y\n'), parseConfig('# CONFIG_64BIT is not set\n'));
    expect(formatConfig(merged)).toBe('# CONFIG_64BIT is not set\nCONFIG_AUDIT=y\nCONFIG_CMDLINE="console=ttyS0"\n');
  });

  it('names the requested options Kconfig did not keep', () => {
    const requested = parseConfig('CONFIG_AUDIT=y\nCONFIG_NET=y\n# CONFIG_KVM is not set\nCONFIG_NR_CPUS=4\n');
    const final = parseConfig('CONFIG_NET=y\n# CONFIG_AUDIT is not set\nCONFIG_NR_CPUS=8\n');
    expect(droppedOptions(requested, final)).toEqual([
      { option: 'CONFIG_AUDIT', wanted: 'y', got: null },
      { option: 'CONFIG_NR_CPUS', wanted: '4', got: '8' },
    ]);
  });

  it('stacks the built-in configs: entry-debug includes compat and min', () => {
    expect(resolveConfig('entry-debug').fragments.map((f) => f.split('/').pop())).toEqual([
      'entry-min.config',
      'entry-compat.config',
      'entry-debug.config',
    ]);
    expect(() => resolveConfig('no-such-config')).toThrow('No config named "no-such-config"');
  });
});

describe('build output parsing', () => {
  it('reads gcc diagnostics with file:line:column', () => {
    expect(parseDiagnostic('arch/x86/entry/common.c:77:9: error: expected ‘;’ before ‘}’ token')).toEqual({
      file: 'arch/x86/entry/common.c', line: 77, column: 9, severity: 'error', message: 'expected ‘;’ before ‘}’ token',
      text: 'arch/x86/entry/common.c:77:9: error: expected ‘;’ before ‘}’ token',
    });
    expect(parseDiagnostic('arch/x86/entry/entry_64.S:120: Error: no such instruction')).toBeNull();
    expect(parseDiagnostic('kernel/fork.c:12:1: warning: unused variable ‘x’')?.severity).toBe('warning');
  });
  it('quotes reproduction commands for a shell', () => {
    expect(quoteCommand(['make', 'CC=ccache gcc', "it's"], { CCACHE_BASEDIR: '/k' })).toBe(
      "CCACHE_BASEDIR=/k make 'CC=ccache gcc' 'it'\\''s'",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from '../../../workspaces/host/cli.js';
import { parseArgs, UsageError, type CommandSpec } from '../../../workspaces/host/cli/args.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), stdin: async () => Buffer.alloc(0) },
    get out() { return out; },
    get err() { return err; },
  };
}

describe('entrybench CLI', () => {
  it('lists its subcommands and gives --help on each', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out).toMatch(/^ {2}serve +Serve the workbench UI/m);
    const h = capture();
    expect(await runCli(['serve', '--help'], h.io)).toBe(0);
    expect(h.out).toContain('entrybench serve [--port N] [--no-open]');
    expect(h.out).toContain('--no-open');
  });

  it('refuses unknown commands and options with exit status 2 and the usage', async () => {
    const c = capture();
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toContain('unknown command "frobnicate"');
    const d = capture();
    expect(await runCli(['serve', '--prot', '8080'], d.io)).toBe(2);
    expect(d.err).toContain('unknown option --prot for "serve"');
    const e = capture();
    expect(await runCli(['serve', '--port', 'lots'], e.io)).toBe(2);
    expect(e.err).toContain('--port must be 0-65535');
  });
});

describe('argument parser', () => {
  const spec: CommandSpec = {
    name: 't', summary: '', usage: '', run: async () => 0,
    options: [
      { name: 'tree', type: 'string', help: '' },
      { name: 'json', type: 'flag', help: '' },
      { name: 'comment', short: 'c', type: 'list', help: '' },
    ],
  };
  it('parses values, flags, repeated options, = forms and -- ', () => {
    const a = parseArgs(['--tree', '/k', '--json', '-c', 'a:1:x', '--comment=b:2:y', 'f1', '--', '--json'], spec);
    expect(a.values.get('tree')).toBe('/k');
    expect(a.flags.has('json')).toBe(true);
    expect(a.lists.get('comment')).toEqual(['a:1:x', 'b:2:y']);
    expect(a.positionals).toEqual(['f1', '--json']);
  });
  it('says which option lacks its value', () => {
    expect(() => parseArgs(['--tree'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['--json=1'], spec)).toThrow('takes no value');
  });
});

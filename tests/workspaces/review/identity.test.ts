import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { NoIdentity, parseIdentityText, readIdentity } from '../../../workspaces/review/identity.js';
import { ReviewService } from '../../../workspaces/review/service.js';
import { SendConfigFile } from '../../../workspaces/review/send.js';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';

let tmp: string;
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-identity-'));
  // An empty home: no global git config of the machine leaks in.
  process.env.HOME = path.join(tmp, 'home');
  process.env.XDG_CONFIG_HOME = path.join(tmp, 'home', '.config');
  fs.mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true });
});
afterAll(() => {
  process.env.HOME = saved.HOME;
  process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
  fs.rmSync(tmp, { recursive: true, force: true });
});

function repo(name: string, config: Record<string, string>): string {
  const dir = path.join(tmp, name);
  execFileSync('git', ['init', '-q', dir]);
  for (const [k, v] of Object.entries(config)) execFileSync('git', ['config', k, v], { cwd: dir });
  return dir;
}

describe('my identity from git config', () => {
  afterEach(() => fs.rmSync(path.join(tmp, 'home', '.gitconfig'), { force: true }));

  it('is user.name and user.email, from the repository where the tree is', async () => {
    const dir = repo('plain', { 'user.name': 'Borislav Petkov', 'user.email': 'bp@alien8.example' });
    expect(await readIdentity(dir)).toEqual({
      identity: { name: 'Borislav Petkov', email: 'bp@alien8.example', source: 'user.name/user.email' },
      myAddresses: ['bp@alien8.example'],
    });
  });

  it('is sendemail.from when set, and both addresses count as mine', async () => {
    const dir = repo('sendemail', { 'user.name': 'Boris', 'user.email': 'bp@work.example', 'sendemail.from': '"Petkov, Borislav" <BP@alien8.example>' });
    const info = await readIdentity(dir);
    expect(info.identity).toEqual({ name: 'Petkov, Borislav', email: 'BP@alien8.example', source: 'sendemail.from' });
    expect(info.myAddresses.sort()).toEqual(['bp@alien8.example', 'bp@work.example']);
  });

  it('reads the global config outside a repository', async () => {
    execFileSync('git', ['config', '--global', 'user.name', 'Thomas Gleixner']);
    execFileSync('git', ['config', '--global', 'user.email', 'tglx@linutronix.example']);
    const outside = path.join(tmp, 'not-a-repo');
    fs.mkdirSync(outside, { recursive: true });
    expect((await readIdentity(outside)).identity).toMatchObject({ name: 'Thomas Gleixner', email: 'tglx@linutronix.example' });
  });

  it('says how to set it when there is none', async () => {
    const dir = repo('none', {});
    const err = await readIdentity(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoIdentity);
    expect((err as NoIdentity).hint).toContain('git config --global user.email');
  });

  it('is read in the kernel tree a workspace was applied to', async () => {
    const tree = repo('kernel', { 'user.name': 'Peter Zijlstra', 'user.email': 'peterz@infradead.example' });
    const mbox = path.join(tmp, 'series.mbox');
    fs.writeFileSync(mbox, 'From x Thu Jan  1 00:00:00 1970\nSubject: [PATCH] x\n\nbody\n');
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = store.create([{ path: mbox }]);
    const service = new ReviewService({ store, loadSeries: async () => [], sendConfig: new SendConfigFile(path.join(tmp, 'send.json')) });
    // the tree module records where it applied the series; another store instance writes it
    new WorkspaceStore(path.join(tmp, 'data')).get(ws.id).setSection('tree', { format: 1, reviews: [{ state: 'applied', tree }] });
    expect((await service.identity(ws)).identity).toMatchObject({ name: 'Peter Zijlstra', email: 'peterz@infradead.example' });
  });

  it('parses "Name <addr>" forms', () => {
    expect(parseIdentityText('Ingo Molnar <mingo@kernel.example>')).toEqual({ name: 'Ingo Molnar', email: 'mingo@kernel.example' });
    expect(parseIdentityText('mingo@kernel.example')).toEqual({ name: '', email: 'mingo@kernel.example' });
    expect(parseIdentityText('Ingo Molnar')).toBeNull();
  });
});

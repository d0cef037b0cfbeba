import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WorkspaceStore } from '../../../workspaces/store/workspace.js';
import { strayTempFiles, writeFileAtomic } from '../../../workspaces/store/atomic.js';
import { KeyedMutex } from '../../../workspaces/store/mutex.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-store-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('workspace store', () => {
  it('keeps the input bytes exactly and never touches the originals', () => {
    const input = path.join(tmp, 'series.mbox');
    const bytes = Buffer.from('From a@b Thu Jan  1 00:00:00 1970\r\nSubject: [PATCH] x\r\n\r\n>From not a separator\r\n');
    fs.writeFileSync(input, bytes);
    const before = fs.statSync(input);
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = store.create([{ path: input }]);
    expect(fs.readFileSync(ws.mailPaths()[0])).toEqual(bytes);
    expect(ws.meta.sources[0]).toMatchObject({ stored: 'series.mbox', origin: input, bytes: bytes.length, kind: 'file' });
    expect(fs.statSync(input).mtimeMs).toBe(before.mtimeMs);
    expect(fs.statSync(ws.mailPaths()[0]).mode & 0o222).toBe(0); // read-only copy
  });

  it('stores directories (maildir, format-patch folders) and uploads', () => {
    const dir = path.join(tmp, 'patches');
    fs.mkdirSync(path.join(dir, 'cur'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cur', '1'), 'Subject: a\n\nb\n');
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = store.create([{ path: dir }, { name: 'stdin', bytes: Buffer.from('x') }], 'v2 of the ptregs series');
    expect(ws.id).toMatch(/^v2-of-the-ptregs-series-[0-9a-f]{6}$/);
    expect(fs.readFileSync(path.join(ws.path('mail', 'patches'), 'cur', '1'), 'utf8')).toBe('Subject: a\n\nb\n');
    expect(ws.meta.sources.map((s) => s.kind)).toEqual(['directory', 'file']);
  });

  it('reopens from disk with its sections, and lists and removes workspaces', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = store.create([{ path: input }]);
    ws.setSection('tree', { worktree: '/w', branch: 'review/x-v1' });
    const again = new WorkspaceStore(path.join(tmp, 'data')).get(ws.id);
    expect(again.section('tree')).toEqual({ worktree: '/w', branch: 'review/x-v1' });
    expect(store.list().map((m) => m.id)).toEqual([ws.id]);
    store.remove(ws.id);
    expect(store.list()).toEqual([]);
    expect(() => store.get(ws.id)).toThrow(`No workspace ${ws.id}`);
  });

  it('refuses missing inputs without creating anything', () => {
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    expect(() => store.create([{ path: path.join(tmp, 'nope.mbox') }])).toThrow('No such file or directory');
    expect(fs.readdirSync(store.root)).toEqual([]);
  });

  it('writes atomically and leaves no temp files behind', () => {
    const file = path.join(tmp, 'x', 'notes.json');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(strayTempFiles(path.dirname(file))).toEqual([]);
  });
});

describe('keyed mutex', () => {
  it('runs operations on one key one at a time, in order, and keys independently', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const op = (key: string, name: string, ms: number) =>
      m.run(key, async () => {
        log.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}-`);
      });
    await Promise.all([op('a', 'a1', 20), op('a', 'a2', 1), op('b', 'b1', 5)]);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
  });
});

describe('workspace metadata shared by several services', () => {
  it('never loses one service\'s section when another writes its own', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const treeStore = new WorkspaceStore(path.join(tmp, 'data'));
    const reviewStore = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = treeStore.create([{ path: input }]);
    const seenByReview = reviewStore.get(ws.id);
    ws.setSection('tree', { branch: 'review/a-v1' });
    seenByReview.setSection('review', { drafts: 1 });
    expect(new WorkspaceStore(path.join(tmp, 'data')).get(ws.id).meta.sections).toEqual({ tree: { branch: 'review/a-v1' }, review: { drafts: 1 } });
  });

  it('keeps a section another process wrote to the file meanwhile', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const ws = new WorkspaceStore(path.join(tmp, 'data')).create([{ path: input }]);
    const file = ws.path('workspace.json');
    const other = JSON.parse(fs.readFileSync(file, 'utf8'));
    other.sections.walk = { steps: 3 };
    fs.writeFileSync(file, JSON.stringify(other));
    ws.setSection('tree', { branch: 'b' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).sections).toEqual({ walk: { steps: 3 }, tree: { branch: 'b' } });
  });

  /** Another process (the CLI beside a running host) writing one section through the real store. */
  function setSectionElsewhere(dataDir: string, id: string, name: string, value: unknown): void {
    const store = fileURLToPath(new URL('../../../workspaces/store/workspace.ts', import.meta.url));
    const code = `import { WorkspaceStore } from ${JSON.stringify(store)};\n` +
      `new WorkspaceStore(${JSON.stringify(dataDir)}).get(${JSON.stringify(id)}).setSection(${JSON.stringify(name)}, ${JSON.stringify(value)});`;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'pipe' });
  }

  it('does not write back its old copy of a section another process changed since', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const data = path.join(tmp, 'data');
    const ws = new WorkspaceStore(data).create([{ path: input }]);
    ws.setSection('walk', { last: 'review/a-v1', firstBad: null });
    setSectionElsewhere(data, ws.id, 'walk', { last: 'review/a-v2', firstBad: 3 });
    ws.setSection('tree', { branch: 'review/a-v2' });
    expect(JSON.parse(fs.readFileSync(ws.path('workspace.json'), 'utf8')).sections).toEqual({
      walk: { last: 'review/a-v2', firstBad: 3 },
      tree: { branch: 'review/a-v2' },
    });
  });

  it('reads what another process wrote, without being opened again', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const data = path.join(tmp, 'data');
    const ws = new WorkspaceStore(data).create([{ path: input }]);
    ws.setSection('tree', { reviews: [] });
    setSectionElsewhere(data, ws.id, 'tree', { reviews: [{ branch: 'review/a-v1' }] });
    expect(ws.section('tree')).toEqual({ reviews: [{ branch: 'review/a-v1' }] });
    expect(new WorkspaceStore(data).get(ws.id).meta.sections.tree).toEqual({ reviews: [{ branch: 'review/a-v1' }] });
  });
});

describe('atomic writes that cannot happen', () => {
  it('say which file could not be written and why, as a ReviewError, and leave nothing behind', async () => {
    const { WriteFailed } = await import('../../../workspaces/store/atomic.js');
    const blocker = path.join(tmp, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const target = path.join(blocker, 'drafts.mbox');
    const err = (() => {
      try {
        writeFileAtomic(target, 'text');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(WriteFailed);
    expect((err as Error).message).toBe(`Cannot write ${target}: a part of its path is not a directory (EEXIST).`);
    expect(fs.readdirSync(tmp)).toEqual(['a-file']);
  });
});

describe('names of stored mail', () => {
  it('stores pasted or uploaded mail under a plain file name whatever name it came with', () => {
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const ws = store.create([
      { name: '..', bytes: Buffer.from('one') },
      { name: '.', bytes: Buffer.from('two') },
      { name: '../../etc/x.mbox', bytes: Buffer.from('three') },
    ]);
    expect(ws.meta.sources.map((s) => s.stored)).toEqual(['input-0', 'input-1', 'x.mbox']);
    expect(ws.mailPaths().map((p) => fs.readFileSync(p, 'utf8'))).toEqual(['one', 'two', 'three']);
    expect(ws.mailPaths().every((p) => path.dirname(p) === ws.path('mail'))).toBe(true);
  });
});

describe('inputs that are not mail files', () => {
  it('refuses a pipe or a device instead of copying from it, and a folder it cannot copy, creating nothing', async () => {
    const { BadRequest } = await import('../../../workspaces/errors.js');
    const store = new WorkspaceStore(path.join(tmp, 'data'));
    const fifo = path.join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => store.create([{ path: fifo }])).toThrow(BadRequest);
    expect(() => store.create([{ path: '/dev/zero' }])).toThrow(`/dev/zero is not a file or a directory.`);
    const dir = path.join(tmp, 'maildir');
    fs.mkdirSync(path.join(dir, 'cur'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'cur', '1'), 'Subject: a\n\nb\n');
    execFileSync('mkfifo', [path.join(dir, 'cur', 'pipe')]);
    let err: unknown = null;
    try {
      store.create([{ path: dir }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as Error).message).toContain(`Cannot copy ${dir} into the workspace`);
    expect(fs.readdirSync(store.root)).toEqual([]);
  });
});

describe('removing workspaces', () => {
  it('removes only workspaces of its own data directory, named by their directory', () => {
    const input = path.join(tmp, 'a.mbox');
    fs.writeFileSync(input, 'x');
    const mine = new WorkspaceStore(path.join(tmp, 'data'));
    const elsewhere = new WorkspaceStore(path.join(tmp, 'other')).create([{ path: input }]);
    expect(() => mine.remove(elsewhere.dir)).toThrow(`${elsewhere.dir} is not a workspace of ${mine.root}.`);
    expect(fs.existsSync(path.join(elsewhere.dir, 'mail', 'a.mbox'))).toBe(true);

    // The id inside workspace.json is data, not a path: it does not choose where the directory goes.
    const ws = mine.create([{ path: input }]);
    const meta = JSON.parse(fs.readFileSync(ws.path('workspace.json'), 'utf8'));
    fs.writeFileSync(ws.path('workspace.json'), JSON.stringify({ ...meta, id: '/../../outside' }));
    const outside = path.join(tmp, 'outside.removing');
    fs.mkdirSync(outside); // someone's empty directory where that id points
    mine.remove(ws.dir);
    expect(fs.existsSync(ws.dir)).toBe(false);
    expect(fs.statSync(outside).isDirectory()).toBe(true);
    expect(fs.readdirSync(mine.root)).toEqual([]);
  });
});

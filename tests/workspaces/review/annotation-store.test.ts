import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { build } from 'esbuild';
import { AnnotationStore } from '../../../workspaces/review/annotation-store.js';
import { EditConflict } from '../../../workspaces/review/errors.js';
import type { Anchor } from '../../../workspaces/review/types.js';
import { expectedText } from './crash-writer.js';

let tmp: string;
let writer: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-annotations-'));
  // The child runs the real store code, bundled once so that each of the 200+ starts costs ~50 ms, not tsx's ~250.
  writer = path.join(tmp, 'writer.mjs');
  await build({ entryPoints: [path.join(import.meta.dirname, 'crash-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'error' });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const anchor: Anchor = { kind: 'walk', seriesVersion: 1, result: 'walk-1', step: 7, scenario: 'emulator:sysret-rcx' };

/** Start a writer on `dir` and SIGKILL it, `kills` times, checking the store after each kill. */
async function killRepeatedly(writer: string, dir: string, kills: number, stats: { opsAcked: number; killedMidOp: number; left: number }): Promise<void> {
  fs.mkdirSync(dir);
  /** What the writer acknowledged: id -> revision; removed ids. */
  const acked = new Map<string, number>();
  const removed = new Set<string>();
  for (let run = 0; run < kills; run++) {
    const child = spawn(process.execPath, [writer, '--crash-writer-run', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Kill after a random number of acknowledged operations plus a random few milliseconds, so every run does
    // some work however loaded the machine is and the kill lands anywhere in the next operation; every tenth
    // run is killed while it starts up and loads the store instead.
    const early = run % 10 === 0;
    const target = Math.floor(Math.random() * 8);
    let armed = false;
    const kill = () => {
      if (armed) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), Math.random() * (early ? 60 : 4));
    };
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!early && (out.match(/^ack /gm)?.length ?? 0) >= target) kill();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (early) kill();
    await exited;
    expect(err).toBe('');

    // Replay what was acknowledged; the one operation begun but not acknowledged may or may not have happened.
    let inFlight: { op: string; id: string | null } | null = null;
    for (const line of out.split('\n')) {
      const [kind, op, id, rev] = line.split(' ');
      if (kind === 'begin') inFlight = { op, id: id ?? null };
      if (kind !== 'ack') continue;
      inFlight = null;
      stats.opsAcked++;
      if (op === 'add' || op === 'upd') acked.set(id, Number(rev));
      if (op === 'del') {
        acked.delete(id);
        removed.add(id);
      }
    }
    if (inFlight) stats.killedMidOp++;

    // The store loads, nothing in it is damaged, and every file is an annotation or an ignored temp file.
    const loaded = new AnnotationStore(dir).load();
    expect(loaded.problems).toEqual([]);
    for (const name of fs.readdirSync(dir)) expect(name).toMatch(/^(a-[0-9a-z]+-[0-9a-f]{8}\.json|\..*\.tmp)$/);
    const present = new Map(loaded.annotations.map((a) => [a.id, a]));
    for (const [id, rev] of acked) {
      const a = present.get(id);
      if (!a) {
        expect(inFlight, `acknowledged annotation ${id} is gone`).toEqual({ op: 'del', id });
        acked.delete(id);
        removed.add(id);
        continue;
      }
      const mayBeNewer = inFlight?.op === 'upd' && inFlight.id === id;
      expect([rev, ...(mayBeNewer ? [rev + 1] : [])], `revision of ${id}`).toContain(a.revision);
      acked.set(id, a.revision);
    }
    for (const id of removed) expect(present.has(id), `removed ${id} came back`).toBe(false);
    // Content, not only presence: each text is the one written for that revision.
    for (const a of loaded.annotations) expect(a.text).toBe(expectedText(a.id, a.revision));
    // At most the one unacknowledged add is unknown to us.
    const unknown = loaded.annotations.filter((a) => !acked.has(a.id));
    expect(unknown.length).toBeLessThanOrEqual(inFlight?.op === 'add' ? 1 : 0);
    for (const a of unknown) acked.set(a.id, a.revision);
  }
  stats.left += acked.size;
}

describe('annotation store', () => {
  it('adds, edits with revision checks, removes, and reloads from disk', () => {
    const dir = path.join(tmp, 'basic');
    const store = new AnnotationStore(dir);
    const a = store.add(anchor, 'RCX is clobbered here');
    const b = store.add(anchor, 'second');
    expect(new AnnotationStore(dir).load().annotations.map((x) => x.id)).toEqual([a.id, b.id]);
    const a2 = store.update(a.id, 'RCX is clobbered here, see the trace', 1);
    expect(a2.revision).toBe(2);
    expect(() => store.update(a.id, 'stale edit', 1)).toThrow(EditConflict);
    store.remove(b.id);
    const again = new AnnotationStore(dir).load();
    expect(again.problems).toEqual([]);
    expect(again.annotations).toEqual([a2]);
    expect(() => store.get(b.id)).toThrow(/no annotation/);
  });

  it('reports a damaged file without losing the others or deleting it', () => {
    const dir = path.join(tmp, 'damaged');
    const store = new AnnotationStore(dir);
    const a = store.add(anchor, 'kept');
    fs.writeFileSync(path.join(dir, 'a-zzz-00000000.json'), '{"format":1,"annot');
    fs.writeFileSync(path.join(dir, '.a-zzz.json.123.abcd.tmp'), 'half a write');
    const loaded = store.load();
    expect(loaded.annotations.map((x) => x.id)).toEqual([a.id]);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0].file).toMatch(/a-zzz-00000000\.json$/);
    expect(fs.existsSync(path.join(dir, 'a-zzz-00000000.json'))).toBe(true);
  });

  it('survives SIGKILL at random moments: 200 kills, every acknowledged change kept, never corrupt', async () => {
    const KILLS = 200;
    const LANES = 4; // independent stores side by side, so the 200 process starts overlap
    const stats = { opsAcked: 0, killedMidOp: 0, left: 0 };
    const started = Date.now();
    await Promise.all(Array.from({ length: LANES }, (_, i) => killRepeatedly(writer, path.join(tmp, `crash-${i}`), KILLS / LANES, stats)));
    const seconds = (Date.now() - started) / 1000;
    console.log(`crash test: ${KILLS} kills, ${stats.opsAcked} acknowledged operations, ${stats.killedMidOp} kills mid-operation, ${stats.left} annotations left, ${seconds.toFixed(1)} s`);
    expect(stats.opsAcked).toBeGreaterThan(KILLS);
    expect(stats.killedMidOp).toBeGreaterThan(KILLS / 3);
  }, 120_000);
});

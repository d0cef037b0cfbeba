// The guest pane in Chromium through the real `entrybench serve`: boot the Linux 6.12 build, type a
// command into the xterm.js terminal and read its output back from the terminal, check the window
// size reached the guest, Ctrl-C, power off from the toolbar, and no QEMU left behind by closing
// the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, startServe, type ServeProcess } from '../helpers/browser.js';
import { linuxBuild, linuxUnavailable } from '../helpers/linux.js';

const unavailable = linuxUnavailable();
let serve: ServeProcess;
let browser: Browser;
let page: Page;
let buildDir: string;
const consoleErrors: string[] = [];

/** QEMU pids that belong to the serve process (their run directory names its pid). */
function serveGuests(): number[] {
  const root = '/tmp/entrybench-guests';
  const pids: number[] = [];
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    try {
      if (Number(fs.readFileSync(path.join(root, id, 'host.pid'), 'utf8')) !== serve.child.pid) continue;
      pids.push(Number(fs.readFileSync(path.join(root, id, 'qemu.pid'), 'utf8')));
    } catch {
      /* not started yet, or gone */
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    return !/\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The terminal's visible text; xterm renders spaces as no-break spaces. */
const rows = async () => (await page.locator('[data-testid=guest-terminal] .xterm-rows').innerText()).replace(/\u00a0/g, ' ');

async function bootFromPane(): Promise<void> {
  await page.click('button.panel-tab[data-tab=guest]');
  await page.fill('[data-testid=guest-build-dir]', buildDir);
  await page.uncheck('[data-testid=guest-selftests]');
  await page.selectOption('[data-testid=guest-accel]', 'tcg');
  await page.click('[data-testid=guest-boot]');
  // The pane says "shell" once the guest's prompt is up (an earlier guest's text may still show).
  await expect.poll(() => page.locator('[data-testid=guest-status]').innerText(), { timeout: 120_000 }).toMatch(/^shell/);
  await expect.poll(rows, { timeout: 10_000 }).toMatch(/guest:\/root# /);
}

beforeAll(async () => {
  if (unavailable) return;
  buildDir = (await linuxBuild('entry-compat')).buildDir;
  serve = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(serve.url);
  await page.waitForSelector('.status-bar .conn-dot.open');
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe.skipIf(unavailable)('the guest terminal in Chromium', () => {
  it('boots a step and runs what is typed into the terminal', async () => {
    await bootFromPane();
    await page.locator('[data-testid=guest-terminal] .xterm').click();
    await page.keyboard.type('echo guest-$((6*7))-ok');
    await page.keyboard.press('Enter');
    await expect.poll(rows, { timeout: 20_000 }).toContain('guest-42-ok');
    expect(serveGuests()).toHaveLength(1);
  });

  it('has told the guest the terminal\'s size (the serial line carries none)', async () => {
    const size = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=guest-terminal] .xterm-rows');
      return el ? el.children.length : 0;
    });
    await page.keyboard.type('stty size');
    await page.keyboard.press('Enter');
    await expect.poll(rows, { timeout: 20_000 }).toMatch(new RegExp(`^${size} \\d+$`, 'm'));
  });

  it('sends Ctrl-C to the guest', async () => {
    await page.keyboard.type('sleep 200; echo slept-through');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
    await page.keyboard.press('Control+C');
    await expect.poll(rows, { timeout: 15_000 }).toMatch(/\^C\s*\n.*guest:\/root# /);
    expect(await rows()).not.toMatch(/^slept-through$/m);
  });

  it('powers off from the toolbar and shows the verdict', async () => {
    const [pid] = serveGuests();
    await page.click('[data-testid=guest-power-off]');
    await expect.poll(() => page.locator('[data-testid=guest-verdict]').innerText(), { timeout: 20_000 }).toMatch(/^booted booted in [\d.]+ s; selftests not run/);
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    await page.screenshot({ path: artifactPath('guest.png') });
  });

  it('leaves no QEMU behind when the page goes away', async () => {
    await bootFromPane();
    const [pid] = serveGuests();
    expect(alive(pid)).toBe(true);
    await page.close();
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false);
    expect(consoleErrors).toEqual([]);
  });
});

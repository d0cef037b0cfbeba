// The workbench in Debian's Chromium, through the real `entrybench serve`: token exchange, Monaco,
// the terminal pane on a real shell, and a host call shown in the status bar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, startServe, type ServeProcess } from '../helpers/browser.js';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const workers: string[] = [];

beforeAll(async () => {
  serve = await startServe();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto(serve.url);
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('web mode in Chromium', () => {
  it('trades the token for a cookie and removes it from the address bar', async () => {
    expect(page.url()).toBe(`http://127.0.0.1:${serve.port}/`);
    const cookies = await page.context().cookies();
    const token = cookies.find((c) => c.name === 'entrybench_token');
    expect(token).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: scripts cannot read it
  });

  it('renders text in Monaco and loads its worker from our own origin', async () => {
    await page.waitForSelector('.monaco-editor .view-lines');
    const text = await page.locator('.monaco-editor .view-lines').innerText();
    expect(text).toContain('Entrybench');
    await page.evaluate(() => {
      const env = (self as unknown as { MonacoEnvironment: { getWorker(id: string, label: string): Worker } }).MonacoEnvironment;
      env.getWorker('probe', 'editorWorkerService');
    });
    await expect.poll(() => workers.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(workers.every((u) => u.startsWith(`http://127.0.0.1:${serve.port}/`) || u.startsWith('blob:'))).toBe(true);
  });

  it('shows the host connection in the status bar (a real host.info call)', async () => {
    await expect.poll(() => page.locator('.status-bar .conn-text').innerText()).toMatch(
      new RegExp(`^host 127\\.0\\.0\\.1:${serve.port} · web · v\\d+\\.\\d+\\.\\d+$`),
    );
    expect(await page.locator('.conn-dot').getAttribute('class')).toContain('open');
  });

  it('runs a shell in the terminal pane: typed input reaches it and its output comes back', async () => {
    await page.waitForSelector('[data-testid=terminal] .xterm');
    await page.locator('[data-testid=terminal] .xterm').click();
    await page.keyboard.type('echo e2e-$((3*7))-ok');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('[data-testid=terminal] .xterm-rows').innerText(), { timeout: 15_000 })
      .toContain('e2e-21-ok');
  });

  it('explains how to open a series when none is open', async () => {
    const empty = page.locator('.empty-state');
    await expect.poll(() => empty.innerText()).toContain('No series open');
    expect(await empty.innerText()).toContain('entrybench open FILE');
  });

  it('shows every shortcut on ? and closes on Escape, but lets ? through to a focused terminal', async () => {
    await page.locator('.left-area').click();
    await page.keyboard.press('?');
    const help = page.locator('[data-testid=help]');
    await expect.poll(() => help.isVisible()).toBe(true);
    expect(await help.innerText()).toContain('show every shortcut');
    await page.screenshot({ path: artifactPath('shortcuts.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    await page.locator('[data-testid=terminal] .xterm').click();
    await page.keyboard.press('?');
    expect(await help.count()).toBe(0);
    await page.keyboard.press('Backspace');
  });

  it('has no console errors, and keeps a screenshot for a human to look at', async () => {
    await page.screenshot({ path: artifactPath('foundation.png') });
    expect(consoleErrors).toEqual([]);
  });
});

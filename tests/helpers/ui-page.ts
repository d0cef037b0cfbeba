// One workbench page for the UI's end-to-end tests: the real `entrybench serve`, Debian's Chromium at
// 1366x768, console errors collected, and the few steps every test takes (open a series, read the editor).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, startServe, type ServeProcess } from './browser.js';

/** Who the replies are from in these tests: a HOME of their own with a git identity (and a quick shell). */
export const REVIEWER = { name: 'Ada Reviewer', email: 'ada@example.org' };

function reviewerHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-ui-home-'));
  fs.writeFileSync(path.join(home, '.gitconfig'), `[user]\n\tname = ${REVIEWER.name}\n\temail = ${REVIEWER.email}\n`);
  return home;
}

export interface Workbench {
  serve: ServeProcess;
  browser: Browser;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

export async function openWorkbench(opts: { colorScheme?: 'light' | 'dark'; serveArgs?: string[]; cacheDir?: string } = {}): Promise<Workbench> {
  const home = reviewerHome();
  // The kernel build and walk caches stay the machine's, so walks of the same steps are reused across runs.
  const cache = opts.cacheDir ?? process.env.ENTRYBENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'entrybench');
  const serve = await startServe(opts.serveArgs ?? [], { HOME: home, ENTRYBENCH_CACHE: cache });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, colorScheme: opts.colorScheme ?? 'light' });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(serve.url);
  await page.waitForSelector('.conn-dot.open');
  return {
    serve,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await serve.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Type a path on the start screen and wait until the first patch is painted. */
export async function openSeries(page: Page, file: string): Promise<void> {
  await page.fill('[data-testid=open-path]', file);
  await page.press('[data-testid=open-path]', 'Enter');
  await page.waitForSelector('.patch-pane[data-shown]', { timeout: 60_000 });
}

/** The text of the Patch pane's editor (the whole model, not only the lines Monaco has rendered). */
export function editorText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __entrybench: { editorText(): string } }).__entrybench.editorText());
}

export function shownIndex(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.querySelector<HTMLElement>('.patch-pane')?.dataset.shown ?? -1));
}

/** Press a key with the focus where a reader's would be (the editor, not a text field). */
export async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: artifactPath(name) });
}

export function bench<T>(page: Page, fn: string): Promise<T> {
  return page.evaluate(`window.__entrybench.${fn}`) as Promise<T>;
}

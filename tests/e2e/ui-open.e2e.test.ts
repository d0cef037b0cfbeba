// Ways into a review, in Chromium: the file given to `entrybench serve` opens at once; two versions of a
// series with a comment that follows the patch from v1 to v2; a pasted archive page with missing and
// damaged parts and its thread; an archive page without patches; an upload; and the dark theme.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/browser.js';
import { editorText, openWorkbench, shot, shownIndex, type Workbench } from '../helpers/ui-page.js';

const V1V2 = path.join(repoRoot, 'tests', 'fixtures', 'mail', 'series-v1.mbox');
const PAGES = '/work/shared/fixtures/archive-pages';
const SLOW_PATH_PAGE = path.join(PAGES, 'mail-archive-ptregs-slow-path-07-12.txt');
const LKML_PAGE = path.join(PAGES, 'lkml-iu-complete-pt-regs-4-5.txt');

let wb: Workbench;
let page: Page;

beforeAll(async () => {
  wb = await openWorkbench({ serveArgs: [V1V2] });
  page = wb.page;
});

afterAll(async () => {
  await wb?.close();
});

/** Paste text into the dialog's paste box the way a paste does: one input, not a keystroke per character. */
async function paste(text: string): Promise<void> {
  await page.locator('[data-testid=paste]').evaluate((el, t) => {
    (el as HTMLTextAreaElement).value = t;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  await page.locator('[data-testid=paste]').press('Control+Enter');
}

async function openDialog(): Promise<void> {
  await page.locator('.parts').click();
  await page.keyboard.press('o');
  await expect.poll(() => page.locator('[data-testid=open-dialog]').isVisible()).toBe(true);
}

describe('opening', () => {
  it('opens the file given to entrybench serve without a click, at the latest version', async () => {
    await page.waitForSelector('.patch-pane[data-shown]', { timeout: 60_000 });
    expect(await page.locator('.version[aria-selected=true]').innerText()).toBe('v2');
    expect(await editorText(page)).toContain('Subject: [PATCH 1/3] x86/syscalls: Add syscall entry qualifiers');
  });

  it('switches versions with V and the version tabs; a comment on an unchanged patch follows it to v1', async () => {
    await page.locator('.patch-pane .monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('/');
    await page.keyboard.type('This will let us');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await page.evaluate(() => (window as unknown as { __entrybench: { cursorLine(): number } }).__entrybench.cursorLine())) > 1).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await page.keyboard.type('Which qualifiers will there be besides ptregs?');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('.patch-pane [data-testid=comment]').count()).toBe(1);
    await page.keyboard.press('V');
    await expect.poll(() => page.locator('.version[aria-selected=true]').innerText()).toBe('v1');
    const zone = page.locator('.patch-pane [data-testid=comment]');
    await expect.poll(() => zone.count()).toBe(1);
    expect(await zone.innerText()).toContain('Which qualifiers will there be besides ptregs?');
    await page.locator('.version[data-version="2"]').click();
    await expect.poll(() => page.locator('.version[aria-selected=true]').innerText()).toBe('v2');
    expect(await page.locator('.parts li[data-index="2"]').innerText()).toContain('Always run ptregs-using syscalls on the slow path');
    expect(await shownIndex(page)).toBe(1);
  });

  it('opens a pasted archive page: missing parts, the damaged patch, the warning, and its thread', async () => {
    await openDialog();
    await paste(fs.readFileSync(SLOW_PATH_PAGE, 'utf8'));
    await expect.poll(() => page.locator('.parts li').count(), { timeout: 30_000 }).toBe(12);
    await expect.poll(() => shownIndex(page)).toBe(7);
    expect(await page.locator('.parts li.missing').count()).toBe(11);
    expect(await page.locator('.parts li[data-index="7"] [data-mark=apply]').innerText()).toBe('!');
    expect(await page.locator('.series-meta').innerText()).toContain('11 missing');
    const notice = page.locator('.patch-pane [data-testid=pane-notice]');
    await expect.poll(() => notice.innerText()).toContain('Rebuilt from archive page text');
    expect(await page.locator('[data-testid=patch-status]').innerText()).toContain('damaged');
    await page.keyboard.press('2');
    await expect.poll(() => page.locator('[data-testid=reply]').count()).toBe(10);
    expect(await page.locator('[data-testid=reply] button.fold').count()).toBeGreaterThan(0);
    // The vger footer under an archive's "--" is cut with the signature.
    expect(await page.locator('.thread-list').innerText()).not.toContain('To unsubscribe from this list');
    await shot(page, 'ui-archive-thread.png');
    await page.keyboard.press('1');
    await page.keyboard.press('j');
    await expect.poll(() => shownIndex(page)).toBe(8);
    await expect.poll(() => notice.innerText()).toContain('Patch 8 is missing from the mail.');
  });

  it('says where the user looks when an archive page holds no patches', async () => {
    await openDialog();
    await paste(fs.readFileSync(LKML_PAGE, 'utf8'));
    const err = page.locator('[data-testid=open-dialog] .start-error');
    await expect.poll(() => err.innerText(), { timeout: 30_000 }).toContain('no patches in this mail');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid=open-dialog]').count()).toBe(0);
  });

  it('uploads files from this computer (web mode) and opens them', async () => {
    await openDialog();
    await page.locator('[data-testid=upload]').setInputFiles(path.join(repoRoot, 'tests', 'fixtures', 'mail', 'format-patch', '0001-x86-syscalls-Add-syscall-entry-qualifiers.patch'));
    await expect.poll(() => page.locator('[data-testid=workspace-title]').innerText(), { timeout: 30_000 }).toContain('0001-x86-syscalls-Add-syscall-entry-qualifiers.patch');
    await expect.poll(() => editorText(page)).toContain('Subject: [PATCH 1/3] x86/syscalls: Add syscall entry qualifiers');
  });

  it('follows a dark system theme and stays readable at 1366x768', async () => {
    const dark = await wb.browser.newPage({ viewport: { width: 1366, height: 768 }, colorScheme: 'dark' });
    await dark.goto(wb.serve.url);
    await dark.waitForSelector('.conn-dot.open');
    // The file given to serve opens again, as the same review (not a new copy of the mail).
    await dark.waitForSelector('.patch-pane[data-shown]', { timeout: 30_000 });
    expect(await dark.locator('.patch-pane [data-testid=comment]').count()).toBe(1);
    const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(30, 30, 30)');
    expect(await dark.locator('.monaco-editor').first().getAttribute('class')).toContain('vs-dark');
    await dark.screenshot({ path: path.join(repoRoot, 'tests', 'artifacts', 'ui-dark.png') });
    await dark.close();
    expect(wb.errors).toEqual([]);
  });
});

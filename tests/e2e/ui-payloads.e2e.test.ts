// Mail text is text: a series whose subject, author, body, file name and replies carry HTML and script
// payloads is shown in every pane, and nothing executes or renders as markup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { PAYLOAD, makeHostileSeries, removeTmp } from '../helpers/ui-mail.js';
import { bench, editorText, openSeries, openWorkbench, shot, shownIndex, type Workbench } from '../helpers/ui-page.js';

let wb: Workbench;
let page: Page;
let mbox: string;

/** Nothing ran, and none of the payload elements exists anywhere in the page. */
async function expectInert(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  const counts = await page.evaluate(() => ({
    iframes: document.querySelectorAll('iframe').length,
    images: document.querySelectorAll('img').length,
    bold: document.querySelectorAll('#app b, .overlay b').length,
    scripts: Array.from(document.querySelectorAll('script')).filter((s) => !s.src).length,
    handlers: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
    links: Array.from(document.querySelectorAll('a[href]')).filter((a) => a.getAttribute('href')?.startsWith('javascript:')).length,
    styles: Array.from(document.querySelectorAll('style')).filter((s) => s.textContent?.includes('body { display: none }')).length,
    circles: document.querySelectorAll('circle').length,
  }));
  expect(counts).toEqual({ iframes: 0, images: 0, bold: 0, scripts: 0, handlers: 0, links: 0, styles: 0, circles: 0 });
}

beforeAll(async () => {
  mbox = makeHostileSeries();
  wb = await openWorkbench();
  page = wb.page;
});

afterAll(async () => {
  await wb?.close();
  removeTmp();
});

describe('HTML and script in mail', () => {
  it('shows the subject, author and body as text in the Series and Patch panes', async () => {
    await openSeries(page, mbox);
    expect(await shownIndex(page)).toBe(1);
    const row = await page.locator('.parts li[data-index="1"] .subject').innerText();
    expect(row).toContain('<script>window.__xss="subject"</script><b>bold</b>');
    expect(await page.locator('.parts li[data-index="0"]').innerText()).toContain('<script>');
    const text = await editorText(page);
    expect(text).toContain(`From: ${PAYLOAD.author} <luto@kernel.org>`);
    for (const l of PAYLOAD.body) expect(text).toContain(l);
    expect(await page.locator('[data-testid=patch-files]').innerText()).toContain('<img src=x onerror=window.__xss=6>.c');
    await expectInert();
    await shot(page, 'ui-payloads-patch.png');
  });

  it('keeps the cover letter and the thread inert', async () => {
    await page.locator('.parts li[data-index="0"]').click();
    await expect.poll(() => shownIndex(page)).toBe(0);
    expect(await editorText(page)).toContain('<iframe src="javascript:');
    await page.locator('.parts li[data-index="1"]').click();
    await page.click('[data-tab=thread]');
    const reply = page.locator('[data-testid=reply]');
    await expect.poll(() => reply.count()).toBe(1);
    expect(await reply.locator('.reply-from').innerText()).toBe(`<script>window.__xss='reply-from'</script> <evil@example.org>`);
    expect(await reply.innerText()).toContain('</pre></div><script>window.__xss="body"</script>');
    expect(await reply.locator('.reply-trailers').innerText()).toContain(`Reviewed-by: <img src=x onerror="window.__xss='trailer'">`);
    await expectInert();
    await shot(page, 'ui-payloads-thread.png');
  });

  it('keeps the reply preview, a comment with markup, and the search inert', async () => {
    await page.click('[data-tab=patch]');
    await page.locator('.patch-pane .monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('/');
    await page.keyboard.type('click me');
    await page.keyboard.press('Enter');
    await expect.poll(() => bench<number>(page, 'cursorLine()')).toBe(await bench<number>(page, "lineOf('click me')"));
    await page.keyboard.press('Escape');
    expect(await shownIndex(page)).toBe(1);
    await page.keyboard.press('c');
    await page.keyboard.type('<img src=x onerror="window.__xss=\'comment\'"> is not how we write commit messages');
    await page.keyboard.press('Control+Enter');
    const zone = page.locator('.patch-pane [data-testid=comment]');
    await expect.poll(() => zone.count()).toBe(1);
    expect(await zone.innerText()).toContain(`<img src=x onerror="window.__xss='comment'">`);
    await page.keyboard.press('r');
    await expect.poll(() => bench<string>(page, 'replyText()'), { timeout: 20_000 }).toContain('is not how we write');
    expect(await bench<string>(page, 'replyText()')).toContain('> <a href="javascript:');
    await page.click('[data-tab=patch]');
    await page.locator('.patch-pane .monaco-editor').first().click();
    await page.keyboard.press('/');
    await page.keyboard.type('<script>');
    await expect.poll(() => page.locator('.parts li.hit').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await expectInert();
    expect(wb.errors).toEqual([]);
  });
});

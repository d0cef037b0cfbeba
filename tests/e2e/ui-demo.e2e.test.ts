// The first-run path on the bundled demo, in Chromium: open the series, apply it to the demo kernel tree,
// walk it (live progress, cancel, then a full walk), read the break at 03 and the heal at 06 in the Matrix,
// open the evidence and the trace (the pt_regs slot popped into the wrong register), bisect, comment on the
// result, and put the evidence in the reply. Screenshots go to tests/artifacts and docs/screenshots.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createDemoRepository } from '../../workspaces/demo/repository.js';
import { DEMO_SERIES_MBOX } from '../../workspaces/demo/paths.js';
import { artifactPath, repoRoot } from '../helpers/browser.js';
import { bench, openSeries, openWorkbench, shot, shownIndex, type Workbench } from '../helpers/ui-page.js';

let wb: Workbench;
let page: Page;
let tree: string;
let scratch: string;
const docs = path.join(repoRoot, 'docs', 'screenshots');

const cell = (step: number, check: string) => page.locator(`td.cell[data-step="${step}"][data-check="${check}"]`);

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-ui-demo-'));
  tree = (await createDemoRepository(path.join(scratch, 'linux'))).dir;
  // A cache of its own: the first walk really builds and checks, so there is time to watch it and cancel it.
  wb = await openWorkbench({ cacheDir: path.join(scratch, 'cache') });
  page = wb.page;
});

afterAll(async () => {
  await wb?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('the demo, end to end', () => {
  it('opens the demo series and applies it to the demo tree', async () => {
    await openSeries(page, DEMO_SERIES_MBOX);
    expect(await page.locator('.parts li').count()).toBe(11);
    await page.fill('[data-testid=tree-path]', tree);
    await page.click('[data-testid=apply]');
    await expect.poll(() => page.locator('[data-testid=apply-info]').innerText(), { timeout: 60_000 }).toContain('10/10 applied');
    await shot(page, 'ui-demo-applied.png');
  });

  it('shows a walk live, step by step, and cancels it', async () => {
    await page.locator('.patch-pane .monaco-editor').first().click();
    await page.keyboard.press('w');
    const progress = page.locator('[data-testid=walk-progress]');
    await expect.poll(() => progress.isVisible(), { timeout: 30_000 }).toBe(true);
    // Rows fill in as the host reports each finished step.
    await expect.poll(() => page.locator('td.cell[data-check=builds][data-relative]').count(), { timeout: 120_000 }).toBeGreaterThan(0);
    await shot(page, 'ui-walk-live.png');
    expect(await page.locator('[data-testid=tasks]').innerText()).toContain('walk');
    await page.click('[data-testid=walk-cancel]');
    const notice = page.locator('.matrix-pane [data-testid=pane-notice]');
    await expect.poll(() => notice.innerText(), { timeout: 60_000 }).toContain('Walk cancelled');
    expect(await notice.innerText()).toContain('Finished steps are cached');
    expect(await progress.isVisible()).toBe(false);
  });

  it('walks the whole series: the break at 03 and the heal at 06 show in the Matrix and the Series pane', async () => {
    await page.click('[data-testid=walk]');
    const verdict = page.locator('[data-testid=walk-verdict]');
    await expect.poll(() => verdict.innerText(), { timeout: 300_000 }).toContain('first bad: 03/10');
    expect(await verdict.innerText()).toMatch(/breaks at 03\/10, fixed again at 06\/10: \d+ emulator scenarios/);
    const check = 'emulator:syscall64-getpid';
    expect(await cell(0, check).getAttribute('data-relative')).toBe('pass');
    expect(await cell(2, check).getAttribute('data-relative')).toBe('pass');
    expect(await cell(3, check).getAttribute('data-relative')).toBe('regressed');
    expect(await cell(5, check).getAttribute('data-relative')).toBe('regressed');
    expect(await cell(6, check).getAttribute('data-relative')).toBe('healed');
    expect(await cell(6, check).innerText()).toBe('▲');
    const marks = await page.locator('.parts li [data-mark=walk]').allInnerTexts();
    expect(marks.slice(0, 7)).toEqual(['●', '●', '▼', '✗', '✗', '▲', '●']);
    await shot(page, 'ui-matrix.png');
    fs.mkdirSync(docs, { recursive: true });
    await page.screenshot({ path: path.join(docs, 'matrix.png') });
  });

  it('opens a failing cell: what broke against the base, the oops-style evidence, and the trace', async () => {
    await cell(3, 'emulator:syscall64-getpid').click();
    const ev = page.locator('[data-testid=evidence]');
    await expect.poll(() => ev.isVisible()).toBe(true);
    expect(await ev.innerText()).toContain('regressed: passes on the base, fails here');
    expect(await ev.locator('[data-testid=evidence-text]').innerText()).toContain('RBX');
    expect(await shownIndex(page)).toBe(3);
    await ev.getByRole('button', { name: 'Open the trace' }).click();
    const trace = page.locator('[data-testid=trace-pane]');
    await expect.poll(() => trace.isVisible()).toBe(true);
    expect(await trace.locator('[data-testid=trace-invariant]').innerText()).toMatch(/registers-preserved: expected RBX = 0x1b1b1b1b1b1b1b1b/);
    expect(await trace.locator('[data-testid=trace-steps]').innerText()).toContain('sysretq');
    // The frame as the SYSRET path read it: the r11 and cx slots went into RBX.
    const frame = trace.locator('[data-testid=pt-regs]');
    expect(await frame.locator('tr.bad-slot').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.slot))).toEqual(['r11', 'cx']);
    expect(await frame.locator('tr[data-slot=r11]').innerText()).toContain('pop %rbx');
    expect(await trace.locator('[data-testid=trace-registers] tr.changed').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.reg))).toContain('rbx');
    await shot(page, 'ui-trace.png');
    await page.screenshot({ path: path.join(docs, 'trace.png') });
  });

  it('bisects, and says why a binary search cannot see a break that heals before the tip', async () => {
    await page.keyboard.press('3');
    await cell(3, 'emulator:syscall64-getpid').click();
    await page.click('[data-testid=bisect]');
    const line = page.locator('[data-testid=bisect-result]');
    await expect.poll(() => line.isVisible(), { timeout: 300_000 }).toBe(true);
    const text = await line.innerText();
    expect(text).toContain('no bad step found — The tip passes this check');
    expect(text).toContain('The walk found it: breaks at 03/10, fixed again at 06/10.');
  });

  it('moves through the Matrix with the arrow keys and opens a cell with Enter', async () => {
    await page.keyboard.press('3');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => shownIndex(page)).toBe(4);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('td.cell.selected').getAttribute('data-check')).toBe('emulator:syscall64-getppid');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=evidence] .evidence-head').innerText()).toContain('emulator:syscall64-getppid');
    expect(await page.locator('[data-testid=evidence]').innerText()).toContain('at 04/10');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => shownIndex(page)).toBe(3);
  });

  it('stores a comment on the walk result and puts the evidence in the reply to the bad patch', async () => {
    await cell(3, 'emulator:syscall64-getpid').click();
    await page.locator('[data-testid=evidence]').getByRole('button', { name: 'Comment on this result' }).click();
    const composer = page.locator('.matrix-pane [data-testid=composer]');
    await expect.poll(() => composer.isVisible()).toBe(true);
    await page.keyboard.type('RBX comes back holding the user RIP: the r11 and rcx slots are popped into it.');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => composer.isVisible()).toBe(false);
    await page.keyboard.press('r');
    await page.locator('[data-testid=with-evidence]').check();
    await expect.poll(() => bench<string>(page, 'replyText()'), { timeout: 20_000 }).toContain("Don't reload RCX and R11 on the SYSRET path");
    const text = await bench<string>(page, 'replyText()');
    expect(text).toMatch(/^Subject: Re: \[PATCH 03\/10\]/m);
    expect(text).toContain('registers-preserved');
    expect(text).toContain('RBX comes back holding the user RIP');
    // One finding for the scenarios that trip the same invariant, not eleven copies of it.
    expect(text.match(/registers-preserved: expected RBX/g)?.length ?? 0).toBeLessThanOrEqual(3);
    fs.writeFileSync(artifactPath('ui-demo-reply.txt'), text);
    await shot(page, 'ui-demo-reply.png');
  });

  it('reads well as the README picture: the bad patch in the Patch pane', async () => {
    await page.keyboard.press('1');
    await expect.poll(() => shownIndex(page)).toBe(3);
    // calling.h holds the entry macros: its assembler lines get the GAS grammar, its C lines stay C.
    const pop = await bench<number>(page, "lineOf('+\\tpopq\\t%rbx')");
    const toks = await bench<{ text: string; type: string }[]>(page, `tokens(${pop})`);
    expect(toks.find((t) => t.text === 'popq')?.type).toBe('asm.mnemonic.patch');
    expect(toks.find((t) => t.text === '%rbx')?.type).toBe('asm.register.patch');
    const dot = await bench<number>(page, "lineOf('+\\t.if \\\\skip_r11rcx')");
    expect((await bench<{ text: string; type: string }[]>(page, `tokens(${dot})`)).find((t) => t.text === '.if')?.type).toBe('asm.directive.patch');
    await page.locator('.patch-pane .monaco-editor').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('/');
    await page.keyboard.type('pop_rdi=0 skip_r11rcx=1');
    await page.keyboard.press('Enter');
    const line = await bench<number>(page, "lineOf('+\tPOP_REGS pop_rdi=0 skip_r11rcx=1')");
    await expect.poll(() => bench<number>(page, 'cursorLine()')).toBe(line);
    await page.keyboard.press('Escape');
    await page.keyboard.press('c');
    await page.keyboard.type('This pops the r11 and cx slots into RBX, so a SYSRET returns with the user RIP in RBX.');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('.patch-pane [data-testid=comment]').count()).toBe(1);
    await page.screenshot({ path: path.join(docs, 'workbench.png') });
    expect(wb.errors).toEqual([]);
  });
});

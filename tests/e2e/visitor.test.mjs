// What a visitor stumbles on, each checked in headless Chromium on the CPU path: no point of an old
// run drawn after a restart; Pause answers at once even while a heavy step runs; every loss control
// either changes the formula panel or is disabled with its reason shown; help without hover; touch
// targets of at least 24×24 CSS px; code tabs that follow the ARIA tabs pattern; readouts that say
// something (the heatmap's scale, steps/s that does not flicker to "—").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { withPage as inBrowser } from './browser.mjs';
import { OPTIONS, KINDS, inactive, lossConfig } from '../../www/options.js';

const ROOT = resolve(import.meta.dirname, '../..');
let server;
before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

const withPage = (fn, viewport) => inBrowser(server.url, fn, viewport);

const step = (page) => page.evaluate(() => Number(document.body.dataset.step ?? 0));
const waitStep = (page, n, timeout = 60000) =>
  page.waitForFunction((k) => Number(document.body.dataset.step ?? 0) >= k, n, { timeout });

test('no point of an old run is drawn after a restart', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#ab=1&size=32&b.loss=ce`);
    const restarts = [
      ['reset', () => page.click('#reset')],
      ['seed', async () => { await page.fill('#a-seed', '7'); await page.press('#a-seed', 'Enter'); }],
      ['noise', async () => { await page.fill('#a-noise', '0.1'); await page.press('#a-noise', 'Enter'); }],
      ['batch', async () => { await page.fill('#a-batch', '2'); await page.press('#a-batch', 'Enter'); }],
      ['annotation', () => page.selectOption('#a-labels', 'full')],
    ];
    for (const [what, restart] of restarts) {
      await waitStep(page, 40);
      await restart();
      // From the first snapshot of the new runs on, every point drawn is one of theirs.
      await page.waitForFunction(() => Number(document.body.dataset.step) < 40, null, { timeout: 30000 });
      for (let i = 0; i < 10; i++) {
        const seen = await page.evaluate(() => ({ step: Number(document.body.dataset.step), a: window.dicelab.curve('a'), b: window.dicelab.curve('b'), ma: window.dicelab.miou('a') }));
        for (const id of ['a', 'b']) {
          const xs = seen[id].map(([x]) => x);
          if (!xs.length) continue;
          assert.equal(xs[0], 1, `${what}: run ${id}'s curve starts at step ${xs[0]}`);
          assert.ok(xs.every((x, k) => x === k + 1), `${what}: run ${id}'s steps are not 1, 2, …: ${xs.slice(0, 12)}`);
        }
        assert.ok(seen.ma.every(([x]) => x <= seen.step + 64), `${what}: an mIoU point of an old run`);
        await page.waitForTimeout(50);
      }
    }
  });
});

test('Pause answers at once at the heaviest configuration, and the training stops', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#ab=1&b.loss=ce&size=128&batch=16&width=32&classes=8&seed=2`);
    await waitStep(page, 1, 240000);
    assert.equal(await page.textContent('#play'), 'Pause');
    const ms = await page.evaluate(() => new Promise((done) => {
      const t0 = performance.now();
      const button = document.getElementById('play');
      new MutationObserver(() => done(performance.now() - t0)).observe(button, { childList: true, characterData: true, subtree: true });
      button.click();
    }));
    console.log(`# Pause flipped ${ms.toFixed(1)} ms after the click`);
    assert.ok(ms < 200, `Pause took ${ms} ms`);
    assert.equal(await page.textContent('#play'), 'Play');
    assert.equal(await page.getAttribute('#play', 'aria-pressed'), 'false');
    // The step in flight finishes; no other starts.
    await page.waitForFunction(() => document.body.dataset.playing === 'false', null, { timeout: 240000 });
    const stopped = await step(page);
    await page.waitForTimeout(1500);
    assert.equal(await step(page), stopped);
  });
});

test('every loss control changes the formula panel or the exported code, or is disabled with its reason shown', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#ab=0`);
    await waitStep(page, 1);
    // The formula panel loads when it comes near the screen.
    await page.locator('#formula').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById('formula').innerHTML !== '');
    await page.locator('#code-panel').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.getElementById('code').textContent !== '');
    const panel = () => page.evaluate(() => ['formula', 'formula-note', 'code'].map((id) => document.getElementById(id).innerHTML).join(''));
    const lossOptions = OPTIONS.filter((o) => o.group === 'loss' && o.key !== 'loss');
    for (const kind of Object.keys(KINDS)) {
      await page.selectOption('#a-loss', kind);
      for (const o of lossOptions) {
        const state = await page.evaluate(() => window.dicelab.state().a);
        const why = inactive(o.key, state);
        const sel = `#a-${o.key}`;
        if (why) {
          assert.equal(await page.isDisabled(sel), true, `${kind}: ${o.key} enabled`);
          assert.equal(await page.textContent(`${sel}-why`), why);
          assert.equal(await page.isVisible(`${sel}-why`), true, `${kind}: ${o.key}'s reason hidden`);
          continue;
        }
        assert.equal(await page.isDisabled(sel), false, `${kind}: ${o.key} disabled`);
        const before = await panel();
        if (o.type === 'enum') {
          // A value that changes the loss (auto → the usual variant would not).
          const other = o.values.find((v) => JSON.stringify(lossConfig({ ...state, [o.key]: v })) !== JSON.stringify(lossConfig(state)));
          await page.selectOption(sel, other);
          assert.notEqual(await panel(), before, `${kind}: ${o.key} → ${other} changed nothing shown`);
          await page.selectOption(sel, state[o.key] === null ? '' : String(state[o.key]));
        } else if (o.type === 'bool') {
          await page.click(sel);
          assert.notEqual(await panel(), before, `${kind}: ${o.key} changed nothing shown`);
          await page.click(sel);
        } else {
          const changes = (v) => JSON.stringify(lossConfig({ ...state, [o.key]: v })) !== JSON.stringify(lossConfig(state));
          const value = [0.5, 0.25, 2].find((v) => v <= o.max && changes(v) && !(o.key === 'alpha' && v === 0.5 && (kind === 'tversky' || kind === 'focal-tversky')));
          await page.fill(sel, String(value));
          await page.press(sel, 'Enter');
          assert.notEqual(await panel(), before, `${kind}: ${o.key} changed nothing shown`);
          await page.fill(sel, state[o.key] === null ? '' : String(state[o.key]));
          await page.press(sel, 'Enter');
        }
      }
    }
    // Cross-entropy has no Dice gradient to inspect: the inspector says so.
    await page.selectOption('#a-loss', 'ce');
    assert.equal(await page.isVisible('#inspector'), false);
    assert.equal(await page.isVisible('#inspector-none'), true);
    assert.doesNotMatch(await page.textContent('#formula-note'), /smoothing/);
    // Part 2's region and focal losses have their curves; Lovász's gradient has no one-pixel form.
    for (const kind of ['tversky', 'focal']) {
      await page.selectOption('#a-loss', kind);
      assert.equal(await page.isVisible('#inspector'), true, kind);
    }
    await page.selectOption('#a-loss', 'lovasz');
    assert.equal(await page.isVisible('#inspector'), false);
    assert.match(await page.textContent('#inspector-none'), /No one-pixel curve/);
  });
});

test('help without hover, targets of 24×24 px, ARIA tabs, readouts that say something', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 375, height: 740 }]) {
    await withPage(async ({ page }) => {
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => document.getElementById('heat-scale').textContent !== '', null, { timeout: 60000 });
      if (viewport.width < 760) await page.click('#options-box summary');
      // Help: a "?" beside each option shows its text in place.
      await page.click('[data-option="smooth"] .help-toggle');
      await page.waitForFunction(() => document.getElementById('a-smooth-help').textContent.startsWith('Added to'));
      assert.equal(await page.isVisible('#a-smooth-help'), true);
      assert.equal(await page.getAttribute('[data-option="smooth"] .help-toggle', 'aria-expanded'), 'true');
      // Every visible interactive target is at least 24×24 CSS px.
      const small = await page.evaluate(() => [...document.querySelectorAll('button, a[href], select, input, summary, [role="tab"]')]
        .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
        .map((el) => ({ el: el.id || el.className || el.textContent.trim().slice(0, 20), r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 24 || r.height < 24)
        .map(({ el, r }) => `${el} ${r.width.toFixed(0)}×${r.height.toFixed(0)}`));
      assert.deepEqual(small, [], `targets under 24×24 at ${viewport.width} px`);
      // Code tabs: one tab stop, arrow keys move and select, the panel names its tab.
      await page.locator('#code-panel').scrollIntoViewIfNeeded();
      await page.focus('#tab-numpy');
      await page.keyboard.press('ArrowRight');
      const tabs = await page.evaluate(() => ({
        focused: document.activeElement.id,
        selected: [...document.querySelectorAll('#code-tabs [role="tab"]')].filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => t.id),
        stops: [...document.querySelectorAll('#code-tabs [role="tab"]')].filter((t) => t.tabIndex === 0).length,
        panel: document.getElementById('code-panel').getAttribute('aria-labelledby'),
      }));
      assert.deepEqual(tabs, { focused: tabs.selected[0], selected: [tabs.focused], stops: 1, panel: tabs.focused });
      assert.notEqual(tabs.focused, 'tab-numpy');
      await page.keyboard.press('End');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-numpy');
      // The heatmap's scale is stated; steps/s, once known, never flickers back to "—".
      assert.match(await page.textContent('#heat-scale'), /\|∂L\/∂z\|/);
      await page.waitForFunction(() => document.getElementById('steps-per-s').textContent !== '—', null, { timeout: 30000 });
      for (let i = 0; i < 20; i++) {
        assert.notEqual(await page.textContent('#steps-per-s'), '—');
        await page.waitForTimeout(100);
      }
    }, viewport);
  }
});

// The page's story, as a first-time visitor meets it (CPU path, no WebGPU): the default page trains
// the question's Dice (A) against cross-entropy (B) and the difference shows in the per-class
// results; each story's URL sets both runs and shows its text, and its runs pause at the step its
// figures were measured at; an embed with `show=` is a figure that fits 720×480 and trains while in
// view. Screenshots at 1280 and 375 px wide in target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { withPage as inBrowser } from './browser.mjs';
import { STORIES, storyStates, storyText } from '../../www/stories.js';
import { FIGURES } from '../../www/story_figures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'target/e2e');
const HOST = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="/www/favicon.svg"><title>A post</title></head>
<body><iframe id="fig" src="/embed.html#story=smoothing&show=formula,reduction" width="720" height="480" title="dicelab"></iframe></body></html>`;
let server;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(resolve(ROOT, 'dist'), { pages: { '/post.html': HOST } });
});
after(async () => server.close());

const withPage = (fn, viewport) => inBrowser(server.url, fn, viewport);

const data = (page, key) => page.evaluate((k) => document.body.dataset[k], key);
/** Waits until run A has been evaluated at step `n` or later. */
const waitEval = (page, n, timeout = 120000) =>
  page.waitForFunction((k) => Number(document.body.dataset.evalStep ?? 0) >= k, n, { timeout });
/** Whether an element lies wholly within the first screen. */
const onFirstScreen = (page, sel) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
}, sel);

test('the default page tells the question: cross-entropy keeps the small classes, the question\'s Dice loses them', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/`);
    assert.equal(await data(page, 'story'), 'question');
    await waitEval(page, 150);
    const a = Number(await data(page, 'predictedA'));
    const b = Number(await data(page, 'predictedB'));
    console.log(`# default page at step ${await data(page, 'evalStep')}: classes predicted A (seed-bug) ${a}, B (cross-entropy) ${b}`);
    assert.ok(b >= 4, `cross-entropy predicts ${b} classes`);
    assert.ok(a < b, `the question's Dice predicts ${a}, cross-entropy ${b}`);
    assert.match(await page.textContent('#class-table'), /never/);
    // At 1280 px the story, the predictions and the per-class table are on the first screen.
    for (const sel of ['#story', '#images', '#class-table']) assert.ok(await onFirstScreen(page, sel), `${sel} on the first screen`);
    await page.screenshot({ path: resolve(SHOTS, 'story-default-1280.png') });
  });
  // 375 px, as a phone opens it: no horizontal scroll, the table not cut, the options within two
  // screens (folded at first), the story before the runs.
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/`);
    await waitEval(page, 20);
    const phone = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      table: document.querySelector('#class-table').getBoundingClientRect().right,
      wrap: document.querySelector('.table-wrap').getBoundingClientRect().right,
      options: document.querySelector('#options-box summary').getBoundingClientRect().top + scrollY,
      folded: !document.querySelector('#options-box').open,
    }));
    await page.screenshot({ path: resolve(SHOTS, 'story-default-375.png'), fullPage: true });
    assert.ok(phone.scroll <= 375, `page scrolls sideways: ${phone.scroll} px wide`);
    assert.ok(phone.table <= phone.wrap + 0.5 && phone.table <= 375, `table cut: ${phone.table} > ${phone.wrap}`);
    assert.ok(phone.options < 2 * 740, `options start at ${phone.options} px`);
    assert.ok(phone.folded, 'options unfolded on a phone');
  }, { width: 375, height: 740 });
});

test('each story\'s URL sets both runs and shows its text', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#story=${STORIES[1].key}`);
    for (const st of STORIES) {
      await page.evaluate((k) => { location.hash = `story=${k}`; }, st.key);
      await page.waitForFunction((k) => document.body.dataset.story === k, st.key);
      const state = await page.evaluate(() => window.dicelab.state());
      const want = storyStates(st);
      assert.deepEqual(state.a, want.a, `${st.key}: run A`);
      assert.deepEqual(state.b, want.b, `${st.key}: run B`);
      assert.equal(state.ab, true);
      // The texts other than the default's load on first use.
      await page.waitForFunction((t) => document.getElementById('story-text').textContent === t, await storyText(st));
      assert.equal(await page.isVisible('#story-changed'), false);
      assert.equal(await page.getAttribute(`#stories button[data-story="${st.key}"]`, 'aria-pressed'), 'true');
      // Both runs train: run B's mIoU appears.
      await page.waitForFunction(() => document.querySelector('#miou-b').textContent !== '', null, { timeout: 60000 });
    }
    // A story picked by its button; a change afterwards is flagged, and one click restores it.
    await page.click('#stories button[data-story="sum-adam"]');
    await page.waitForFunction(() => location.hash === '#story=sum-adam');
    await page.selectOption('#a-reduction', 'mean');
    assert.equal(await page.isVisible('#story-changed'), true);
    await page.click('#story-restore');
    assert.equal(await page.isVisible('#story-changed'), false);
    assert.equal((await page.evaluate(() => window.dicelab.state())).a.reduction, 'sum');
    await page.click('#stories button[data-story="labelling"]');
    await waitEval(page, 20);
    await page.screenshot({ path: resolve(SHOTS, 'story-labelling-1280.png') });
    await page.setViewportSize({ width: 375, height: 740 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: resolve(SHOTS, 'story-labelling-375.png'), fullPage: true });
  });
});

test('a story pauses at the step its figures were measured at, and Play trains on; the skip link keeps the story', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#story=sum-adam`);
    const held = () => page.evaluate(() => ({
      step: Number(document.body.dataset.step ?? 0),
      playing: document.body.dataset.playing,
      note: !document.getElementById('story-held').hidden,
      button: document.getElementById('play').textContent,
    }));
    // The skip link moves focus to the training controls; the story, its hash and its runs stay.
    await waitEval(page, 20);
    const before = Number(await data(page, 'step'));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'play');
    assert.equal(await page.evaluate(() => location.hash), '#story=sum-adam');
    assert.equal(await page.textContent('#notices'), '');
    await page.waitForFunction((k) => Number(document.body.dataset.step) > k + 10, before, { timeout: 30000 });
    assert.equal(await data(page, 'story'), 'sum-adam');
    // Held exactly at the measured step, said so, and the transport shows Play.
    await page.waitForFunction(() => document.body.dataset.playing === 'false', null, { timeout: 90000 });
    assert.deepEqual(await held(), { step: FIGURES.steps, playing: 'false', note: true, button: 'Play' });
    await page.waitForTimeout(500);
    assert.equal((await held()).step, FIGURES.steps, 'no step after the hold');
    await page.click('#play');
    await page.waitForFunction((k) => Number(document.body.dataset.step) > k + 5, FIGURES.steps, { timeout: 30000 });
    assert.equal((await held()).note, false);
    // Reset starts the story's runs again: from step 0, to be held at the same step.
    await page.click('#reset');
    await page.waitForFunction(() => Number(document.body.dataset.step) < 50, null, { timeout: 30000 });
    await page.waitForFunction(() => document.body.dataset.playing === 'false', null, { timeout: 90000 });
    assert.equal((await held()).step, FIGURES.steps);
    // Another story, picked while held there, trains from step 0 (the hold was not the visitor's pause).
    await page.click('#stories button[data-story="smoothing"]');
    await page.waitForFunction(() => document.body.dataset.story === 'smoothing');
    await page.waitForFunction(() => Number(document.body.dataset.step) > 20 && Number(document.body.dataset.step) < 200, null, { timeout: 30000 });
    const { playing, note, button } = await held();
    assert.deepEqual({ playing, note, button }, { playing: 'true', note: false, button: 'Pause' });
  });
});

test('an embed with show= is a figure: fits 720×480 unscrolled, shows only the named controls, trains in view', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/post.html`);
    const frame = await (await page.$('#fig')).contentFrame();
    await frame.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 5, null, { timeout: 60000 });
    await (await page.$('#fig')).screenshot({ path: resolve(SHOTS, 'embed-720x480.png') });
    await page.screenshot({ path: resolve(SHOTS, 'embed-post-1280.png') });
    const fit = await frame.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      client: document.documentElement.clientHeight,
      width: document.documentElement.scrollWidth,
    }));
    assert.ok(fit.height <= fit.client, `the embed scrolls: ${fit.height} > ${fit.client}`);
    assert.ok(fit.width <= 720, `the embed scrolls sideways: ${fit.width}`);
    assert.equal(await frame.isVisible('#a-formula'), true);
    assert.equal(await frame.isVisible('#a-reduction'), true);
    assert.equal(await frame.isVisible('#a-loss'), false);
    assert.equal(await frame.isVisible('fieldset[data-group="data"]'), false);
    for (const sel of ['#images', '#class-table', '#loss-chart', '#miou-chart']) assert.equal(await frame.isVisible(sel), true, sel);
    assert.match(await frame.getAttribute('#open-full', 'href'), /\/#story=smoothing$/);
  }, { width: 1280, height: 800 });
});

test('an embed 375 px wide fits 375×480 too', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/embed.html#show=formula`);
    await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 3, null, { timeout: 60000 });
    await page.screenshot({ path: resolve(SHOTS, 'embed-375.png'), fullPage: true });
    const fit = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
    assert.ok(fit[0] <= 375, `the embed scrolls sideways: ${fit[0]}`);
    assert.ok(fit[1] <= 480, `the embed scrolls: ${fit[1]} > 480`);
  }, { width: 375, height: 480 });
});

test('a Part 2 loss trains in the full module, fetched only then; switching to one mid-run restarts in it', async () => {
  await withPage(async ({ page, requests }) => {
    await page.goto(`${server.url}/#ab=0`);
    await waitEval(page, 20);
    const full = () => requests.filter((u) => /\/bench(-fma)?\/dicelab_bg\.wasm$/.test(u)).length;
    assert.equal(full(), 0, 'the first visit does not fetch the full module');
    await page.selectOption('#a-loss', 'lovasz');
    await page.waitForFunction(() => JSON.parse(document.body.dataset.lossConfig ?? '{}').kind === 'lovasz', null, { timeout: 60000 });
    assert.equal(full(), 1, 'the full module, once');
    await waitEval(page, 20);
    assert.ok(Number(await data(page, 'loss')) > 0);
  });
  await withPage(async ({ page, requests }) => {
    await page.goto(`${server.url}/#story=other-losses`);
    await waitEval(page, 100);
    assert.equal(requests.filter((u) => /\/bench(-fma)?\/dicelab_bg\.wasm$/.test(u)).length, 1);
    assert.ok(Number(await data(page, 'predictedB')) >= 4, 'focal keeps the small classes');
  });
});

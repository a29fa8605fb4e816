// End-to-end: "Your own image" in the built playground (dist/), on the CPU path, in headless
// Chromium: a PNG made here is opened in the page, two parallelograms of different classes and a
// brush stroke are painted, and the net trains on it for 100 steps: the loss falls and the
// prediction covers the whole image. After a reload the painting is back and the page trains on it
// again (the URL says `source=yours`); the .npy export re-imports to identical bytes; an empty
// painting refuses to start, says why, and the runs go on. The image code comes with the full
// module, fetched on first use. Screenshots at 1280 and 375 px in
// target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { withPage } from './browser.mjs';
import { testPng, clickParallelogram, touchStroke } from './paint.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'target/e2e');
let server;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

const body = (page, key) => page.evaluate((k) => document.body.dataset[k], key);
const waitStep = (page, n, timeout = 120000) =>
  page.waitForFunction((k) => Number(document.body.dataset.step ?? 0) >= k, n, { timeout });
const labels = (page) => page.evaluate(() => Array.from(window.dicelab.ownEditor().getLabels()));

test('paint your image, train on it, reload, export and re-import, refuse an empty painting', async () => {
  await withPage(server.url, async ({ page, requests }) => {
    await page.goto(`${server.url}/#backend=cpu`);
    await waitStep(page, 1);
    assert.equal(await body(page, 'source'), 'scenes');
    // The image code is in the full module only: a first visit does not fetch it.
    const full = () => requests.filter((u) => /\/bench(-fma)?\/dicelab_bg\.wasm$/.test(u)).length;
    assert.equal(full(), 0);

    await page.locator('#own').scrollIntoViewIfNeeded();
    await page.locator('.own input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: await testPng() });
    await page.locator('.own canvas').waitFor({ state: 'visible' });
    await page.locator('.own canvas').scrollIntoViewIfNeeded();
    assert.match(await page.locator('#own-status').textContent(), /nothing is painted/);
    assert.equal(await page.locator('#own-train').isDisabled(), true);

    // Class 1 (selected at first), the background, and a third class by brush.
    await clickParallelogram(page, [[20, 20], [100, 30], [110, 90]]);
    await page.getByRole('button', { name: 'Paint background' }).click();
    await clickParallelogram(page, [[150, 120], [230, 110], [240, 170]]);
    await page.getByRole('button', { name: 'Add a class' }).click();
    await page.getByRole('button', { name: 'Brush tool' }).click();
    await touchStroke(page, [30, 150], [120, 160]);
    const painted = await labels(page);
    for (const c of [0, 1, 2]) assert.ok(painted.filter((v) => v === c).length > 300, `class ${c} painted`);

    // Train on it: the figure shows the whole image, its painted truth and the prediction.
    await page.locator('#own-train').click();
    await page.waitForFunction(() => document.body.dataset.source === 'yours');
    assert.equal(full(), 1, 'the full module, fetched on first use');
    assert.match(await page.locator('#views-title').textContent(), /Your image/);
    assert.match(await page.locator('#table-title').textContent(), /pixels you painted/);
    await waitStep(page, 100);
    const curve = await page.evaluate(() => window.dicelab.curve());
    assert.equal(curve[0][0], 1, 'a new run');
    const mean = (pts) => pts.reduce((s, p) => s + p[1], 0) / pts.length;
    const [first, last] = [mean(curve.slice(0, 10)), mean(curve.slice(-10))];
    assert.ok(last < 0.7 * first, `loss ${first} → ${last}`);
    // The prediction covers the image: a 256×192 map of the painted classes.
    await page.waitForFunction(() => Number(document.body.dataset.evalStep ?? 0) >= 50);
    const pred = await page.evaluate(() => {
      const c = document.querySelector('#images .pred-a');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const colours = new Set();
      for (let i = 0; i < px.length; i += 4) colours.add(`${px[i]},${px[i + 1]},${px[i + 2]}`);
      return { w: c.width, h: c.height, colours: colours.size, rows: document.querySelectorAll('#images .image-row').length };
    });
    assert.deepEqual([pred.w, pred.h, pred.rows], [256, 192, 1]);
    assert.ok(pred.colours >= 2, `predicted colours: ${pred.colours}`);
    assert.ok(Number(await body(page, 'predictedA')) >= 2);
    assert.equal(await page.locator('#class-table tbody tr').count(), 3);
    assert.match(await page.locator('#own-status').textContent(), /train on this painting/);
    assert.match(page.url(), /source=yours/);
    await page.locator('.figure').screenshot({ path: resolve(SHOTS, 'own-figure-1280.png') });
    await page.locator('#own').screenshot({ path: resolve(SHOTS, 'own-1280.png') });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.locator('.figure').screenshot({ path: resolve(SHOTS, 'own-figure-375.png') });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'horizontal overflow at 375 px');
    await page.setViewportSize({ width: 1280, height: 1000 });

    // Reload: the painting is back and the runs train on it (the URL says so).
    await page.evaluate(() => window.dicelab.ownEditor().flush());
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.source === 'yours', null, { timeout: 60000 });
    await waitStep(page, 3);
    assert.deepEqual(await labels(page), painted);

    // Export .npy and re-import: identical bytes.
    const same = await page.evaluate(async () => {
      const ed = window.dicelab.ownEditor();
      const bytes = async (files) => Promise.all(files.map(async (f) => new Uint8Array(await f.blob.arrayBuffer())));
      const first = await bytes(ed.exportNpy());
      const err = await ed.load(first.map((b, k) => new File([b], ['image.npy', 'labels.npy'][k])));
      const second = await bytes(ed.exportNpy());
      return err === null && first.every((b, k) => b.length === second[k].length && b.every((x, i) => x === second[k][i]));
    });
    assert.ok(same, 'the re-imported pair exports other bytes');
    assert.deepEqual(await labels(page), painted);

    // A new image, nothing painted: training refuses to start and says why; the runs go on.
    await page.locator('.own input[type=file]').setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: await testPng() });
    await page.waitForFunction(() => window.dicelab.ownEditor().problem() !== null);
    const before = Number(await body(page, 'step'));
    await page.locator('#reset').click();
    await page.locator('.notice-error', { hasText: 'Your image: nothing is painted yet' }).waitFor();
    await waitStep(page, before + 5);
    assert.equal(await body(page, 'source'), 'yours');
  }, { width: 1280, height: 1000 });
});

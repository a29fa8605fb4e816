// End-to-end: the "Your image" editor (www/own/) alone, on its fixture page under the production CSP
// in headless Chromium at 375 px wide, served from the repository (no build needed): a PNG made
// here is opened and downscaled, two parallelograms of different classes are clicked and a brush
// stroke is drawn by touch pointer events, undo/redo by keyboard, a bad file is refused with a
// message and nothing lost; after a reload the painting is back (IndexedDB); the .npy export
// re-imports to identical bytes, the PNG pair to identical labels and image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { withPage } from './browser.mjs';
import { encodePng } from '../../www/own/pngpair.js';
import { testPng, clickParallelogram, touchStroke } from './paint.mjs';
import { readFloats, readLabels } from '../../www/own/npy.js';
import { parallelogramPixels } from '../../www/own/paint.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = '/tests/e2e/fixtures/own_editor.html';
let server;

before(async () => {
  server = await serve(ROOT);
});
after(async () => server.close());

const labels = (page) => page.evaluate(() => Array.from(window.ownEditor.getLabels()));
const counts = (ls, n) => Array.from({ length: n + 1 }, (_, k) => ls.filter((v) => v === (k === n ? 255 : k)).length);

test('open, paint, undo, refuse, reload, export and re-import', async () => {
  await withPage(server.url, async ({ page }) => {
    await page.goto(server.url + FIXTURE);
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    await page.locator('.own input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: await testPng() });
    await page.locator('.own canvas').waitFor({ state: 'visible' });
    assert.match(await page.locator('.own-info').textContent(), /^256×192 pixels, downscaled from 320×240\. Parallelogram: click corner 1 of 3/);
    assert.match(await page.evaluate(() => window.ownEditor.problem()), /nothing is painted/);

    // Two parallelograms: class 1 (selected at first), then the background.
    const A = [[20, 20], [100, 30], [110, 90]];
    const B = [[150, 120], [230, 110], [240, 170]];
    await clickParallelogram(page, A);
    await page.getByRole('button', { name: 'Paint background' }).click();
    await clickParallelogram(page, B);
    const afterShapes = await labels(page);
    const area = (p1, p2, p3) => {
      const n = [];
      parallelogramPixels(256, 192, p1, p2, p3, (i) => n.push(i));
      return n.length;
    };
    const [c0, c1] = counts(afterShapes, 2);
    // Clicks land on CSS pixels (about 1.3 image pixels here): the shapes match to their outline.
    assert.ok(Math.abs(c1 - area(...A)) < 0.1 * area(...A), `class 1: ${c1} px, expected about ${area(...A)}`);
    assert.ok(Math.abs(c0 - area(...B)) < 0.1 * area(...B), `class 0: ${c0} px, expected about ${area(...B)}`);
    assert.equal(afterShapes[60 * 256 + 65], 1);
    assert.equal(afterShapes[140 * 256 + 195], 0);

    // A third class, painted with the brush by touch.
    await page.getByRole('button', { name: 'Add a class' }).click();
    await page.getByRole('button', { name: 'Brush tool' }).click();
    await touchStroke(page, [30, 150], [120, 160]);
    const painted = await labels(page);
    const [, , c2] = counts(painted, 3);
    assert.ok(c2 > 90 * 4, `class 2: ${c2} px`);
    assert.equal(painted[155 * 256 + 75], 2);
    assert.deepEqual(await page.evaluate(() => window.ownEditor.classes().map((c) => c.name)), ['background', 'class 1', 'class 2']);
    assert.match(await page.locator('.own-classes').textContent(), new RegExp(`${c2} px`));

    // Undo (Ctrl+Z) takes the whole stroke back; redo (Ctrl+Shift+Z) restores it.
    await page.locator('.own canvas').focus();
    await page.keyboard.press('Control+z');
    assert.deepEqual(await labels(page), afterShapes);
    await page.keyboard.press('Control+Shift+z');
    assert.deepEqual(await labels(page), painted);

    // A file that is not an image: one line, the painting untouched.
    await page.locator('.own input[type=file]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await page.locator('.own-msg', { hasText: 'notes.png: not a PNG or JPEG image' }).waitFor();
    assert.deepEqual(await labels(page), painted);
    // An image past the pixel cap is refused from its header (a PNG header claiming 10000×10000).
    const huge = Buffer.from(await encodePng(1, 1, 1, new Uint8Array(1)));
    huge.writeUInt32BE(10000, 16);
    huge.writeUInt32BE(10000, 20);
    await page.locator('.own input[type=file]').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: huge });
    await page.locator('.own-msg', { hasText: 'huge.png: the image is 10000×10000 (100 megapixels)' }).waitFor();
    assert.deepEqual(await labels(page), painted);

    // Nothing overflows the 375 px screen.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'horizontal overflow at 375 px');

    // Reload: the painting is back.
    await page.evaluate(() => window.ownEditor.flush());
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === '1');
    await page.locator('.own canvas').waitFor({ state: 'visible' });
    assert.deepEqual(await labels(page), painted);
    assert.equal(await page.evaluate(() => window.ownEditor.classes().length), 3);

    // Export .npy, re-import the pair, export again: identical bytes.
    const npy = await page.evaluate(async () => {
      const bytes = async (files) => Promise.all(files.map(async (f) => new Uint8Array(await f.blob.arrayBuffer())));
      const first = await bytes(window.ownEditor.exportNpy());
      const files = first.map((b, k) => new File([b], ['image.npy', 'labels.npy'][k]));
      const err = await window.ownEditor.load(files.reverse()); // order does not matter
      const second = await bytes(window.ownEditor.exportNpy());
      const same = first.every((b, k) => b.length === second[k].length && b.every((x, i) => x === second[k][i]));
      return { err, same, image: Array.from(first[0]), labels: Array.from(first[1]) };
    });
    assert.equal(npy.err, null);
    assert.ok(npy.same, 'the re-imported pair exports other bytes');
    const img = readFloats(Uint8Array.from(npy.image), 'image.npy', 3, '(H, W, 3)');
    assert.deepEqual(img.shape, [192, 256, 3]);
    assert.deepEqual([...readLabels(Uint8Array.from(npy.labels), 'labels.npy', 2, '(H, W)').data], painted);
    await page.locator('.own-links a', { hasText: 'labels.npy' }).waitFor();

    // The PNG pair: same labels, same image, class names kept.
    await page.evaluate(() => {
      const input = document.querySelector('.own-classes input[type=text]');
      input.value = 'sky';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const png = await page.evaluate(async () => {
      const before = { rgb: Array.from(window.ownEditor.getImage().rgb), labels: Array.from(window.ownEditor.getLabels()) };
      const files = (await window.ownEditor.exportPng()).map((f) => new File([f.blob], f.name, { type: 'image/png' }));
      const err = await window.ownEditor.load(files);
      const rgb = Array.from(window.ownEditor.getImage().rgb);
      return {
        err,
        sameRgb: rgb.every((v, i) => v === before.rgb[i]),
        sameLabels: Array.from(window.ownEditor.getLabels()).every((v, i) => v === before.labels[i]),
        names: window.ownEditor.classes().map((c) => c.name),
      };
    });
    assert.deepEqual(png, { err: null, sameRgb: true, sameLabels: true, names: ['sky', 'class 1', 'class 2'] });
  }, { width: 375, height: 800 });
});

// End-to-end: the built page (dist/, from `trunk build --release`) loads its wasm under the
// production CSP, evaluates the example, reacts to options, and requests nothing beyond its files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch, openPage } from './browser.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = resolve(ROOT, 'target/e2e');
let server;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

for (const webgpu of [false, true]) {
  test(`page evaluates the example (WebGPU ${webgpu ? 'on' : 'off'})`, async () => {
    const browser = await launch({ webgpu });
    try {
      const { page, errors, requests } = await openPage(browser);
      await page.goto(`${server.url}/`);
      await page.waitForFunction(() => document.body.dataset.loss !== undefined, null, { timeout: 20000 });
      const first = Number(await page.evaluate(() => document.body.dataset.loss));
      assert.ok(Number.isFinite(first) && first > 0 && first < 1, `loss ${first}`);
      assert.match(await page.textContent('#status'), /loss = /);
      assert.equal(await page.locator('#per-class tbody tr').count(), 3);

      // An option reaches the engine: the seed formula with sum gives a different loss.
      await page.selectOption('select[name=formula]', 'seed');
      await page.selectOption('select[name=reduction]', 'sum');
      const seed = Number(await page.evaluate(() => document.body.dataset.loss));
      assert.notEqual(seed, first);

      // Bad input keeps the last valid result and says why.
      await page.fill('input[name=smooth]', '-1');
      await page.dispatchEvent('input[name=smooth]', 'input');
      assert.match(await page.textContent('#status'), /Not evaluated: .*smooth/);
      assert.equal(Number(await page.evaluate(() => document.body.dataset.loss)), seed);

      await page.screenshot({ path: resolve(SHOTS, `page-webgpu-${webgpu ? 'on' : 'off'}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      const foreign = requests.filter((u) => !u.startsWith(server.url));
      assert.deepEqual(foreign, [], 'requests left localhost');
    } finally {
      await browser.close();
    }
  });
}

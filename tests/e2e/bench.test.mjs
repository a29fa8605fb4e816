// Smoke check of bench.html (dist/, from `trunk build --release`): dicelab and TensorFlow.js
// (wasm) each train two steps of the protocol's TinySegNet, and their first-step losses equal the
// protocol's check value. No timing: `cargo xtask bench` measures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch } from './browser.mjs';
import { TFJS_MOUNTS } from '../../bench/mounts.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let server;
let browser;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'), { mounts: TFJS_MOUNTS });
  browser = await launch({ webgpu: false });
});
after(async () => {
  await browser.close();
  await server.close();
});

for (const engine of ['dicelab', 'tfjs-wasm-simd']) {
  test(`bench.html: ${engine} matches the protocol's first-step Dice`, async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/bench.html?engine=${engine}&batch=4&size=48&loss=dice&warmup=1&reps=1&steps=1`);
    await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 60000 });
    const r = await page.evaluate(() => window.benchResult);
    await page.close();
    assert.equal(r.error, undefined, r.error);
    assert.ok(r.firstDiff < 1e-5, `first Dice ${r.first} vs ${r.check}`);
    assert.ok(r.stepsPerS > 0);
    assert.deepEqual(errors, []);
  });
}

// Smoke check of bench.html (dist/, from `trunk build --release`): dicelab and TensorFlow.js
// (wasm) each train two steps of the protocol's TinySegNet, and their first-step losses equal the
// protocol's check value. With WebGPU (SwiftShader here), dicelab-gpu trains too, its first step
// equal to the check value and to the CPU engine's; without WebGPU it is skipped with the reason.
// dicelab's result carries the SIMD ceiling and names its build (the SIMD128 one where the relaxed-SIMD
// twin cannot load); tfjs names its construction; the step profile runs.
// No timing: `cargo xtask bench` measures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch } from './browser.mjs';
import { TFJS_MOUNTS } from '../../bench/mounts.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
let server;
const browsers = {};

before(async () => {
  server = await serve(resolve(ROOT, 'dist'), { mounts: TFJS_MOUNTS });
  browsers.off = await launch({ webgpu: false });
  browsers.on = await launch({ webgpu: true });
});
after(async () => {
  for (const b of Object.values(browsers)) await b.close();
  await server.close();
});

/** One short bench.html run of `engine` at 4×48 (Dice); resolves to [result, page errors,
 * console warnings]. `gone`: a path glob the server answers with 404. */
async function run(browser, engine, gone = null) {
  const page = await browser.newPage();
  if (gone) await page.route(gone, (route) => route.fulfill({ status: 404, body: 'gone' }));
  const errors = [];
  const warnings = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(`${server.url}/bench.html?engine=${engine}&batch=4&size=48&loss=dice&warmup=1&reps=1&steps=1`);
  await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 120000 });
  const r = await page.evaluate(() => window.benchResult);
  await page.close();
  return [r, errors, warnings];
}

for (const engine of ['dicelab', 'dicelab-simd128', 'tfjs-wasm-simd']) {
  test(`bench.html: ${engine} matches the protocol's first-step Dice`, async () => {
    const [r, errors] = await run(browsers.off, engine);
    assert.equal(r.error, undefined, r.error);
    assert.ok(r.firstDiff < 1e-5, `first Dice ${r.first} vs ${r.check}`);
    assert.ok(r.stepsPerS > 0);
    if (engine.startsWith('dicelab')) {
      // The same-run SIMD ceiling and the step's share of it (src/bench/peak.rs).
      assert.ok(r.simdPeakGflops > 1, `SIMD peak ${r.simdPeakGflops} GFLOP/s`);
      assert.ok(r.pctOfPeak > 0 && r.pctOfPeak < 100, `${r.pctOfPeak} % of the peak`);
      // This Chromium runs relaxed SIMD: `dicelab` is the build the playground loads here.
      assert.equal(r.construction, engine === 'dicelab' ? 'relaxed SIMD' : 'SIMD128');
    } else {
      // tfjs-wasm has no Conv2DBackpropFilter: only the forward-conv custom gradient runs there.
      assert.equal(r.construction, 'custom-fwd');
      assert.deepEqual(r.constructions, ['custom-fwd']);
    }
    assert.deepEqual(errors, []);
  });
}

test('bench.html: dicelab falls back to the SIMD128 build, and reports it, where the relaxed-SIMD one cannot load', async () => {
  const [r, errors, warnings] = await run(browsers.off, 'dicelab', '**/bench-fma/**');
  assert.equal(r.error, undefined, r.error);
  assert.ok(r.firstDiff < 1e-5, `first Dice ${r.first} vs ${r.check}`);
  assert.equal(r.construction, 'SIMD128');
  assert.ok(warnings.some((w) => /relaxed-SIMD build did not start/.test(w)), warnings.join('\n'));
  assert.deepEqual(errors, []);
});

test('bench.html: the step profile sums to about the step', async () => {
  const page = await browsers.off.newPage();
  await page.goto(`${server.url}/bench.html?engine=dicelab&batch=2&size=32&loss=ce&warmup=1&reps=1&steps=2&profile=3`);
  await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 120000 });
  const r = await page.evaluate(() => window.benchResult);
  await page.close();
  assert.equal(r.error, undefined, r.error);
  const pieces = Object.entries(r.profile.pieces);
  assert.ok(pieces.some(([n]) => n === 'L2 dW') && pieces.some(([n]) => n === 'loss'));
  const sum = pieces.reduce((a, [, ms]) => a + ms, 0);
  // The pieces cover the whole step: their sum is the profiled step's time less the clock's grain.
  assert.ok(Math.abs(sum - r.profile.msProfiled) < 0.2 * r.profile.msProfiled + 1, `${sum} vs ${r.profile.msProfiled} ms`);
});

test('bench.html: dicelab-gpu trains on WebGPU from the CPU engine\'s first step', async () => {
  const [r, errors] = await run(browsers.on, 'dicelab-gpu');
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.skipped, undefined, r.skipped);
  assert.equal(r.backend, 'webgpu');
  assert.ok(r.adapter, 'the adapter is named');
  assert.ok(r.firstDiff < 1e-5, `first Dice ${r.first} vs ${r.check}`);
  assert.ok(r.gpuCpuDiff < r.gpuCpuTolerance, `GPU ${r.first} vs CPU ${r.cpuFirst}`);
  assert.ok(r.stepsPerS > 0);
  // The second step sees updated weights (one Adam step of lr moves every weight; the Dice need
  // not fall yet: tests/native/bench.rs checks that it falls over a few steps).
  assert.ok(Number.isFinite(r.lastLoss) && r.lastLoss !== r.first, `Dice ${r.first} -> ${r.lastLoss}`);
  assert.deepEqual(errors, []);
});

test('bench.html: dicelab-gpu without WebGPU is skipped with the reason', async () => {
  const [r, errors] = await run(browsers.off, 'dicelab-gpu');
  assert.equal(r.error, undefined, r.error);
  assert.match(r.skipped ?? '', /WebGPU/i);
  assert.equal(r.stepsPerS, undefined, 'no figure for a skipped engine');
  assert.deepEqual(errors, []);
});

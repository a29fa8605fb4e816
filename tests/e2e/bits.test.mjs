// The page's plain SIMD128 build trains as the native CLI does, bit for bit: the kernels do the
// same f32 operations in the same order in both (kernels/src/simd.rs). The relaxed-SIMD build,
// which fuses multiply-adds, agrees only to float32 rounding, which training amplifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch, openPage } from './browser.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, process.env.DICELAB_BIN ?? 'target/debug/dicelab');
const STEPS = 40;
let server;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

/** The first `STEPS` losses of the page's run of `hash`, in the plain build (`plain`) or the one
 * the browser picks. */
async function pageCurve(hash, plain) {
  const browser = await launch({ webgpu: false });
  try {
    const { page, requests } = await openPage(browser);
    // The relaxed-SIMD twin unreachable: the page falls back to the plain build.
    if (plain) await page.context().route('**/cpu-fma/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
    await page.goto(`${server.url}/${hash}`);
    await page.waitForFunction((n) => window.dicelab?.curve().length >= n, STEPS, { timeout: 120000 });
    const wasm = requests.filter((u) => u.endsWith('.wasm')).map((u) => new URL(u).pathname);
    assert.deepEqual(wasm, [plain ? '/cpu/dicelab_bg.wasm' : '/cpu-fma/dicelab_bg.wasm']);
    const curve = await page.evaluate(() => window.dicelab.curve());
    return curve.slice(0, STEPS).map(([, y]) => y);
  } finally {
    await browser.close();
  }
}

test('the plain build trains as the CLI, bit for bit; the relaxed-SIMD build to rounding', async () => {
  const out = execFileSync(BIN, ['train', '--seed', '3', '--loss', 'ce', '--steps', String(STEPS), '--json'], { encoding: 'utf8' });
  const cli = JSON.parse(out).curve;
  assert.equal(cli.length, STEPS);
  const plain = await pageCurve('#ab=0&seed=3&loss=ce', true);
  assert.deepEqual(plain, cli, 'plain SIMD128 build vs CLI');
  const fused = await pageCurve('#ab=0&seed=3&loss=ce', false);
  // The first loss comes before any update: only the forward pass's roundings differ.
  assert.ok(Math.abs(fused[0] - cli[0]) < 1e-6 * cli[0], `first loss ${fused[0]} vs ${cli[0]}`);
  assert.ok(fused.every((y, i) => Math.abs(y - cli[i]) < 0.05 * cli[i]), 'relaxed-SIMD build vs CLI');
});

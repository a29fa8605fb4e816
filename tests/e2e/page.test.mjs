// End-to-end: the built playground (dist/, from `trunk build --release`) under the production CSP,
// in headless Chromium with WebGPU on and off: it trains, every loss toggle reaches the engine, a
// URL reproduces a run, bad hashes fall back with a notice, A/B trains two runs, the embed hides
// what it is told, no console errors, no request leaves localhost; each of the three wasm builds
// exports what its page needs, and the page fetches the build it should. Screenshots in target/e2e/.
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

const body = (page, key) => page.evaluate((k) => document.body.dataset[k], key);
// The wasm builds a page fetched (www/engine.js): '/dicelab_bg.wasm' (WebGPU) or
// '/cpu-fma/dicelab_bg.wasm' (CPU only, for relaxed SIMD: this Chromium validates it, which the
// first test checks); worker requests are the page's too.
const wasmFetched = (requests) =>
  requests.filter((u) => u.endsWith('.wasm')).map((u) => new URL(u).pathname).sort();
const waitStep = (page, n, timeout = 60000) =>
  page.waitForFunction((k) => Number(document.body.dataset.step ?? 0) >= k, n, { timeout });

async function withPage(webgpu, fn) {
  const browser = await launch({ webgpu });
  try {
    const ctx = await openPage(browser);
    await ctx.page.setViewportSize({ width: 1280, height: 1000 });
    await fn(ctx);
    assert.deepEqual(ctx.errors, [], 'console errors');
    const foreign = ctx.requests.filter((u) => !u.startsWith(server.url));
    assert.deepEqual(foreign, [], 'requests left localhost');
  } finally {
    await browser.close();
  }
}

test('each wasm build holds what its page needs and no more', async () => {
  const glue = async (path) => (await fetch(`${server.url}${path}`)).text();
  // The names a build exports (its wasm-bindgen glue ends in one `export{… as Name, …}`).
  const exported = (js) => [...js.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((e) => e.trim().split(/\s+as\s+/).pop()));
  const playground = ['Playground', 'default', 'initSync', 'wasmMemoryBytes'];
  const extras = ['ProtocolRun', 'GpuProtocolRun', 'evaluateLoss', 'webgpuStatus'];
  const builds = { '/dicelab.js': true, '/cpu/dicelab.js': false, '/bench/dicelab.js': true, '/cpu-fma/dicelab.js': false, '/bench-fma/dicelab.js': true };
  for (const [path, webgpu] of Object.entries(builds)) {
    const js = await glue(path);
    const names = exported(js);
    for (const n of playground) assert.ok(names.includes(n), `${path} exports ${n}`);
    const bench = path.startsWith('/bench');
    for (const n of extras) assert.equal(names.includes(n), bench, `${path} ${bench ? 'exports' : 'leaves out'} ${n}`);
    // The WebGPU engine's imports (wgpu's WebGPU calls) are in the glue of the builds that have it.
    assert.equal(js.includes('createComputePipeline'), webgpu, `${path}: WebGPU engine ${webgpu ? 'present' : 'absent'}`);
  }
});

test('the CPU builds come in relaxed SIMD where the browser runs it, and fall back to plain SIMD', async () => {
  // This Chromium validates relaxed SIMD (www/fma.js's probe), so the playground's CPU runs take
  // the relaxed-SIMD twin (the test below). Where that twin cannot be fetched, the plain build.
  const browser = await launch({ webgpu: false });
  try {
    const { page, requests } = await openPage(browser);
    await page.context().route('**/cpu-fma/**', (route) => route.fulfill({ status: 404, body: 'gone' }));
    const warnings = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await page.goto(`${server.url}/#labels=full&loss=ce&seed=3`);
    assert.equal(await page.evaluate(async () => (await import('/www/fma.js')).relaxedSimd), true);
    await waitStep(page, 5, 60000);
    assert.deepEqual(wasmFetched(requests), ['/cpu/dicelab_bg.wasm']);
    assert.ok(warnings.some((w) => /relaxed-SIMD build did not start/.test(w)), warnings.join('\n'));
  } finally {
    await browser.close();
  }
});

for (const webgpu of [false, true]) {
  const tag = `webgpu-${webgpu ? 'on' : 'off'}`;

  test(`playground trains and the loss falls (${tag})`, async () => {
    await withPage(webgpu, async ({ page, requests }) => {
      const t0 = Date.now();
      await page.goto(`${server.url}/#labels=full&loss=ce&seed=3`);
      await waitStep(page, 1, 20000);
      console.log(`# first step shown ${Date.now() - t0} ms after navigation (${tag})`);
      await waitStep(page, 150, 120000);
      const curve = await page.evaluate(() => window.dicelab.curve());
      const mean = (xs) => xs.reduce((s, [, y]) => s + y, 0) / xs.length;
      const first = mean(curve.slice(0, 20));
      const last = mean(curve.slice(-20));
      assert.ok(last < 0.8 * first, `loss did not fall: ${first} -> ${last}`);
      // 'auto' trains on the CPU here: SwiftShader is a software adapter, slower than the CPU engine.
      assert.match(await page.textContent('#backend'), webgpu ? /CPU \(WebGPU unavailable: the only WebGPU adapter is a software one/ : /CPU \(WebGPU unavailable: no GPU adapter/);
      // No adapter, or only a software one: the page never fetched the WebGPU build.
      assert.deepEqual(wasmFetched(requests), ['/cpu-fma/dicelab_bg.wasm']);
      await page.screenshot({ path: resolve(SHOTS, `playground-${tag}.png`), fullPage: true });
    });
  });
}

test('every loss toggle reaches the engine', async () => {
  await withPage(false, async ({ page }) => {
    // One run on the default options (the page without its default story).
    await page.goto(`${server.url}/#ab=0`);
    await waitStep(page, 2, 20000);
    const config = async () => JSON.parse(await body(page, 'lossConfig'));
    // Waits until the engine's last step used a loss configuration with these fields.
    const expectConfig = async (want, what) => {
      await page.waitForFunction(
        (w) => {
          const c = JSON.parse(document.body.dataset.lossConfig ?? '{}');
          return Object.entries(w).every(([k, v]) => c[k] === v);
        },
        want,
        { timeout: 30000 },
      ).catch(async () => assert.fail(`${what}: engine has ${JSON.stringify(await config())}; page has ${JSON.stringify(await page.evaluate(() => window.dicelab.state().a))}; notices: ${await page.textContent('#notices')}`));
    };
    await page.selectOption('#a-loss', 'gdl');
    await page.selectOption('#a-weights', 'simple');
    await page.selectOption('#a-formula', 'seed');
    // Per image first: over the one global unit, GDL's sum and mean agree (reduction is disabled).
    await page.selectOption('#a-agg', 'per-image');
    await page.selectOption('#a-reduction', 'sum');
    await page.check('#a-squared');
    await page.fill('#a-smooth', '0.25');
    await page.press('#a-smooth', 'Enter');
    await page.selectOption('#a-act', 'sigmoid');
    await page.uncheck('#a-bg');
    await expectConfig({
      kind: 'gdl', weights: 'simple', formula: 'seed', reduction: 'sum', aggregation: 'per-image', squared: true,
      'smooth-nr': 0.25, 'smooth-dr': 0.25, activation: 'sigmoid', 'include-background': false,
    }, 'loss toggles');
    const hash = await page.evaluate(() => location.hash);
    for (const part of ['loss=gdl', 'weights=simple', 'formula=seed', 'reduction=sum', 'agg=per-image', 'squared=true', 'smooth=0.25', 'act=sigmoid', 'bg=false']) {
      assert.ok(hash.includes(part), `${part} not in ${hash}`);
    }
    // A value the table refuses is flagged and not applied.
    await page.fill('#a-smooth', '-3');
    await page.press('#a-smooth', 'Enter');
    assert.equal(await page.getAttribute('#a-smooth', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#a-smooth-msg'), /outside/);
    assert.ok((await page.evaluate(() => location.hash)).includes('smooth=0.25'));
    // Presets are one click away.
    await page.click('button[data-preset="seed-bug"]');
    await expectConfig({ kind: 'dice', formula: 'seed', reduction: 'sum', aggregation: 'global' }, 'seed-bug preset');
  });
});

test('a URL reproduces a run', async () => {
  const losses = [];
  for (let i = 0; i < 2; i++) {
    await withPage(false, async ({ page }) => {
      await page.goto(`${server.url}/#seed=11&loss=gdl&size=32&batch=2`);
      await waitStep(page, 30, 60000);
      const curve = await page.evaluate(() => window.dicelab.curve());
      losses.push(curve.slice(0, 30).map(([, y]) => y));
    });
  }
  assert.deepEqual(losses[0], losses[1]);
});

test('invalid hash values fall back to defaults with a visible notice', async () => {
  await withPage(false, async ({ page }) => {
    await page.goto(`${server.url}/#loss=dyce&classes=99&lr=%ZZ&seed=4`);
    await waitStep(page, 1, 20000);
    const notices = await page.textContent('#notices');
    assert.match(notices, /dyce/);
    assert.match(notices, /Classes: 99/);
    assert.match(notices, /percent-encoding/);
    const state = await page.evaluate(() => window.dicelab.state());
    assert.equal(state.a.loss, 'dice');
    assert.equal(state.a.classes, 6);
    assert.equal(state.a.seed, 4);
  });
});

test('A/B trains two configurations in step', async () => {
  await withPage(false, async ({ page }) => {
    await page.goto(`${server.url}/#ab=1&b.formula=seed&b.reduction=sum`);
    await waitStep(page, 20, 60000);
    const [a, b] = await page.evaluate(() => [window.dicelab.curve('a'), window.dicelab.curve('b')]);
    assert.ok(b.length >= 10, 'run B has no curve');
    assert.notDeepEqual(a.slice(0, 10), b.slice(0, 10));
    assert.ok(await page.isVisible('#controls-b'));
    await page.screenshot({ path: resolve(SHOTS, 'playground-ab.png'), fullPage: true });
  });
});

test('the embed view hides what it is told', async () => {
  await withPage(false, async ({ page }) => {
    await page.setViewportSize({ width: 720, height: 560 });
    await page.goto(`${server.url}/embed.html#hide=data,lr,presets&loss=gdl`);
    await page.waitForSelector('#a-loss');
    assert.equal(await page.isVisible('fieldset[data-group="data"]'), false);
    assert.equal(await page.isVisible('[data-option="lr"]'), false);
    assert.equal(await page.isVisible('#presets'), false);
    assert.equal(await page.isVisible('#a-loss'), true);
    assert.equal(await page.inputValue('#a-loss'), 'gdl');
    // An embed in view trains without a click.
    await waitStep(page, 3, 30000);
    await page.screenshot({ path: resolve(SHOTS, 'embed.png') });
  });
});

test('WebGPU trains when chosen, and a lost device continues on the CPU from the same weights', async () => {
  await withPage(true, async ({ page, requests }) => {
    await page.goto(`${server.url}/#backend=webgpu&size=32&batch=2&seed=5`);
    await waitStep(page, 2, 120000);
    assert.equal(await body(page, 'backend'), 'gpu');
    assert.deepEqual(wasmFetched(requests), ['/dicelab_bg.wasm']);
    // A readable adapter name, marked as a software one (SwiftShader here), no empty parentheses.
    assert.match(await page.textContent('#backend'), /^WebGPU \([^()]+, software\)$/);
    // The |∂L/∂z| heatmap is read back from the GPU on request and drawn.
    await page.waitForFunction(() => Number(document.body.dataset.heatMax) > 0, null, { timeout: 60000 });
    assert.equal(await body(page, 'backend'), 'gpu');
    const before = Number(await body(page, 'step'));
    await page.evaluate(() => window.dicelab.loseDevice());
    await page.waitForFunction(() => document.body.dataset.backend === 'cpu', null, { timeout: 60000 });
    assert.match(await page.textContent('#notices'), /GPU stopped/);
    // Training goes on on the CPU: at most the steps since the last weight read-back are redone.
    await page.waitForFunction((n) => Number(document.body.dataset.step) >= n + 10, before, { timeout: 60000 });
    const curve = await page.evaluate(() => window.dicelab.curve());
    assert.ok(curve.every(([, y]) => Number.isFinite(y)));
    await page.screenshot({ path: resolve(SHOTS, 'device-lost.png'), fullPage: true });
  });
});

test('a WebGPU run switched to a Part 2 loss goes on on the GPU, in the full module', async () => {
  await withPage(true, async ({ page, requests }) => {
    await page.goto(`${server.url}/#backend=webgpu&size=32&batch=2&seed=5`);
    await waitStep(page, 2, 120000);
    assert.equal(await body(page, 'backend'), 'gpu');
    await page.selectOption('#a-loss', 'lovasz');
    await page.waitForFunction(() => JSON.parse(document.body.dataset.lossConfig ?? '{}').kind === 'lovasz', null, { timeout: 120000 });
    assert.ok(wasmFetched(requests).includes('/bench-fma/dicelab_bg.wasm'), 'the full module');
    await waitStep(page, 10, 60000);
    assert.equal(await body(page, 'backend'), 'gpu');
    assert.match(await page.textContent('#backend'), /WebGPU/);
    assert.doesNotMatch(await page.textContent('#notices'), /GPU stopped|on the CPU/);
    const curve = await page.evaluate(() => window.dicelab.curve());
    assert.ok(curve.length > 0 && curve.every(([, y]) => Number.isFinite(y)));
  });
});
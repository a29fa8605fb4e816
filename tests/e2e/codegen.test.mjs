// The "Copy the implementation" panel of the built page (dist/): its tabs are NumPy, PyTorch and
// Keras, and after each change of the loss options every tab shows, and its Copy button copies,
// exactly what www/codegen.js generates for the page's loss configuration (code in every tab, for
// docs/losses.md's Part 2 losses too), with a link in the header that opens the page with that
// configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch, openPage } from './browser.mjs';
import { generate, LANGUAGES } from '../../www/codegen.js';
import { parseHash } from '../../www/hash.js';
import { lossConfig } from '../../www/options.js';

const ROOT = resolve(import.meta.dirname, '../..');
let server;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

/** Changes made through the controls, in order, with the option values each one sets. */
const STEPS = [
  ['the default story', async () => {}, {}],
  ['Generalized Dice, 1/R, seed formula', async (page) => {
    await page.selectOption('#a-loss', 'gdl');
    await page.selectOption('#a-weights', 'simple');
    await page.selectOption('#a-formula', 'seed');
  }, { loss: 'gdl', weights: 'simple', formula: 'seed' }],
  ['per image, summed, squared, smoothing 0.5', async (page) => {
    await page.selectOption('#a-agg', 'per-image');
    await page.selectOption('#a-reduction', 'sum');
    await page.check('#a-squared');
    await page.fill('#a-smooth', '0.5');
    await page.press('#a-smooth', 'Enter');
  }, { agg: 'per-image', reduction: 'sum', squared: true, smooth: 0.5 }],
  ['Dice + cross-entropy, sigmoid, no background', async (page) => {
    await page.selectOption('#a-loss', 'dice+ce');
    await page.selectOption('#a-act', 'sigmoid');
    await page.uncheck('#a-bg');
  }, { loss: 'dice+ce', act: 'sigmoid', bg: false }],
  ['cross-entropy', async (page) => {
    await page.selectOption('#a-loss', 'ce');
  }, { loss: 'ce' }],
  ['Tversky (SMP), α 0.3, β 0.7, −log', async (page) => {
    await page.selectOption('#a-loss', 'tversky');
    await page.selectOption('#a-variant', 'smp');
    for (const [sel, v] of [['#a-alpha', '0.3'], ['#a-beta', '0.7']]) {
      await page.fill(sel, v);
      await page.press(sel, 'Enter');
    }
    await page.check('#a-log');
  }, { loss: 'tversky', variant: 'smp', alpha: 0.3, beta: 0.7, log: true }],
  ['Lovász-softmax', async (page) => {
    await page.selectOption('#a-loss', 'lovasz');
  }, { loss: 'lovasz' }],
];

/** What the Copy button put on the clipboard, or (where the page fell back to it) selected. */
async function copied(page) {
  await page.evaluate(() => { document.getElementById('copy-status').textContent = ''; });
  await page.click('#copy-code');
  await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  const status = await page.textContent('#copy-status');
  return status === 'Copied.'
    ? page.evaluate(() => navigator.clipboard.readText())
    : page.evaluate(() => getSelection().toString());
}

test('each code tab shows and copies the generated code of the current configuration', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors, requests } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto(`${server.url}/`);
    // The generator loads when its panel comes near the screen.
    await page.locator('#code-panel').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.dicelab !== undefined && document.querySelector('#tab-keras') !== null);
    const base = `${server.url}/`;
    const tabs = await page.$$eval('#code-tabs [role="tab"]', (ts) => ts.map((t) => t.textContent));
    assert.deepEqual(tabs, ['NumPy', 'PyTorch', 'Keras']);
    const want = parseHash('').a;
    for (const [what, change, sets] of STEPS) {
      await change(page);
      Object.assign(want, sets);
      const cfg = lossConfig(want);
      assert.deepEqual(lossConfig((await page.evaluate(() => window.dicelab.state())).a), cfg, `${what}: the page's configuration`);
      for (const { key, name } of LANGUAGES) {
        await page.click(`#tab-${key}`);
        const code = generate(key, cfg, base);
        assert.match(code, key === 'numpy' ? /^def loss\(/m : /^class \w+\(/m, `${what}: ${name} is code`);
        assert.equal(await page.textContent('#code'), code, `${what}: ${name} shown`);
        assert.equal(await copied(page), code, `${what}: ${name} copied`);
      }
      // The header's link opens the page with this configuration.
      const link = generate('numpy', cfg, base).match(/https?:\/\/\S+#\S*/)?.[0];
      assert.ok(link, `${what}: a link in the header`);
      const other = await openPage(browser);
      await other.page.goto(link);
      await other.page.waitForFunction(() => window.dicelab !== undefined);
      assert.deepEqual(lossConfig((await other.page.evaluate(() => window.dicelab.state())).a), cfg, `${what}: ${link}`);
      assert.deepEqual(other.errors, [], `${what}: console errors at the link`);
      await other.page.close();
    }
    assert.deepEqual(errors, [], 'console errors');
    assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), [], 'requests left localhost');
  } finally {
    await browser.close();
  }
});

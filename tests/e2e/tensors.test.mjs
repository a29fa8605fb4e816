// "Check your own tensors" in the built page: the visitor's logits.npy and labels.npy give, for
// three loss configurations (one of them a Part 2 loss), the report `dicelab loss` prints and the
// gradient its --grad-out writes; bad files get a one-line message and the previous result stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from './serve.mjs';
import { withPage as inBrowser } from './browser.mjs';
import { writeNpy, parseNpy } from '../../www/own/npy.js';
import { parseHash } from '../../www/hash.js';
import { lossConfig } from '../../www/options.js';
import { cliFlags } from '../../www/codegen.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, process.env.DICELAB_BIN ?? 'target/debug/dicelab');
let server;
let dir;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
  dir = mkdtempSync(join(tmpdir(), 'dicelab-tensors-'));
  // B=2, 5×4, C=4: class 3 absent, a few ignored pixels.
  const z = new Float32Array(2 * 5 * 4 * 4).map((_, i) => Math.sin(0.7 * i + 1) * 3);
  const y = new Uint8Array(2 * 5 * 4).map((_, i) => (i % 9 === 4 ? 255 : (i * 7) % 3));
  writeFileSync(join(dir, 'logits.npy'), writeNpy('<f4', [2, 5, 4, 4], z));
  writeFileSync(join(dir, 'labels.npy'), writeNpy('|u1', [2, 5, 4], y));
  writeFileSync(join(dir, 'bad-shape.npy'), writeNpy('|u1', [2, 4, 5], y));
  writeFileSync(join(dir, 'nan.npy'), writeNpy('<f4', [2, 5, 4, 4], z.map((v, i) => (i === 17 ? NaN : v))));
  writeFileSync(join(dir, 'not-npy.npy'), 'this is not a .npy file');
});
after(async () => server.close());

const withPage = (fn) => inBrowser(server.url, fn, { width: 1280, height: 900 });

/** The panel's report (JSON) and gradient (the grad.npy link's bytes). */
async function result(page) {
  const json = JSON.parse(await page.textContent('#tensor-json'));
  // The page's CSP allows no fetch of a blob: URL; a download is what a visitor does anyway.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tensor-grad')]);
  assert.equal(download.suggestedFilename(), 'grad.npy');
  return { json, grad: new Uint8Array(readFileSync(await download.path())) };
}

const floats = (bytes) => {
  const f = parseNpy(bytes, 'grad');
  return new Float32Array(f.data.buffer, f.data.byteOffset, f.data.byteLength / 4);
};

test('the tensor panel gives dicelab loss\'s report and gradient, for three configurations', async (t) => {
  if (!existsSync(BIN)) {
    console.log(`# SKIPPED: no dicelab binary at ${BIN}`);
    t.skip('no dicelab binary');
    return;
  }
  for (const hash of ['#ab=0', '#ab=0&loss=gdl&weights=simple&agg=per-image&smooth=0.5', '#ab=0&loss=tversky&variant=smp&alpha=0.3&beta=0.7&bg=false']) {
    await withPage(async ({ page }) => {
      await page.goto(`${server.url}/${hash}`);
      await page.locator('#tensor-logits').scrollIntoViewIfNeeded();
      await page.setInputFiles('#tensor-logits', join(dir, 'logits.npy'));
      await page.setInputFiles('#tensor-labels', join(dir, 'labels.npy'));
      await page.waitForFunction(() => document.getElementById('tensor-json').textContent !== '', null, { timeout: 60000 });
      const got = await result(page);
      const cfg = lossConfig(parseHash(hash).a);
      const gradFile = join(dir, 'grad.npy');
      const want = JSON.parse(execFileSync(BIN, ['loss', '--logits', join(dir, 'logits.npy'), '--labels', join(dir, 'labels.npy'), ...cliFlags(cfg), '--grad-out', gradFile], { encoding: 'utf8' }));
      assert.ok(Math.abs(got.json.loss - want.loss) <= 1e-6 * Math.abs(want.loss), `${hash}: ${got.json.loss} vs ${want.loss}`);
      assert.deepEqual(got.json.config, want.config, hash);
      assert.equal(got.json.units.length, want.units.length, hash);
      got.json.units.forEach((u, a) => u.classes.forEach((c, l) => {
        const w = want.units[a].classes[l];
        for (const k of ['intersection', 'truth', 'pred', 'weight']) {
          assert.ok(Math.abs(c[k] - w[k]) <= 1e-9 * Math.max(1, Math.abs(w[k])), `${hash}: unit ${a} class ${l} ${k}`);
        }
      }));
      const [g, wg] = [floats(got.grad), floats(readFileSync(gradFile))];
      const scale = wg.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(g.every((v, i) => Math.abs(v - wg[i]) <= 1e-6 * scale), `${hash}: gradient`);
    });
  }
});

test('bad files get a one-line message and the previous result stays', async () => {
  await withPage(async ({ page }) => {
    await page.goto(`${server.url}/#ab=0`);
    await page.locator('#tensor-logits').scrollIntoViewIfNeeded();
    await page.setInputFiles('#tensor-logits', join(dir, 'logits.npy'));
    await page.setInputFiles('#tensor-labels', join(dir, 'labels.npy'));
    await page.waitForFunction(() => document.getElementById('tensor-json').textContent !== '', null, { timeout: 60000 });
    const before = await page.textContent('#tensor-json');
    for (const [input, file, pattern] of [
      ['#tensor-labels', 'bad-shape.npy', /labels bad-shape\.npy have shape \[2, 4, 5\] but logits logits\.npy have shape \[2, 5, 4, 4\]/],
      ['#tensor-logits', 'nan.npy', /logit NaN at \(b=0, h=1, w=0, c=1\) is not finite/],
      ['#tensor-logits', 'not-npy.npy', /logits not-npy\.npy: not a valid \.npy file/],
    ]) {
      await page.setInputFiles(input, join(dir, file));
      await page.waitForFunction(() => document.getElementById('tensor-msg').textContent !== '');
      const msg = await page.textContent('#tensor-msg');
      assert.match(msg, pattern);
      assert.doesNotMatch(msg, /\n/);
      assert.equal(await page.textContent('#tensor-json'), before, `${file}: the previous result stays`);
      // A good file again clears the message.
      await page.setInputFiles(input, join(dir, input === '#tensor-logits' ? 'logits.npy' : 'labels.npy'));
      await page.waitForFunction(() => document.getElementById('tensor-msg').textContent === '');
    }
  });
});

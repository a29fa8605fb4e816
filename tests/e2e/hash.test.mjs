// The URL state in the browser: 500 random and malformed hashes, applied one after another to a live
// page. The page stays usable, every option it holds is valid, the valid parts are kept, the rest
// falls back to defaults, and each dropped part is announced in the notices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch, openPage } from './browser.mjs';
import { parseHash } from '../../www/hash.js';
import { OPTIONS, check } from '../../www/options.js';
import { mulberry32 } from '../../www/bench/protocol.js';

const ROOT = resolve(import.meta.dirname, '../..');
let server;
before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

function randomHash(rnd) {
  const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
  const keys = [...OPTIONS.map((o) => o.key), ...OPTIONS.map((o) => `b.${o.key}`), 'ab', 'hide', 'preset', 'zzz', '%E0%A4', 'x'.repeat(300)];
  const values = ['', '0', '1', '-5', '1e400', 'NaN', 'true', 'false', 'gdl', 'seed', 'per-image', 'sigmoid', 'sparse-ignore', '%ZZ', '3.5', '0.001', '64', '7', 'data,lr', 'seed-bug', '%3Cscript%3E', 'y'.repeat(2000)];
  const n = 1 + Math.floor(rnd() * 6);
  const parts = [];
  for (let j = 0; j < n; j++) parts.push(`${pick(keys)}=${pick(values)}`);
  return `#${parts.join('&')}`;
}

test('500 random and malformed hashes on a live page', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 1, null, { timeout: 20000 });
    const rnd = mulberry32(8);
    let announced = 0;
    for (let i = 0; i < 500; i++) {
      const hash = randomHash(rnd);
      const want = parseHash(hash);
      const got = await page.evaluate((h) => {
        location.hash = h;
        return new Promise((done) => setTimeout(() => done({
          state: window.dicelab.state(),
          notices: [...document.querySelectorAll('#notices .notice')].map((p) => p.firstChild.textContent),
          usable: !document.querySelector('#play').disabled,
        }), 0));
      }, hash);
      const at = `hash ${i}: ${hash.slice(0, 120)}`;
      assert.ok(got.usable, at);
      for (const o of OPTIONS) {
        assert.ok(!('error' in check(o.key, got.state.a[o.key])), `${at}: ${o.key}=${got.state.a[o.key]}`);
      }
      // Valid parts kept, the rest at defaults: the page holds exactly what the parser says.
      assert.deepEqual(got.state.a, want.a, at);
      if (want.notices.length) {
        assert.equal(got.notices.at(-1), want.notices.at(-1), at);
        announced += 1;
      }
    }
    assert.ok(announced > 100, `only ${announced} hashes had something to announce`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

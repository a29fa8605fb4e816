// Embedding: two embeds on one blog page, one of them in `<iframe sandbox="allow-scripts">` (an
// opaque origin: no Web Worker can start there, so the trainer runs in the page); each trains while
// it is in view and only then, nothing errs, nothing leaves localhost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { launch, openPage } from './browser.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const HOST = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="/www/favicon.svg"><title>A blog post</title></head>
<body><h1>A blog post about Dice losses</h1>
<iframe id="sandboxed" sandbox="allow-scripts" src="/embed.html#preset=seed-bug&hide=data,train" width="720" height="560" title="seed bug"></iframe>
<iframe id="plain" src="/embed.html#preset=corrected&hide=data" width="720" height="560" title="corrected"></iframe>
</body></html>`;
let server;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'), { pages: { '/post.html': HOST } });
});
after(async () => server.close());

test('two embeds on one page, one sandboxed, both train', async () => {
  const browser = await launch({ webgpu: false });
  try {
    const { page, errors, requests } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${server.url}/post.html`);
    const frames = {};
    for (const id of ['sandboxed', 'plain']) frames[id] = await (await page.$(`#${id}`)).contentFrame();
    const steps = (id) => frames[id].evaluate(() => Number(document.body.dataset.step ?? 0));
    const playingIn = (id, on) => frames[id].waitForFunction((p) => document.body.dataset.playing === String(p), on, { timeout: 60000 });
    // The first embed is in view and trains; the second, mostly below the fold, waits.
    await frames.sandboxed.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 5, null, { timeout: 60000 });
    assert.equal(await steps('plain'), 0, 'an embed out of view trained');
    // ... and says that it will.
    assert.match(await frames.plain.textContent('#embed-hint'), /trains while in view/);
    // Scrolled to the second: it trains, the first stops.
    await page.evaluate(() => document.getElementById('plain').scrollIntoView());
    await frames.plain.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 5, null, { timeout: 60000 });
    await playingIn('sandboxed', false);
    for (const [id, trainer] of [['sandboxed', 'page'], ['plain', 'worker']]) {
      assert.equal(await frames[id].evaluate(() => document.body.dataset.trainer), trainer, id);
      assert.equal(await frames[id].isVisible('fieldset[data-group="data"]'), false);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
    await page.screenshot({ path: resolve(ROOT, 'target/e2e/blog-post.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

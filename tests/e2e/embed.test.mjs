// Embedding: two embeds on one blog page, one of them in `<iframe sandbox="allow-scripts">` (an
// opaque origin: no Web Worker can start there, so the trainer runs in the page), both train when
// played, nothing errs, nothing leaves localhost.
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
    await page.goto(`${server.url}/post.html`);
    for (const id of ['sandboxed', 'plain']) {
      const frame = page.frameLocator(`#${id}`);
      await frame.locator('#play').click({ timeout: 20000 });
    }
    for (const [id, trainer] of [['sandboxed', 'page'], ['plain', 'worker']]) {
      const frame = await (await page.$(`#${id}`)).contentFrame();
      await frame.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 5, null, { timeout: 60000 });
      assert.equal(await frame.evaluate(() => document.body.dataset.trainer), trainer, id);
      assert.equal(await frame.isVisible('fieldset[data-group="data"]'), false);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
    await page.screenshot({ path: resolve(ROOT, 'target/e2e/blog-post.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

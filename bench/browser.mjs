// Runs bench.html (from dist/, built by `trunk build --release`) in headless Chromium, one fresh
// browser context per engine × size × loss, engines interleaved within each round, and writes every
// run's figures to the JSON file named by the first argument. Chromium runs twice: without WebGPU
// (dicelab, tfjs cpu / wasm / wasm-SIMD / webgl, and dicelab-gpu, which must skip with its reason)
// and with --enable-unsafe-webgpu (dicelab-gpu, tfjs-webgpu, and dicelab again as the same-browser
// reference). The slow backends (on a machine without a GPU, WebGPU is SwiftShader, software) get a
// time cap per repetition (rep_ms) so that a whole run stays within minutes; the JSON records the
// steps run.
//
// Usage: node bench/browser.mjs OUT.json [--quick|--fast]   (--quick: a few steps, for the smoke
// test; --fast: dicelab and tfjs-wasm ± SIMD only, Dice, one round, for trying an optimisation)
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '../tests/e2e/serve.mjs';
import { launch } from '../tests/e2e/browser.mjs';
import { TFJS_MOUNTS } from './mounts.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const SIZES = [
  [4, 48],
  [8, 64],
];
const FAST = ['dicelab', 'tfjs-wasm-simd', 'tfjs-wasm'];
const SLOW = ['tfjs-webgl', 'tfjs-cpu'];

/** The plan: [webgpu, engine, batch, size, loss, query extras], interleaved by round. */
function plan(quick, fast) {
  if (fast) {
    const q = { warmup: 5, reps: 3, steps: 30 };
    return SIZES.flatMap(([batch, size]) =>
      FAST.map((engine) => ({ webgpu: false, engine, batch, size, loss: 'dice', q, round: 0 })),
    );
  }
  const runs = [];
  const full = quick ? { warmup: 2, reps: 1, steps: 2 } : { warmup: 5, reps: 3, steps: 30 };
  const capped = quick ? full : { ...full, rep_ms: 4000 };
  const rounds = quick ? 1 : 2;
  for (let r = 0; r < rounds; r++) {
    for (const [batch, size] of SIZES) {
      for (const loss of r === 0 ? ['dice', 'ce'] : ['dice']) {
        for (const e of FAST) runs.push({ webgpu: false, engine: e, batch, size, loss, q: full, round: r });
      }
      if (r === 0 && !quick) {
        for (const e of SLOW) runs.push({ webgpu: false, engine: e, batch, size, loss: 'dice', q: capped, round: r });
      }
      if (r === 0) {
        // Without WebGPU the GPU engine only says why it skips: no steps, no time.
        runs.push({ webgpu: false, engine: 'dicelab-gpu', batch, size, loss: 'dice', q: full, round: r });
        for (const e of ['dicelab', 'dicelab-gpu', 'tfjs-webgpu']) {
          runs.push({ webgpu: true, engine: e, batch, size, loss: 'dice', q: e === 'dicelab' ? full : capped, round: r });
        }
      }
    }
  }
  return quick ? runs.filter((r) => r.size === 48 || r.webgpu) : runs;
}

/** Whether a URL is the benchmark harness (not counted as the engine's transfer). */
const harness = (url) => /\/bench\.html|\/www\/bench\//.test(url);

async function one(browser, base, run) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const bodies = [];
  const errors = [];
  page.on('response', (r) => {
    if (!harness(r.url())) bodies.push(r.body().then((b) => ({ url: r.url(), gz: gzipSync(b).length, raw: b.length }), () => null));
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const query = new URLSearchParams({ engine: run.engine, batch: run.batch, size: run.size, loss: run.loss, ...run.q });
  const t0 = Date.now();
  try {
    // 'commit': a slow engine's synchronous first step can hold the load event past goto's timeout.
    await page.goto(`${base}/bench.html?${query}`, { waitUntil: 'commit' });
    await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: 300000 });
    const result = await page.evaluate(() => window.benchResult);
    const files = (await Promise.all(bodies)).filter(Boolean);
    const gzBytes = files.reduce((s, f) => s + f.gz, 0);
    return { ...result, webgpuFlag: run.webgpu, round: run.round, rep_ms: run.q.rep_ms ?? null, gzBytes, files, errors, wallMs: Date.now() - t0 };
  } catch (e) {
    return { engine: run.engine, batch: run.batch, size: run.size, loss: run.loss, webgpuFlag: run.webgpu, round: run.round, error: String(e.message ?? e), errors };
  } finally {
    await ctx.close();
  }
}

async function main() {
  const [out, flag] = process.argv.slice(2);
  if (!out) throw new Error('usage: node bench/browser.mjs OUT.json [--quick|--fast]');
  const server = await serve(resolve(ROOT, 'dist'), { mounts: TFJS_MOUNTS });
  const browsers = { false: await launch({ webgpu: false }), true: await launch({ webgpu: true }) };
  const results = [];
  try {
    for (const run of plan(flag === '--quick', flag === '--fast')) {
      const r = await one(browsers[run.webgpu], server.url, run);
      const tag = `${r.engine} ${r.batch}×${r.size} ${r.loss}${run.webgpu ? ' (webgpu flag)' : ''}`;
      const vsCpu = r.gpuCpuDiff === undefined ? '' : `, |GPU − CPU first| ${r.gpuCpuDiff.toExponential(1)} (tolerance ${r.gpuCpuTolerance})`;
      console.log(
        r.error || r.skipped
          ? `  ${tag}: ${r.error ? `error: ${r.error}` : `skipped: ${r.skipped}`}`
          : `  ${tag}: ${r.stepsPerS.toFixed(2)} steps/s, first ${r.first.toFixed(6)} (check ${r.check})${vsCpu}, load→first ${r.loadToFirstMs.toFixed(0)} ms, ${(r.gzBytes / 1024).toFixed(1)} KiB gz${r.adapter ? `, adapter ${r.adapter}` : ''}`,
      );
      results.push(r);
    }
  } finally {
    for (const b of Object.values(browsers)) await b.close();
    await server.close();
  }
  const chromium = await (async () => {
    const b = await launch({ webgpu: false });
    const v = b.version();
    await b.close();
    return v;
  })();
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, JSON.stringify({ chromium, results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

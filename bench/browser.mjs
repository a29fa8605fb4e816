// Runs bench.html (from dist/, built by `trunk build --release`) in headless Chromium, one fresh
// browser context per engine × size × loss, engines interleaved within each round, and writes every
// run's figures to the JSON file named by the first argument. Chromium runs twice: without WebGPU
// (dicelab, tfjs cpu / wasm / wasm-SIMD / webgl, and dicelab-gpu, which must skip with its reason)
// and with --enable-unsafe-webgpu (dicelab-gpu, tfjs-webgpu, and dicelab again as the same-browser
// reference). The slow backends (on a machine without a GPU, WebGPU is SwiftShader, software) get a
// time cap per repetition (rep_ms) so that a whole run stays within minutes; the JSON records the
// steps run. TensorFlow.js runs in the construction (www/bench/tfjs_net.js) that was fastest on its
// backend in a short probe of every construction at 4×48 first (constructions a backend cannot run
// skip at once); the JSON keeps the probes, and each result names its construction. Last, dicelab's
// step taken apart (bench.html's &profile=30) at both sizes, Dice, from a cross-origin-isolated
// server, where the browser's clock resolves 5 µs instead of 100 µs.
//
// Usage: node bench/browser.mjs OUT.json [--quick|--fast|--profile]   (--quick: a few steps, for the
// smoke test; --fast: dicelab and tfjs-wasm ± SIMD only, Dice, one round, for trying an
// optimisation; --profile: only the step profile; --gpu: only what a GPU changes, all with the
// WebGPU flag: dicelab on the CPU as the reference, dicelab-gpu, and tfjs-webgpu and tfjs-webgl in
// their fastest constructions, for tools/gpu-bench.sh). DICELAB_DIST serves another build than dist/.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '../tests/e2e/serve.mjs';
import { launch } from '../tests/e2e/browser.mjs';
import { TFJS_MOUNTS } from './mounts.mjs';
import { CONSTRUCTIONS } from '../www/bench/tfjs_net.js';

const ROOT = resolve(import.meta.dirname, '..');
const SIZES = [
  [4, 48],
  [8, 64],
];
const FAST = ['dicelab', 'dicelab-simd128', 'tfjs-wasm-simd', 'tfjs-wasm'];
const SLOW = ['tfjs-webgl', 'tfjs-cpu'];
const TFJS = ['tfjs-wasm-simd', 'tfjs-wasm', ...SLOW, 'tfjs-webgpu'];

/** The construction probes: every tfjs engine × construction at 4×48 (Dice), a few steps each. */
function probes() {
  const q = { warmup: 1, reps: 1, steps: 3, rep_ms: 2000 };
  return TFJS.flatMap((engine) =>
    CONSTRUCTIONS.map((construction) => ({ webgpu: engine === 'tfjs-webgpu', engine, batch: 4, size: 48, loss: 'dice', q: { ...q, construction }, round: 0, probe: true })),
  );
}

/** dicelab's step profile at both sizes (Dice): 30 profiled steps each. */
const profiles = () =>
  SIZES.map(([batch, size]) => ({ webgpu: false, engine: 'dicelab', batch, size, loss: 'dice', q: { warmup: 3, reps: 1, steps: 10, profile: 30 }, round: 0, profile: true }));

/** The fastest construction each engine's probes measured (engines without one: the default). */
function fastest(results) {
  const best = {};
  for (const r of results.filter((x) => x.probe && x.stepsPerS)) {
    if (!best[r.engine] || r.stepsPerS > best[r.engine].stepsPerS) best[r.engine] = r;
  }
  return Object.fromEntries(Object.entries(best).map(([e, r]) => [e, r.construction]));
}

/** The plan: [webgpu, engine, batch, size, loss, query extras], interleaved by round. */
/** tools/gpu-bench.sh's runs: every engine a GPU changes, in the browser with the WebGPU flag. */
function gpuPlan() {
  // DICELAB_GPU_QUICK (a software adapter, where a step takes seconds): a few capped steps each,
  // tfjs in its default construction.
  const quick = Boolean(process.env.DICELAB_GPU_QUICK);
  const q = quick ? { warmup: 1, reps: 1, steps: 3, rep_ms: 2000 } : { warmup: 5, reps: 3, steps: 30, rep_ms: 4000 };
  const probe = { warmup: 1, reps: 1, steps: 3, rep_ms: 2000 };
  const gpuTfjs = ['tfjs-webgpu', 'tfjs-webgl'];
  // dicelab-gpu at 4×48 first: where it finds no WebGPU adapter (or the browser's GPU process
  // fails with these flags), the other WebGPU runs are dropped instead of each waiting it out.
  const canary = { webgpu: true, engine: 'dicelab-gpu', batch: 4, size: 48, loss: 'dice', q, round: 0, canary: true };
  return [
    canary,
    ...(quick ? [] : gpuTfjs).flatMap((engine) =>
      CONSTRUCTIONS.map((construction) => ({ webgpu: true, engine, batch: 4, size: 48, loss: 'dice', q: { ...probe, construction }, round: 0, probe: true })),
    ),
    ...SIZES.flatMap(([batch, size]) =>
      ['dicelab', 'dicelab-gpu', ...gpuTfjs]
        .filter((engine) => !(engine === 'dicelab-gpu' && size === 48))
        .map((engine) => ({ webgpu: true, engine, batch, size, loss: 'dice', q, round: 0 })),
    ),
  ];
}

function plan(quick, fast, profile, gpu) {
  if (profile) return profiles();
  if (gpu) return gpuPlan();
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
  const chosen = quick ? runs.filter((r) => r.size === 48 || r.webgpu) : runs;
  return quick ? chosen : [...probes(), ...chosen, ...profiles()];
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
  if (query.get('construction') === null) query.delete('construction');
  const t0 = Date.now();
  try {
    // 'commit': a slow engine's synchronous first step can hold the load event past goto's timeout.
    await page.goto(`${base}/bench.html?${query}`, { waitUntil: 'commit' });
    // A page whose GPU process never comes up must not hold the run for long (DICELAB_PAGE_TIMEOUT_MS).
    await page.waitForFunction(() => document.body.dataset.done === '1', null, { timeout: Number(process.env.DICELAB_PAGE_TIMEOUT_MS) || 300000 });
    const result = await page.evaluate(() => window.benchResult);
    const files = (await Promise.all(bodies)).filter(Boolean);
    const gzBytes = files.reduce((s, f) => s + f.gz, 0);
    return { ...result, probe: Boolean(run.probe), profileRun: Boolean(run.profile), webgpuFlag: run.webgpu, round: run.round, rep_ms: run.q.rep_ms ?? null, gzBytes, files, errors, wallMs: Date.now() - t0 };
  } catch (e) {
    return { engine: run.engine, batch: run.batch, size: run.size, loss: run.loss, probe: Boolean(run.probe), webgpuFlag: run.webgpu, round: run.round, error: String(e.message ?? e), errors };
  } finally {
    await ctx.close();
  }
}

async function main() {
  const [out, flag] = process.argv.slice(2);
  if (!out) throw new Error('usage: node bench/browser.mjs OUT.json [--quick|--fast|--profile|--gpu]');
  const dist = process.env.DICELAB_DIST ? resolve(process.env.DICELAB_DIST) : resolve(ROOT, 'dist');
  const server = await serve(dist, { mounts: TFJS_MOUNTS });
  const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  const isolated = await serve(dist, { mounts: TFJS_MOUNTS, headers: isolation });
  const browsers = { false: await launch({ webgpu: false }), true: await launch({ webgpu: true }) };
  const results = [];
  try {
    for (const planned of plan(flag === '--quick', flag === '--fast', flag === '--profile', flag === '--gpu')) {
      const pick = planned.probe || !planned.engine.startsWith('tfjs-') ? undefined : fastest(results)[planned.engine];
      const run = pick ? { ...planned, q: { ...planned.q, construction: pick } } : planned;
      const r = await one(browsers[run.webgpu], (run.profile ? isolated : server).url, run);
      const tag = `${run.probe ? 'probe ' : ''}${r.engine}${run.q.construction ? ` [${run.q.construction}]` : ''} ${r.batch}×${r.size} ${r.loss}${run.webgpu ? ' (webgpu flag)' : ''}`;
      const vsCpu = r.gpuCpuDiff === undefined ? '' : `, |GPU − CPU first| ${r.gpuCpuDiff.toExponential(1)} (tolerance ${r.gpuCpuTolerance})`;
      console.log(
        r.error || r.skipped
          ? `  ${tag}: ${r.error ? `error: ${r.error}` : `skipped: ${r.skipped}`}`
          : `  ${tag}: ${r.stepsPerS.toFixed(2)} steps/s${r.simdPeakGflops ? ` (${r.gflops.toFixed(2)} GFLOP/s, ${r.pctOfPeak.toFixed(1)} % of the ${r.simdPeakGflops.toFixed(1)} GFLOP/s SIMD peak)` : ''}${r.profile ? `, profiled ${r.profile.msProfiled.toFixed(1)} ms/step` : ''}, first ${r.first.toFixed(6)} (check ${r.check})${vsCpu}, load→first ${r.loadToFirstMs.toFixed(0)} ms, ${(r.gzBytes / 1024).toFixed(1)} KiB gz${r.adapter ? `, adapter ${r.adapter}` : ''}`,
      );
      results.push(r);
      if (run.canary && (r.error || r.skipped)) {
        console.log(`  WebGPU is not usable in this browser (${r.error ?? r.skipped}): the other runs are dropped`);
        break;
      }
    }
  } finally {
    for (const b of Object.values(browsers)) await b.close();
    await server.close();
    await isolated.close();
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

// The soak harness: trains the built page (dist/) for a long run in headless Chromium and measures
// what must stay flat — the JS heap where the wasm lives (the training worker) and in the page,
// both after a forced garbage collection; the wasm memory; the GPU buffers the run has created
// (dicelab's own counter, and every `GPUDevice.createBuffer` call the worker makes, counted by a
// wrapper); and steps/s over the first and the last window of steps. `cargo xtask soak` runs it at
// full length (soak.mjs), tests/e2e/soak.test.mjs for ~300 steps per mode, with the same checks.
import { loadavg } from 'node:os';
import { launch, openPage } from '../e2e/browser.mjs';

/**
 * The modes: the CPU backend, the GPU backend forced (`auto` would pick the CPU on SwiftShader, a
 * software adapter), and A/B (two runs in step, on the CPU). The GPU mode uses the smallest
 * configuration the page allows: SwiftShader runs WebGPU on the CPU, far slower than the CPU engine.
 */
export const MODES = {
  cpu: { webgpu: false, hash: 'backend=cpu&size=32&batch=2&seed=1', runs: ['a'], backend: 'cpu' },
  gpu: { webgpu: true, hash: 'backend=webgpu&size=32&batch=1&width=8&seed=1', runs: ['a'], backend: 'gpu' },
  ab: { webgpu: false, hash: 'backend=cpu&size=32&batch=2&seed=1&ab=1&b.formula=seed&b.reduction=sum', runs: ['a', 'b'], backend: 'cpu' },
};

/** The stated bounds a soak must stay within (README "Guarantees"). */
export const BOUNDS = {
  // JS heap after a forced GC, end ≤ start + this many bytes. In the worker (where the wasm and
  // the trainer live) 1 MiB: a leak of 52 bytes a step shows over 20,000 steps. In the page 2 MiB:
  // it keeps up to 4,000 points of each curve for the charts (~0.3 MiB each) before thinning them.
  workerHeapGrowth: 1024 * 1024,
  pageHeapGrowth: 2 * 1024 * 1024,
  // The wasm memory holds each run's loss curve (a 48-byte record per step, in a Vec that doubles,
  // so up to ~3× that while it moves): end ≤ start + slack + per step and run.
  wasmSlack: 4 * 1024 * 1024,
  wasmPerStep: 160,
  // steps/s over the last window ≥ this fraction of the first window's.
  rateFraction: 0.5,
};

// CDP on the worker: Playwright offers no CDP session for a worker, so the page's session
// auto-attaches to it and relays messages (the non-flattened protocol).
async function workerCdp(page) {
  const cdp = await page.context().newCDPSession(page);
  const targets = [];
  const pending = new Map();
  let next = 0;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') targets.push(e.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const toWorker = (method, params = {}) => new Promise((resolve, reject) => {
    if (targets.length !== 1) {
      reject(new Error(`expected one worker, found ${targets.length}`));
      return;
    }
    const id = ++next;
    pending.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
    cdp.send('Target.sendMessageToTarget', { sessionId: targets[0], message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
  const heap = async (send) => {
    await send('HeapProfiler.collectGarbage');
    return (await send('Runtime.getHeapUsage')).usedSize;
  };
  return {
    workerHeap: () => heap(toWorker),
    pageHeap: () => heap((m, p) => cdp.send(m, p)),
  };
}

// Wraps GPUDevice.createBuffer in the worker so that every buffer dicelab creates is counted,
// independently of dicelab's own counter.
const COUNT_BUFFERS = () => {
  self.dicelabCreatedBuffers = 0;
  if (!self.GPUDevice) return;
  const create = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function createBuffer(...args) {
    self.dicelabCreatedBuffers += 1;
    return create.apply(this, args);
  };
};

const stats = (page) => page.evaluate(() => window.dicelab.stats());

/** Waits until run A has done `step` steps, recording (time, step) samples; fails on a stall. */
async function waitSteps(page, step, samples, stallMs) {
  let last = { time: performance.now(), step: -1 };
  for (;;) {
    const s = await stats(page);
    if (s) {
      samples.push({ time: s.time, step: s.runs.a.step, wasm: s.wasmBytes });
      if (s.runs.a.step >= step) return s;
      if (s.runs.a.step !== last.step) last = { time: performance.now(), step: s.runs.a.step };
    }
    if (performance.now() - last.time > stallMs) throw new Error(`no progress for ${stallMs / 1000} s at step ${last.step}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Steps/s from the last sample at or before step `from` to the first at or past step `to`. */
function rateBetween(samples, from, to) {
  const a = samples.findLast((s) => s.step <= from) ?? samples.find((s) => s.step >= from);
  const b = samples.find((s) => s.step >= to);
  return a && b && b.time > a.time ? (b.step - a.step) * 1000 / (b.time - a.time) : NaN;
}

/** Everything measured at one point of a run. */
async function measure(page, worker, cdp, runs) {
  const s = await stats(page);
  return {
    step: s.runs.a.step,
    workerHeap: await cdp.workerHeap(),
    pageHeap: await cdp.pageHeap(),
    wasmBytes: s.wasmBytes,
    gpuBuffers: Object.fromEntries(runs.map((id) => [id, s.runs[id].gpuBuffers])),
    createdBuffers: await worker.evaluate(() => self.dicelabCreatedBuffers),
    backends: Object.fromEntries(runs.map((id) => [id, s.runs[id].backend])),
  };
}

/**
 * Soaks one mode of the page served at `url` for `steps` steps: a warm-up window, the start
 * measurements, the first rate window, training to the end, the last rate window, the end
 * measurements. Windows are `windowSteps` steps (default a tenth of the steps, at least 60); the rate
 * windows exclude the forced garbage collections of the measurements.
 */
export async function soak(url, name, steps, { log = () => {}, windowSteps = Math.max(60, Math.round(steps / 10)) } = {}) {
  const mode = MODES[name];
  const browser = await launch({ webgpu: mode.webgpu });
  try {
    const { page, errors } = await openPage(browser);
    const cdp = await workerCdp(page);
    const workerReady = page.waitForEvent('worker').then(async (w) => {
      await w.evaluate(COUNT_BUFFERS);
      return w;
    });
    await page.goto(`${url}/#${mode.hash}`);
    const worker = await workerReady;
    const win = windowSteps;
    const samples = [];
    const stallMs = 120000;
    const loadStart = loadavg()[0];
    const t0 = Date.now();
    await waitSteps(page, win, samples, stallMs);
    const start = await measure(page, worker, cdp, mode.runs);
    log(`${name}: start at step ${start.step} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    const first = (await waitSteps(page, 0, samples, stallMs)).runs.a.step;
    if (first + 2 * win > steps) throw new Error(`${steps} steps leave no room for two ${win}-step windows after step ${first}`);
    let shown = Date.now();
    for (let target = first + win; target < steps; target += win) {
      await waitSteps(page, target, samples, stallMs);
      if (Date.now() - shown > 30000) {
        shown = Date.now();
        log(`${name}: step ${samples.at(-1).step} of ${steps}`);
      }
    }
    await waitSteps(page, steps, samples, stallMs);
    const end = await measure(page, worker, cdp, mode.runs);
    const seconds = (Date.now() - t0) / 1000;
    return {
      mode: name,
      hash: mode.hash,
      steps: end.step,
      seconds,
      window: win,
      start,
      end,
      rateStart: rateBetween(samples, first, first + win),
      rateEnd: rateBetween(samples, steps - win, steps),
      // Every window's rate, to tell a trend from the noise of a shared machine.
      rates: Array.from({ length: Math.floor((steps - first) / win) }, (_, i) => rateBetween(samples, first + i * win, first + (i + 1) * win)),
      // The wasm memory at each window's end: it grows in steps as each run's loss curve doubles.
      wasm: Array.from({ length: Math.floor((steps - first) / win) }, (_, i) => samples.find((x) => x.step >= first + (i + 1) * win)?.wasm),
      load: [loadStart, loadavg()[0]],
      errors,
    };
  } finally {
    await browser.close();
  }
}

/** What a soak result breaks of BOUNDS (and of its mode's backend): one line each, none if sound. */
export function failures(r) {
  const out = [];
  const mode = MODES[r.mode];
  const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;
  for (const [key, bound] of [['workerHeap', BOUNDS.workerHeapGrowth], ['pageHeap', BOUNDS.pageHeapGrowth]]) {
    if (r.end[key] > r.start[key] + bound) {
      out.push(`${r.mode}: ${key} grew ${mib(r.start[key])} -> ${mib(r.end[key])} (bound +${mib(bound)})`);
    }
  }
  const wasmBound = BOUNDS.wasmSlack + BOUNDS.wasmPerStep * (r.end.step - r.start.step) * mode.runs.length;
  if (r.end.wasmBytes > r.start.wasmBytes + wasmBound) {
    out.push(`${r.mode}: wasm memory grew ${mib(r.start.wasmBytes)} -> ${mib(r.end.wasmBytes)} (bound +${mib(wasmBound)})`);
  }
  for (const id of mode.runs) {
    for (const at of ['start', 'end']) {
      if (r[at].backends[id] !== mode.backend) out.push(`${r.mode}: run ${id} trains on ${r[at].backends[id]} at the ${at}, not ${mode.backend}`);
    }
    if (r.end.gpuBuffers[id] !== r.start.gpuBuffers[id]) {
      out.push(`${r.mode}: run ${id}'s GPU buffers went ${r.start.gpuBuffers[id]} -> ${r.end.gpuBuffers[id]}`);
    }
  }
  if (mode.backend === 'gpu' && !(r.start.gpuBuffers.a > 0)) out.push(`${r.mode}: no GPU buffers counted`);
  if (r.end.createdBuffers !== r.start.createdBuffers) {
    out.push(`${r.mode}: GPUDevice.createBuffer called ${r.end.createdBuffers - r.start.createdBuffers} times while training`);
  }
  if (!(r.rateEnd >= BOUNDS.rateFraction * r.rateStart)) {
    out.push(`${r.mode}: steps/s fell from ${r.rateStart.toFixed(1)} to ${r.rateEnd.toFixed(1)} (bound ${BOUNDS.rateFraction}×)`);
  }
  if (r.errors.length) out.push(`${r.mode}: console errors: ${r.errors.join(' | ')}`);
  return out;
}

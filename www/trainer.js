// The trainer: owns the wasm sessions (run A, and run B in A/B mode), steps them in lockstep in time
// slices, and posts snapshots. It runs in a Web Worker (worker.js), so training never blocks the
// page; where a worker cannot start (a sandboxed iframe has an opaque origin), the page runs it
// in-page with the same messages. Every call into a run is asynchronous, so a run can train on
// WebGPU, whose results arrive without any blocking wait.
//
// Messages in:  {type: 'start', runs: {a: config, b?: config}, image?, backend, play, until, generation}
//               (image: your own painted image, Playground.create's third argument)
//               {type: 'play', until} | {type: 'pause'} | {type: 'step', n}
//               (until: playing pauses when the runs reach that step, a story's measured one; 0: never)
//               {type: 'set', id, loss, optim}   (loss/optimiser change mid-run, recorded by Rust)
//               {type: 'lose-device'}            (test hook: destroy run A's WebGPU device)
// Messages out: {type: 'ready'} | {type: 'started', generation, ...} | {type: 'applied'}
//               {type: 'restart'}                (a change needs the full build: start again)
//               {type: 'snapshot', generation, held, ...} (held: it paused at `until`)
//               {type: 'backend', backend, adapter, reason, code}
// `generation` is the page's number for a start: the page draws only the runs it started last.
//               {type: 'error', source, message, fatal?}

import { engineFor, fullEngine, needsFull, adapterName } from './engine.js';

const SLICE_MS = 40; // work per slice before yielding to messages
const SNAPSHOT_MS = 120; // at most ~8 snapshots a second
const EVAL_MS = 600; // validation metrics are a forward pass over the validation set

let engine = null; // the wasm build the current runs live in (engine.js)
let full = false; // a run has asked for a loss only the full build has: it trains every run since
let restartPending = false; // the page was asked to start new runs (in the full build)
let runs = {}; // id -> {pg: Playground, sentCurve: number}
let epoch = 0; // bumped by every start: work of older runs is dropped
let generation = 0; // the page's number of the current runs' start
let playing = false;
let until = 0; // playing pauses when the runs reach this step; 0: never
let looping = false;
let lastSnapshot = 0;
let lastEval = 0;
let stepTimes = []; // [time, steps] for steps/s
let perSlice = 1; // steps per slice, adapted to SLICE_MS
let backendSeen = '';
let post = () => {};
// Messages are handled one at a time, in order, even though handling awaits.
let queue = Promise.resolve();

const errorText = (e) => (e && e.message) || String(e);

// setTimeout(0) is clamped to 4 ms when nested; a message channel yields without the clamp.
const channel = new MessageChannel();
let wake = null;
channel.port1.onmessage = () => wake?.();
const yieldToMessages = () => new Promise((r) => {
  wake = r;
  channel.port2.postMessage(null);
});

function rate(now) {
  stepTimes = stepTimes.filter(([t]) => now - t < 10000);
  if (stepTimes.length < 2) return 0;
  const [t0, s0] = stepTimes[0];
  const [t1, s1] = stepTimes[stepTimes.length - 1];
  return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
}

/** Says when run A's backend changes (a lost device moves it to the CPU). */
function reportBackend() {
  const a = runs.a?.pg;
  if (!a) return;
  const now = a.backend();
  if (now === backendSeen) return;
  backendSeen = now;
  post({ type: 'backend', backend: now, adapter: adapterName() ?? a.adapter() ?? null, reason: a.fallbackReason() ?? null, code: a.fallbackCode() ?? null });
}

// One snapshot at a time: a run evaluates one prediction pass at a time.
let snapshotting = Promise.resolve();
function snapshot(forceEval, held = false) {
  snapshotting = snapshotting.then(() => takeSnapshot(forceEval, held));
  return snapshotting;
}

async function takeSnapshot(forceEval, held) {
  const mine = epoch;
  const now = performance.now();
  const evaluate = forceEval || now - lastEval >= EVAL_MS;
  const evals = evaluate
    ? await Promise.all(Object.entries(runs).map(async ([id, r]) => [id, await r.pg.evaluateAsync()]))
    : [];
  if (mine !== epoch) return;
  // Where the loss pushes, |∂L/∂z| of run A's last batch (on the GPU a read-back on request,
  // awaited without blocking; empty before the first step).
  const heat = evaluate && runs.a ? await runs.a.pg.gradientHeatAsync() : null;
  if (mine !== epoch) return;
  // wasmBytes and gpuBuffers are what the soak (tests/soak/soak.mjs) watches stay flat.
  const out = { type: 'snapshot', generation, held, runs: {}, playing, stepsPerSecond: rate(performance.now()), wasmBytes: engine?.wasmMemoryBytes() ?? 0 };
  const transfer = [];
  for (const [id, r] of Object.entries(runs)) {
    const curve = r.pg.curveSince(r.sentCurve);
    r.sentCurve += curve.length / 2;
    out.runs[id] = { step: r.pg.steps(), curve, report: r.pg.lastReport(), gpuBuffers: r.pg.gpuBuffers() ?? null, backend: r.pg.backend() };
  }
  for (const [id, e] of evals) {
    const s = out.runs[id];
    const pg = runs[id].pg;
    s.eval = e;
    s.predictions = pg.predictions();
    transfer.push(s.predictions.buffer);
    if (id === 'a') {
      // The heat's image: the last batch's first, and its labels as annotated.
      s.heat = heat;
      s.batchImage = pg.batchImage();
      s.batchLabels = pg.batchLabels();
      transfer.push(s.heat.buffer, s.batchImage.buffer, s.batchLabels.buffer);
    }
  }
  if (evaluate) lastEval = now;
  lastSnapshot = performance.now();
  reportBackend();
  post(out, transfer);
}

async function stepAll(n) {
  await Promise.all(Object.values(runs).map((r) => r.pg.stepAsync(n)));
  const a = runs.a?.pg;
  if (a) stepTimes.push([performance.now(), a.steps()]);
}

async function loop() {
  if (looping) return;
  looping = true;
  const mine = epoch;
  try {
    while (playing && mine === epoch) {
      const left = until ? until - (runs.a?.pg.steps() ?? 0) : Infinity;
      if (left <= 0) {
        playing = false;
        await snapshot(true, true);
        break;
      }
      const n = Math.min(perSlice, left);
      const t0 = performance.now();
      await stepAll(n);
      if (mine !== epoch) break;
      const dt = performance.now() - t0;
      perSlice = Math.max(1, Math.min(64, Math.round((n * SLICE_MS) / Math.max(dt, 1))));
      if (performance.now() - lastSnapshot >= SNAPSHOT_MS) await snapshot(false);
      await yieldToMessages();
    }
  } catch (e) {
    // Training itself failed (e.g. diverged): pause where it stopped; the options stay as set.
    if (mine === epoch) {
      playing = false;
      post({ type: 'error', source: 'train', message: errorText(e) });
      await snapshot(true);
    }
  } finally {
    looping = false;
  }
  if (playing && mine !== epoch) loop();
}

async function start(msg) {
  // Build the new runs first: if Rust refuses a configuration, the current runs stay untouched.
  const backend = { webgpu: 'gpu', cpu: 'cpu' }[msg.backend] ?? 'auto';
  restartPending = false;
  let mod;
  try {
    mod = full ? await fullEngine() : await engineFor(backend);
  } catch (e) {
    // The full module did not load: a later start tries the light ones again.
    full = false;
    throw Object.assign(new Error(`The WebAssembly module could not start: ${errorText(e)}`), { fatal: !engine });
  }
  const next = {};
  try {
    for (const [id, config] of Object.entries(msg.runs)) {
      next[id] = { pg: await mod.Playground.create(config, backend, msg.image ?? undefined), sentCurve: 0 };
    }
  } catch (e) {
    for (const r of Object.values(next)) r.pg.free();
    // A loss the light modules leave out: from now on, the full build (if it starts).
    if (!full && needsFull(e)) {
      full = true;
      return start(msg);
    }
    throw e;
  }
  epoch += 1;
  generation = msg.generation ?? 0;
  const old = runs;
  runs = next;
  engine = mod;
  for (const r of Object.values(old)) r.pg.free();
  stepTimes = [];
  perSlice = 1;
  backendSeen = '';
  const a = runs.a.pg;
  post({
    type: 'started',
    generation,
    height: a.imageHeight(),
    width: a.imageWidth(),
    classes: a.classes(),
    shown: a.shownImages(),
    images: a.validationImages(),
    labels: a.validationLabels(),
  });
  await snapshot(true);
}

async function handle(msg) {
  try {
    switch (msg.type) {
      case 'start':
        await start(msg);
        playing = Boolean(msg.play);
        until = msg.until | 0;
        break;
      case 'play':
        playing = true;
        // A stop already passed (Step went beyond it) is no stop.
        until = (msg.until | 0) > (runs.a?.pg.steps() ?? 0) ? msg.until | 0 : 0;
        break;
      case 'pause':
        playing = false;
        await snapshot(true);
        break;
      case 'step':
        playing = false;
        await stepAll(Math.max(1, Math.min(1000, msg.n | 0)));
        await snapshot(true);
        break;
      case 'set': {
        // The page is about to start new runs with its latest options: nothing to apply here.
        if (restartPending) break;
        const r = runs[msg.id];
        if (r) {
          try {
            if (msg.loss) r.pg.setLoss(msg.loss);
          } catch (e) {
            if (full || !needsFull(e)) throw e;
            // The light module has no such loss: the page restarts both runs in the full build.
            full = true;
            restartPending = true;
            post({ type: 'restart' });
            break;
          }
          if (msg.optim) r.pg.setOptimizer(msg.optim);
        }
        post({ type: 'applied' });
        await snapshot(true);
        break;
      }
      case 'lose-device':
        // Test hook: what a driver reset does to run A's WebGPU device.
        runs.a?.pg.loseDevice();
        break;
      default:
        post({ type: 'error', message: `unknown message ${msg.type}` });
    }
  } catch (err) {
    // The Rust side refused (bad option values): the previous runs stay as they were.
    post({ type: 'error', source: msg.type, message: errorText(err), fatal: err?.fatal });
  }
  if (playing) loop();
}

/**
 * Starts the trainer: `send(message, transfer)` delivers its messages; the returned function takes
 * the page's. Says `ready` at once.
 */
export function startTrainer(send) {
  post = send;
  // The wasm build is chosen and loaded by the first start (engine.js): which one depends on the
  // backend asked for. Each run then says where it trains and why.
  post({ type: 'ready' });
  return (msg) => {
    queue = queue.then(() => handle(msg));
  };
}

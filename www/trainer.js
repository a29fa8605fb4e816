// The trainer: owns the wasm sessions (run A, and run B in A/B mode), steps them in lockstep in time
// slices, and posts snapshots. It runs in a Web Worker (worker.js), so training never blocks the
// page; where a worker cannot start (a sandboxed iframe has an opaque origin), the page runs it
// in-page with the same messages.
//
// Messages in:  {type: 'start', runs: {a: config, b?: config}, play}
//               {type: 'play'} | {type: 'pause'} | {type: 'step', n}
//               {type: 'set', id, loss, optim}   (loss/optimiser change mid-run, recorded by Rust)
// Messages out: {type: 'ready', webgpu} | {type: 'started', ...} | {type: 'applied'}
//               {type: 'snapshot', ...} | {type: 'error', source, message, fatal?}

import init, * as dicelab from '../dicelab.js';

const { Playground } = dicelab;

const SLICE_MS = 40; // work per slice before yielding to messages
const SNAPSHOT_MS = 120; // at most ~8 snapshots a second
const EVAL_MS = 600; // validation metrics are a forward pass over the validation set

let runs = {}; // id -> {pg: Playground, sentCurve: number}
let playing = false;
let lastSnapshot = 0;
let lastEval = 0;
let stepTimes = []; // [time, steps] for steps/s
let startEpoch = 0;

let post = () => {};
const errorText = (e) => (e && e.message) || String(e);

// setTimeout(0) is clamped to 4 ms when nested; a message channel yields without the clamp.
const channel = new MessageChannel();
channel.port1.onmessage = () => loop();
const yieldThenLoop = () => channel.port2.postMessage(null);

function snapshot(forceEval) {
  const now = performance.now();
  const out = { type: 'snapshot', runs: {}, playing, stepsPerSecond: rate(now) };
  const transfer = [];
  const evaluate = forceEval || now - lastEval >= EVAL_MS;
  for (const [id, r] of Object.entries(runs)) {
    const curve = r.pg.curveSince(r.sentCurve);
    r.sentCurve += curve.length / 2;
    const s = { step: r.pg.steps(), curve, report: JSON.parse(r.pg.lastReport()) };
    if (evaluate) {
      s.eval = JSON.parse(r.pg.evaluate());
      s.predictions = r.pg.predictions();
      transfer.push(s.predictions.buffer);
      if (id === 'a') {
        // Where the loss pushes: the last batch's first image, its labels as annotated, |∂L/∂z|.
        s.heat = r.pg.gradientHeat();
        s.batchImage = r.pg.batchImage();
        s.batchLabels = r.pg.batchLabels();
        transfer.push(s.heat.buffer, s.batchImage.buffer, s.batchLabels.buffer);
      }
    }
    out.runs[id] = s;
  }
  if (evaluate) lastEval = now;
  lastSnapshot = now;
  post(out, transfer);
}

function rate(now) {
  stepTimes = stepTimes.filter(([t]) => now - t < 2000);
  if (stepTimes.length < 2) return 0;
  const [t0, s0] = stepTimes[0];
  const [t1, s1] = stepTimes[stepTimes.length - 1];
  return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
}

function stepAll(n) {
  for (const r of Object.values(runs)) r.pg.step(n);
  const a = runs.a?.pg;
  if (a) stepTimes.push([performance.now(), a.steps()]);
}

let perSlice = 1; // steps per slice, adapted to SLICE_MS
let looping = false;

function loop() {
  looping = false;
  if (!playing) return;
  try {
    const t0 = performance.now();
    stepAll(perSlice);
    const dt = performance.now() - t0;
    perSlice = Math.max(1, Math.min(64, Math.round((perSlice * SLICE_MS) / Math.max(dt, 1))));
    if (performance.now() - lastSnapshot >= SNAPSHOT_MS) snapshot(false);
  } catch (e) {
    // Training itself failed (e.g. diverged): pause where it stopped; the options stay as set.
    playing = false;
    post({ type: 'error', source: 'train', message: errorText(e) });
    snapshot(true);
    return;
  }
  looping = true;
  yieldThenLoop();
}

function start(msg) {
  // Build the new runs first: if Rust refuses a configuration, the current runs stay untouched.
  const next = {};
  try {
    for (const [id, config] of Object.entries(msg.runs)) {
      next[id] = { pg: new Playground(JSON.stringify(config)), sentCurve: 0 };
    }
  } catch (e) {
    for (const r of Object.values(next)) r.pg.free();
    throw e;
  }
  for (const r of Object.values(runs)) r.pg.free();
  runs = next;
  stepTimes = [];
  perSlice = 1;
  startEpoch += 1;
  const a = runs.a.pg;
  post({
    type: 'started',
    epoch: startEpoch,
    size: a.imageSize(),
    classes: a.classes(),
    shown: a.shownImages(),
    images: a.validationImages(),
    labels: a.validationLabels(),
  });
  snapshot(true);
}

function handle(msg) {
  try {
    switch (msg.type) {
      case 'start':
        start(msg);
        playing = Boolean(msg.play);
        break;
      case 'play':
        playing = true;
        break;
      case 'pause':
        playing = false;
        snapshot(true);
        break;
      case 'step':
        playing = false;
        stepAll(Math.max(1, Math.min(1000, msg.n | 0)));
        snapshot(true);
        break;
      case 'set': {
        const r = runs[msg.id];
        if (r) {
          if (msg.loss) r.pg.setLoss(JSON.stringify(msg.loss));
          if (msg.optim) r.pg.setOptimizer(JSON.stringify(msg.optim));
        }
        post({ type: 'applied' });
        snapshot(true);
        break;
      }
      default:
        post({ type: 'error', message: `unknown message ${msg.type}` });
    }
  } catch (err) {
    // The Rust side refused (bad option values): the previous runs stay as they were.
    post({ type: 'error', source: msg.type, message: errorText(err) });
  }
  if (playing && !looping) {
    looping = true;
    yieldThenLoop();
  }
}

/**
 * Starts the trainer: `send(message, transfer)` delivers its messages; the returned function takes
 * the page's. Loads the wasm module, then says `ready`.
 */
export function startTrainer(send) {
  post = send;
  (async () => {
    try {
      await init();
      // Builds without the GPU engine have no webgpuStatus: the page then says the CPU trains.
      const gpu = dicelab.webgpuStatus ? await dicelab.webgpuStatus() : null;
      post({ type: 'ready', webgpu: gpu });
    } catch (e) {
      post({ type: 'error', fatal: true, message: `The WebAssembly module could not start: ${errorText(e)}` });
    }
  })();
  return handle;
}

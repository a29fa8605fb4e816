// The playground's page controller: state (from and to the URL hash), stories, controls, the
// training worker, and every view. The page itself holds no numerics: Rust computes, the worker
// trains, this file only routes messages and draws.

import { OPTIONS, BY_KEY, KINDS, PRESETS, sessionConfig, presetOf } from './options.js';
import { parseHash, toHash } from './hash.js';
import { STORIES, BY_STORY, storyStates, storyText, MEASURED_STEPS } from './stories.js';
import { buildControls } from './controls.js';
import { lineChart, barChart, runColors } from './charts.js';
import { drawRgb, drawClasses, drawHeat, fillClassTable } from './views.js';
import { LAYOUT } from './layout.js';
import { explanationPanels, whenNear } from './panels.js';

document.body.insertAdjacentHTML('beforeend', LAYOUT);

const $ = (id) => document.getElementById(id);
const EMBED = document.body.classList.contains('embed');
const MAX_POINTS = 4000;
// Below this width the per-class table leaves out precision and recall, so that it fits unscrolled.
const NARROW = matchMedia('(max-width: 560px)');

/** An in-page anchor (the skip link's `#play`), not a state: no `=`, and an element of that id. */
const anchorOf = (hash) => (/^#[\w-]+$/.test(hash) ? document.getElementById(hash.slice(1)) : null);

let ui = parseHash(anchorOf(location.hash) ? '' : location.hash); // {a, b, ab, story, hide, show, notices}
let accepted = structuredClone(ui); // the last state the engine accepted
// The full page trains at once; an embed trains while it is in view (and not paused by the visitor).
let playing = !EMBED;
let userPaused = false;
// A story's runs pause at the step its figures were measured at, so that what the page shows is what
// the story's text says; Play then trains on. 0: no such stop ahead.
let storyStop = 0;
let heldPause = false; // paused by that stop, not by the visitor: a new start plays again
let inView = false;
let info = null; // {height, width, classes, shown, images, labels, own} of the current runs
let generation = 0; // bumped by every start; snapshots of older runs are not drawn
let shownGeneration = 0;
let curves = { a: [], b: [] };
let mious = { a: [], b: [] };
let lastReports = {};
let lastEvals = []; // the last evaluation of each run, as the per-class table shows them
let lastHash = location.hash;
let stats = null; // the last snapshot's counters, for window.dicelab.stats()

// ---- notices ---------------------------------------------------------------------------------

function notify(lines, kind = 'info') {
  const box = $('notices');
  for (const text of [].concat(lines)) {
    const p = document.createElement('p');
    p.className = `notice notice-${kind}`;
    p.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'notice-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', () => p.remove());
    p.append(close);
    box.append(p);
    while (box.children.length > 6) box.firstElementChild.remove();
  }
}

// ---- state -----------------------------------------------------------------------------------

/** Options whose change needs new runs (data, net, seed); the others apply mid-run. */
const RESTART = new Set(OPTIONS.filter((o) => !o.ab || o.restart).map((o) => o.key));

/** The run labels: the story's, or plain A and B. */
function runLabels() {
  const story = ui.story && BY_STORY[ui.story];
  if (!ui.ab) return ['this run'];
  return story && !storyChanged() ? [`A: ${story.aLabel}`, `B: ${story.bLabel}`] : ['A', 'B'];
}

/** Whether the visitor changed a story's settings (anything but the backend and the images). */
function storyChanged() {
  if (!ui.story) return false;
  const want = storyStates(BY_STORY[ui.story]);
  const own = new Set(['backend', 'source']);
  return !ui.ab || OPTIONS.some((o) => !own.has(o.key) && (ui.a[o.key] !== want.a[o.key] || ui.b[o.key] !== want.b[o.key]));
}

function tellStory(key) {
  const { a, b } = storyStates(BY_STORY[key]);
  // A story keeps the visitor's backend and images: it can be told on your own image too.
  const keep = { backend: ui.a.backend, source: ui.a.source };
  ui = { ...ui, a: { ...a, ...keep }, b: { ...b, ...keep }, ab: true, story: key };
  writeHash();
  refreshStatic();
  startRuns();
}

function writeHash() {
  const h = toHash(ui);
  lastHash = h;
  history.replaceState(null, '', h || location.pathname + location.search);
}

function setOption(run, key, value) {
  const before = ui[run][key];
  if (before === value) return;
  ui[run][key] = value;
  // A variant the new loss does not have goes back to auto, so the control shows what is in force.
  if (key === 'loss' && !KINDS[value]?.variants.includes(ui[run].variant)) ui[run].variant = null;
  // Run B follows A, except in what an A/B pair may differ in while A/B is on.
  if (run === 'a' && (!ui.ab || !BY_KEY[key].ab)) {
    ui.b[key] = value;
    if (key === 'loss') ui.b.variant = ui.a.variant;
  }
  writeHash();
  refreshStatic();
  if (RESTART.has(key)) startRuns();
  else sendLive(run);
}

function sendLive(run) {
  const cfg = sessionConfig(ui[run]);
  const runs = ui.ab ? [run] : ['a'];
  for (const id of runs) worker.postMessage({ type: 'set', id, loss: cfg.loss, optim: cfg.optim });
}

// ---- controls --------------------------------------------------------------------------------

const panels = explanationPanels((what, e) => notify(`The ${what} could not load: ${e.message}`, 'error'));

const setA = buildControls($('controls-a'), { prefix: 'a', onChange: (k, v) => setOption('a', k, v) });
const setB = buildControls($('controls-b'), { prefix: 'b', filter: (o) => o.ab, onChange: (k, v) => setOption('b', k, v) });

function storyButtons() {
  $('stories').replaceChildren(...STORIES.map((st) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = st.title;
    b.dataset.story = st.key;
    b.addEventListener('click', () => tellStory(st.key));
    return b;
  }));
}

function presetButtons() {
  const root = $('presets');
  root.replaceChildren(...Object.keys(PRESETS).map((name) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = name;
    b.dataset.preset = name;
    b.addEventListener('click', () => {
      Object.assign(ui.a, PRESETS[name]);
      if (!ui.ab) Object.assign(ui.b, PRESETS[name]);
      writeHash();
      refreshStatic();
      sendLive('a');
    });
    return b;
  }));
}

/**
 * Hides what `hide=` names; in an embed, `show=` names the only controls shown (an option, its group,
 * or a part such as `presets`), and an embed naming neither shows no options: it is a figure.
 */
function applyHide() {
  const show = ui.show ?? (EMBED && !ui.hide.size ? new Set() : null);
  const shown = (el) => {
    const key = el.dataset.option ?? el.dataset.group ?? el.dataset.part;
    if (ui.hide.has(key)) return false;
    if (!show || !el.closest('.panel, [data-part="stories"]')) return true;
    if (show.has(key)) return true;
    if (el.dataset.option) return show.has(BY_KEY[key]?.group);
    // A group is shown when any of its options is named.
    if (el.dataset.group) return [...el.querySelectorAll('[data-option]')].some((c) => show.has(c.dataset.option));
    return false;
  };
  document.querySelectorAll('[data-option], [data-group], [data-part]').forEach((el) => {
    el.hidden = !shown(el);
  });
  const anyControl = [...document.querySelectorAll('.panel [data-option]')].some((el) => !el.hidden && !el.closest('[hidden]'));
  document.body.classList.toggle('no-controls', !anyControl);
}

/** The story's box: its text with the measured figures, and whether the visitor changed it since. */
function refreshStory() {
  const story = ui.story && BY_STORY[ui.story];
  document.querySelectorAll('#stories button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.story === ui.story)));
  $('story').hidden = !story;
  document.body.dataset.story = story ? story.key : '';
  const labels = runLabels();
  $('run-legend').textContent = ui.ab ? labels.join(' · ') : '';
  document.querySelector('.image-head .run-a').textContent = ui.ab ? 'A' : 'prediction';
  $('embed-title').textContent = story ? ` · ${story.title}` : '';
  if (!story) return;
  $('story-title').textContent = story.title;
  const text = $('story-text');
  if (text.dataset.story !== story.key) {
    text.dataset.story = story.key;
    text.textContent = '';
    // The texts of the other stories load when one is first told.
    storyText(story).then((t) => {
      if (text.dataset.story === story.key) text.textContent = t ?? '';
    }, (e) => notify(`The story's text could not load: ${e.message}`, 'error'));
  }
  const changed = storyChanged();
  $('story-changed').hidden = !changed;
  // Changed options are not what the figures measured: their runs do not pause at the story's step.
  if (changed && storyStop) {
    storyStop = 0;
    if (playing) worker.postMessage({ type: 'play', until: 0 });
  }
}

/** Everything that follows the options but not the training. */
function refreshStatic() {
  setA(ui.a);
  setB(ui.b);
  $('ab').checked = ui.ab;
  $('run-b').hidden = !ui.ab;
  document.body.classList.toggle('ab', ui.ab);
  const preset = presetOf(ui.a);
  document.querySelectorAll('#presets button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.preset === preset)));
  refreshStory();
  panels.refresh(ui.a);
  $('share').href = `${location.pathname}${toHash(ui)}`;
  $('share').title = ui.a.source === 'yours' ? 'Your image stays in this browser: whoever opens the link trains on their own.' : '';
  // The full page with this state, for an embed's reader.
  $('open-full').href = new URL(`./${toHash({ ...ui, hide: new Set(), show: null })}`, location.href).href;
  // An embed shows what the two runs differ in.
  const differ = OPTIONS.filter((o) => ui.ab && ui.a[o.key] !== ui.b[o.key]).map((o) => o.key);
  const embedState = { ...ui, hide: new Set(), show: new Set(differ.length ? differ : ['loss']) };
  $('embed-snippet').textContent = `<iframe src="${new URL(`embed.html${toHash(embedState)}`, location.href)}" width="720" height="480" title="dicelab: ${ui.story ? BY_STORY[ui.story].title : 'Dice losses'}" loading="lazy"></iframe>`;
}

// ---- the worker ------------------------------------------------------------------------------

/**
 * The trainer's port: a module Web Worker, or — where none can start (a sandboxed iframe's opaque
 * origin cannot create one) — the same trainer in this thread, with the same messages.
 */
function openTrainer(onMessage) {
  const port = { inPage: false, postMessage: () => {} };
  const inPage = async () => {
    port.inPage = true;
    document.body.dataset.trainer = 'page';
    const { startTrainer } = await import('./trainer.js');
    const handle = startTrainer((data) => setTimeout(() => onMessage({ data }), 0));
    port.postMessage = (m) => handle(structuredClone(m));
  };
  let heard = false;
  try {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    port.postMessage = (m) => w.postMessage(m);
    w.onmessage = (e) => {
      heard = true;
      onMessage(e);
    };
    w.onerror = (e) => {
      if (heard) {
        notify(`The training worker failed: ${e.message}`, 'error');
        return;
      }
      // The worker never started (blocked or failed to load): train in this thread instead.
      e.preventDefault();
      w.terminate();
      inPage();
    };
    document.body.dataset.trainer = 'worker';
  } catch {
    inPage();
  }
  return port;
}

/** Starts new runs with the options shown: on the synthetic scenes, or on your painted image. */
async function startRuns() {
  generation += 1;
  const gen = generation;
  const runs = { a: sessionConfig(ui.a) };
  if (ui.ab) runs.b = sessionConfig(ui.b);
  let image = null;
  if (ui.a.source === 'yours') {
    const got = await loadOwn().then((p) => p.take(Object.values(runs)), (e) => ({ problem: e.message }));
    if (gen !== generation) return;
    if (got.problem) {
      // Training refuses to start and says why; the runs and the painting stay as they were.
      const first = !info;
      notify(first
        ? `This page trains on your own image, which stays in the browser that painted it; ${got.problem}. The synthetic scenes train meanwhile.`
        : `Your image: ${got.problem}. The runs go on as they were.`, 'error');
      if (first) {
        ui.a.source = ui.b.source = 'scenes';
        writeHash();
        refreshStatic();
        startRuns();
      } else {
        generation = shownGeneration;
        ui = structuredClone(accepted);
        writeHash();
        refreshStatic();
      }
      return;
    }
    image = got.image;
    ownStarts.set(gen, got);
  }
  storyStop = ui.story && !storyChanged() ? MEASURED_STEPS : 0;
  $('story-held').hidden = true;
  if (heldPause) {
    heldPause = false;
    userPaused = false;
    playing = !EMBED || inView;
  }
  refreshHint();
  worker.postMessage({ type: 'start', runs, image, backend: ui.a.backend, play: playing, until: storyStop, generation: gen });
}

// ---- your own image --------------------------------------------------------------------------

let own = null; // the "Your own image" section's controller (own/panel.js), once loaded
let ownLoading = null;
const ownStarts = new Map(); // generation -> the painting that start handed over

/** Loads the painting editor (and the painting kept in this browser) on first use. */
function loadOwn() {
  ownLoading ??= import('./own/panel.js').then((m) => {
    own = m.ownPanel({ container: $('own-editor'), status: $('own-status'), train: $('own-train'), onTrain: trainOnOwn });
    $('own-open').hidden = true;
    return own;
  }, (e) => {
    ownLoading = null;
    throw new Error(`the painting editor could not load (${e.message})`);
  });
  return ownLoading;
}

function trainOnOwn() {
  ui.a.source = ui.b.source = 'yours';
  writeHash();
  refreshStatic();
  startRuns();
  $('views-title').scrollIntoView({ block: 'start', behavior: 'smooth' });
}

$('own-open').addEventListener('click', () => loadOwn().catch((e) => notify(e.message, 'error')));
whenNear($('own'), 'painting editor', loadOwn, (what, e) => notify(e.message, 'error'));

/** Forgets the previous runs' curves and readouts: the runs of `generation` have started. */
function clearRuns(gen) {
  shownGeneration = gen;
  shownBackend = null;
  curves = { a: [], b: [] };
  mious = { a: [], b: [] };
  lastReports = {};
  lastEvals = [];
  $('step-count').textContent = '0';
  document.body.dataset.step = '0';
  $('loss-now').textContent = '—';
  $('miou').textContent = '—';
  $('miou-b').textContent = '';
  $('loss-b').textContent = '';
  $('steps-per-s').textContent = '—';
  $('class-table').tBodies[0].replaceChildren();
  drawCharts();
}

function onTrainerMessage(e) {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      $('backend').textContent = 'starting…';
      startRuns();
      break;
    case 'started': {
      accepted = structuredClone(ui);
      const painting = ownStarts.get(m.generation);
      for (const g of ownStarts.keys()) if (g <= m.generation) ownStarts.delete(g);
      info = { ...m, own: painting ?? null };
      document.body.dataset.source = painting ? 'yours' : 'scenes';
      if (painting) painting.started();
      else own?.scenes();
      clearRuns(m.generation);
      drawInputs();
      break;
    }
    case 'backend':
      onBackend(m);
      break;
    case 'applied':
      accepted = structuredClone(ui);
      break;
    case 'restart':
      // The change needs the full engine (a Part 2 loss): new runs, in that build.
      startRuns();
      break;
    case 'snapshot':
      if (m.generation === shownGeneration) onSnapshot(m);
      break;
    case 'error':
      notify(m.message, 'error');
      if (m.fatal) {
        $('backend').textContent = 'unavailable';
        return;
      }
      if (m.source === 'train') {
        playing = false;
        refreshHint();
        return;
      }
      if (m.source === 'start') generation = shownGeneration;
      // The engine refused new options: go back to the last state it accepted.
      ui = structuredClone(accepted);
      writeHash();
      refreshStatic();
      break;
    default:
      break;
  }
}

let shownBackend = null; // run A's backend as last reported, for what a change means

/** Run A's backend: WebGPU, or the CPU and why. A device lost mid-run is announced. */
function onBackend(m) {
  const el = $('backend');
  const was = shownBackend;
  shownBackend = m.backend;
  document.body.dataset.backend = m.backend;
  if (m.backend === 'gpu') {
    el.textContent = `WebGPU (${m.adapter ?? 'adapter'})`;
    el.title = '';
    return;
  }
  if (m.code === 'device-lost' || m.code === 'gpu-failed') {
    notify(`The GPU stopped (${m.reason}); training goes on on the CPU from the last weights read back.`, 'error');
  }
  if (m.code === 'too-large' && was === 'gpu') {
    notify(`${m.reason[0].toUpperCase()}${m.reason.slice(1)}: training goes on on the CPU from the last weights read back.`);
  }
  if (!m.reason && ui.a.backend === 'cpu') {
    el.textContent = 'CPU (chosen)';
    el.title = '';
    return;
  }
  const reason = m.reason ?? 'unknown';
  el.textContent = m.code === 'too-large' ? 'CPU (the Lovász sort is too large for this GPU)' : `CPU (WebGPU unavailable: ${reason.split(' (')[0]})`;
  el.title = reason;
}

// ---- views -----------------------------------------------------------------------------------

function canvasCell(cls) {
  const c = document.createElement('canvas');
  c.className = `pix ${cls}`;
  return c;
}

function drawInputs() {
  const grid = $('images');
  const { height, width, shown, images, labels } = info;
  const n = height * width;
  const colors = info.own?.colors;
  const rows = [];
  for (let i = 0; i < shown; i++) {
    const row = document.createElement('div');
    row.className = 'image-row';
    const input = canvasCell('input');
    drawRgb(input, images.subarray(i * n * 3, (i + 1) * n * 3), width, height);
    const truth = canvasCell('truth');
    drawClasses(truth, labels.subarray(i * n, (i + 1) * n), width, height, colors);
    row.append(input, truth, canvasCell('pred-a'), canvasCell('pred-b'));
    rows.push(row);
  }
  grid.replaceChildren(...rows);
  grid.closest('.views').classList.toggle('own-image', Boolean(info.own));
  $('views-title').textContent = info.own ? 'Your image (truth: what you painted)' : 'Validation images';
  $('table-title').textContent = info.own
    ? 'Per class, on the pixels you painted (it trains on them: fit, not generalisation)'
    : 'Per class, on the validation images';
}

function decimate(points) {
  if (points.length <= MAX_POINTS) return points;
  return points.filter((_, i) => i % 2 === 0);
}

function onSnapshot(m) {
  // What the trainer does; the button shows what the visitor asked, at once (a step in flight
  // finishes after a pause, but no other starts).
  document.body.dataset.playing = String(m.playing);
  // Held at the story's measured step (runs of an older start may reach theirs after a newer start
  // was asked for: not then).
  if (m.held && m.generation === generation) {
    storyStop = 0;
    playing = false;
    userPaused = true;
    heldPause = true;
    $('story-held').hidden = false;
    refreshHint();
  }
  if (m.stepsPerSecond) $('steps-per-s').textContent = m.stepsPerSecond.toFixed(1);
  stats = {
    time: performance.now(),
    stepsPerSecond: m.stepsPerSecond,
    wasmBytes: m.wasmBytes,
    runs: Object.fromEntries(Object.entries(m.runs).map(([id, r]) => [id, { step: r.step, gpuBuffers: r.gpuBuffers, backend: r.backend }])),
  };
  const evals = [];
  for (const [id, r] of Object.entries(m.runs)) {
    for (let i = 0; i < r.curve.length; i += 2) curves[id].push([r.curve[i], r.curve[i + 1]]);
    curves[id] = decimate(curves[id]);
    if (r.report) {
      lastReports[id] = r.report;
      if (id === 'a') document.body.dataset.lossConfig = JSON.stringify(r.report.config);
    }
    if (r.eval) {
      mious[id].push([r.step, r.eval.miou]);
      mious[id] = decimate(mious[id]);
      evals.push(r.eval);
      drawPredictions(id, r.predictions);
      if (r.heat?.length) drawBatch(r);
      if (id === 'a') {
        $('miou').textContent = r.eval.miou.toFixed(3);
        document.body.dataset.miou = String(r.eval.miou);
        document.body.dataset.evalStep = String(r.step);
      } else {
        $('miou-b').textContent = `/ ${r.eval.miou.toFixed(3)}`;
      }
      // The classes each run predicts on the validation images, for the tests.
      document.body.dataset[`predicted${id.toUpperCase()}`] = String(r.eval.classes.filter((c) => c.predicted_share > 0).length);
    }
    if (id === 'b') {
      const last = curves.b[curves.b.length - 1];
      if (last) $('loss-b').textContent = `/ ${last[1].toFixed(4)}`;
    }
    if (id === 'a') {
      $('step-count').textContent = String(r.step);
      document.body.dataset.step = String(r.step);
      const last = curves.a[curves.a.length - 1];
      if (last) {
        $('loss-now').textContent = last[1].toFixed(4);
        document.body.dataset.loss = String(last[1]);
      }
    }
  }
  if (evals.length === Object.keys(m.runs).length) {
    lastEvals = evals;
    fillTable();
  }
  drawCharts();
}

function fillTable() {
  if (lastEvals.length) fillClassTable($('class-table'), lastEvals, runLabels(), !EMBED && !NARROW.matches, info?.own);
}
NARROW.addEventListener('change', fillTable);

function drawPredictions(id, predictions) {
  if (!info) return;
  const n = info.height * info.width;
  document.querySelectorAll('#images .image-row').forEach((row, i) => {
    drawClasses(row.querySelector(`.pred-${id}`), predictions.subarray(i * n, (i + 1) * n), info.width, info.height, info.own?.colors);
  });
}

function drawBatch(r) {
  // A training crop of your image is smaller than the image.
  const s = Math.round(Math.sqrt(r.batchLabels.length));
  drawRgb($('batch-image'), r.batchImage, s, s);
  drawClasses($('batch-labels'), r.batchLabels, s, s, info.own?.colors);
  // The largest |∂L/∂z| drawn, for the end-to-end tests (on the GPU too).
  const max = drawHeat($('batch-heat'), r.heat, s, s);
  document.body.dataset.heatMax = String(max);
  // The heatmap is scaled to its maximum: say what that is, and when there is nothing to show.
  $('heat-scale').textContent = max < 1e-8
    ? `The gradient vanished: its largest |∂L/∂z| is ${max.toExponential(1)}, so this map shows rounding noise.`
    : `Brightest: |∂L/∂z| = ${max.toExponential(2)}.`;
}

function drawCharts() {
  const series = (data) => ['a', 'b'].filter((id) => id === 'a' || ui.ab).map((id, i) => ({ points: data[id], label: ui.ab ? id.toUpperCase() : '', color: runColors()[i] }));
  lineChart($('loss-chart'), series(curves), { yLabel: 'training loss (faint: per step)', smooth: 20 });
  lineChart($('miou-chart'), series(mious), { yLabel: 'validation mIoU', yMin: 0, yMax: 1 });
  const ids = ['a', 'b'].filter((id) => lastReports[id] && (id === 'a' || ui.ab));
  const reports = ids.map((id) => lastReports[id]);
  const legend = ui.ab ? ids.map((id) => id.toUpperCase()) : [];
  if (reports.length) {
    const classes = reports[0].per_class.map((c) => c.class);
    barChart($('dice-chart'), classes.map((l) => ({ label: String(l), values: reports.map((r) => r.per_class[l]?.dice ?? NaN) })), { lo: -1, hi: 1, label: 'per-class Dice term', empty: 'Cross-entropy has no per-class Dice term.', legend });
    // Each run's weights relative to its own largest: only Generalized Dice weights its classes.
    const relative = (r) => {
      if (r.config.kind !== 'gdl') return r.per_class.map(() => NaN);
      const max = Math.max(1e-300, ...r.per_class.map((c) => c.weight));
      return r.per_class.map((c) => c.weight / max);
    };
    const weights = reports.map(relative);
    barChart($('weight-chart'), classes.map((l) => ({ label: String(l), values: weights.map((w) => w[l] ?? NaN) })), { lo: 0, hi: 1, label: 'class weight (relative to the run\'s largest)', empty: 'Class weights: Generalized Dice only.', legend });
  }
}

// ---- transport, A/B, code, share ---------------------------------------------------------------

function setPlaying(on) {
  playing = on;
  worker.postMessage({ type: on ? 'play' : 'pause', until: storyStop });
  refreshHint();
}

function refreshHint() {
  $('play').textContent = playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(playing));
  const held = !$('story-held').hidden;
  $('embed-hint').textContent = playing ? '' : held ? `paused at step ${MEASURED_STEPS}, where the story was measured; Play trains on` : userPaused ? 'paused' : 'trains while in view; Play to start';
}

$('play').addEventListener('click', () => {
  $('story-held').hidden = true;
  heldPause = false;
  userPaused = playing;
  setPlaying(!playing);
});
$('step').addEventListener('click', () => {
  $('story-held').hidden = true;
  heldPause = false;
  userPaused = true;
  playing = false;
  worker.postMessage({ type: 'step', n: 1 });
  refreshHint();
});
$('story-restore').addEventListener('click', () => tellStory(ui.story));
// The skip link only moves focus: the address keeps the page's state.
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  $('play').focus();
});
// On a phone the story's text starts folded to a few lines, so that the runs show on the first screen.
$('story-more').addEventListener('click', () => {
  const open = $('story').classList.toggle('open');
  $('story-more').setAttribute('aria-expanded', String(open));
  $('story-more').textContent = open ? 'Less' : 'More';
});
$('reset').addEventListener('click', () => startRuns());
$('ab').addEventListener('change', () => {
  ui.ab = $('ab').checked;
  if (!ui.ab) {
    ui.b = { ...ui.a };
    ui.story = null;
  }
  writeHash();
  refreshStatic();
  startRuns();
});

window.addEventListener('hashchange', () => {
  if (location.hash === lastHash) return;
  const anchor = anchorOf(location.hash);
  if (anchor) {
    // The anchor moves focus; the address goes back to the page's state, and the runs go on.
    history.replaceState(null, '', lastHash || location.pathname + location.search);
    anchor.focus();
    return;
  }
  ui = parseHash(location.hash);
  lastHash = location.hash;
  $('notices').replaceChildren();
  if (ui.notices.length) notify(ui.notices);
  refreshStatic();
  applyHide();
  startRuns();
});

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    drawCharts();
    panels.refresh(ui.a);
  }, 100);
});

// A read-only window for tests and the curious: the curves as drawn, the state, and the trainer's
// counters as of its last snapshot (steps, wasm memory, GPU buffers per run: what the soak watches).
window.dicelab = Object.freeze({
  loseDevice: () => worker.postMessage({ type: 'lose-device' }),
  curve: (id = 'a') => curves[id].slice(),
  miou: (id = 'a') => mious[id].slice(),
  state: () => structuredClone(ui),
  stats: () => structuredClone(stats),
  ownEditor: () => own?.editor ?? null,
});

const worker = openTrainer(onTrainerMessage);

// An embed is a figure in a longer page: it trains while at least a third of it is in view, so that
// several embeds on one page do not share the CPU, and stops when scrolled away.
if (EMBED && 'IntersectionObserver' in window) {
  new IntersectionObserver((entries) => {
    inView = entries[entries.length - 1].isIntersecting;
    if (!userPaused && inView !== playing) setPlaying(inView);
  }, { threshold: 0.34 }).observe(document.body);
}
// On a phone the options start folded, so that the story and the runs come first.
if (!EMBED && matchMedia('(max-width: 760px)').matches) $('options-box').open = false;

storyButtons();
presetButtons();
refreshStatic();
applyHide();
refreshHint();
if (ui.notices.length) notify(ui.notices);

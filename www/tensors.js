// "Check your own tensors": the visitor's logits.npy (B, H, W, C) and labels.npy (B, H, W), with
// run A's loss options, through the reference engine (f64) of the full wasm module, in the
// browser: the report `dicelab loss` prints (loss, per class and unit: I, R, P, weight, term) and
// ∂L/∂logits as grad.npy. The files are read with the CLI's .npy rules and refusals (own/npy.js);
// a refused file is a one-line message and the previous result stays. Loaded on first use.

import { readLogits, readLabels, checkPair, gradNpy, shapeText } from './own/npy.js';
import { fullEngine } from './engine.js';

const $ = (id) => document.getElementById(id);
const f = (x) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(6)) : '—');

/** The most logits the page evaluates (the CLI takes more): 2^24 f32 values, 64 MiB. */
const MAX_VALUES = 1 << 24;

const files = { logits: null, labels: null }; // the last file chosen for each role
let latest = 0; // the number of the last evaluation asked for: older ones are not shown
let gradUrl = null;

/** The report as a table: one row per (unit, class), with the loss's own per-class term. */
function table(report) {
  const head = '<tr><th>unit</th><th>class</th><th>I</th><th>R</th><th>P</th><th>weight</th><th>term</th></tr>';
  const rows = report.units.flatMap((u) => u.classes.map((c) => {
    const term = c.term ?? c.focal ?? c.dice;
    return `<tr><td>${u.unit}</td><td>${c.class}</td><td>${f(c.intersection)}</td><td>${f(c.truth)}</td><td>${f(c.pred)}</td><td>${f(c.weight)}</td><td>${c.included ? f(term) : 'excluded'}</td></tr>`;
  }));
  return `<thead>${head}</thead><tbody>${rows.join('')}</tbody>`;
}

/** Evaluates the chosen files with `config` (a LossConfig) and shows the result, unless a later
 * evaluation was asked for meanwhile. */
async function evaluate(config) {
  const mine = ++latest;
  const [lf, yf] = [files.logits, files.labels];
  if (!lf || !yf) return;
  const msg = $('tensor-msg');
  try {
    const z = readLogits(await lf.bytes, lf.name);
    const y = readLabels(await yf.bytes, yf.name);
    if (z.data.length > MAX_VALUES) throw new Error(`logits ${lf.name}: ${z.data.length} values, more than the page evaluates (${MAX_VALUES}); use dicelab loss`);
    const labels = checkPair(z, y, { ignoreIndex: config['ignore-index'], logitsName: lf.name, labelsName: yf.name });
    const mod = await fullEngine();
    if (mine !== latest) return;
    const report = mod.evaluateLoss(config, Uint32Array.from(z.shape), z.data, labels);
    const grad = report.grad;
    delete report.grad;
    $('tensor-summary').textContent = `loss ${report.loss} on ${shapeText(z.shape)}, ${report.valid_pixels} labelled pixels (${report.config.kind}).`;
    $('tensor-table').innerHTML = table(report);
    $('tensor-json').textContent = JSON.stringify({ backend: 'cpu', ...report }, null, 2);
    if (gradUrl) URL.revokeObjectURL(gradUrl);
    gradUrl = URL.createObjectURL(new Blob([gradNpy(z.shape, grad)], { type: 'application/octet-stream' }));
    $('tensor-grad').href = gradUrl;
    $('tensor-result').hidden = false;
    msg.textContent = '';
  } catch (e) {
    // The previous result stays as it was.
    if (mine === latest) msg.textContent = String(e?.message ?? e).split('\n')[0];
  }
}

/** Takes the file chosen in the input of `role` (its bytes are read once, as a promise). */
function take(role) {
  const file = $(`tensor-${role}`).files?.[0];
  if (file) files[role] = { name: file.name, bytes: file.arrayBuffer().then((b) => new Uint8Array(b)) };
}

/**
 * Wires the panel (the files already chosen included) and evaluates them with `config`; returns
 * `refresh(config)`, which evaluates them again with new loss options.
 */
export function tensorPanel(initial) {
  let config = initial;
  for (const role of ['logits', 'labels']) {
    $(`tensor-${role}`).addEventListener('change', () => {
      take(role);
      evaluate(config);
    });
    take(role);
  }
  evaluate(config);
  return (next) => {
    config = next;
    return evaluate(config);
  };
}

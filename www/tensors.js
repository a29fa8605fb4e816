// "Check your tensors": the visitor's own logits.npy (B, H, W, C) and labels.npy (B, H, W), with
// run A's loss options, through the reference engine (f64) of the full wasm module, in the
// browser: the report `dicelab loss` prints (loss, per class and unit: I, R, P, weight, term) and
// ∂L/∂logits as grad.npy. The files are read with the CLI's .npy rules and refusals (own/npy.js);
// a refused file is a one-line message and the previous result stays. Loaded on first use.

import { readLogits, readLabels, checkPair, gradNpy, shapeText } from './own/npy.js';
import { fullEngine } from './engine.js';

const $ = (id) => document.getElementById(id);
const f = (x) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(6)) : '—');

let files = { logits: null, labels: null }; // the bytes of the last files chosen, by role
let gradUrl = null;

/** The report as a table: one row per (unit, class). */
function table(report) {
  const head = '<tr><th>unit</th><th>class</th><th>I</th><th>R</th><th>P</th><th>weight</th><th>Dice term</th></tr>';
  const rows = report.units.flatMap((u) => u.classes.map((c) =>
    `<tr><td>${u.unit}</td><td>${c.class}</td><td>${f(c.intersection)}</td><td>${f(c.truth)}</td><td>${f(c.pred)}</td><td>${f(c.weight)}</td><td>${c.included ? f(c.dice) : 'excluded'}</td></tr>`));
  return `<thead>${head}</thead><tbody>${rows.join('')}</tbody>`;
}

/** Reads both files, evaluates them with `config` (a LossConfig) and shows the result. */
async function evaluate(config) {
  if (!files.logits || !files.labels) return;
  const msg = $('tensor-msg');
  try {
    const z = readLogits(files.logits.bytes, files.logits.name);
    const y = readLabels(files.labels.bytes, files.labels.name);
    const labels = checkPair(z, y, { ignoreIndex: config['ignore-index'], logitsName: files.logits.name, labelsName: files.labels.name });
    const mod = await fullEngine();
    const report = mod.evaluateLoss(config, Uint32Array.from(z.shape), z.data, labels);
    const grad = report.grad;
    delete report.grad;
    const shown = { backend: 'cpu', ...report };
    $('tensor-summary').textContent = `loss ${report.loss} on ${shapeText(z.shape)}, ${report.valid_pixels} labelled pixels (${report.config.kind}).`;
    $('tensor-table').innerHTML = table(report);
    $('tensor-json').textContent = JSON.stringify(shown, null, 2);
    if (gradUrl) URL.revokeObjectURL(gradUrl);
    gradUrl = URL.createObjectURL(new Blob([gradNpy(z.shape, grad)], { type: 'application/octet-stream' }));
    $('tensor-grad').href = gradUrl;
    $('tensor-result').hidden = false;
    msg.textContent = '';
  } catch (e) {
    // The previous result stays as it was.
    msg.textContent = String(e?.message ?? e).split('\n')[0];
  }
}

/** The bytes of the file chosen in the input of `role`, if any. */
async function read(role) {
  const file = $(`tensor-${role}`).files?.[0];
  files[role] = file ? { name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : files[role];
}

/**
 * Wires the panel (the files already chosen included) and evaluates them with `config`; returns
 * `refresh(config)`, which evaluates them again with new loss options.
 */
export async function tensorPanel(initial) {
  let config = initial;
  for (const role of ['logits', 'labels']) {
    $(`tensor-${role}`).addEventListener('change', async () => {
      await read(role);
      await evaluate(config);
    });
    await read(role);
  }
  await evaluate(config);
  return (next) => {
    config = next;
    return evaluate(config);
  };
}

// dicelab's first page: evaluates a small example with the Rust loss engine compiled to wasm, and
// re-evaluates it whenever an option changes. The full playground replaces this page later.
import init, { evaluateLoss } from '../dicelab.js';

const OPTIONS = {
  kind: ['dice', 'gdl', 'ce', 'dice+ce'],
  formula: ['corrected', 'seed'],
  reduction: ['mean', 'sum'],
};

// One 2×3 image, 3 classes, channels last; the pixel labelled 255 is ignored.
const SHAPE = [1, 2, 3, 3];
const LOGITS = new Float32Array([
  2.0, 0.5, -1.0, 0.1, 1.2, 0.3, -0.5, 0.2, 1.5,
  0.3, 0.9, 0.1, 1.0, 1.0, 1.0, 1.1, -0.4, 0.2,
]);
const LABELS = new Int32Array([0, 1, 2, 1, 255, 0]);

const form = document.getElementById('options');
const status = document.getElementById('status');
const table = document.getElementById('per-class');
const gradOut = document.getElementById('grad');

for (const [name, values] of Object.entries(OPTIONS)) {
  const select = form.elements[name];
  for (const v of values) select.add(new Option(v, v));
}

const fmt = (x) => (x === null || x === undefined ? '—' : Number(x).toFixed(6));

function render() {
  const smooth = Number(form.elements.smooth.value);
  const config = {
    kind: form.elements.kind.value,
    formula: form.elements.formula.value,
    reduction: form.elements.reduction.value,
    'smooth-nr': smooth,
    'smooth-dr': smooth,
  };
  let report;
  try {
    report = JSON.parse(evaluateLoss(JSON.stringify(config), new Uint32Array(SHAPE), LOGITS, LABELS));
  } catch (e) {
    // Keep the last valid result on screen; say what was wrong.
    status.textContent = `Not evaluated: ${e.message ?? e}`;
    status.classList.add('error');
    return;
  }
  status.classList.remove('error');
  status.textContent = `loss = ${fmt(report.loss)}  (${report.valid_pixels} labelled pixels)`;
  const body = table.tBodies[0];
  body.replaceChildren(...report.per_class.map((c) => {
    const row = document.createElement('tr');
    for (const v of [c.class, fmt(c.intersection), fmt(c.truth), fmt(c.pred), fmt(c.dice)]) {
      row.insertCell().textContent = v;
    }
    return row;
  }));
  table.hidden = false;
  const c = SHAPE[3];
  const rows = [];
  for (let n = 0; n < report.grad.length / c; n++) {
    rows.push(report.grad.slice(n * c, (n + 1) * c).map((g) => g.toFixed(5).padStart(9)).join(' '));
  }
  gradOut.textContent = rows.join('\n');
  document.body.dataset.loss = String(report.loss);
}

try {
  await init();
  form.addEventListener('input', render);
  render();
} catch (e) {
  status.textContent = `The WebAssembly module could not start: ${e.message ?? e}`;
  status.classList.add('error');
}

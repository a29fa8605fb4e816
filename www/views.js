// Pixel views (input image, ground truth, prediction, gradient heatmap) and the per-class table of
// the original question. Views draw into canvases sized once, so training causes no layout jumps.

/** One colour per class (class 0, the background, is dark grey); 255 (ignored) is drawn white. */
export const CLASS_COLORS = [
  [70, 74, 84], [47, 111, 209], [209, 88, 47], [64, 170, 96], [224, 180, 40], [150, 80, 190], [40, 180, 190], [220, 90, 150],
];

function imageData(canvas, w, h) {
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  return { ctx, img: ctx.createImageData(w, h) };
}

/** Draws an RGB float image (H·W·3 values in [0, 1]). */
export function drawRgb(canvas, data, w, h) {
  const { ctx, img } = imageData(canvas, w, h);
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = Math.max(0, Math.min(255, Math.round(255 * data[3 * i + k])));
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws a class map (H·W labels) in `colors` (one [r, g, b] a class). */
export function drawClasses(canvas, labels, w, h, colors = CLASS_COLORS) {
  const { ctx, img } = imageData(canvas, w, h);
  for (let i = 0; i < w * h; i++) {
    const c = colors[labels[i]] ?? [255, 255, 255];
    img.data.set([c[0], c[1], c[2], 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws non-negative values as a heatmap scaled to their maximum (which is returned). */
export function drawHeat(canvas, values, w, h) {
  const { ctx, img } = imageData(canvas, w, h);
  let max = 0;
  for (let i = 0; i < w * h; i++) max = Math.max(max, values[i]);
  const inv = max > 0 ? 1 / max : 0;
  for (let i = 0; i < w * h; i++) {
    const t = Math.sqrt(values[i] * inv); // sqrt: small gradients stay visible
    img.data.set([Math.round(255 * t), Math.round(200 * t * t), Math.round(90 * (1 - t)), 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return max;
}

const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
const num = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');

/**
 * Fills the per-class table: per class its pixel share and, for each run (A, and B), IoU, precision
 * and recall (with `detail`) and predicted share; a class never predicted says so in its run's
 * "predicted" cell. `evals` holds one evaluation per run, `labels` their names; `classes` the
 * classes' colours and names where they are not the scenes' (your own image's).
 */
export function fillClassTable(table, evals, labels, detail = true, classes = null) {
  const cols = detail ? ['IoU', 'prec.', 'recall', 'predicted'] : ['IoU', 'predicted'];
  const th = (text, attrs = {}) => {
    const el = document.createElement('th');
    el.textContent = text;
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };
  const top = document.createElement('tr');
  const sub = document.createElement('tr');
  top.append(th('class', { scope: 'col', rowspan: '2' }), th('pixels', { scope: 'col', rowspan: '2' }));
  evals.forEach((_, i) => {
    top.append(th(labels[i], { scope: 'colgroup', colspan: String(cols.length), class: `run-${'ab'[i]} group run-sep` }));
    cols.forEach((name, j) => sub.append(th(name, { scope: 'col', class: j === 0 ? 'run-sep' : '' })));
  });
  table.tHead.replaceChildren(top, sub);
  const rows = [];
  (evals[0]?.classes ?? []).forEach((c, l) => {
    const tr = document.createElement('tr');
    const name = document.createElement('th');
    name.scope = 'row';
    const dot = document.createElement('span');
    dot.className = 'swatch';
    dot.style.background = `rgb(${((classes?.colors ?? CLASS_COLORS)[l] ?? [0, 0, 0]).join(',')})`;
    name.append(dot, classes ? ` ${classes.names[l]}` : ` ${l}`);
    tr.append(name);
    tr.insertCell().textContent = pct(c.pixel_share);
    for (const e of evals) {
      const m = e.classes[l];
      const cells = (detail ? [m.iou, m.precision, m.recall] : [m.iou]).map((v) => {
        const td = tr.insertCell();
        td.textContent = num(v);
        return td;
      });
      cells[0].className = 'run-sep';
      const pred = tr.insertCell();
      if (m.predicted_share === 0) {
        pred.textContent = 'never';
        pred.className = 'flag';
        pred.title = 'never predicted';
      } else {
        pred.textContent = pct(m.predicted_share);
      }
    }
    rows.push(tr);
  });
  table.tBodies[0].replaceChildren(...rows);
}

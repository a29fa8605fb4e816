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

/** Draws a class map (H·W labels). */
export function drawClasses(canvas, labels, w, h) {
  const { ctx, img } = imageData(canvas, w, h);
  for (let i = 0; i < w * h; i++) {
    const c = CLASS_COLORS[labels[i]] ?? [255, 255, 255];
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
 * Fills a table body with one row per class: pixel share, IoU, precision, recall, predicted share —
 * and flags a class that is never predicted. `evals` holds one evaluation per run (A, and B).
 */
export function fillClassTable(tbody, evals) {
  const rows = [];
  const classes = evals[0]?.classes ?? [];
  classes.forEach((c, l) => {
    const tr = document.createElement('tr');
    const swatch = document.createElement('th');
    swatch.scope = 'row';
    const dot = document.createElement('span');
    dot.className = 'swatch';
    dot.style.background = `rgb(${(CLASS_COLORS[l] ?? [0, 0, 0]).join(',')})`;
    swatch.append(dot, ` ${l}`);
    tr.append(swatch);
    tr.insertCell().textContent = pct(c.pixel_share);
    for (const e of evals) {
      const m = e.classes[l];
      for (const v of [num(m.iou), num(m.precision), num(m.recall), pct(m.predicted_share)]) tr.insertCell().textContent = v;
      const flag = tr.insertCell();
      if (m.predicted_share === 0) {
        flag.textContent = 'never predicted';
        flag.className = 'flag';
      }
    }
    rows.push(tr);
  });
  tbody.replaceChildren(...rows);
}

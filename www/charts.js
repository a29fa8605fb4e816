// Small canvas charts: line charts for the loss and mIoU curves (runs A and B on one chart), bars for
// per-class Dice and weights. No library: a few dozen lines each, drawn at device resolution.

const AXIS = '#8a90a0';
const GRID = '#e6e8ef';
/** The runs' colours (A, B), defined once in style.css (`--run-a`, `--run-b`). */
export function runColors() {
  const css = globalThis.getComputedStyle?.(document.documentElement);
  return [css?.getPropertyValue('--run-a').trim() || '#0e7490', css?.getPropertyValue('--run-b').trim() || '#b4235a'];
}

/** Sizes a canvas's backing store to its CSS box at the device pixel ratio; returns the 2D context. */
function fit(canvas) {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w: canvas.clientWidth, h: canvas.clientHeight };
}

const fmt = (v) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2));

/** The exponential moving average of the finite y values over ~`span` x units (steps: the curves
 * are thinned as they grow), bias-corrected so that it starts at the first value rather than at 0. */
function ema(points, span) {
  const dx = points.length > 1 ? (points[points.length - 1][0] - points[0][0]) / (points.length - 1) : 1;
  const a = 2 / (Math.max(1, span / Math.max(dx, 1e-9)) + 1);
  let [m, weight] = [0, 0];
  return points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => {
    m = (1 - a) * m + a * y;
    weight = (1 - a) * weight + a;
    return [x, m / weight];
  });
}

/**
 * Draws series of [x, y] points. `series`: [{points, color, label}]. Keeps the y range of all series
 * so runs A and B share an axis. `smooth`: each series faint, under its moving average over ~that
 * many x units (a per-batch loss is noisy; its trend is what a run is doing).
 */
export function lineChart(canvas, series, { yLabel = '', xLabel = 'step', yMin = null, yMax = null, smooth = 0 } = {}) {
  const { ctx, w, h } = fit(canvas);
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 44, r: 8, t: 16, b: 20 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    ctx.fillStyle = AXIS;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText('no steps yet', pad.l, h / 2);
    return;
  }
  let [x0, x1] = [Infinity, -Infinity];
  let [y0, y1] = [Infinity, -Infinity];
  for (const [x, y] of all) {
    if (!Number.isFinite(y)) continue;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (yMin !== null) y0 = Math.min(y0, yMin);
  if (yMax !== null) y1 = Math.max(y1, yMax);
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y0 + 0.5];
  if (!(x1 > x0)) x1 = x0 + 1;
  ctx.font = '11px system-ui, sans-serif';
  // The legend shares the top line with the y label where both fit, else takes a line of its own.
  const legendWidth = series.reduce((n, s) => n + (s.label ? ctx.measureText(s.label).width + 10 : 0), 0);
  // A label too wide for the chart drops its parenthesis ("training loss (faint: per step)").
  if (ctx.measureText(yLabel).width > w - pad.l - pad.r) yLabel = yLabel.replace(/\s*\(.*\)$/, '');
  const ownLine = pad.l + ctx.measureText(yLabel).width + 12 + legendWidth > w - pad.r;
  const legendY = ownLine ? 24 : 11;
  if (ownLine) pad.t = 30;
  const X = (x) => pad.l + ((x - x0) / (x1 - x0)) * (w - pad.l - pad.r);
  const Y = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.strokeStyle = GRID;
  ctx.fillStyle = AXIS;
  ctx.lineWidth = 1;
  // As many gridlines as their labels have room for (a short embed chart gets fewer).
  const ticks = Math.max(1, Math.min(4, Math.floor((h - pad.t - pad.b) / 18)));
  for (let i = 0; i <= ticks; i++) {
    const y = y0 + ((y1 - y0) * i) / ticks;
    ctx.beginPath();
    ctx.moveTo(pad.l, Y(y));
    ctx.lineTo(w - pad.r, Y(y));
    ctx.stroke();
    ctx.fillText(fmt(y), 4, Y(y) + 4);
  }
  const xText = xLabel === 'step' ? `step ${Math.round(x1)}` : `${xLabel} ${fmt(x0)} … ${fmt(x1)}`;
  ctx.fillText(xText, w - pad.r - ctx.measureText(xText).width, h - 4);
  if (yLabel) ctx.fillText(yLabel, pad.l, 11);
  let legendX = w - pad.r;
  series.forEach((s, i) => {
    ctx.strokeStyle = s.color ?? runColors()[i % 2];
    const line = (points, width) => {
      ctx.lineWidth = width;
      ctx.beginPath();
      let started = false;
      for (const [x, y] of points) {
        if (!Number.isFinite(y)) continue;
        if (started) ctx.lineTo(X(x), Y(y));
        else ctx.moveTo(X(x), Y(y));
        started = true;
      }
      ctx.stroke();
    };
    if (smooth) {
      ctx.globalAlpha = 0.25;
      line(s.points, 1);
      ctx.globalAlpha = 1;
      line(ema(s.points, smooth), 2);
    } else {
      line(s.points, 1.5);
    }
    if (s.label) {
      // Legend entries right-aligned along the top, last series rightmost.
      ctx.fillStyle = ctx.strokeStyle;
      legendX -= ctx.measureText(s.label).width + 10;
      ctx.fillText(s.label, legendX, legendY);
    }
  });
}

/** Grouped bars: `groups` is a list of {label, values: [number per series]} with values in [lo, hi];
 * `legend`: a name per series, right-aligned along the top in its colour. */
export function barChart(canvas, groups, { lo = 0, hi = 1, colors = runColors(), label = '', empty = '', legend = [] } = {}) {
  const { ctx, w, h } = fit(canvas);
  ctx.clearRect(0, 0, w, h);
  if (empty && !groups.some((g) => g.values.some(Number.isFinite))) {
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = AXIS;
    if (label) ctx.fillText(label, 8, 11);
    ctx.fillText(empty, 8, h / 2);
    return;
  }
  const pad = { l: 30, r: 6, t: 16, b: 18 };
  const n = groups.length || 1;
  const k = Math.max(1, ...groups.map((g) => g.values.length));
  const gw = (w - pad.l - pad.r) / n;
  const bw = Math.max(2, (gw * 0.75) / k);
  const Y = (v) => pad.t + (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (h - pad.t - pad.b);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = AXIS;
  ctx.fillText(fmt(hi), 2, pad.t + 4);
  ctx.fillText(fmt(lo), 2, h - pad.b);
  if (label) ctx.fillText(label, pad.l, 11);
  let legendX = w - pad.r;
  legend.forEach((name, j) => {
    ctx.fillStyle = colors[j % colors.length];
    legendX -= ctx.measureText(name).width + 10;
    ctx.fillText(name, legendX, 11);
  });
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  ctx.moveTo(pad.l, Y(Math.max(lo, 0)));
  ctx.lineTo(w - pad.r, Y(Math.max(lo, 0)));
  ctx.stroke();
  groups.forEach((g, i) => {
    const gx = pad.l + i * gw + (gw - bw * k) / 2;
    g.values.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      ctx.fillStyle = colors[j % colors.length];
      const top = Y(Math.max(v, Math.max(lo, 0)));
      const bottom = Y(Math.min(v, Math.max(lo, 0)));
      ctx.fillRect(gx + j * bw, top, bw - 1, Math.max(1, bottom - top));
    });
    ctx.fillStyle = AXIS;
    ctx.fillText(g.label, gx, h - 4);
  });
}

// The current loss as MathML (rendered natively by Chromium, no library), following the options,
// with the smoothing term highlighted; and the gradient inspector: ∂L/∂p of one pixel of a small
// region against p, under the current formula and the alternative one.

import { lineChart } from './charts.js';

const mi = (x) => `<mi>${x}</mi>`;
const mn = (x) => `<mn>${x}</mn>`;
const mo = (x) => `<mo>${x}</mo>`;
const row = (...xs) => `<mrow>${xs.join('')}</mrow>`;
const frac = (a, b) => `<mfrac>${a}${b}</mfrac>`;
const sub = (a, b) => `<msub>${a}${b}</msub>`;
const sup = (a, b) => `<msup>${a}${b}</msup>`;
const smooth = (x) => `<mrow class="smooth">${x}</mrow>`;
const sum = (under) => `<munder>${mo('∑')}${under}</munder>`;

/** MathML for the loss of `state` (the page's option values). */
export function formulaMathML(state) {
  const s = smooth(sub(mi('s'), row()));
  const pixels = state.agg === 'global' ? row(mi('n'), mo('∈'), mi('batch')) : row(mi('n'), mo('∈'), mi('image b'));
  const p = state.squared ? sup(sub(mi('p'), row(mi('n'), mi('l'))), mn(2)) : sub(mi('p'), row(mi('n'), mi('l')));
  const I = row(sum(pixels), sub(mi('r'), row(mi('n'), mi('l'))), sub(mi('p'), row(mi('n'), mi('l'))));
  const R = row(sum(pixels), sub(mi('r'), row(mi('n'), mi('l'))));
  const P = row(sum(pixels), p);
  const classes = state.bg ? row(mi('l'), mo('='), mn(0), mo('…'), mi('C'), mo('−'), mn(1)) : row(mi('l'), mo('='), mn(1), mo('…'), mi('C'), mo('−'), mn(1));
  const num = (inner) =>
    state.formula === 'seed'
      ? row(mn(2), mo('('), inner, mo('+'), s, mo(')'))
      : row(mn(2), inner, mo('+'), s);
  const den = (inner) => row(inner, mo('+'), s);
  const unitSum = state.agg === 'global' ? row() : sum(mi('b'));
  let dice = '';
  if (state.loss === 'dice' || state.loss === 'dice+ce') {
    const red = state.reduction === 'mean' ? row(frac(mn(1), mi('T')), sum(classes)) : sum(classes);
    dice = row(unitSum, red, mo('['), mn(1), mo('−'), frac(num(I), den(row(R, mo('+'), P))), mo(']'));
  } else if (state.loss === 'gdl') {
    const w = sub(mi('w'), mi('l'));
    const wI = row(sum(classes), w, I);
    const wRP = row(sum(classes), w, mo('('), R, mo('+'), P, mo(')'));
    const wdef = { square: frac(mn(1), sup(row(mo('('), R, mo(')')), mn(2))), simple: frac(mn(1), R), uniform: mn(1) }[state.weights];
    const red = state.reduction === 'mean' && state.agg !== 'global' ? frac(mn(1), mi('B')) : row();
    dice = row(red, unitSum, mo('['), mn(1), mo('−'), frac(num(wI), den(wRP)), mo(']'), mo(','), mspace(), w, mo('='), wdef);
  }
  let ce = '';
  if (state.loss === 'ce' || state.loss === 'dice+ce') {
    const mean = state.loss === 'dice+ce' || state.reduction === 'mean';
    ce = row(mean ? frac(mn(1), mi('N')) : row(), mo('−'), sum(mi('n')), mi('log'), sub(mi('p'), row(mi('n'), sub(mi('y'), mi('n')))));
  }
  const body = [dice, ce].filter(Boolean).join(mo('+'));
  const z = (k) => sub(mi('z'), row(mi('n'), k));
  const e = (k) => sup(mi('e'), z(k));
  const act = state.act === 'sigmoid'
    ? frac(mn(1), row(mn(1), mo('+'), sup(mi('e'), row(mo('−'), z(mi('l'))))))
    : frac(e(mi('l')), row(sum(mi('k')), e(mi('k'))));
  const pDef = row(sub(mi('p'), row(mi('n'), mi('l'))), mo('='), act);
  return `<math display="block">${row(mi('L'), mo('='), body)}</math><math display="block">${pDef}</math>`;
}

const mspace = () => '<mspace width="1em"></mspace>';

/** A sentence that says what T means and what the options change. */
export function formulaNote(state) {
  const notes = [];
  if (state.loss === 'dice' || state.loss === 'dice+ce') {
    const classes = state.bg ? 'C classes' : 'C − 1 classes, the background left out';
    notes.push(state.agg === 'global' ? `T = number of terms: ${classes}.` : `T = number of terms: images × ${classes}.`);
    if (state.formula === 'seed') notes.push('Seed formula: a class absent from truth and prediction scores −1, so summing rewards never predicting it.');
  }
  if (state.loss === 'gdl') notes.push('An absent class gets the largest finite weight of its unit; the weights are constants.');
  if (state.loss === 'ce') {
    notes.push('N = labelled pixels. Computed from the logits by log-sum-exp, never as log(softmax).');
  } else {
    notes.push(`Highlighted: the smoothing s = ${state.smooth}.`);
  }
  notes.push(state.act === 'sigmoid' ? 'Sigmoid: each class on its own; the p of a pixel need not sum to 1.' : 'Softmax: the p of a pixel sum to 1.');
  return notes.join(' ');
}

/** Whether the gradient inspector (a Dice term's ∂L/∂p) applies: not to cross-entropy alone. */
export const inspectorApplies = (state) => state.loss !== 'ce';

/**
 * ∂L/∂p for one pixel of a region of `m` pixels of class l all predicted at p, in a unit with no
 * other pixel of that class: present (r = 1: I = mp, R = m, P = mp) or absent (r = 0: I = 0, R = 0,
 * P = mp). Plain Dice term, one class.
 */
export function pixelGradient(formula, present, p, m, s) {
  const I = present ? m * p : 0;
  const R = present ? m : 0;
  const P = m * p;
  const N = formula === 'seed' ? 2 * (I + s) : 2 * I + s;
  const D = R + P + s;
  if (D === 0) return NaN;
  return (present ? -2 / D : 0) + N / (D * D);
}

/** Draws the inspector: current formula solid, the alternative as the second series. */
export function drawInspector(canvas, state, regionPixels) {
  const alt = state.formula === 'seed' ? 'corrected' : 'seed';
  const pts = (formula, present) => {
    const out = [];
    for (let i = 0; i <= 100; i++) {
      const p = i / 100;
      out.push([p, pixelGradient(formula, present, p, regionPixels, state.smooth)]);
    }
    return out;
  };
  lineChart(canvas, [
    { points: pts(state.formula, true), label: `${state.formula} r=1`, color: '#2f6fd1' },
    { points: pts(alt, true), label: `${alt} r=1`, color: '#9bb8e8' },
    { points: pts(state.formula, false), label: `${state.formula} r=0`, color: '#d1582f' },
    { points: pts(alt, false), label: `${alt} r=0`, color: '#e8b09b' },
  ], { yLabel: '∂L/∂p', xLabel: 'p' });
}

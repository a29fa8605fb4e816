// The current loss as MathML (rendered natively by Chromium, no library), following the options,
// with the smoothing term highlighted; and the gradient inspector: ∂L/∂p of one pixel of a small
// region against p, under the current formula and the alternative one (Part 2's losses: against
// the corrected soft Dice, or the focal loss against γ = 0).

import { lineChart } from './charts.js';
import { KINDS, LOSS_DEFAULTS, inactive, variantOf } from './options.js';

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
  const region2 = REGION2.includes(state.loss) || (state.loss === 'dice' && (variantOf(state) === 'smp' || state.log));
  if (PART2.includes(state.loss) || region2) dice = part2(state, { s, I, R, P, classes, unitSum });
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
  const defs = region2 ? `<math display="block">${sums(state, pixels)}</math>` : '';
  return `<math display="block">${row(mi('L'), mo('='), body)}</math>${defs}<math display="block">${pDef}</math>`;
}

const mspace = () => '<mspace width="1em"></mspace>';

const PART2 = ['jaccard', 'tversky', 'focal-tversky', 'focal', 'lovasz', 'dice+focal'];
const REGION2 = ['jaccard', 'tversky', 'focal-tversky'];
const num = (x) => mn(String(x));
const mean = (state, classes, unitSum, body) => {
  const red = state.reduction === 'mean' ? row(frac(mn(1), mi('T')), sum(classes)) : sum(classes);
  return row(unitSum, red, body);
};

/** The score S of a region loss (docs/losses.md 2.1), as MathML over the symbols I, R, P. */
function score(state, s) {
  const [I, R, P] = ['I', 'R', 'P'].map((x) => sub(mi(x), mi('l')));
  const smp = variantOf(state) === 'smp';
  const clamp = (d) => (smp ? row(mi('max'), mo('('), d, mo(','), mi('ε'), mo(')')) : d);
  if (state.loss === 'jaccard') {
    return smp
      ? frac(row(I, mo('+'), s), clamp(row(R, mo('+'), P, mo('−'), I, mo('+'), s)))
      : frac(row(mn(2), I, mo('+'), s), row(mn(2), mo('('), R, mo('+'), P, mo('−'), I, mo(')'), mo('+'), s));
  }
  if (state.loss === 'dice') return frac(row(I, mo('+'), s), clamp(row(frac(row(R, mo('+'), P), mn(2)), mo('+'), s)));
  const a = state.alpha ?? KINDS[state.loss].alpha[variantOf(state)];
  const b = state.beta;
  return frac(row(I, mo('+'), s), clamp(row(I, mo('+'), num(a), mo('('), P, mo('−'), I, mo(')'), mo('+'), num(b), mo('('), R, mo('−'), I, mo(')'), mo('+'), s)));
}

/** "I_l = Σ r p, R_l = Σ r, P_l = Σ p over the unit's pixels", as MathML. */
function sums(state, pixels) {
  const r = sub(mi('r'), row(mi('n'), mi('l')));
  const p = sub(mi('p'), row(mi('n'), mi('l')));
  const P = state.squared ? sup(p, mn(2)) : p;
  const def = (x, body) => row(sub(mi(x), mi('l')), mo('='), sum(pixels), body);
  return row(def('I', row(r, p)), mo(','), mspace(), def('R', r), mo(','), mspace(), def('P', P));
}

/** MathML of Part 2's losses. */
function part2(state, { s, I, R, P, classes, unitSum }) {
  const q = sub(mi('q'), row(mi('n'), mi('l')));
  const g = state.gamma ?? KINDS[state.loss].gamma[variantOf(state)];
  const gamma = Number(g.toFixed(4));
  const focal = () => row(frac(mn(1), row(mi('N'), mi('C'))), sum(row(mi('n'), mo(','), mi('l'))), mo('−'), sup(row(mo('('), mn(1), mo('−'), q, mo(')')), num(gamma)), mi('log'), q);
  if (REGION2.includes(state.loss) || state.loss === 'dice') {
    const S = state.loss === 'dice' && variantOf(state) !== 'smp'
      ? frac(state.formula === 'seed' ? row(mn(2), mo('('), sub(mi('I'), mi('l')), mo('+'), s, mo(')')) : row(mn(2), sub(mi('I'), mi('l')), mo('+'), s),
        row(sub(mi('R'), mi('l')), mo('+'), sub(mi('P'), mi('l')), mo('+'), s))
      : score(state, s);
    let term = state.log ? row(mo('−'), mi('ln'), S) : row(mn(1), mo('−'), S);
    if (state.loss === 'focal-tversky' && variantOf(state) === 'paper') term = sup(row(mo('('), term, mo(')')), row(mn(1), mo('/'), num(gamma)));
    const body = mean(state, classes, unitSum, row(mo('['), term, mo(']')));
    return state.loss === 'focal-tversky' && variantOf(state) === 'smp' ? sup(row(mo('('), body, mo(')')), num(gamma)) : body;
  }
  if (state.loss === 'focal') return focal();
  if (state.loss === 'lovasz') {
    const ext = row(sub(mi('Δ̄'), mi('J')), mo('('), sub(mi('m'), mi('l')), mo(')'));
    return mean(state, classes, unitSum, ext);
  }
  const dice = mean(state, classes, unitSum, row(mo('['), mn(1), mo('−'), frac(row(mn(2), I, mo('+'), s), row(R, mo('+'), P, mo('+'), s)), mo(']')));
  return row(num(state['lambda-dice']), dice, mo('+'), num(state['lambda-focal']), focal());
}

/** A sentence that says what T means and what the options change. */
export function formulaNote(state) {
  const notes = [];
  if (state.loss === 'dice' || state.loss === 'dice+ce') {
    const classes = state.bg ? 'C classes' : 'C − 1 classes, the background left out';
    const terms = state.agg === 'global' ? classes : `images × ${classes}`;
    // T is in the formula only where the terms are averaged.
    notes.push(state.reduction === 'mean' ? `T = number of terms: ${terms}.` : `Summed over ${terms}.`);
    if (state.formula === 'seed') notes.push('Seed formula: a class absent from truth and prediction scores −1, so summing rewards never predicting it.');
  }
  if (state.loss === 'gdl') notes.push('An absent class gets the largest finite weight of its unit; the weights are constants.');
  if (REGION2.includes(state.loss)) {
    if (state.reduction === 'mean') notes.push('T = number of (unit, class) terms.');
    if (state.loss !== 'jaccard') notes.push('α weighs the false positives P − I, β the false negatives R − I: β > α favours recall.');
    if (variantOf(state) === 'smp') notes.push(`SMP: the term of a class absent from the unit's truth is zeroed${state.reduction === 'mean' ? ' but still counted in T' : ''}.`);
  }
  if (state.loss === 'focal' || state.loss === 'dice+focal') notes.push('q = the probability of the true answer (a sigmoid per class, 1 − p where the class is absent); N·C = labelled pixels × classes.');
  if (state.loss === 'lovasz') notes.push('Δ̄_J: the Lovász extension of the Jaccard loss, applied to the errors m_l = |r − p| sorted in decreasing order (Berman et al. 2018).');
  if (state.loss === 'ce') {
    notes.push('N = labelled pixels. Computed from the logits by log-sum-exp, never as log(softmax).');
  } else if (state.loss === 'focal' || state.loss === 'lovasz') {
    notes.push('No smoothing.');
  } else {
    notes.push(`Highlighted: the smoothing s = ${state.smooth}.`);
  }
  notes.push(state.act === 'sigmoid' ? 'Sigmoid: each class on its own; the p of a pixel need not sum to 1.' : 'Softmax: the p of a pixel sum to 1.');
  return notes.join(' ');
}

/** Whether the gradient inspector applies: every loss with a one-pixel ∂L/∂p curve. */
export const inspectorApplies = (state) => !['ce', 'lovasz'].includes(state.loss);

/** Whether the state's loss is a Part 1 Dice term, whose inspector compares the two formulas. */
const plainDice = (state) => ['dice', 'gdl', 'dice+ce'].includes(state.loss) && variantOf(state) !== 'smp' && !state.log;

/** The loss's own numbers where the state leaves them unset (KINDS: the engine's defaults). */
function numbers(state) {
  const k = KINDS[state.loss];
  const v = variantOf(state);
  const focal = state.loss === 'focal' || state.loss === 'dice+focal';
  return {
    // An unset focal α is none at all (w = 1); Tversky's is the variant's.
    alpha: focal ? state.alpha ?? null : state.alpha ?? k?.alpha?.[v] ?? null,
    beta: Number(state.beta),
    gamma: state.gamma ?? k?.gamma?.[v] ?? 1,
    eps: LOSS_DEFAULTS.eps,
    s: Number(state.smooth),
  };
}

/**
 * One (unit, class) term of a region loss (docs/losses.md 2.1–2.4) for a region of `m` pixels of the
 * class all predicted at p, in a unit with no other pixel of it: present (I = mp, R = m) or absent
 * (I = R = 0); P = mp (mp² squared). The unit's only term, so SMP's focal-Tversky power of the
 * mean is its power.
 */
export function regionTerm(state, present, p, m) {
  const { alpha, beta, gamma, eps, s } = numbers(state);
  const variant = variantOf(state);
  const kind = state.loss === 'dice+focal' ? 'dice' : state.loss;
  // An option without effect here is the engine's default (options.js `inactive`).
  const on = (key) => !inactive(key, state) && state[key];
  const I = present ? m * p : 0;
  const R = present ? m : 0;
  const P = on('squared') ? m * p * p : m * p;
  let S;
  if (kind === 'dice' && variant === 'monai') S = on('formula') === 'seed' ? (2 * (I + s)) / (R + P + s) : (2 * I + s) / (R + P + s);
  else if (kind === 'jaccard' && variant === 'monai') S = (2 * I + s) / (2 * (R + P - I) + s);
  else {
    const [a, b] = { dice: [0.5, 0.5], jaccard: [1, 1] }[kind] ?? [alpha, beta];
    const D = I + a * (P - I) + b * (R - I) + s;
    S = (I + s) / (variant === 'smp' ? Math.max(D, eps) : D);
  }
  let t;
  if (kind === 'focal-tversky' && variant === 'paper') t = Math.max(1 - S, 0) ** (1 / gamma);
  else if (on('log')) t = -Math.log(Math.max(S, eps));
  else t = 1 - S;
  if (variant === 'smp' && R === 0) t = 0; // SMP zeroes an absent class's term
  if (kind === 'focal-tversky' && variant === 'smp') t = Math.max(t, 0) ** gamma;
  return t;
}

/**
 * The sigmoid focal loss of one pixel and class (docs/losses.md 2.5): q = p where the class is the
 * pixel's (r = 1), 1 − p elsewhere; −α_t (1 − q)^γ log q, α_t = α or 1 − α (1 without α).
 */
export function focalTerm(state, present, p, gamma = numbers(state).gamma) {
  const { alpha } = numbers(state);
  const q = present ? p : 1 - p;
  const w = alpha === null ? 1 : present ? alpha : 1 - alpha;
  return -w * (1 - q) ** gamma * Math.log(Math.max(q, 1e-300));
}

/** d f / dp by central differences, one-sided at the ends of [0, 1] (a curve to look at). */
function slope(f, p) {
  const h = 1e-5;
  const lo = Math.max(0, p - h);
  const hi = Math.min(1, p + h);
  return (f(hi) - f(lo)) / (hi - lo);
}

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

/**
 * Draws the inspector. A Part 1 Dice term: the current formula solid, the alternative light. Part 2:
 * the configured term solid against the corrected soft Dice (region losses) or γ = 0, plain binary
 * cross-entropy (focal), light; each for a present (r = 1) and an absent (r = 0) class.
 */
export function drawInspector(canvas, state, regionPixels) {
  // The focal slopes grow as 1/p at the ends: the curve stays where the two can be compared.
  const [lo, hi] = state.loss === 'focal' ? [0.05, 0.95] : [0, 1];
  const curve = (g) => Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100).map((p) => [p, g(p)]);
  const pair = (label, color, light, grad) => [
    { points: curve((p) => grad(true, p)), label: `${label} r=1`, color },
    { points: curve((p) => grad(false, p)), label: `${label} r=0`, color: light },
  ];
  let series;
  if (plainDice(state)) {
    const alt = state.formula === 'seed' ? 'corrected' : 'seed';
    const g = (f) => (present, p) => pixelGradient(f, present, p, regionPixels, state.smooth);
    series = [...pair(state.formula, '#2f6fd1', '#d1582f', g(state.formula)), ...pair(alt, '#9bb8e8', '#e8b09b', g(alt))];
  } else if (state.loss === 'focal') {
    const g = (gamma) => (present, p) => slope((x) => focalTerm(state, present, x, gamma), p);
    series = [...pair('focal', '#2f6fd1', '#d1582f', g(numbers(state).gamma)), ...pair('γ=0', '#9bb8e8', '#e8b09b', g(0))];
  } else {
    const m = regionPixels;
    const g = (st) => (present, p) => slope((x) => regionTerm(st, present, x, m), p) / m;
    const dice = { ...state, loss: 'dice', variant: 'monai', formula: 'corrected', log: false, squared: false };
    const name = state.loss === 'dice+focal' ? 'its Dice' : state.loss;
    series = [...pair(name, '#2f6fd1', '#d1582f', g(state)), ...pair('Dice', '#9bb8e8', '#e8b09b', g(dice))];
  }
  lineChart(canvas, series, { yLabel: '∂L/∂p', xLabel: 'p' });
}

/** What the page says where the inspector does not apply. */
export const inspectorNone = (state) => (state.loss === 'lovasz'
  ? 'No one-pixel curve for Lovász-softmax: a pixel\'s gradient depends on where its error ranks among all the unit\'s errors.'
  : 'Cross-entropy\'s ∂L/∂p is −1/(N·p) for a pixel\'s true class and 0 for the others, whatever the rest of the batch: no region to inspect.');

// docs/losses.md Part 2's losses for codegen.js: soft Jaccard, Tversky, focal Tversky, SMP's Dice and
// −log forms, focal, Lovász-softmax and Dice + focal. Here are their parameters, header formula and
// computation, written once as Python lines over codegen.js's dialect table (NumPy, PyTorch, Keras;
// channels last in all three), which wraps them as a function, an nn.Module or a keras Loss. The loss
// and its variant are fixed by the configuration; its numbers and switches are parameters.

import { KINDS, variantOf } from './options.js';

const REGION = ['dice', 'jaccard', 'tversky', 'focal-tversky', 'dice+focal'];

/** The variant in force for a LossConfig (null: none). */
const variantIn = (cfg) => variantOf({ loss: cfg.kind, variant: cfg.variant });

/** Whether `cfg` computes a focal term. */
const hasFocal = (cfg) => cfg.kind === 'focal' || cfg.kind === 'dice+focal';

/** Whether `cfg`'s loss is defined on probabilities too (docs/losses.md 2.0, from-logits). */
export const takesProbabilities = (cfg) => !hasFocal(cfg);

/** Whether `cfg` is the softmax focal loss (one term per pixel, every class: no include_background). */
const softmaxFocal = (cfg) => cfg.kind === 'focal' && cfg['focal-activation'] === 'softmax';

// Parameter types, for codegen.js's `py`, `stored` and `checks`: 'nonneg', a float checked finite
// and ≥ 0; 'float' with its own `check` (a Python condition and what the message says it must be).
const NONNEG = 'nonneg';
const positive = (name) => ({ cond: `0.0 < float(${name}) < float("inf")`, text: 'finite and > 0' });

/**
 * The parameters of `cfg`'s loss: Python name, value (null: None), type (codegen.js's `py`,
 * `stored`, `checks`), documentation.
 */
export function part2Params(cfg) {
  const kind = cfg.kind;
  const variant = variantIn(cfg);
  const region = REGION.includes(kind);
  const p = [];
  const add = (name, v, type, doc, extra = {}) => p.push({ name, v, type, doc, ...extra });
  // Lovász has no smoothing, no clamp; its `batch` is SMP's per_image=False.
  if (region) {
    add('smooth_nr', Number(cfg['smooth-nr']), NONNEG, 'numerator smoothing');
    add('smooth_dr', Number(cfg['smooth-dr']), NONNEG, 'denominator smoothing');
  }
  if (kind === 'tversky' || kind === 'focal-tversky') {
    add('alpha', Number(cfg.alpha ?? KINDS[kind].alpha[variant]), NONNEG, 'weight of the false positives P − I');
    add('beta', Number(cfg.beta), NONNEG, 'weight of the false negatives R − I');
  }
  if (hasFocal(cfg)) {
    const alpha = cfg.alpha === null || cfg.alpha === undefined ? null : Number(cfg.alpha);
    add('alpha', alpha, 'float', 'focal weight of the true side (None: unweighted)', {
      optional: true, check: { cond: 'alpha is None or 0.0 <= float(alpha) <= 1.0', text: 'None or in [0, 1]' },
    });
  }
  if (kind === 'focal-tversky') add('gamma', Number(cfg.gamma ?? KINDS[kind].gamma[variant]), 'float', 'the exponent', { check: positive('gamma') });
  if (hasFocal(cfg)) add('gamma', Number(cfg.gamma ?? KINDS[kind].gamma[variant]), NONNEG, 'the focusing exponent of (1 − q)');
  if (kind === 'dice+focal') {
    add('lambda_dice', Number(cfg['lambda-dice']), NONNEG, 'weight of the Dice term');
    add('lambda_focal', Number(cfg['lambda-focal']), NONNEG, 'weight of the focal term');
  }
  if ((region && variant === 'smp') || cfg['log-loss']) add('eps', Number(cfg.eps), 'float', 'clamp of the denominator and of the −log', { check: positive('eps') });
  if (kind !== 'focal') add('batch', cfg.aggregation === 'global', 'bool', 'True: one set of sums over the whole batch; False: one per image');
  add('reduction', cfg.reduction, 'choice', '"mean" or "sum"', { choices: ['mean', 'sum'] });
  if (!softmaxFocal(cfg)) add('include_background', Boolean(cfg['include-background']), 'bool', 'whether class 0 takes part');
  if (kind !== 'focal') add('sigmoid', cfg.activation === 'sigmoid', 'bool', 'a sigmoid per class instead of the softmax');
  add('ignore_index', Number(cfg['ignore-index']), 'int', 'label of unlabelled pixels: they take part in nothing');
  return p;
}

/** The region score S[unit, class] from I, R, P (docs/losses.md 2.1), as Python lines. */
function score(d, cfg, variant) {
  const o = d.o;
  const kind = cfg.kind === 'dice+focal' ? 'dice' : cfg.kind;
  const [nr, dr] = [o('smooth_nr'), o('smooth_dr')];
  if (kind === 'dice' && variant === 'monai') {
    return cfg.formula === 'seed'
      ? [`S = 2.0 * (I + ${nr}) / (R + P + ${dr})  # the seed formula: 1 − S`]
      : [`S = (2.0 * I + ${nr}) / (R + P + ${dr})`];
  }
  if (kind === 'jaccard' && variant === 'monai') return [`S = (2.0 * I + ${nr}) / (2.0 * (R + P - I) + ${dr})`];
  // SMP computes Dice (α = β = ½) and Jaccard (α = β = 1) as one Tversky index.
  const [a, b] = { dice: ['0.5', '0.5'], jaccard: ['1.0', '1.0'] }[kind] ?? [o('alpha'), o('beta')];
  const L = [`D = I + ${a} * (P - I) + ${b} * (R - I) + ${dr}  # Tversky's denominator`];
  L.push(variant === 'smp' ? `S = (I + ${nr}) / ${d.atLeast('D', o('eps'))}  # SMP clamps it` : `S = (I + ${nr}) / D`);
  return L;
}

/** `x ** power` where `x > 0`, else 0, with a finite gradient at 0 (the inner `where`). */
const safePower = (d, x, power) => `${d.where(`${x} > 0`, `${d.where(`${x} > 0`, x, '1.0')} ** ${power}`, '0.0')}`;

/** Lovász-softmax (docs/losses.md 2.7), vectorised: a sort per (unit, class), no Python loop. */
function lovasz(d) {
  const o = d.o;
  return [
    '# Per (unit, class): the errors e = |r − p| sorted in decreasing order (ties: pixel order, a',
    '# stable sort), and the Jaccard-loss increments along them in closed form.',
    d.units(o),
    ...d.rows,
    `e = rows(${d.where('r > 0', '1.0 - p_in', 'p_in')})  # 0 at ignored pixels`,
    `order = ${d.argsortDesc('e')}`,
    `e_sorted = ${d.gather('e', 'order')}`,
    `fg = ${d.gather('rows(r)', 'order')}  # the class's pixels`,
    `bg = ${d.gather('rows(mask - r)', 'order')}  # the other valid pixels`,
    `Fk, Bk = ${d.cumsum('fg')}, ${d.cumsum('bg')}  # counts among the first k`,
    'Rl = Fk[..., -1:]  # the class\'s pixels in the unit',
    'n = Rl + Bk',
    '# δ_k: 1/(R + B_k) on the class, (R − F_k)/((R + B_k)(R + B_k − 1)) off it; 0 for an absent class',
    `delta = fg / ${d.atLeast('n', '1.0')} + bg * (Rl - Fk) / ${d.atLeast('n * (n - 1.0)', '1.0')}`,
    `lam = ${d.sumLast('delta * e_sorted')}  # [unit, class]; 0 for an absent class`,
    `if ${o('reduction')} == "mean":  # per unit, the mean over its present classes; then over units`,
    `    present = ${d.cast('Rl[..., 0] > 0')}  # 1 where the class occurs in the unit`,
    `    unit = ${d.sumLast('lam')} / ${d.atLeast(d.sumLast('present'), '1.0')}`,
    `    return ${d.result(d.mean('unit'))}`,
    `return ${d.result(d.sumAll('lam'))}`,
  ];
}

/** The focal term (docs/losses.md 2.6), as Python lines ending with `focal = …`. */
function focalTerm(d, cfg, variant) {
  const o = d.o;
  const red = o('reduction');
  const L = [];
  if (softmaxFocal(cfg)) {
    L.push(
      d.pick,
      `lse = ${d.logsumexp('z')}`,
      `nll = lse - z_y  # −log q, q = p of the true class`,
      '# (1 − q)^γ from log Σ_{k≠y} p_k: finite, with a finite gradient, even where 1 − q rounds to 0',
      `log_rest = ${d.logsumexp(d.where('r > 0', 'float("-inf")', 'z'))} - lse`,
      `mod = ${d.exp(`${o('gamma')} * log_rest`)}`,
      `w = 1.0 if ${o('alpha')} is None else ${o('alpha')} + (1.0 - 2.0 * ${o('alpha')}) * r[..., 0]  # 1 − α on class 0`,
      `f = ${d.where('valid', 'w * mod * nll', '0.0')}`,
      `Z = ${d.count}  # labelled pixels`,
    );
  } else {
    L.push(
      `u = ${d.where('r > 0', 'z', '-z')}[..., first:]  # the logit of the true side`,
      `nll = ${d.softplus('-u')}  # −log q, q = sigmoid(u)`,
      `mod = ${d.exp(`-${o('gamma')} * ${d.softplus('u')}`)}  # (1 − q)^γ, finite at any u`,
      'rr = r[..., first:]',
      `w = 1.0 if ${o('alpha')} is None else ${o('alpha')} * rr + (1.0 - ${o('alpha')}) * (1.0 - rr)`,
      `f = ${d.where('mask > 0', 'w * mod * nll', '0.0')}`,
    );
    const perElement = cfg.kind === 'dice+focal' || variant === 'smp';
    L.push(perElement ? `Z = ${d.count} * (C - first)  # every (pixel, class) element` : `Z = ${d.count}  # MONAI: the labelled pixels`);
  }
  if (cfg.kind === 'dice+focal') L.push(`focal = ${d.sumAll('f')} / Z  # always the mean`);
  else L.push(`focal = ${d.sumAll('f')} / Z if ${red} == "mean" else ${d.sumAll('f')}`);
  return L;
}

/** The loss's computation for `cfg` in dialect `d`, unindented, from the inputs to `return`. */
export function part2Algorithm(d, cfg) {
  const o = d.o;
  const kind = cfg.kind;
  const variant = variantIn(cfg);
  const L = [...d.prep(o)];
  L.push(`valid = ${d.ne('y', o('ignore_index'))}`);
  L.push(`y = ${d.where('valid', 'y', '0')}  # any class: masked below`);
  L.push(d.classes);
  if (!softmaxFocal(cfg)) L.push(`first = 0 if ${o('include_background')} else 1`);
  if (kind !== 'focal') L.push(...d.activation(o, takesProbabilities(cfg)));
  L.push(`mask = ${d.mask}`);
  L.push(...d.oneHot);
  if (kind === 'lovasz') {
    L.push('p_in = p * mask  # ignored pixels take part in nothing');
    return [...L, ...lovasz(d)];
  }
  const out = [];
  if (kind !== 'focal') {
    L.push('p_in = p * mask  # ignored pixels take part in no sum');
    L.push('# Sum over the pixels of a unit: the whole batch, or one image.');
    L.push(d.axes(o));
    L.push(`I = ${d.sum('r * p_in')}[..., first:]`);
    L.push(`R = ${d.sum('r')}[..., first:]  # = Σ r²: the labels are hard`);
    L.push(`P = ${d.sum(cfg.squared ? 'p_in * p_in' : 'p_in')}[..., first:]`);
    L.push(...score(d, cfg, variant));
    if (kind === 'focal-tversky' && variant === 'paper') L.push(`t = ${safePower(d, '(1.0 - S)', `(1.0 / ${o('gamma')})`)}  # max(1 − S, 0)^(1/γ)`);
    else if (cfg['log-loss']) L.push(`t = -${d.log(d.atLeast('S', o('eps')))}`);
    else L.push('t = 1.0 - S');
    if (variant === 'smp') L.push(`t = ${d.where('R > 0', 't', '0.0')}  # SMP: an absent class's term is zeroed, still counted below`);
    if (d.meanNote) L.push(`# ${d.meanNote}`);
    L.push(`region = ${d.mean('t')} if ${o('reduction')} == "mean" else ${d.sumAll('t')}`);
    if (kind === 'focal-tversky' && variant === 'smp') L.push(`region = ${safePower(d, 'region', o('gamma'))}  # SMP: the power of the mean`);
    out.push(kind === 'dice+focal' ? `${o('lambda_dice')} * region` : 'region');
  }
  if (hasFocal(cfg)) {
    L.push(...focalTerm(d, cfg, variant));
    out.push(kind === 'dice+focal' ? `${o('lambda_focal')} * focal` : 'focal');
  }
  L.push(`return ${d.result(out.join(' + '))}`);
  return L;
}

/** The one-line formula of `cfg` and what its symbols are, for the header. */
export function part2Formula(cfg) {
  const kind = cfg.kind;
  const variant = variantIn(cfg);
  const red = cfg.reduction;
  const unit = cfg.aggregation === 'global' ? 'the whole batch' : 'one image';
  const act = cfg.activation === 'sigmoid' ? 'p = sigmoid(logits) per class' : 'p = softmax(logits) over the classes';
  const ignored = 'a pixel labelled ignore_index takes part in nothing.';
  const noBg = cfg['include-background'] ? [] : ['Class 0 has no term.'];
  const focalText = (over) => `${over} w·(1 − q)^γ·(−ln q)`;
  const sigmoidWhere = 'per labelled pixel and class, q = sigmoid(±logit) the probability of the true side (+ on the pixel\'s class), w = α there and 1 − α elsewhere (1 without α);';
  if (kind === 'lovasz') {
    const line = red === 'mean' ? 'L = mean_unit mean_(class in the unit) Σ_k δ_k·e_(k)' : 'L = Σ_unit Σ_(class in the unit) Σ_k δ_k·e_(k)';
    return [line, [`Per unit (${unit}) and class occurring in its truth: e_(1) ≥ e_(2) ≥ … the errors |r − p| of its pixels, r = one-hot(label), ${act};`,
      'δ_k the Jaccard-loss increments along them (the Lovász extension);', ignored, ...noBg].join(' ')];
  }
  if (kind === 'focal') {
    const softmax = cfg['focal-activation'] === 'softmax';
    if (softmax) return [`L = ${focalText(`${red}_pixel`)}`, `q = softmax(logits)[label], w = 1 − α on class 0 and α elsewhere (1 without α); ${ignored}`];
    const over = red === 'sum' ? 'Σ_(pixel, class)' : variant === 'smp' ? 'mean_(pixel, class)' : 'Σ_(pixel, class) / pixels';
    return [`L = ${focalText(over)}`, [sigmoidWhere, ignored, ...noBg].join(' ')];
  }
  const seed = cfg.formula === 'seed';
  const k = kind === 'dice+focal' ? 'dice' : kind;
  const tversky = 'I + α·(P − I) + β·(R − I) + s_dr';
  const S = {
    dice: variant === 'smp' ? '(I + s_nr) / max(½·(R + P) + s_dr, eps)' : seed ? '2·(I + s_nr) / (R + P + s_dr)' : '(2·I + s_nr) / (R + P + s_dr)',
    jaccard: variant === 'smp' ? '(I + s_nr) / max(R + P − I + s_dr, eps)' : '(2·I + s_nr) / (2·(R + P − I) + s_dr)',
    tversky: variant === 'smp' ? `(I + s_nr) / max(${tversky}, eps)` : `(I + s_nr) / (${tversky})`,
  }[k === 'focal-tversky' ? 'tversky' : k];
  const term = cfg['log-loss'] ? '−ln max(S, eps)' : kind === 'focal-tversky' && variant === 'paper' ? 'max(1 − S, 0)^(1/γ)' : '1 − S';
  let line = `${red}_(unit, class) ${variant === 'smp' ? 'm·' : ''}[${term}]`;
  if (kind === 'focal-tversky' && variant === 'smp') line = `(${line})^γ`;
  if (kind === 'dice+focal') line = `λ_dice·${line} + λ_focal·${focalText('mean_(pixel, class)')}`;
  const where = [`S = ${S}; per unit (${unit}) and class, sums over its pixels: I = Σ r·p, R = Σ r, P = ${cfg.squared ? 'Σ p²' : 'Σ p'}, r = one-hot(label), ${act};`];
  if (variant === 'smp') where.push('m = 1 if the class occurs in the unit\'s truth, else 0 (its term still counts in the mean);');
  if (kind === 'dice+focal') where.push(`the focal term ${sigmoidWhere}`);
  return [`L = ${line}`, [...where, ignored, ...noBg].join(' ')];
}

// "Copy the implementation": the current loss configuration as code a reader pastes into a training
// script: a NumPy function (float64, the exact reference), a PyTorch `nn.Module` and a Keras 3
// `keras.losses.Loss`. Every configured option is a parameter whose default is the page's value.
//
// Each algorithm is written once as Python lines over a small dialect table: each framework supplies
// the spelling of the few array operations it needs, and the wrappers (function, Module, Loss) are
// shared. Part 1's losses (docs/losses.md) are below; Part 2's in codegen_part2.js.
// tests/js/codegen.test.mjs runs the NumPy form against `dicelab loss` for every option combination;
// tools/verify_exports.py runs all three in the real frameworks.

import { OPTIONS, LOSS_DEFAULTS, defaults, variantOf } from './options.js';
import { toHash } from './hash.js';
import { part2Params, part2Algorithm, part2Formula, takesProbabilities } from './codegen_part2.js';

const DICE_KINDS = ['dice', 'gdl', 'dice+ce'];
const ALL_KINDS = ['dice', 'gdl', 'ce', 'dice+ce'];

/** `x`, parenthesised unless it is a plain name or subscript (for method calls on it). */
function paren(x) {
  if (/^[\w.[\]]+$/.test(x)) return x;
  // A call `f(…)` whose first parenthesis closes at the end needs none either.
  const open = x.search(/\(/);
  if (open > 0 && /^[\w.]+$/.test(x.slice(0, open))) {
    let depth = 0;
    for (let i = open; i < x.length; i++) {
      depth += x[i] === '(' ? 1 : x[i] === ')' ? -1 : 0;
      if (depth === 0) return i === x.length - 1 ? x : `(${x})`;
    }
  }
  return `(${x})`;
}

/** A Python float literal. */
const num = (x) => {
  const s = String(Number(x));
  return /[.e]/.test(s) || !Number.isFinite(Number(x)) ? s : `${s}.0`;
};

/** A Python literal for a parameter's value. */
const py = (v, type) => {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return JSON.stringify(v);
  return type === 'int' ? String(v) : num(v);
};
const assign = (p) => `${p.name}=${py(p.v, p.type)}`;

/**
 * The loss's parameters: Python name (MONAI's spelling where it has one), the kinds that take it,
 * its value in a configuration, its check and its one-line documentation.
 */
const PARAMS = [
  { name: 'smooth_nr', kinds: DICE_KINDS, value: (c) => Number(c['smooth-nr']), type: 'nonneg', doc: 'numerator smoothing s_nr' },
  { name: 'smooth_dr', kinds: DICE_KINDS, value: (c) => Number(c['smooth-dr']), type: 'nonneg', doc: 'denominator smoothing s_dr' },
  { name: 'formula', kinds: DICE_KINDS, value: (c) => c.formula, choices: ['corrected', 'seed'], doc: '"corrected": 1 − (2I + s_nr) / (R + P + s_dr); "seed": 1 − 2(I + s_nr) / (R + P + s_dr)' },
  { name: 'w_type', kinds: ['gdl'], value: (c) => c.weights, choices: ['square', 'simple', 'uniform'], doc: 'class weights 1/R², 1/R or 1; a class absent from a unit\'s truth gets the unit\'s largest finite weight' },
  { name: 'squared_pred', kinds: DICE_KINDS, value: (c) => Boolean(c.squared), type: 'bool', doc: 'Σp² (and Σr²) in the denominator (V-Net)' },
  { name: 'include_background', kinds: DICE_KINDS, value: (c) => Boolean(c['include-background']), type: 'bool', doc: 'whether class 0 has a Dice term' },
  { name: 'batch', kinds: DICE_KINDS, value: (c) => c.aggregation === 'global', type: 'bool', doc: 'True: one set of sums over the whole batch; False: one per image' },
  { name: 'reduction', kinds: ALL_KINDS, value: (c) => c.reduction, choices: ['mean', 'sum'], doc: null },
  { name: 'sigmoid', kinds: ALL_KINDS, value: (c) => c.activation === 'sigmoid', type: 'bool', doc: 'a sigmoid per class instead of a softmax over the classes' },
  { name: 'ignore_index', kinds: ALL_KINDS, value: (c) => Number(c['ignore-index']), type: 'int', doc: 'label of unlabelled pixels: they take part in no sum and get zero gradient' },
];

/** What `reduction` reduces, per kind. */
const REDUCTION_DOC = {
  dice: '"mean" or "sum" of the Dice terms, one per (unit, class)',
  gdl: '"mean" or "sum" of the terms, one per unit',
  ce: '"mean" (over the labelled pixels) or "sum" of the per-pixel losses',
  'dice+ce': '"mean" or "sum" of the Dice terms, one per (unit, class); the cross-entropy is their mean',
};

/** Class names per kind, and the Keras loss's default `name`. */
const NAMES = {
  dice: 'DiceLoss', gdl: 'GeneralizedDiceLoss', ce: 'CrossEntropyLoss', 'dice+ce': 'DiceCELoss', jaccard: 'JaccardLoss',
  tversky: 'TverskyLoss', 'focal-tversky': 'FocalTverskyLoss', focal: 'FocalLoss', lovasz: 'LovaszSoftmaxLoss', 'dice+focal': 'DiceFocalLoss',
};
const SNAKE = {
  dice: 'dice_loss', gdl: 'generalized_dice_loss', ce: 'cross_entropy_loss', 'dice+ce': 'dice_ce_loss', jaccard: 'jaccard_loss',
  tversky: 'tversky_loss', 'focal-tversky': 'focal_tversky_loss', focal: 'focal_loss', lovasz: 'lovasz_softmax_loss', 'dice+focal': 'dice_focal_loss',
};

/** Each framework's spelling. `o(name)` reads an option; `x` etc. are Python expressions. */
const DIALECTS = {
  numpy: {
    name: 'NumPy',
    imports: ['import numpy as np'],
    o: (name) => name,
    // The reference: float64 throughout, channels last as `dicelab loss` reads them.
    prep: () => [
      'z = np.asarray(logits, dtype=np.float64)',
      'y = np.asarray(labels).astype(np.int64)',
      'if y.shape != z.shape[:-1]:',
      '    raise ValueError(f"labels {y.shape} do not match logits {z.shape}")',
    ],
    classes: 'C = z.shape[-1]',
    ne: (a, b) => `${a} != ${b}`,
    where: (c, a, b) => `np.where(${c}, ${a}, ${b})`,
    activation: (o) => [
      `if ${o('sigmoid')}:`,
      '    p = np.exp(-np.logaddexp(0.0, -z))  # overflow-free',
      'else:',
      '    e = np.exp(z - z.max(axis=-1, keepdims=True))',
      '    p = e / e.sum(axis=-1, keepdims=True)',
    ],
    mask: 'valid[..., None].astype(np.float64)',
    oneHot: ['r = np.eye(C)[y] * mask'],
    axes: (o) => `axes = tuple(range(z.ndim - 1)) if ${o('batch')} else tuple(range(1, z.ndim - 1))`,
    sum: (x) => `${paren(x)}.sum(axis=axes)`,
    sumLast: (x) => `${paren(x)}.sum(axis=-1)`,
    sumAll: (x) => `${paren(x)}.sum()`,
    mean: (x) => `${x}.mean()`,
    maxLast: (x) => `${x}.max(axis=-1, keepdims=True)`,
    ones: (x) => `np.ones_like(${x})`,
    constant: null,
    pick: 'z_y = np.take_along_axis(z, y[..., None], axis=-1)[..., 0]',
    nll: (o) => [
      DIALECTS.numpy.pick,
      `if ${o('sigmoid')}:`,
      '    nll = np.logaddexp(0.0, -z_y)  # −log sigmoid(z_y)',
      'else:',
      '    m = z.max(axis=-1)',
      '    nll = m + np.log(np.exp(z - m[..., None]).sum(axis=-1)) - z_y  # log-sum-exp',
    ],
    count: 'max(valid.sum(), 1)',
    // Part 2 (codegen_part2.js).
    atLeast: (x, c) => `np.maximum(${x}, ${c})`,
    log: (x) => `np.log(${x})`,
    exp: (x) => `np.exp(${x})`,
    softplus: (x) => `np.logaddexp(0.0, ${x})`,
    logsumexp: (x) => `np.logaddexp.reduce(${x}, axis=-1)`,
    units: (o) => `A = 1 if ${o('batch')} else z.shape[0]  # the number of units`,
    rows: [
      'def rows(x):  # [unit, class, pixel], the pixels in (b, h, w) order',
      '    return x.reshape(A, -1, C)[..., first:].transpose(0, 2, 1)',
    ],
    argsortDesc: (x) => `np.argsort(-${x}, axis=-1, kind="stable")`,
    gather: (x, i) => `np.take_along_axis(${x}, ${i}, axis=-1)`,
    cumsum: (x) => `np.cumsum(${x}, axis=-1)`,
    cast: (x) => `${paren(x)}.astype(np.float64)`,
    result: (x) => `float(${x})`,
  },
  pytorch: {
    name: 'PyTorch',
    imports: ['import torch', 'import torch.nn.functional as F', 'from torch import nn'],
    o: (name) => `self.${name}`,
    // `last`: the computation works channels last (Part 2), else channels first (Part 1).
    prep: (o, last = false) => [
      'if target.dim() == logits.dim():  # (N, 1, H, W), or (N, H, W, 1) channels last',
      `    target = target.squeeze(-1 if ${o('channels_last')} else 1)`,
      last ? `z = logits if ${o('channels_last')} else logits.movedim(1, -1)  # channels last` : `z = logits.movedim(-1, 1) if ${o('channels_last')} else logits`,
      `if target.shape != ${last ? 'z.shape[:-1]' : 'z.shape[:1] + z.shape[2:]'}:`,
      '    raise ValueError(f"target {tuple(target.shape)} does not match logits {tuple(z.shape)}")',
      '# Element-wise work in the input dtype (e.g. bf16), sums in float32 or better.',
      'acc = torch.float64 if z.dtype == torch.float64 else torch.float32',
      'y = target.long()',
    ],
    classes: 'C = z.shape[1]',
    ne: (a, b) => `${a} != ${b}`,
    where: (c, a, b) => `torch.where(${c}, ${a}, ${b})`,
    activation: (o) => [`p = torch.sigmoid(z) if ${o('sigmoid')} else torch.softmax(z, dim=1)`],
    mask: 'valid.unsqueeze(1).to(p.dtype)',
    oneHot: [
      'classes = torch.arange(C, device=y.device).view(1, C, *[1] * (y.dim() - 1))',
      'r = (y.unsqueeze(1) == classes).to(p.dtype) * mask',
    ],
    axes: (o) => `dims = [0, *range(2, z.dim())] if ${o('batch')} else [*range(2, z.dim())]`,
    sum: (x) => `${paren(x)}.sum(dims, dtype=acc)`,
    sumLast: (x) => `${paren(x)}.sum(-1)`,
    sumAll: (x) => `${paren(x)}.sum(dtype=acc)`,
    mean: (x) => `${x}.mean()`,
    maxLast: (x) => `${x}.amax(-1, keepdim=True)`,
    ones: (x) => `torch.ones_like(${x})`,
    constant: (x) => `${x}.detach()`,
    nll: (o) => [
      `if ${o('sigmoid')}:`,
      '    nll = F.softplus(-z.gather(1, y.unsqueeze(1)).squeeze(1))  # −log sigmoid(z_y)',
      'else:',
      '    nll = F.cross_entropy(z, y, reduction="none")  # log-sum-exp, not log(softmax)',
    ],
    count: 'valid.sum().clamp(min=1)',
    // Part 2 (codegen_part2.js), which works channels last: these replace the entries above.
    channelsLast: {
      prep: (o) => DIALECTS.pytorch.prep(o, true),
      classes: 'C = z.shape[-1]',
      activation: (o) => [`p = torch.sigmoid(z) if ${o('sigmoid')} else torch.softmax(z, dim=-1)`],
      mask: 'valid.unsqueeze(-1).to(z.dtype)',
      oneHot: ['r = F.one_hot(y, C).to(z.dtype) * mask'],
      axes: (o) => `dims = [*range(z.dim() - 1)] if ${o('batch')} else [*range(1, z.dim() - 1)]`,
      pick: 'z_y = z.gather(-1, y.unsqueeze(-1)).squeeze(-1)',
      sumLast: (x) => `${paren(x)}.sum(-1, dtype=acc)`,
    },
    atLeast: (x, c) => `${paren(x)}.clamp(min=${c})`,
    log: (x) => `torch.log(${x})`,
    exp: (x) => `torch.exp(${x})`,
    softplus: (x) => `F.softplus(${x})`,
    logsumexp: (x) => `torch.logsumexp(${x}, -1)`,
    units: (o) => `A = 1 if ${o('batch')} else z.shape[0]  # the number of units`,
    rows: [
      'def rows(x):  # [unit, class, pixel], the pixels in (b, h, w) order',
      '    return x.reshape(A, -1, C)[..., first:].transpose(1, 2)',
    ],
    argsortDesc: (x) => `torch.argsort(${x}, dim=-1, descending=True, stable=True)`,
    gather: (x, i) => `${paren(x)}.gather(-1, ${i})`,
    cumsum: (x) => `${paren(x)}.cumsum(-1, dtype=acc)`,
    cast: (x) => `${paren(x)}.to(acc)`,
    result: (x) => x,
  },
  keras: {
    name: 'Keras',
    imports: ['import keras', 'from keras import ops'],
    // Keras's own `reduction` reduces what call() returns; ours reduces the loss's terms.
    o: (name) => (name === 'reduction' ? 'self.terms_reduction' : `self.${name}`),
    prep: () => [
      'z = y_pred',
      'y = ops.cast(y_true, "int32")  # Keras hands y_true over as floats',
      'if len(y.shape) == len(z.shape):  # (N, H, W, 1)',
      '    y = ops.squeeze(y, axis=-1)',
      'if len(y.shape) != len(z.shape) - 1:',
      '    raise ValueError(f"y_true {tuple(y_true.shape)} does not match y_pred {tuple(z.shape)}")',
    ],
    classes: 'nd, C = len(z.shape), z.shape[-1]',
    ne: (a, b) => `ops.not_equal(${a}, ${b})`,
    where: (c, a, b) => `ops.where(${c}, ${a}, ${b})`,
    // `probs`: whether the loss takes probabilities too (its from_logits option).
    activation: (o, probs = true) => [
      ...(probs ? [`if not ${o('from_logits')}:`, '    p = z  # already probabilities'] : []),
      `${probs ? 'elif' : 'if'} ${o('sigmoid')}:`,
      '    p = ops.sigmoid(z)',
      'else:',
      '    p = ops.softmax(z, axis=-1)',
    ],
    mask: 'ops.expand_dims(ops.cast(valid, self.dtype), -1)',
    oneHot: ['r = ops.one_hot(y, C, dtype=self.dtype) * mask'],
    axes: (o) => `axes = tuple(range(nd - 1)) if ${o('batch')} else tuple(range(1, nd - 1))`,
    sum: (x) => `ops.sum(${x}, axis=axes)`,
    sumLast: (x) => `ops.sum(${x}, axis=-1)`,
    sumAll: (x) => `ops.sum(${x})`,
    // ops.mean averages float64 in float32 on the JAX and torch backends (Keras 3.15).
    mean: (x) => `ops.sum(${x}) / ops.sum(ops.ones_like(${x}))`,
    meanNote: 'Not ops.mean: on JAX and torch it averages float64 in float32.',
    maxLast: (x) => `ops.max(${x}, axis=-1, keepdims=True)`,
    ones: (x) => `ops.ones_like(${x})`,
    constant: (x) => `ops.stop_gradient(${x})`,
    pick: 'z_y = ops.take_along_axis(z, ops.expand_dims(y, -1), axis=-1)[..., 0]',
    nll: (o) => [
      DIALECTS.keras.pick,
      `if not ${o('from_logits')}:`,
      '    eps = keras.config.epsilon()  # z holds probabilities',
      '    nll = -ops.log(ops.where(z_y > eps, z_y, eps))  # not ops.maximum: float32 on torch',
      `elif ${o('sigmoid')}:`,
      '    nll = ops.softplus(-z_y)  # −log sigmoid(z_y)',
      'else:',
      '    nll = ops.logsumexp(z, axis=-1) - z_y  # not log(softmax)',
    ],
    count: 'ops.maximum(ops.sum(ops.cast(valid, self.dtype)), 1.0)',
    // Part 2 (codegen_part2.js).
    atLeast: (x, c) => `ops.where(${x} > ${c}, ${x}, ${c})`, // not ops.maximum (above)
    log: (x) => `ops.log(${x})`,
    exp: (x) => `ops.exp(${x})`,
    softplus: (x) => `ops.softplus(${x})`,
    logsumexp: (x) => `ops.logsumexp(${x}, axis=-1)`,
    units: (o) => `A = 1 if ${o('batch')} else ops.shape(z)[0]  # the number of units`,
    rows: [
      'def rows(x):  # [unit, class, pixel], the pixels in (b, h, w) order',
      '    return ops.transpose(ops.reshape(x, (A, -1, C)), (0, 2, 1))[:, first:]',
    ],
    // Stable on every backend: jnp.argsort, torch's stable=True, TensorFlow's through top_k.
    argsortDesc: (x) => `ops.argsort(-${x}, axis=-1)`,
    gather: (x, i) => `ops.take_along_axis(${x}, ${i}, axis=-1)`,
    cumsum: (x) => `ops.cumsum(${x}, axis=-1)`,
    cast: (x) => `ops.cast(${x}, self.dtype)`,
    result: (x) => x,
  },
};

/** The frameworks code can be generated for: key and display name (the page's tabs). */
export const LANGUAGES = Object.entries(DIALECTS).map(([key, d]) => ({ key, name: d.name }));

/** The loss's computation, unindented, from the inputs to `return`. */
function algorithm(d, kind) {
  const o = d.o;
  const dice = kind !== 'ce';
  const ce = kind === 'ce' || kind === 'dice+ce';
  const L = [...d.prep(o)];
  L.push(`valid = ${d.ne('y', o('ignore_index'))}`);
  L.push(`y = ${d.where('valid', 'y', '0')}  # any class: masked below`);
  if (dice) {
    L.push(d.classes);
    L.push(...d.activation(o));
    L.push(`mask = ${d.mask}`);
    L.push(...d.oneHot);
    L.push('p_in = p * mask  # ignored pixels take part in no sum');
    L.push('# Sum over the pixels of a unit: the whole batch, or one image.');
    L.push(d.axes(o));
    L.push(`I = ${d.sum('r * p_in')}`);
    L.push(`R = ${d.sum('r')}  # = Σ r²: the labels are hard`);
    L.push(`P = ${d.sum('p_in * p_in')} if ${o('squared_pred')} else ${d.sum('p_in')}`);
    L.push(`if not ${o('include_background')}:`);
    L.push('    I, R, P = I[..., 1:], R[..., 1:], P[..., 1:]');
    if (kind === 'gdl') {
      L.push(`if ${o('w_type')} == "uniform":`);
      L.push(`    w = ${d.ones('R')}`);
      L.push('else:');
      L.push('    present = R > 0');
      L.push(`    Rw = ${d.where('present', 'R', '1.0')}  # no division by zero`);
      L.push(`    w = ${d.where('present', `1.0 / (Rw * Rw if ${o('w_type')} == "square" else Rw)`, '0.0')}`);
      L.push('    # A class absent from the unit\'s truth: the unit\'s largest finite weight (0 if none).');
      L.push(`    w = ${d.where('present', 'w', d.maxLast('w'))}`);
      if (d.constant) L.push(`w = ${d.constant('w')}  # constants: no gradient flows through the weights`);
      L.push(`num, den = ${d.sumLast('w * I')}, ${d.sumLast('w * (R + P)')}  # weights inside the sums`);
    } else {
      L.push('num, den = I, R + P');
    }
    L.push(`if ${o('formula')} == "seed":`);
    L.push(`    terms = 1.0 - 2.0 * (num + ${o('smooth_nr')}) / (den + ${o('smooth_dr')})`);
    L.push('else:');
    L.push(`    terms = 1.0 - (2.0 * num + ${o('smooth_nr')}) / (den + ${o('smooth_dr')})`);
    if (d.meanNote) L.push(`# ${d.meanNote}`);
    L.push(`dice = ${d.mean('terms')} if ${o('reduction')} == "mean" else ${d.sumAll('terms')}`);
  }
  if (ce) {
    L.push(...d.nll(o));
    L.push(`nll_sum = ${d.sumAll(d.where('valid', 'nll', '0.0'))}`);
    L.push(`count = ${d.count}  # labelled pixels`);
    if (kind === 'dice+ce') L.push('ce = nll_sum / count');
    else L.push(`ce = nll_sum / count if ${o('reduction')} == "mean" else nll_sum`);
  }
  L.push(`return ${[dice ? 'dice' : null, ce ? 'ce' : null].filter(Boolean).join(' + ')}`);
  return L;
}

/** The loss's parameters for a kind, with their values in `cfg`. */
const paramsOf = (cfg) => PARAMS.filter((p) => p.kinds.includes(cfg.kind)).map((p) => ({ ...p, v: p.value(cfg) }));

/** Checks of the parameters, unindented: a bad value raises a one-line ValueError. */
function checks(params) {
  const L = [];
  for (const p of params) {
    if (p.choices) {
      L.push(`if ${p.name} not in (${p.choices.map((c) => py(c)).join(', ')}):`);
      L.push(`    raise ValueError(f"${p.name} must be one of ${p.choices.join(', ')}, not {${p.name}!r}")`);
    } else if (p.type === 'nonneg' || p.check) {
      const { cond, text } = p.check ?? { cond: `0.0 <= float(${p.name}) < float("inf")`, text: 'finite and >= 0' };
      L.push(`if not ${p.check ? `(${cond})` : cond}:`);
      L.push(`    raise ValueError(f"${p.name} must be ${text}, not {${p.name}!r}")`);
    }
  }
  return L;
}

/** The Python expression that stores a parameter, converted to its type. */
const stored = (p) => {
  if (p.type === 'bool') return `bool(${p.name})`;
  if (p.type === 'int') return `int(${p.name})`;
  if (p.optional) return `None if ${p.name} is None else float(${p.name})`;
  if (p.type === 'nonneg' || p.type === 'float') return `float(${p.name})`;
  return p.name;
};

/** The one-line formula and what its symbols are, for the header. */
function formula(cfg) {
  const red = cfg.reduction;
  const seed = cfg.formula === 'seed';
  const diceTerm = seed ? '1 − 2·(I + s_nr) / (R + P + s_dr)' : '1 − (2·I + s_nr) / (R + P + s_dr)';
  const ceTerm = (r) => `${r}_n −log p[n, label_n]`;
  const line = {
    dice: `L = ${red}_(unit, class) [${diceTerm}]`,
    gdl: `L = ${red}_unit [1 − ${seed ? '2·(Σ_l w_l·I_l + s_nr)' : '(2·Σ_l w_l·I_l + s_nr)'} / (Σ_l w_l·(R_l + P_l) + s_dr)]`,
    ce: `L = ${ceTerm(red)}`,
    'dice+ce': `L = ${ceTerm('mean')} + ${red}_(unit, class) [${diceTerm}]`,
  }[cfg.kind];
  const where = [];
  if (cfg.kind !== 'ce') {
    const unit = cfg.aggregation === 'global' ? 'the whole batch' : 'one image';
    const P = cfg.squared ? 'Σ p²' : 'Σ p';
    where.push(`Per unit (${unit}) and class l, sums over its pixels: I = Σ r·p, R = Σ r, P = ${P}, r = one-hot(label),`);
  }
  where.push(`${cfg.activation === 'sigmoid' ? 'p = sigmoid(logits) per class' : 'p = softmax(logits) over the classes'};`);
  if (cfg.kind === 'ce' || cfg.kind === 'dice+ce') where.push('n: the labelled pixels;');
  where.push('a pixel labelled ignore_index takes part in no sum.');
  if (cfg.kind !== 'ce' && !cfg['include-background']) where.push('Class 0 has no term.');
  if (cfg.kind === 'gdl') {
    const w = { square: '1/R_l²', simple: '1/R_l', uniform: '1' }[cfg.weights];
    where.push(`w_l = ${w}; a class absent from the unit's truth gets the unit's largest finite weight.`);
  }
  return [line, where.join(' ')];
}

/** Wraps `text` at spaces into lines of at most `width` characters: `first` starts the first line,
 * `cont` the others. */
function wrap(text, first, cont, width = 100) {
  const out = [];
  let line = first;
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > width && line.trim() !== first.trim()) {
      out.push(line);
      line = cont;
    }
    line += line === first || line === cont ? word : ` ${word}`;
  }
  out.push(line);
  return out;
}

const comment = (text) => wrap(text, '# ', '#   ');

/** `wrap`, never breaking inside a shape such as `(N, H, W, 1)`. */
const wrapKeep = (text, first, cont) =>
  wrap(text.replace(/\([A-Z0-9, ]+\)/g, (m) => m.replaceAll(' ', '\u00a0')), first, cont).map((l) => l.replaceAll('\u00a0', ' '));

/** `head(a, b, …)tail` with the items wrapped under the opening parenthesis. */
function call(head, items, tail) {
  const out = [];
  let line = `${head}(`;
  const pad = ' '.repeat(line.length);
  items.forEach((item, i) => {
    const text = i < items.length - 1 ? `${item},` : `${item})${tail}`;
    if (line.length + text.length + 1 > 100 && line !== `${head}(`) {
      out.push(line.trimEnd());
      line = pad;
    }
    line += line.endsWith('(') || line === pad ? text : ` ${text}`;
  });
  out.push(line);
  return out;
}

/**
 * The page's URL for `cfg`: `base` (the page's address without a hash) and a hash that sets the
 * loss options, or null when the page cannot show `cfg` (it sets s_nr = s_dr and ignores label 255).
 */
export function pageLink(cfg, base) {
  if (Number(cfg['smooth-nr']) !== Number(cfg['smooth-dr']) || Number(cfg['ignore-index']) !== 255) return null;
  const a = defaults();
  for (const o of OPTIONS) if (o.paths[0]?.[0] === 'loss') a[o.key] = cfg[o.paths[0][1]];
  return `${base}${toHash({ a, b: a, ab: false, story: null, hide: new Set(), show: null })}`;
}

const TITLES = {
  dice: 'Soft Dice loss', gdl: 'Generalized Dice loss (Sudre et al. 2017)', ce: 'Cross-entropy loss', 'dice+ce': 'Soft Dice + cross-entropy loss',
  jaccard: 'Soft Jaccard (IoU) loss', tversky: 'Tversky loss', 'focal-tversky': 'Focal Tversky loss', focal: 'Focal loss',
  lovasz: 'Lovász-softmax loss', 'dice+focal': 'Soft Dice + focal loss',
};

/** The `dicelab loss` flags of `cfg`: those that differ from the CLI's defaults. */
export function cliFlags(cfg) {
  const flags = ['--loss', cfg.kind];
  const differs = (k) => cfg[k] !== undefined && cfg[k] !== LOSS_DEFAULTS[k];
  const value = (k, flag) => differs(k) && flags.push(flag, String(cfg[k]));
  for (const k of ['variant', 'formula', 'weights', 'reduction', 'activation', 'alpha', 'beta', 'gamma', 'eps', 'focal-activation', 'lambda-dice', 'lambda-focal', 'ignore-index']) value(k, `--${k}`);
  if (cfg['smooth-nr'] === cfg['smooth-dr']) value('smooth-nr', '--smooth');
  else {
    value('smooth-nr', '--smooth-nr');
    value('smooth-dr', '--smooth-dr');
  }
  if (cfg.aggregation === 'per-image') flags.push('--per-image');
  if (cfg.squared) flags.push('--squared');
  if (cfg['log-loss']) flags.push('--log-loss');
  if (!cfg['include-background']) flags.push('--no-background');
  return flags;
}

/** Whether `cfg` is one of Part 1's losses in their MONAI form (the rest is docs/losses.md's Part 2). */
const part1 = (cfg) => ALL_KINDS.includes(cfg.kind) && cfg.variant !== 'smp' && !cfg['log-loss'];

/** The self-contained header: what, the formula, the options, (Part 2) the CLI's command, the page's link. */
function header(lang, cfg, params, extra, base) {
  const what = { numpy: 'in NumPy (float64: the reference)', pytorch: 'as a PyTorch nn.Module', keras: 'as a Keras 3 loss (any backend)' }[lang];
  const link = pageLink(cfg, base);
  const first = part1(cfg);
  const [line, where] = first ? formula(cfg) : part2Formula(cfg);
  const variant = variantOf({ loss: cfg.kind, variant: cfg.variant });
  const title = first ? TITLES[cfg.kind] : `${TITLES[cfg.kind]} (${variant}${cfg['log-loss'] ? ', −log form' : ''})`;
  return [
    ...comment(`${title} ${what}, by dicelab. Self-contained.`),
    `# ${line}`, // the formula on one line, unwrapped
    ...comment(where),
    ...comment(`Options: ${[...params, ...extra].map(assign).join(', ')}.`),
    ...(first ? [] : [
      '# The same loss from dicelab\'s reference CLI (logits (N, H, W, C) and labels saved with numpy.save):',
      `#   ${['dicelab loss --logits logits.npy --labels labels.npy', ...cliFlags(cfg)].join(' ')}`,
    ]),
    ...comment(link ? `This configuration, training live: ${link}` : `The playground (it sets s_nr = s_dr and ignore_index 255, so it cannot show these values): ${base}`),
  ];
}

/** The "Args:" docstring lines, indented by `pad`. */
const argDocs = (params, kind, pad) =>
  params.flatMap((p) => wrap(`${p.name}: ${p.doc ?? REDUCTION_DOC[kind]}.`, `${pad}    `, `${pad}        `));

const indent = (lines, pad) => lines.map((l) => (l ? `${pad}${l}` : l));

/**
 * What the three wrappers need of `cfg`'s loss: its parameters, whether the Keras form has
 * `from_logits`, and its computation in a dialect (Part 2's works channels last in PyTorch too).
 */
function lossOf(cfg) {
  if (part1(cfg)) return { params: paramsOf(cfg), probs: true, body: (lang) => algorithm(DIALECTS[lang], cfg.kind) };
  return {
    params: part2Params(cfg),
    probs: takesProbabilities(cfg),
    body: (lang) => part2Algorithm({ ...DIALECTS[lang], ...DIALECTS[lang].channelsLast }, cfg),
  };
}

function numpyForm(cfg, base) {
  const { params, body } = lossOf(cfg);
  return [
    ...header('numpy', cfg, params, [], base),
    ...DIALECTS.numpy.imports, '', '',
    ...call('def loss', ['logits', 'labels', ...params.map(assign)], ':'),
    '    """logits: (N, H, W, C) floats, channels last; labels: (N, H, W) integers. Returns a float.',
    '',
    '    Args (defaults: the configuration above):',
    ...argDocs(params, cfg.kind, '    '),
    '    """',
    ...indent(checks(params), '    '),
    ...indent(body('numpy'), '    '),
  ];
}

function pytorchForm(cfg, base) {
  const { params, body } = lossOf(cfg);
  const extra = [{ name: 'channels_last', v: false, type: 'bool', doc: 'logits (N, H, W, C) instead of (N, C, H, W)' }];
  const all = [...params, ...extra];
  return [
    ...header('pytorch', cfg, params, extra, base),
    ...DIALECTS.pytorch.imports, '', '',
    `class ${NAMES[cfg.kind]}(nn.Module):`,
    '    """forward(logits, target): logits (N, C, H, W) or (N, C, D, H, W), any float dtype, CPU or',
    '    CUDA, autocast or not; target (N, H, W) or (N, 1, H, W) integer class indices. Returns a',
    '    scalar, float32 (float64 for float64 logits).',
    '',
    '    Args (defaults: the configuration above):',
    ...argDocs(all, cfg.kind, '    '),
    '    """',
    '',
    ...call('    def __init__', ['self', ...all.map(assign)], ':'),
    '        super().__init__()',
    ...indent(checks(all), '        '),
    ...all.map((p) => `        self.${p.name} = ${stored(p)}`),
    '',
    '    def forward(self, logits, target):',
    ...indent(body('pytorch'), '        '),
  ];
}

function kerasForm(cfg, base) {
  const { params, probs, body } = lossOf(cfg);
  const extra = probs ? [{ name: 'from_logits', v: true, type: 'bool', doc: 'y_pred holds logits; False: probabilities (the activation already applied)' }] : [];
  const all = [...params, ...extra];
  const d = DIALECTS.keras;
  return [
    ...header('keras', cfg, params, extra, base),
    ...d.imports, '', '',
    `class ${NAMES[cfg.kind]}(keras.losses.Loss):`,
    ...wrapKeep(`loss(y_true, y_pred): y_pred (N, H, W, C) ${probs ? '' : 'logits, '}channels last; y_true (N, H, W) or (N, H, W, 1) integer class indices. For model.compile(loss=...) and custom training loops alike. Computes in the loss's dtype (Keras casts both inputs to it: float32 unless dtype= says otherwise). Returns one scalar per batch: the sums run across the images, so there is no per-sample loss (a sample_weight scales it by its mean).`, '    """', '    '),
    '',
    '    Args (defaults: the configuration above):',
    ...argDocs(all, cfg.kind, '    '),
    '        name, dtype: as for any keras.losses.Loss.',
    '    """',
    '',
    ...call('    def __init__', ['self', ...all.map(assign), `name="${SNAKE[cfg.kind]}"`, 'dtype=None'], ':'),
    '        super().__init__(name=name, dtype=dtype)  # Keras\'s reduction of one scalar leaves it as is',
    ...indent(checks(all), '        '),
    ...all.map((p) => `        ${d.o(p.name)} = ${stored(p)}`),
    '',
    '    def call(self, y_true, y_pred):',
    ...indent(body('keras'), '        '),
    '',
    '    def get_config(self):  # for saving a model compiled with this loss',
    '        return {',
    '            "name": self.name,',
    '            "dtype": self.dtype,',
    ...all.map((p) => `            "${p.name}": ${d.o(p.name)},`),
    '        }',
  ];
}

const FORMS = { numpy: numpyForm, pytorch: pytorchForm, keras: kerasForm };

/**
 * Python source of the loss `cfg` (a LossConfig with the CLI's kebab-case names) in framework `lang`
 * ('numpy' | 'pytorch' | 'keras'); its header links to the page at `base` (its URL without a hash)
 * with `cfg` in the hash.
 */
export function generate(lang, cfg, base) {
  const form = Object.hasOwn(FORMS, lang) ? FORMS[lang] : null;
  if (!form) throw new Error(`unknown language '${String(lang).slice(0, 40)}'`);
  if (typeof base !== 'string' || base === '') throw new Error('generate needs the page\'s base URL');
  if (!Object.hasOwn(TITLES, cfg.kind)) throw new Error(`unknown loss '${String(cfg.kind).slice(0, 40)}'`);
  return `${form(cfg, base).join('\n')}\n`;
}

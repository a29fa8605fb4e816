// "Copy the implementation": code for the current loss configuration in NumPy, PyTorch and
// TensorFlow/Keras, each a correct implementation of shared/spec/losses.md.
//
// The algorithm is written once, below, as Python lines over a small dialect table: each framework
// supplies the spelling of the few array operations it needs. A test runs the generated NumPy code
// against `dicelab loss` on random inputs.

/** `x`, parenthesised unless it is a plain name or subscript (for method calls on it). */
const paren = (x) => (/^[\w.[\]]+$/.test(x) ? x : `(${x})`);

/** The spelling of each array operation, per framework. `x` etc. are Python expressions. */
const DIALECTS = {
  numpy: {
    header: ['import numpy as np'],
    name: 'NumPy',
    f64: (x) => `np.asarray(${x}, dtype=np.float64)`,
    labels: (x) => `np.asarray(${x}).astype(np.int64)`,
    maxLast: (x) => `${paren(x)}.max(axis=-1, keepdims=True)`,
    exp: (x) => `np.exp(${x})`,
    log: (x) => `np.log(${x})`,
    sumLast: (x) => `${paren(x)}.sum(axis=-1, keepdims=True)`,
    sum: (x, axes) => `${paren(x)}.sum(axis=${axes})`,
    sumAll: (x) => `${paren(x)}.sum()`,
    where: (c, a, b) => `np.where(${c}, ${a}, ${b})`,
    oneHot: (y, c) => `np.eye(${c})[${y}]`,
    floatOf: (b) => `${paren(b)}.astype(np.float64)`,
    softplus: (x) => `np.logaddexp(0.0, ${x})`,
    sigmoid: (x) => `np.exp(-np.logaddexp(0.0, -${x}))  # overflow-free`,
    gather: (p, y) => `np.take_along_axis(${p}, ${y}[..., None], axis=-1)[..., 0]`,
    isfinite: (x) => `np.isfinite(${x})`,
    maxKeep: (x) => `${paren(x)}.max(axis=-1, keepdims=True)`,
    constant: (x) => x,
    reciprocal: (x) => `np.divide(1.0, ${x}, out=np.full_like(${x}, np.inf), where=${x} != 0)`,
    mean: (x) => `${paren(x)}.mean()`,
    count: (b) => `${paren(b)}.sum()`,
    maximum1: (x) => `max(${x}, 1)`,
    zeros: (x) => `np.zeros_like(${x})`,
    ones: (x) => `np.ones_like(${x})`,
  },
  pytorch: {
    header: ['import torch', 'import torch.nn.functional as F'],
    name: 'PyTorch',
    f64: (x) => `${paren(x)}.double()`,
    labels: (x) => `${paren(x)}.long()`,
    maxLast: (x) => `${paren(x)}.amax(dim=-1, keepdim=True)`,
    exp: (x) => `torch.exp(${x})`,
    log: (x) => `torch.log(${x})`,
    sumLast: (x) => `${paren(x)}.sum(dim=-1, keepdim=True)`,
    sum: (x, axes) => `${paren(x)}.sum(dim=${axes})`,
    sumAll: (x) => `${paren(x)}.sum()`,
    where: (c, a, b) => `torch.where(${c}, ${a}, ${b})`,
    oneHot: (y, c) => `F.one_hot(${y}, ${c}).double()`,
    floatOf: (b) => `${paren(b)}.double()`,
    softplus: (x) => `F.softplus(${x})`,
    sigmoid: (x) => `torch.sigmoid(${x})`,
    gather: (p, y) => `${paren(p)}.gather(-1, ${y}[..., None])[..., 0]`,
    isfinite: (x) => `torch.isfinite(${x})`,
    maxKeep: (x) => `${paren(x)}.amax(dim=-1, keepdim=True)`,
    constant: (x) => `${paren(x)}.detach()`,
    reciprocal: (x) => `torch.where(${x} != 0, 1.0 / ${x}.clamp(min=1e-300), torch.full_like(${x}, float("inf")))`,
    mean: (x) => `${paren(x)}.mean()`,
    count: (b) => `${paren(b)}.sum()`,
    maximum1: (x) => `${paren(x)}.clamp(min=1)`,
    zeros: (x) => `torch.zeros_like(${x})`,
    ones: (x) => `torch.ones_like(${x})`,
  },
  tensorflow: {
    header: ['import tensorflow as tf'],
    name: 'TensorFlow / Keras',
    f64: (x) => `tf.cast(${x}, tf.float64)`,
    labels: (x) => `tf.cast(${x}, tf.int64)`,
    maxLast: (x) => `tf.reduce_max(${x}, axis=-1, keepdims=True)`,
    exp: (x) => `tf.exp(${x})`,
    log: (x) => `tf.math.log(${x})`,
    sumLast: (x) => `tf.reduce_sum(${x}, axis=-1, keepdims=True)`,
    sum: (x, axes) => `tf.reduce_sum(${x}, axis=${axes})`,
    sumAll: (x) => `tf.reduce_sum(${x})`,
    where: (c, a, b) => `tf.where(${c}, ${a}, ${b})`,
    oneHot: (y, c) => `tf.one_hot(${y}, ${c}, dtype=tf.float64)`,
    floatOf: (b) => `tf.cast(${b}, tf.float64)`,
    softplus: (x) => `tf.math.softplus(${x})`,
    sigmoid: (x) => `tf.sigmoid(${x})`,
    gather: (p, y) => `tf.gather(${p}, ${y}, batch_dims=3)`,
    isfinite: (x) => `tf.math.is_finite(${x})`,
    maxKeep: (x) => `tf.reduce_max(${x}, axis=-1, keepdims=True)`,
    constant: (x) => `tf.stop_gradient(${x})`,
    reciprocal: (x) => `tf.math.divide_no_nan(tf.ones_like(${x}), ${x}) + tf.where(${x} == 0, tf.constant(float("inf"), tf.float64), tf.zeros_like(${x}))`,
    mean: (x) => `tf.reduce_mean(${x})`,
    count: (b) => `tf.reduce_sum(tf.cast(${b}, tf.float64))`,
    maximum1: (x) => `tf.maximum(${x}, 1.0)`,
    zeros: (x) => `tf.zeros_like(${x})`,
    ones: (x) => `tf.ones_like(${x})`,
  },
};

/** The frameworks code can be generated for: key and display name. */
export const LANGUAGES = Object.entries(DIALECTS).map(([key, d]) => ({ key, name: d.name }));

const num = (x) => {
  const s = String(Number(x));
  return /[.e]/.test(s) || !Number.isFinite(Number(x)) ? s : `${s}.0`;
};

/** One-line description of a configuration, for the docstring. */
export function describe(cfg) {
  const parts = [];
  const kind = { dice: 'Soft Dice', gdl: 'Generalized Dice', ce: 'Cross-entropy', 'dice+ce': 'Soft Dice + cross-entropy' }[cfg.kind];
  parts.push(kind);
  if (cfg.kind !== 'ce') {
    parts.push(`${cfg.formula} smoothing (s_nr=${num(cfg['smooth-nr'])}, s_dr=${num(cfg['smooth-dr'])})`);
    if (cfg.kind === 'gdl') parts.push(`${cfg.weights} class weights`);
    parts.push(cfg.aggregation === 'global' ? 'sums over the whole batch' : 'sums per image');
    if (cfg.squared) parts.push('squared denominator');
    if (!cfg['include-background']) parts.push('background excluded');
  }
  parts.push(`${cfg.reduction} reduction`, cfg.activation);
  return parts.join(', ');
}

/**
 * Python source of `loss(logits, labels)` for `cfg` (a LossConfig with the CLI's kebab-case names)
 * in framework `lang` ('numpy' | 'pytorch' | 'tensorflow').
 */
export function generate(lang, cfg) {
  const d = DIALECTS[lang];
  if (!d) throw new Error(`unknown language ${lang}`);
  const dice = cfg.kind !== 'ce';
  const ce = cfg.kind === 'ce' || cfg.kind === 'dice+ce';
  const axes = cfg.aggregation === 'global' ? '(0, 1, 2)' : '(1, 2)';
  const first = cfg['include-background'] ? 0 : 1;
  const ignore = Number(cfg['ignore-index']);
  const L = [...d.header, '', ''];
  L.push('def loss(logits, labels):');
  L.push(`    """${describe(cfg)}.`);
  L.push('');
  L.push('    logits: (B, H, W, C) floats, channels last; labels: (B, H, W) integers,');
  L.push(`    ${ignore} marks an unlabelled pixel (it takes part in no sum).`);
  L.push('    Generated by dicelab from shared/spec/losses.md.');
  L.push('    """');
  L.push(`    z = ${d.f64('logits')}`);
  L.push(`    y = ${d.labels('labels')}`);
  L.push('    C = z.shape[-1]');
  L.push(`    valid = y != ${ignore}`);
  L.push(`    y = ${d.where('valid', 'y', d.zeros('y'))}  # any class: masked below`);
  L.push(`    mask = ${d.floatOf('valid')}[..., None]`);
  if (cfg.activation === 'softmax') {
    L.push(`    m = ${d.maxLast('z')}`);
    L.push(`    e = ${d.exp('z - m')}`);
    L.push(`    s = ${d.sumLast('e')}`);
    L.push('    p = e / s');
  } else {
    L.push(`    p = ${d.sigmoid('z')}`);
  }
  if (dice) {
    L.push(`    r = ${d.oneHot('y', 'C')} * mask`);
    L.push('    p_in = p * mask  # ignored pixels take part in no sum');
    L.push(`    axes = ${axes}  # ${cfg.aggregation === 'global' ? 'one unit: the whole batch' : 'one unit per image'}`);
    L.push(`    I = ${d.sum('r * p_in', 'axes')}`);
    L.push(`    R = ${d.sum('r', 'axes')}`);
    L.push(`    P = ${d.sum(cfg.squared ? 'p_in * p_in' : 'p_in', 'axes')}`);
    if (first) L.push('    I, R, P = I[..., 1:], R[..., 1:], P[..., 1:]  # background excluded');
    const snr = num(cfg['smooth-nr']);
    const sdr = num(cfg['smooth-dr']);
    const frac = (i, rp) =>
      cfg.formula === 'seed' ? `2.0 * (${i} + ${snr}) / (${rp} + ${sdr})` : `(2.0 * ${i} + ${snr}) / (${rp} + ${sdr})`;
    if (cfg.kind === 'gdl') {
      if (cfg.weights === 'square') L.push('    R2 = R * R');
      const raw = { square: d.reciprocal('R2'), simple: d.reciprocal('R'), uniform: d.ones('R') }[cfg.weights];
      L.push(`    w = ${raw}  # 1/0 = inf for a class absent from the unit's truth`);
      L.push('    # A class absent from the unit\'s truth gets the largest finite weight of the unit (0 if none).');
      L.push(`    finite = ${d.isfinite('w')}`);
      L.push(`    w_max = ${d.maxKeep(d.where('finite', 'w', d.zeros('w')))}`);
      L.push(`    w = ${d.constant(d.where('finite', 'w', `w_max * ${d.ones('w')}`))}  # constants: no gradient`);
      L.push(`    num = ${d.sum('w * I', '-1')}`);
      L.push(`    den = ${d.sum('w * (R + P)', '-1')}`);
      L.push(`    terms = 1.0 - ${frac('num', 'den')}  # one per unit`);
    } else {
      L.push(`    terms = 1.0 - ${frac('I', 'R + P')}  # one per (unit, class)`);
    }
    L.push(`    dice = ${cfg.reduction === 'sum' ? d.sumAll('terms') : d.mean('terms')}`);
  }
  if (ce) {
    if (cfg.activation === 'softmax') {
      L.push(`    nll = ${d.log('s[..., 0]')} + m[..., 0] - ${d.gather('z', 'y')}  # log-sum-exp`);
    } else {
      L.push(`    nll = ${d.softplus(`-${d.gather('z', 'y')}`)}  # -log sigmoid(z_y)`);
    }
    L.push(`    nll_sum = ${d.sumAll(`nll * ${d.floatOf('valid')}`)}`);
    const mean = cfg.kind === 'dice+ce' || cfg.reduction === 'mean';
    L.push(mean ? `    ce = nll_sum / ${d.maximum1(d.count('valid'))}` : '    ce = nll_sum');
  }
  L.push(`    return ${[dice ? 'dice' : null, ce ? 'ce' : null].filter(Boolean).join(' + ')}`);
  return `${L.join('\n')}\n`;
}

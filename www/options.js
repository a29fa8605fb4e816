// The option table: every option a visitor can set, with its type, default and allowed values. It
// drives the controls, the URL hash, the embed `hide` list and the configuration sent to Rust (which
// validates it again: this table only keeps the page from sending what Rust would refuse).
//
// `path` is where the value goes in the Rust `SessionConfig` (serde, kebab-case names). `ab` marks
// what run B may differ in; `restart` what needs new runs even so (the others apply mid-run).

/** @typedef {{key: string, group: string, label: string, type: 'enum'|'bool'|'number'|'int',
 *   values?: string[], min?: number, max?: number, step?: number, log?: boolean, default: any,
 *   path: string[], help: string, ab?: boolean, restart?: boolean}} Option */

/** @type {Option[]} */
export const OPTIONS = [
  // The loss: every option of shared/spec/losses.md. `ab: true` marks what an A/B pair may differ in.
  { key: 'loss', group: 'loss', label: 'Loss', type: 'enum', values: ['dice', 'gdl', 'ce', 'dice+ce'], default: 'dice', path: ['loss', 'kind'], help: 'Soft Dice, Generalized Dice (Sudre), cross-entropy, or both', ab: true },
  { key: 'formula', group: 'loss', label: 'Smoothing formula', type: 'enum', values: ['corrected', 'seed'], default: 'corrected', path: ['loss', 'formula'], help: 'corrected: 1 − (2I+s)/(R+P+s); seed (the question\'s bug): 1 − 2(I+s)/(R+P+s)', ab: true },
  { key: 'weights', group: 'loss', label: 'Class weights (GDL)', type: 'enum', values: ['square', 'simple', 'uniform'], default: 'square', path: ['loss', 'weights'], help: '1/R², 1/R or 1, multiplied into the sums before the division', ab: true },
  { key: 'reduction', group: 'loss', label: 'Reduction', type: 'enum', values: ['mean', 'sum'], default: 'mean', path: ['loss', 'reduction'], help: 'Mean or sum of the per-class (or per-image) terms', ab: true },
  { key: 'agg', group: 'loss', label: 'Aggregation', type: 'enum', values: ['global', 'per-image'], default: 'global', path: ['loss', 'aggregation'], help: 'Sums over the whole batch, or per image', ab: true },
  { key: 'squared', group: 'loss', label: 'Squared denominator', type: 'bool', default: false, path: ['loss', 'squared'], help: 'Σp² in the denominator (V-Net)', ab: true },
  { key: 'smooth', group: 'loss', label: 'Smoothing s', type: 'number', min: 0, max: 100, step: 'any', default: 1, path: ['loss', 'smooth-nr'], help: 'Added to numerator and denominator', ab: true },
  { key: 'act', group: 'loss', label: 'Activation', type: 'enum', values: ['softmax', 'sigmoid'], default: 'softmax', path: ['loss', 'activation'], help: 'Softmax over classes or a sigmoid per class', ab: true },
  { key: 'bg', group: 'loss', label: 'Include background', type: 'bool', default: true, path: ['loss', 'include-background'], help: 'Whether class 0 takes part in the loss', ab: true },
  // The data.
  { key: 'classes', group: 'data', label: 'Classes', type: 'int', min: 2, max: 8, default: 6, path: ['data', 'classes'], help: 'Materials, class 0 is the background' },
  { key: 'size', group: 'data', label: 'Image size', type: 'int', min: 32, max: 128, step: 16, default: 48, path: ['data', 'size'], help: 'Height and width in pixels' },
  { key: 'imbalance', group: 'data', label: 'Imbalance', type: 'number', min: 1, max: 1000, log: true, default: 10, path: ['data', 'imbalance'], help: 'Share of the most frequent class over the rarest' },
  { key: 'rare', group: 'data', label: 'Rare class mostly absent', type: 'bool', default: true, path: ['data', 'rare-absent'], help: 'The last class appears in one image in five' },
  { key: 'noise', group: 'data', label: 'Noise', type: 'number', min: 0, max: 0.5, step: 0.01, default: 0.05, path: ['data', 'noise'], help: 'Pixel noise' },
  { key: 'labels', group: 'data', label: 'Annotation', type: 'enum', values: ['sparse-ignore', 'sparse', 'full'], default: 'sparse-ignore', path: ['data', 'annotation'], help: 'sparse-ignore: a few parallelograms labelled per image, the rest ignored (the question\'s annotation); sparse: the rest labelled background; full: every pixel labelled', ab: true, restart: true },
  { key: 'polygons', group: 'data', label: 'Parallelograms per image', type: 'int', min: 1, max: 32, default: 4, path: ['data', 'polygons'], help: 'Labelled regions per image in the sparse modes' },
  // Training.
  { key: 'opt', group: 'train', label: 'Optimiser', type: 'enum', values: ['adam', 'sgd'], default: 'adam', path: ['optim', 'kind'], help: 'Adam or SGD with momentum 0.9', ab: true },
  { key: 'lr', group: 'train', label: 'Learning rate', type: 'number', min: 1e-5, max: 1, log: true, default: 0.01, path: ['optim', 'lr'], help: 'Step size', ab: true },
  { key: 'batch', group: 'train', label: 'Batch', type: 'int', min: 1, max: 16, default: 4, path: ['batch'], help: 'Images per step' },
  { key: 'width', group: 'train', label: 'Width', type: 'enum', values: ['16', '8', '32'], default: '16', path: ['width'], help: 'Hidden channels of TinySegNet' },
  { key: 'seed', group: 'train', label: 'Seed', type: 'int', min: 0, max: 4294967295, default: 1, path: ['seed'], help: 'Data, weights and batch order all follow from it' },
  { key: 'backend', group: 'train', label: 'Backend', type: 'enum', values: ['auto', 'webgpu', 'cpu'], default: 'auto', path: [], help: 'auto: WebGPU on a hardware GPU, else the CPU; webgpu: WebGPU even on a software adapter' },
];

/** The five presets of `dicelab train --preset`, as option values. */
export const PRESETS = {
  'seed-bug': { loss: 'dice', formula: 'seed', reduction: 'sum', agg: 'global', weights: 'square', squared: false, smooth: 1, act: 'softmax', bg: true },
  corrected: { loss: 'dice', formula: 'corrected', reduction: 'mean', agg: 'global', weights: 'square', squared: false, smooth: 1, act: 'softmax', bg: true },
  gdl: { loss: 'gdl', formula: 'corrected', reduction: 'mean', agg: 'global', weights: 'square', squared: false, smooth: 1, act: 'softmax', bg: true },
  'cross-entropy': { loss: 'ce', formula: 'corrected', reduction: 'mean', agg: 'global', weights: 'square', squared: false, smooth: 1, act: 'softmax', bg: true },
  'dice+ce': { loss: 'dice+ce', formula: 'corrected', reduction: 'mean', agg: 'global', weights: 'square', squared: false, smooth: 1, act: 'softmax', bg: true },
};

export const GROUPS = [
  { key: 'loss', label: 'Loss' },
  { key: 'data', label: 'Data' },
  { key: 'train', label: 'Training' },
];

/** Every other key the hash may carry (not options). */
export const EXTRA_KEYS = ['ab', 'hide', 'preset'];

export const BY_KEY = Object.fromEntries(OPTIONS.map((o) => [o.key, o]));

/** The default value of every option. */
export function defaults() {
  return Object.fromEntries(OPTIONS.map((o) => [o.key, o.default]));
}

/**
 * Parses and checks one option's raw (string or typed) value.
 * @returns {{value: any} | {error: string}}
 */
export function check(key, raw) {
  const o = Object.hasOwn(BY_KEY, key) ? BY_KEY[key] : null;
  if (!o) return { error: `unknown option '${String(key).slice(0, 40)}'` };
  const s = String(raw);
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  switch (o.type) {
    case 'enum':
      return o.values.includes(s) ? { value: s } : { error: `${o.label}: '${shown}' is not one of ${o.values.join(', ')}` };
    case 'bool':
      if (s === 'true' || s === '1') return { value: true };
      if (s === 'false' || s === '0') return { value: false };
      return { error: `${o.label}: '${shown}' is not true or false` };
    case 'int':
    case 'number': {
      const v = s.trim() === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) return { error: `${o.label}: '${shown}' is not a number` };
      if (o.type === 'int' && !Number.isInteger(v)) return { error: `${o.label}: ${v} is not a whole number` };
      if (v < o.min || v > o.max) return { error: `${o.label}: ${v} is outside ${o.min}–${o.max}` };
      return { value: v };
    }
    default:
      return { error: `${o.label}: unsupported type` };
  }
}

/** The loss part of a state, as the Rust `LossConfig` JSON. */
export function lossConfig(state) {
  return {
    kind: state.loss,
    formula: state.formula,
    weights: state.weights,
    reduction: state.reduction,
    aggregation: state.agg,
    squared: state.squared,
    'smooth-nr': state.smooth,
    'smooth-dr': state.smooth,
    activation: state.act,
    'ignore-index': 255,
    'include-background': state.bg,
  };
}

/** The Rust `SessionConfig` JSON for a state. */
export function sessionConfig(state) {
  const cfg = { optim: {}, data: {}, loss: {} };
  for (const o of OPTIONS) {
    if (o.path.length === 0) continue;
    let v = state[o.key];
    if (o.key === 'width') v = Number(v);
    let at = cfg;
    for (const p of o.path.slice(0, -1)) at = at[p];
    at[o.path[o.path.length - 1]] = v;
  }
  cfg.loss = lossConfig(state);
  return cfg;
}

/**
 * Why an option has no effect in a state (the control is then disabled and says so), or null. The
 * engine ignores these options in these cases; each reason names why.
 */
export function inactive(key, state) {
  if (state.loss === 'ce') {
    const why = {
      formula: 'Cross-entropy has no smoothing.',
      smooth: 'Cross-entropy has no smoothing.',
      weights: 'Cross-entropy weighs every labelled pixel alike.',
      agg: 'Cross-entropy sums over pixels, not units.',
      squared: 'Cross-entropy has no denominator.',
      bg: 'Cross-entropy counts every labelled pixel.',
    }[key];
    if (why) return why;
  }
  if (key === 'weights' && state.loss !== 'gdl') return 'Only Generalized Dice weights its classes.';
  if (key === 'reduction' && state.loss === 'gdl' && state.agg === 'global') return 'One unit (global): its sum and mean agree.';
  return null;
}

/** The preset a state's loss options equal, if any. */
export function presetOf(state) {
  return Object.keys(PRESETS).find((name) => Object.entries(PRESETS[name]).every(([k, v]) => state[k] === v)) ?? null;
}

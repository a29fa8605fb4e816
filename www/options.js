// The option table: every option a visitor can set, with its type, default and allowed values. It
// drives the controls, the URL hash, the embed `hide` list and the configuration sent to Rust (which
// validates it again: this table only keeps the page from sending what Rust would refuse). The table
// and the presets are generated from the Rust schema (`www/schema.js`, src/options/schema.rs).
//
// `paths` is where the value goes in the Rust `SessionConfig` (serde, kebab-case names). `ab` marks
// what run B may differ in; `restart` what needs new runs even so (the others apply mid-run).
import { OPTIONS, GROUPS, PRESETS, KINDS, LOSS_DEFAULTS } from './schema.js';

/** @typedef {{key: string, group: string, label: string, type: 'enum'|'bool'|'number'|'int',
 *   values?: string[], numeric?: boolean, min?: number, max?: number, step?: number, log?: boolean,
 *   default: any, paths: string[][], help: string, ab?: boolean, restart?: boolean}} Option */

export { OPTIONS, GROUPS, PRESETS, KINDS, LOSS_DEFAULTS };

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
  // Unset: the loss's own default (`null` in the engine's JSON).
  if (o.auto && (raw === null || s === '' || s === 'auto')) return { value: null };
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
      // Empty: also what a number field holds for text it cannot read.
      if (s.trim() === '') return { error: `${o.label}: no number given` };
      const v = Number(s);
      if (!Number.isFinite(v)) return { error: `${o.label}: '${shown}' is not a number` };
      if (o.type === 'int' && !Number.isInteger(v)) return { error: `${o.label}: ${v} is not a whole number` };
      if (v < o.min || v > o.max) return { error: `${o.label}: ${v} is outside ${o.min}–${o.max}` };
      return { value: v };
    }
    default:
      return { error: `${o.label}: unsupported type` };
  }
}

/**
 * Writes each option's value of `state` at its paths in `cfg`; `only` picks the options. An option
 * without effect in the state (`inactive`) is left at the engine's default: the engine is never
 * sent a value it would refuse for this loss (a variant the loss lacks, say).
 */
function place(cfg, state, only = () => true) {
  for (const o of OPTIONS) {
    if (!only(o) || inactive(o.key, state)) continue;
    let v = o.numeric ? Number(state[o.key]) : state[o.key];
    // A variant chosen for another loss: this loss's usual one.
    if (o.key === 'variant' && v !== variantOf(state)) v = null;
    for (const path of o.paths) {
      let at = cfg;
      for (const p of path.slice(0, -1)) at = at[p] ??= {};
      at[path[path.length - 1]] = v;
    }
  }
  return cfg;
}

/** The loss part of a state, as the Rust `LossConfig` JSON. */
export function lossConfig(state) {
  return place({ loss: { ...LOSS_DEFAULTS } }, state, (o) => o.paths[0]?.[0] === 'loss').loss;
}

/** The Rust `SessionConfig` JSON for a state. */
export function sessionConfig(state) {
  return place({ optim: {}, data: {}, loss: { ...LOSS_DEFAULTS } }, state);
}

/** The library variant in force for a state's loss (null: the loss has none). */
export function variantOf(state) {
  const k = KINDS[state.loss];
  return k?.variants.includes(state.variant) ? state.variant : (k?.usual ?? null);
}

/** The value in force for an unset (`auto`) option in a state, as text: the loss's own default. */
export function autoValue(key, state) {
  const k = KINDS[state.loss];
  const v = variantOf(state);
  if (key === 'variant') return v ?? 'none';
  if (key === 'alpha') return ['focal', 'dice+focal'].includes(state.loss) ? 'none' : String(k?.alpha[v] ?? '');
  if (key === 'gamma') return String(Number((k?.gamma[v] ?? NaN).toFixed(4)));
  return '';
}

const REGION = ['dice', 'gdl', 'dice+ce', 'jaccard', 'tversky', 'focal-tversky', 'dice+focal'];
const NAMES = {
  dice: 'Dice', gdl: 'Generalized Dice', ce: 'Cross-entropy', 'dice+ce': 'Dice + CE', jaccard: 'Jaccard',
  tversky: 'Tversky', 'focal-tversky': 'Focal Tversky', focal: 'Focal loss', lovasz: 'Lovász', 'dice+focal': 'Dice + focal',
};

/**
 * Why an option has no effect in a state (the control is then disabled and says so, and the engine
 * is sent its default), or null. The rules follow the engine's (src/loss/validate.rs): an option a
 * loss has no form for is refused there and inactive here.
 */
export function inactive(key, state) {
  const kind = state.loss;
  const name = NAMES[kind] ?? kind;
  const variant = variantOf(state);
  const has = (...kinds) => kinds.includes(kind);
  switch (key) {
    case 'variant':
      if (!KINDS[kind]?.variants.length) return `${name} has no library variants.`;
      if (KINDS[kind].variants.length === 1) return `${name} is SMP's formula only.`;
      return null;
    case 'formula':
      if (!has('dice', 'gdl', 'dice+ce', 'dice+focal')) return `${name} has no seed/corrected choice.`;
      if (variant === 'smp') return 'SMP\'s Dice has the corrected placement.';
      return null;
    case 'weights':
      return kind === 'gdl' ? null : 'Only Generalized Dice weights its classes.';
    case 'reduction':
      return kind === 'gdl' && state.agg === 'global' ? 'One unit (global): its sum and mean agree.' : null;
    case 'agg':
      return has('ce', 'focal') ? `${name} sums over pixels, not units.` : null;
    case 'squared':
      if (has('gdl', 'dice+ce')) return null;
      if (has('dice', 'jaccard', 'dice+focal') && variant === 'monai') return null;
      return `${name}${variant ? ` (${variant})` : ''} has no squared denominator.`;
    case 'smooth':
      return REGION.includes(kind) ? null : `${name} has no smoothing.`;
    case 'act':
      return kind === 'focal' ? 'The focal loss uses its own activation (below).' : null;
    case 'bg':
      return kind === 'ce' ? 'Cross-entropy counts every labelled pixel.' : null;
    case 'alpha':
      return has('tversky', 'focal-tversky', 'focal', 'dice+focal') ? null : `${name} has no α.`;
    case 'beta':
      return has('tversky', 'focal-tversky') ? null : `${name} has no β.`;
    case 'gamma':
      return has('focal', 'focal-tversky', 'dice+focal') ? null : `${name} has no γ.`;
    case 'log':
      if (has('dice', 'jaccard', 'tversky') || (kind === 'focal-tversky' && variant === 'smp')) return null;
      return `${name}${kind === 'focal-tversky' ? ' (paper)' : ''} has no −log form.`;
    case 'focal-act':
      if (kind === 'dice+focal') return 'Its focal term is the sigmoid form.';
      if (kind !== 'focal') return `${name} has no focal term.`;
      return state.bg ? null : 'A softmax focal loss needs the background class.';
    case 'lambda-dice':
    case 'lambda-focal':
      return kind === 'dice+focal' ? null : 'Only Dice + focal weighs two terms.';
    case 'classes':
      return state.source === 'yours' ? 'Your painting sets the classes.' : null;
    case 'imbalance':
    case 'rare':
    case 'noise':
    case 'polygons':
      return state.source === 'yours' ? 'Your image has its own pixels and labels.' : null;
    default:
      return null;
  }
}

/** The preset a state's loss options equal, if any. */
export function presetOf(state) {
  return Object.keys(PRESETS).find((name) => Object.entries(PRESETS[name]).every(([k, v]) => state[k] === v)) ?? null;
}

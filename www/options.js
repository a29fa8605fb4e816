// The option table: every option a visitor can set, with its type, default and allowed values. It
// drives the controls, the URL hash, the embed `hide` list and the configuration sent to Rust (which
// validates it again: this table only keeps the page from sending what Rust would refuse). The table
// and the presets are generated from the Rust schema (`www/schema.js`, src/options/schema.rs).
//
// `paths` is where the value goes in the Rust `SessionConfig` (serde, kebab-case names). `ab` marks
// what run B may differ in; `restart` what needs new runs even so (the others apply mid-run).
import { OPTIONS, GROUPS, PRESETS, LOSS_DEFAULTS } from './schema.js';

/** @typedef {{key: string, group: string, label: string, type: 'enum'|'bool'|'number'|'int',
 *   values?: string[], numeric?: boolean, min?: number, max?: number, step?: number, log?: boolean,
 *   default: any, paths: string[][], help: string, ab?: boolean, restart?: boolean}} Option */

export { OPTIONS, GROUPS, PRESETS };

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

/** Writes each option's value of `state` at its paths in `cfg`; `only` picks the options. */
function place(cfg, state, only = () => true) {
  for (const o of OPTIONS) {
    if (!only(o)) continue;
    const v = o.numeric ? Number(state[o.key]) : state[o.key];
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

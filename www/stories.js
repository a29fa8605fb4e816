// The stories: one claim each, told as a one-click A/B from the same data and initial weights, with
// what to look for and what was measured. A story is a URL hash (`#story=smoothing`); options in the
// same hash refine it. With no hash the page tells the first one: the question's own situation.
//
// `a` and `b` are option values over the page's defaults (B starts from A). The figures in the texts
// come from `cargo xtask stories` (tools/stories.mjs: `dicelab experiment --runs` over 5 seeds),
// which writes story_figures.js (and the default story's share, story_default.js: the texts of
// the other stories and their figures, story_texts.js, load when one is first told);
// tests/js/stories.test.mjs fails when those are stale.

import { PRESETS, defaults } from './options.js';
import { DEFAULT_FIGURES } from './story_default.js';

/**
 * @typedef {{miou: number, sd: number, min: number, max: number, never: Array<[number, number]>,
 *   perSeed: number[]}} RunFigures
 * @typedef {{key: string, title: string, a: object, b: object, aLabel: string, bLabel: string,
 *   text?: (f: {a: RunFigures, b: RunFigures, steps: number, seeds: number}) => string}} Story
 *   (`text`: the default story's; the others' are in story_texts.js)
 */

const m = (r) => `${r.miou.toFixed(2)} ± ${r.sd.toFixed(2)}`;
/** "Measured over 5 seeds, 300 steps: A … B …", the mean mIoU ± sd and the classes lost. */
export const measured = (f) => `Measured over ${f.seeds} seeds, ${f.steps} steps each: A mIoU ${m(f.a)}, ${lost(f.a, f.seeds)}; B ${m(f.b)}, ${lost(f.b, f.seeds)}.`;
/** "classes 4, 5 never predicted in 5/5, 4/5 seeds", or that every class was predicted. */
export function lost(r, seeds) {
  const often = r.never.filter(([, k]) => 2 * k > seeds);
  if (!often.length) return 'every class predicted in most seeds';
  return `class${often.length > 1 ? 'es' : ''} ${often.map(([c]) => c).join(', ')} never predicted in most seeds`;
}

/** @type {Story[]} */
export const STORIES = [
  {
    key: 'question',
    title: 'The question',
    aLabel: 'the question\'s Dice',
    bLabel: 'cross-entropy',
    a: PRESETS['seed-bug'],
    b: PRESETS['cross-entropy'],
    text: (f) => `The question's setting: a few parallelograms labelled per image, the rest ignored, the small classes rare. A trains with the question's Dice loss (smoothed as 1 − 2(I+1)/(R+P+1), the class terms summed), B with cross-entropy. Watch the "predicted" columns: cross-entropy finds the small classes, the question's Dice does not. ${measured(f)}`,
  },
  {
    key: 'smoothing',
    title: 'Smoothing placement',
    aLabel: 'seed formula',
    bLabel: 'corrected formula',
    a: { ...PRESETS.corrected, formula: 'seed' },
    b: PRESETS.corrected,
  },
  {
    key: 'sum-sgd',
    title: 'Sum vs mean, SGD',
    aLabel: 'sum over classes',
    bLabel: 'mean over classes',
    a: { ...PRESETS.corrected, reduction: 'sum', opt: 'sgd' },
    b: { ...PRESETS.corrected, reduction: 'mean', opt: 'sgd' },
  },
  {
    key: 'sum-adam',
    title: 'Sum vs mean, Adam',
    aLabel: 'sum over classes',
    bLabel: 'mean over classes',
    a: { ...PRESETS.corrected, reduction: 'sum' },
    b: PRESETS.corrected,
  },
  {
    key: 'weights-smoothing',
    title: 'Sudre\'s weights and the smoothing',
    aLabel: '1/R², smoothing 1',
    bLabel: '1/R², smoothing 1e-5',
    a: { ...PRESETS.gdl, lr: 0.001 },
    b: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5 },
  },
  {
    key: 'weights-uniform',
    title: 'Sudre\'s weights vs none',
    aLabel: '1/R² weights',
    bLabel: 'uniform weights',
    a: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5 },
    b: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5, weights: 'uniform' },
  },
  {
    key: 'dice-ce',
    title: 'Dice vs Dice + CE',
    aLabel: 'corrected Dice',
    bLabel: 'Dice + cross-entropy',
    a: PRESETS.corrected,
    b: PRESETS['dice+ce'],
  },
  {
    key: 'other-losses',
    title: 'Which loss keeps the small classes?',
    aLabel: 'Tversky, β > α',
    bLabel: 'focal loss',
    a: PRESETS['tversky-fn'],
    b: PRESETS.focal,
  },
  {
    key: 'labelling',
    title: 'Unlabelled is not background',
    aLabel: 'rest labelled background',
    bLabel: 'rest ignored',
    a: { ...PRESETS['cross-entropy'], labels: 'sparse' },
    b: { ...PRESETS['cross-entropy'], labels: 'sparse-ignore' },
  },
];

export const BY_STORY = Object.fromEntries(STORIES.map((s) => [s.key, s]));
/** The step every story's figures were measured at, where its runs pause. */
export const MEASURED_STEPS = DEFAULT_FIGURES.steps;
export const DEFAULT_STORY = STORIES[0].key;

/** Both runs' option values of a story, over the page's defaults. */
export function storyStates(story) {
  const a = { ...defaults(), ...story.a };
  return { a, b: { ...a, ...story.b } };
}

/** A text with its measured figures `f` (one story's, with steps and seeds), or null without. */
export const render = (text, f, all) => (f ? text({ ...f, steps: all.steps, seeds: all.seeds.length }) : null);

/** A story's text with its measured figures (a promise), or null where none were measured. */
export function storyText(story) {
  if (story.text) return Promise.resolve(render(story.text, DEFAULT_FIGURES.stories[story.key], DEFAULT_FIGURES));
  return import('./story_texts.js').then((m) => m.storyText(story.key));
}

// The stories: one claim each, told as a one-click A/B from the same data and initial weights, with
// what to look for and what was measured. A story is a URL hash (`#story=smoothing`); options in the
// same hash refine it. With no hash the page tells the first one: the question's own situation.
//
// `a` and `b` are option values over the page's defaults (B starts from A). The figures in the texts
// come from `cargo xtask stories` (tools/stories.mjs: `dicelab experiment --runs` over 5 seeds),
// which writes story_figures.js; tests/js/stories.test.mjs fails when those are stale.

import { PRESETS, defaults } from './options.js';
import { FIGURES } from './story_figures.js';

/**
 * @typedef {{miou: number, sd: number, min: number, max: number, never: Array<[number, number]>,
 *   perSeed: number[]}} RunFigures
 * @typedef {{key: string, title: string, a: object, b: object, aLabel: string, bLabel: string,
 *   text: (f: {a: RunFigures, b: RunFigures, steps: number, seeds: number}) => string}} Story
 */

const m = (r) => `${r.miou.toFixed(2)} ± ${r.sd.toFixed(2)}`;
/** "Measured over 5 seeds, 300 steps: A … B …", the mean mIoU ± sd and the classes lost. */
const measured = (f) => `Measured over ${f.seeds} seeds, ${f.steps} steps each: A mIoU ${m(f.a)}, ${lost(f.a, f.seeds)}; B ${m(f.b)}, ${lost(f.b, f.seeds)}.`;
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
    text: (f) => `Only where the 2 sits differs: A computes 1 − 2(I+s)/(R+P+s), B 1 − (2I+s)/(R+P+s); both average the class terms. Under A, a class absent from a batch's truth and prediction scores 1 − 2s/s = −1 instead of 0, so never predicting a small class lowers the loss. ${measured(f)}`,
  },
  {
    key: 'sum-sgd',
    title: 'Sum vs mean, SGD',
    aLabel: 'sum over classes',
    bLabel: 'mean over classes',
    a: { ...PRESETS.corrected, reduction: 'sum', opt: 'sgd' },
    b: { ...PRESETS.corrected, reduction: 'mean', opt: 'sgd' },
    text: (f) => `Summing the per-class terms (A) instead of averaging them (B) multiplies the loss and its gradient by the number of classes. Under SGD the step is the learning rate times the gradient, so A's steps are 6 times B's (6 classes here), as if its learning rate were 6 times larger. ${measured(f)}`,
  },
  {
    key: 'sum-adam',
    title: 'Sum vs mean, Adam',
    aLabel: 'sum over classes',
    bLabel: 'mean over classes',
    a: { ...PRESETS.corrected, reduction: 'sum' },
    b: PRESETS.corrected,
    text: (f) => `The same pair under Adam, which divides each step by the gradient's own running scale: a constant factor on the loss all but cancels, so the two runs nearly coincide. "The summed loss makes the gradients explode" is only half the story: true under SGD, not under Adam. ${measured(f)}`,
  },
  {
    key: 'weights-smoothing',
    title: 'Sudre\'s weights and the smoothing',
    aLabel: '1/R², smoothing 1',
    bLabel: '1/R², smoothing 1e-5',
    a: { ...PRESETS.gdl, lr: 0.001 },
    b: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5 },
    text: (f) => `Generalized Dice with Sudre's weights 1/R²: the weighted sums are of the order of 1/R, far below 1, so a smoothing of 1 dominates the ratio and the gradient all but vanishes (A): the "collapse" the question saw. A small smoothing (B) lets the weights act. Both at learning rate 0.001: at 0.01 neither learns here. ${measured(f)}`,
  },
  {
    key: 'weights-uniform',
    title: 'Sudre\'s weights vs none',
    aLabel: '1/R² weights',
    bLabel: 'uniform weights',
    a: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5 },
    b: { ...PRESETS.gdl, lr: 0.001, smooth: 1e-5, weights: 'uniform' },
    text: (f) => `Generalized Dice with a small smoothing, weighted by 1/R² (A) or not at all (B). Unweighted, the pooled sums count each class by its pixels, so the ratio is driven by whichever classes the net already predicts in bulk; weighted by 1/R², each class counts about equally in the ratio. ${measured(f)}`,
  },
  {
    key: 'dice-ce',
    title: 'Dice vs Dice + CE',
    aLabel: 'corrected Dice',
    bLabel: 'Dice + cross-entropy',
    a: PRESETS.corrected,
    b: PRESETS['dice+ce'],
    text: (f) => `The corrected Dice alone (A) against the same Dice plus cross-entropy (B). Cross-entropy gives every labelled pixel its own gradient, whatever its class's size; Dice weighs whole classes, and a class that is rare in a batch gives it little to hold on to. ${measured(f)}`,
  },
  {
    key: 'other-losses',
    title: 'Which loss keeps the small classes?',
    aLabel: 'Tversky, β > α',
    bLabel: 'focal loss',
    a: PRESETS['tversky-fn'],
    b: PRESETS.focal,
    text: (f) => `The usual advice for a Dice loss that loses small classes: weigh false negatives more (Tversky, α = 0.3, β = 0.7: A), or switch to a per-pixel loss that focuses on the hard pixels (focal, γ = 2: B). On the question's data, A is still a region loss over the whole batch: a class that is rare in the batch has little to hold on to, and the extra weight on its false negatives does not bring it back. B, like cross-entropy, gives every labelled pixel its own gradient. ${measured(f)}`,
  },
  {
    key: 'labelling',
    title: 'Unlabelled is not background',
    aLabel: 'rest labelled background',
    bLabel: 'rest ignored',
    a: { ...PRESETS['cross-entropy'], labels: 'sparse' },
    b: { ...PRESETS['cross-entropy'], labels: 'sparse-ignore' },
    text: (f) => `The same parallelograms, the same cross-entropy; A labels every unannotated pixel as background (about 90% of the pixels), B ignores them. A's labels say "background" almost everywhere, and the network learns exactly that: no loss can fix the labels. ${measured(f)}`,
  },
];

export const BY_STORY = Object.fromEntries(STORIES.map((s) => [s.key, s]));
export const DEFAULT_STORY = STORIES[0].key;

/** Both runs' option values of a story, over the page's defaults. */
export function storyStates(story) {
  const a = { ...defaults(), ...story.a };
  return { a, b: { ...a, ...story.b } };
}

/** A story's text with its measured figures, or null where none were measured. */
export function storyText(story) {
  const f = FIGURES.stories[story.key];
  return f ? story.text({ ...f, steps: FIGURES.steps, seeds: FIGURES.seeds.length }) : null;
}

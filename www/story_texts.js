// The texts of the stories other than the default (www/stories.js), with their measured figures:
// loaded when one of them is first told, so that a first visit does not download them.

import { measured, render } from './stories.js';
import { FIGURES } from './story_figures.js';

const TEXTS = {
  'smoothing': (f) => `Only where the 2 sits differs: A computes 1 − 2(I+s)/(R+P+s), B 1 − (2I+s)/(R+P+s); both average the class terms. Under A, a class absent from a batch's truth and prediction scores 1 − 2s/s = −1 instead of 0, so never predicting a small class lowers the loss. ${measured(f)}`,
  'sum-sgd': (f) => `Summing the per-class terms (A) instead of averaging them (B) multiplies the loss and its gradient by the number of classes. Under SGD the step is the learning rate times the gradient, so A's steps are 6 times B's (6 classes here), as if its learning rate were 6 times larger. ${measured(f)}`,
  'sum-adam': (f) => `The same pair under Adam, which divides each step by the gradient's own running scale: a constant factor on the loss all but cancels (all but Adam's small ε, which does not scale). The two runs start out as one and part only slowly, as training amplifies that small difference; which of them ends ahead changes from seed to seed. "The summed loss makes the gradients explode" is only half the story: true under SGD, not under Adam. ${measured(f)}`,
  'weights-smoothing': (f) => `Generalized Dice with Sudre's weights 1/R²: the weighted sums are of the order of 1/R, far below 1, so a smoothing of 1 dominates the ratio and the gradient all but vanishes (A): the "collapse" the question saw. A small smoothing (B) lets the weights act. Both at learning rate 0.001: at 0.01 neither learns here. ${measured(f)}`,
  'weights-uniform': (f) => `Generalized Dice with a small smoothing, weighted by 1/R² (A) or not at all (B). Unweighted, the pooled sums count each class by its pixels, so the ratio is driven by whichever classes the net already predicts in bulk; weighted by 1/R², each class counts about equally in the ratio. ${measured(f)}`,
  'dice-ce': (f) => `The corrected Dice alone (A) against the same Dice plus cross-entropy (B). Cross-entropy gives every labelled pixel its own gradient, whatever its class's size; Dice weighs whole classes, and a class that is rare in a batch gives it little to hold on to. ${measured(f)}`,
  'other-losses': (f) => `The usual advice for a Dice loss that loses small classes: weigh false negatives more (Tversky, α = 0.3, β = 0.7: A), or switch to a per-pixel loss that focuses on the hard pixels (focal, γ = 2: B). On the question's data, A is still a region loss over the whole batch: a class that is rare in the batch has little to hold on to, and the extra weight on its false negatives does not bring it back. B, like cross-entropy, gives every labelled pixel its own gradient. ${measured(f)}`,
  'labelling': (f) => `The same parallelograms, the same cross-entropy; A labels every unannotated pixel as background (about 90% of the pixels), B ignores them. A's labels say "background" almost everywhere, and the network learns exactly that: no loss can fix the labels. ${measured(f)}`,
};

/** Story `key`'s text with its figures, or null where none were measured. */
export const storyText = (key) => (TEXTS[key] ? render(TEXTS[key], FIGURES.stories[key], FIGURES) : null);

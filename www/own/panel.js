// The page's "Your own image" section: loads the painting editor (editor.js, with the IndexedDB
// store that brings the painting back after a reload) when the section comes near the screen, when
// the URL asks for your image, or when the visitor opens it; hands the painting to new runs; says
// whether the runs train on the painting as it is now. Loaded on first use: a first visit does not
// download it.

import { createEditor } from './editor.js';
import { createStore } from './store.js';

const hexRgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));

/**
 * The section's controller.
 * @param {{container: HTMLElement, status: HTMLElement, train: HTMLButtonElement,
 *   onTrain: () => void}} opts
 */
export function ownPanel({ container, status, train, onTrain }) {
  // The section's full note, once the visitor is near it.
  const note = document.getElementById('own-note');
  if (note) note.textContent = 'Open a photo and paint a few regions per class, as the question\'s author annotated theirs (three clicks make a parallelogram); the net then trains on random crops of it with the options above, and predicts it whole. Nothing is uploaded: the image and its labels stay in this browser.';
  let version = 0; // bumped by every change of the painting
  let running = null; // the version the current runs train on, or null (they train on scenes)
  const editor = createEditor(container, { store: createStore(), onChange: () => { version += 1; refresh(); } });
  // Only after a kept painting is restored does "train" mean that painting.
  train.hidden = false;
  train.disabled = true;
  editor.ready.then(refresh);

  function refresh() {
    const problem = editor.problem();
    train.disabled = Boolean(problem);
    train.textContent = running === null ? 'Train on this image' : 'Train again on this painting';
    if (problem) status.textContent = `To train: ${problem}.`;
    else if (running === null) status.textContent = '';
    else status.textContent = running === version ? 'The runs above train on this painting.' : 'You changed the painting since the runs above started.';
  }
  train.addEventListener('click', onTrain);

  return {
    /**
     * The painting for new runs, `{image, colors, names, started}`, or `{problem}` (one line); fits
     * the runs' configurations (`configs`) to it.
     */
    async take(configs) {
      await editor.ready;
      const problem = editor.problem();
      if (problem) return { problem };
      const { width, height, rgb } = editor.getImage();
      const classes = editor.classes();
      const at = version;
      // The painting sets the classes; a crop never exceeds the image.
      for (const cfg of configs) {
        cfg.data.classes = classes.length;
        cfg.data.size = Math.min(cfg.data.size, height, width);
      }
      return {
        image: { height, width, classes: classes.length, rgb, labels: editor.getLabels() },
        colors: classes.map((c) => hexRgb(c.color)),
        names: classes.map((c) => c.name),
        started: () => { running = at; refresh(); },
      };
    },
    /** The runs now train on the synthetic scenes. */
    scenes() {
      running = null;
      refresh();
    },
    editor,
  };
}

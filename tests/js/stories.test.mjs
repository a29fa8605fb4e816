// The stories: their measured figures (www/story_figures.js) are those of the current story
// configurations, the default story shows what the question saw, each text renders, and one seed
// retrained by the CLI gives the recorded result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { STORIES, DEFAULT_STORY, storyText, lost } from '../../www/stories.js';
import { FIGURES } from '../../www/story_figures.js';
import { DEFAULT_FIGURES } from '../../www/story_default.js';
import { stale, storyConfigs, defaultShare, STEPS } from '../../tools/stories.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.DICELAB_BIN ?? resolve(ROOT, 'target/debug/dicelab');

test('the recorded figures are those of the current stories', () => {
  assert.deepEqual(stale(FIGURES), [], 'run cargo xtask stories');
  assert.ok(FIGURES.seeds.length >= 5, 'at least 5 seeds');
  // The default story's share, which a first visit loads, is a copy of its figures.
  assert.deepEqual(DEFAULT_FIGURES, defaultShare(FIGURES), 'run node tools/stories.mjs --split');
});

test('every story has a text with its figures', async () => {
  for (const s of STORIES) {
    const text = await storyText(s);
    assert.ok(text && text.length > 100, s.key);
    assert.doesNotMatch(text, /undefined|NaN|null/, s.key);
    assert.match(text, /Measured over \d+ seeds/, s.key);
  }
});

test('the default story shows what the question saw', () => {
  const f = FIGURES.stories[DEFAULT_STORY];
  const seeds = FIGURES.seeds.length;
  // Cross-entropy (B): every class predicted and mIoU in the question's range (0.44) or better in
  // at least 4 of 5 seeds. A class missed in k seeds counts k: the sum bounds the seeds with a miss.
  const missed = f.b.never.reduce((n, [, k]) => n + k, 0);
  assert.ok(missed <= seeds - 4, `cross-entropy misses classes: ${JSON.stringify(f.b.never)}`);
  assert.ok(f.b.perSeed.filter((x) => x >= 0.44).length >= 4, `cross-entropy mIoU ${f.b.perSeed}`);
  // The question's Dice (A): lower in every seed, and the two smallest classes lost in most.
  f.a.perSeed.forEach((x, i) => assert.ok(x < f.b.perSeed[i], `seed ${FIGURES.seeds[i]}: ${x} vs ${f.b.perSeed[i]}`));
  assert.doesNotMatch(lost(f.a, seeds), /every class/);
  for (const c of [4, 5]) assert.ok(f.a.never.some(([k, n]) => k === c && n > seeds / 2), `class ${c} kept by the seed Dice`);
});

test('one seed of the default story, retrained by the CLI, gives the recorded result', () => {
  const cfg = storyConfigs()[DEFAULT_STORY];
  const runs = [{ name: 'a', config: cfg.a }, { name: 'b', config: cfg.b }];
  const out = execFileSync(BIN, ['experiment', '--runs', '-', '--json', '--steps', String(STEPS), '--first-seed', String(FIGURES.seeds[0]), '--seeds', '1'], { input: JSON.stringify(runs) });
  const result = JSON.parse(out.toString());
  const f = FIGURES.stories[DEFAULT_STORY];
  for (const [i, id] of ['a', 'b'].entries()) {
    const miou = result.runs[i].result.Ok.miou;
    // Bit-identical wherever the CLI runs (the kernels' arithmetic is fixed by the shapes); the
    // loss's f64 logarithms come from the platform's math library, whose last bit may differ.
    assert.ok(Math.abs(miou - f[id].perSeed[0]) < 0.05, `${id}: ${miou} vs recorded ${f[id].perSeed[0]}`);
  }
});

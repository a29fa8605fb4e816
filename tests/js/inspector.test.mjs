// The gradient inspector's terms (www/formula.js) are the engine's: for each region loss and
// variant, the term of one class whose region of m pixels is predicted at p, present or absent,
// equals the term `dicelab loss` reports for that class; the focal term of one pixel equals its
// share of the CLI's focal loss. The inspector's curves are slopes of these terms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { regionTerm, focalTerm, inspectorApplies } from '../../www/formula.js';
import { defaults, lossConfig, variantOf } from '../../www/options.js';
import { cliFlags } from '../../www/codegen.js';
import { writeNpy } from '../../www/own/npy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.DICELAB_BIN ?? resolve(ROOT, 'target/debug/dicelab');
const dir = mkdtempSync(join(tmpdir(), 'dicelab-inspector-'));

/** Class 1's report from `dicelab loss` on one row of `labels` with class-1 probabilities `ps`. */
function cli(state, ps, labels) {
  const z = new Float64Array(ps.length * 2);
  // Two classes: p1 = sigmoid(z1 − z0) under the softmax, sigmoid(z1) per class: z0 = 0 gives both.
  ps.forEach((p, i) => { z[2 * i + 1] = p > 0 ? Math.log(p / (1 - p)) : -40; });
  writeFileSync(join(dir, 'z.npy'), writeNpy('<f8', [1, 1, ps.length, 2], z));
  writeFileSync(join(dir, 'y.npy'), writeNpy('<i8', [1, 1, ps.length], BigInt64Array.from(labels, BigInt)));
  const out = execFileSync(BIN, ['loss', '--logits', join(dir, 'z.npy'), '--labels', join(dir, 'y.npy'), ...cliFlags(lossConfig(state))], { encoding: 'utf8' });
  return JSON.parse(out).units[0].classes[1];
}

const close = (got, want, what) => assert.ok(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);

test('the inspector\'s region terms are the engine\'s', () => {
  const states = [
    { loss: 'dice', variant: 'smp' }, { loss: 'dice', variant: 'smp', log: true },
    { loss: 'jaccard', variant: 'smp' }, { loss: 'jaccard', variant: 'monai' }, { loss: 'jaccard', variant: 'monai', squared: true },
    { loss: 'tversky', variant: 'smp', alpha: 0.3, beta: 0.7 }, { loss: 'tversky', variant: 'monai', alpha: 0.7, beta: 0.3, smooth: 0.5 },
    { loss: 'focal-tversky', variant: 'smp', gamma: 2 }, { loss: 'focal-tversky', variant: 'paper', gamma: 1.5 },
    { loss: 'dice', formula: 'seed' }, { loss: 'dice+focal', variant: 'monai' },
  ].map((s) => ({ ...defaults(), act: 'sigmoid', ...s }));
  const m = 5;
  for (const state of states) {
    assert.ok(inspectorApplies(state), state.loss);
    for (const p of [0.05, 0.3, 0.8]) {
      for (const present of [true, false]) {
        const ps = [...Array(m).fill(p), 0, 0, 0];
        const got = cli(state, ps, present ? [1, 1, 1, 1, 1, 0, 0, 0] : Array(8).fill(0));
        // SMP's focal Tversky raises the mean of the terms; the class's own term comes before it.
        const ft = state.loss === 'focal-tversky' && variantOf(state) === 'smp';
        const term = got.term ?? got.dice; // Part 1's Dice term is `dice`
        const want = ft ? term ** state.gamma : term;
        close(regionTerm(state, present, p, m), want, `${JSON.stringify(state.loss)} ${variantOf(state)} p=${p} r=${present ? 1 : 0}`);
      }
    }
  }
});

test('the inspector\'s focal term is the engine\'s', () => {
  for (const s of [{ alpha: 0.25, gamma: 2 }, { alpha: null, gamma: 0.5 }, { alpha: 0.6, gamma: 3 }]) {
    const state = { ...defaults(), loss: 'focal', ...s };
    for (const p of [0.1, 0.5, 0.9]) {
      for (const present of [true, false]) {
        // One pixel, two classes: class 1's share of the focal loss is its term over N·C = 2.
        const got = cli(state, [p], [present ? 1 : 0]);
        close(focalTerm(state, present, p), 2 * got.focal, `focal ${JSON.stringify(s)} p=${p} r=${present ? 1 : 0}`);
      }
    }
  }
  assert.equal(inspectorApplies({ ...defaults(), loss: 'lovasz' }), false);
  assert.equal(inspectorApplies({ ...defaults(), loss: 'ce' }), false);
});

// The generated NumPy code is a correct implementation of the spec: for every combination of
// options it returns the loss `dicelab loss` prints, on random inputs with ignored pixels, an absent
// class and an all-ignored image. Skipped, with the reason printed, where Python or NumPy is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from '../../www/codegen.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.DICELAB_BIN ?? resolve(ROOT, 'target/debug/dicelab');

function configs() {
  const out = [];
  for (const kind of ['dice', 'gdl', 'ce', 'dice+ce']) {
    for (const formula of ['seed', 'corrected']) {
      for (const weights of kind === 'gdl' ? ['square', 'simple', 'uniform'] : ['square']) {
        for (const reduction of ['sum', 'mean']) {
          for (const aggregation of ['global', 'per-image']) {
            for (const squared of [false, true]) {
              for (const activation of ['softmax', 'sigmoid']) {
                for (const bg of [true, false]) {
                  out.push({
                    kind, formula, weights, reduction, aggregation, squared, activation,
                    'smooth-nr': 0.5, 'smooth-dr': 1.5, 'ignore-index': 255, 'include-background': bg,
                  });
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

function cliArgs(cfg, logits, labels) {
  const a = ['loss', '--logits', logits, '--labels', labels, '--loss', cfg.kind, '--formula', cfg.formula,
    '--weights', cfg.weights, '--reduction', cfg.reduction, '--activation', cfg.activation,
    '--smooth-nr', String(cfg['smooth-nr']), '--smooth-dr', String(cfg['smooth-dr'])];
  if (cfg.aggregation === 'per-image') a.push('--per-image');
  if (cfg.squared) a.push('--squared');
  if (!cfg['include-background']) a.push('--no-background');
  return a;
}

function numpyMissing() {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error) return `python3 cannot run (${r.error.message})`;
  if (r.status !== 0) return 'NumPy is not installed (pip install numpy)';
  return null;
}

test('generated NumPy code equals dicelab loss for every option combination', (t) => {
  const why = numpyMissing() ?? (existsSync(BIN) ? null : `no dicelab binary at ${BIN} (cargo build first)`);
  if (why) {
    console.log(`# SKIPPED: ${why}`);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dicelab-codegen-'));
  const logits = join(dir, 'logits.npy');
  const labels = join(dir, 'labels.npy');
  // B=3, 5×4, C=4: class 3 absent from the truth, a few ignored pixels, image 2 all ignored.
  execFileSync('python3', ['-c', `
import numpy as np
rng = np.random.default_rng(5)
np.save(${JSON.stringify(logits)}, rng.normal(scale=2.0, size=(3, 5, 4, 4)).astype(np.float32))
y = rng.integers(0, 3, size=(3, 5, 4)).astype(np.uint8)
y[0, 1, 2] = 255; y[1, 4, 0] = 255; y[2] = 255
np.save(${JSON.stringify(labels)}, y)
`]);
  const cfgs = configs();
  const module = cfgs.map((cfg, i) => generate('numpy', cfg).replace('def loss(', `def loss_${i}(`)).join('\n\n');
  writeFileSync(join(dir, 'generated.py'), module);
  const runner = `
import json, sys
import numpy as np
sys.path.insert(0, ${JSON.stringify(dir)})
import generated
z = np.load(${JSON.stringify(logits)}); y = np.load(${JSON.stringify(labels)})
print(json.dumps([float(getattr(generated, f"loss_{i}")(z, y)) for i in range(${cfgs.length})]))
`;
  const numpy = JSON.parse(execFileSync('python3', ['-W', 'error', '-c', runner], { encoding: 'utf8' }));
  assert.equal(numpy.length, cfgs.length);
  cfgs.forEach((cfg, i) => {
    const out = execFileSync(BIN, cliArgs(cfg, logits, labels), { encoding: 'utf8' });
    const want = JSON.parse(out).loss;
    const tol = 1e-9 * Math.max(1, Math.abs(want));
    assert.ok(Math.abs(numpy[i] - want) <= tol, `${JSON.stringify(cfg)}: numpy ${numpy[i]} vs dicelab ${want}`);
  });
});

test('every framework gets code for every configuration', () => {
  for (const lang of ['numpy', 'pytorch', 'tensorflow']) {
    for (const cfg of configs()) {
      const code = generate(lang, cfg);
      assert.match(code, /^def loss\(logits, labels\):$/m);
      assert.doesNotMatch(code, /undefined|NaN/, `${lang} ${JSON.stringify(cfg)}`);
    }
  }
});

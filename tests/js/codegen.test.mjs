// The generated NumPy code is a correct implementation of the spec: for every combination of
// options it returns the loss `dicelab loss` prints, on random inputs with ignored pixels, an absent
// class and an all-ignored image. Every form (NumPy, PyTorch, Keras) parses as Python, takes the
// configuration as its parameters' defaults and links to the page with that configuration in the
// hash. Skipped, with the reason printed, where Python or NumPy is absent. (The PyTorch and Keras
// forms run in their frameworks in `cargo xtask verify-exports`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate, pageLink, exported, LANGUAGES } from '../../www/codegen.js';
import { parseHash } from '../../www/hash.js';
import { OPTIONS, defaults, inactive, lossConfig } from '../../www/options.js';
import { writeNpy } from '../../www/own/npy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, process.env.DICELAB_BIN ?? 'target/debug/dicelab');
const BASE = 'https://example.org/dicelab/';

/** The grid's configurations exported as code. */
const configs = () => allConfigs().filter(exported);

/**
 * Every combination of the page's loss menus and checkboxes (from the option table), with s_nr = 0.5
 * and s_dr = 1.5. An option the page marks as without effect in a combination takes a value other than
 * its default (so the code is checked to ignore it), and the duplicates this makes are dropped.
 */
function allConfigs() {
  const swept = OPTIONS.filter((o) => o.paths[0]?.[0] === 'loss' && (o.type === 'enum' || o.type === 'bool'));
  const valuesOf = (o) => (o.type === 'bool' ? [false, true] : o.auto ? [null, ...o.values] : o.values);
  let states = [defaults()];
  for (const o of swept) states = states.flatMap((s) => valuesOf(o).map((v) => ({ ...s, [o.key]: v })));
  const seen = new Map();
  for (const s of states) {
    const t = { ...s };
    for (const o of swept) if (inactive(o.key, s)) t[o.key] = valuesOf(o).find((v) => v !== o.default);
    const cfg = { ...lossConfig(t), 'smooth-nr': 0.5, 'smooth-dr': 1.5 };
    seen.set(JSON.stringify(cfg), cfg);
  }
  const all = [...seen.values()];
  // Part 2's numbers off their defaults, on every 5th configuration (α and β apart, so a swap shows).
  const numbers = { alpha: 0.3, beta: 0.7, gamma: 1.5, 'lambda-dice': 0.5, 'lambda-focal': 2, eps: 1e-3 };
  const part2 = all.filter((c, i) => !['dice', 'gdl', 'ce', 'dice+ce'].includes(c.kind) && i % 5 === 0);
  return [...all, ...part2.map((c) => ({ ...c, ...numbers }))];
}

/** The grid's configurations that are not exported as code (Part 2's losses, SMP's Dice, −log). */
function cliOnlyConfigs() {
  return allConfigs().filter((c) => !exported(c));
}

function cliArgs(cfg, logits, labels) {
  const a = ['loss', '--logits', logits, '--labels', labels, '--loss', cfg.kind, '--formula', cfg.formula,
    '--weights', cfg.weights, '--reduction', cfg.reduction, '--activation', cfg.activation,
    '--smooth-nr', String(cfg['smooth-nr']), '--smooth-dr', String(cfg['smooth-dr'])];
  if (cfg.aggregation === 'per-image') a.push('--per-image');
  if (cfg.squared) a.push('--squared');
  if (!cfg['include-background']) a.push('--no-background');
  // Part 2's options, where set.
  for (const k of ['variant', 'alpha', 'gamma']) if (cfg[k] !== null) a.push(`--${k}`, String(cfg[k]));
  a.push('--beta', String(cfg.beta), '--eps', String(cfg.eps), '--focal-activation', cfg['focal-activation']);
  a.push('--lambda-dice', String(cfg['lambda-dice']), '--lambda-focal', String(cfg['lambda-focal']));
  if (cfg['log-loss']) a.push('--log-loss');
  return a;
}

function numpyMissing() {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error) return `python3 cannot run (${r.error.message})`;
  if (r.status !== 0) return 'NumPy is not installed (pip install numpy)';
  return null;
}

test('generated NumPy code equals dicelab loss for every option combination, Part 2\'s losses included', (t) => {
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
  const cfgs = allConfigs();
  const module = cfgs.map((cfg, i) => generate('numpy', cfg, BASE).replace('def loss(', `def loss_${i}(`)).join('\n\n');
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

test('a loss not exported to PyTorch or Keras gets the dicelab command that computes it, and the command runs', (t) => {
  const why = existsSync(BIN) ? null : `no dicelab binary at ${BIN} (cargo build first)`;
  if (why) {
    console.log(`# SKIPPED: ${why}`);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dicelab-cli-form-'));
  // B=2, 4×3, C=3, label 2 absent, a few ignored pixels, written by the CLI's own .npy rules.
  const z = new Float32Array(2 * 4 * 3 * 3).map((_, i) => Math.sin(1.3 * i) * 2);
  const y = new Uint8Array(2 * 4 * 3).map((_, i) => (i % 7 === 0 ? 255 : i % 2));
  writeFileSync(join(dir, 'logits.npy'), writeNpy('<f4', [2, 4, 3, 3], z));
  writeFileSync(join(dir, 'labels.npy'), writeNpy('|u1', [2, 4, 3], y));
  const cfgs = cliOnlyConfigs();
  assert.ok(cfgs.length > 100, `${cfgs.length} configurations`);
  for (const cfg of cfgs) {
    for (const lang of ['pytorch', 'keras']) {
      const code = generate(lang, cfg, BASE);
      assert.match(code, /not exported as \w+ code yet/, lang);
    }
    const line = generate('pytorch', cfg, BASE).split('\n').find((l) => l.startsWith('#   dicelab loss '));
    const args = line.replace('#   dicelab ', '').split(' ');
    const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${line}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout).config.kind, cfg.kind, line);
  }
});

test('the tabs are NumPy, PyTorch and Keras', () => {
  assert.deepEqual(LANGUAGES, [{ key: 'numpy', name: 'NumPy' }, { key: 'pytorch', name: 'PyTorch' }, { key: 'keras', name: 'Keras' }]);
});

test('every form is self-contained and links to the page with its configuration', () => {
  for (const lang of ['numpy', 'pytorch', 'keras']) {
    for (const cfg of configs()) {
      const code = generate(lang, cfg, BASE);
      const what = `${lang} ${JSON.stringify(cfg)}`;
      assert.match(code, { numpy: /^def loss\(logits, labels,/m, pytorch: /^class \w+Loss\(nn\.Module\):$/m, keras: /^class \w+Loss\(keras\.losses\.Loss\):$/m }[lang], what);
      assert.doesNotMatch(code, /undefined|NaN|shared\/|\.md\b/, what);
      assert.match(code, /^# L = /m, what);
    }
  }
  // The page sets s_nr = s_dr and ignores label 255: such a configuration's link reproduces it.
  for (const cfg of configs().map((c) => ({ ...c, 'smooth-dr': c['smooth-nr'] }))) {
    const link = pageLink(cfg, BASE);
    assert.ok(link.startsWith(`${BASE}#`), link);
    // The same state as the configuration's: equal loss options (those without effect at defaults).
    const state = defaults();
    for (const o of OPTIONS) if (o.paths[0]?.[0] === 'loss') state[o.key] = cfg[o.paths[0][1]];
    assert.deepEqual(lossConfig(parseHash(new URL(link).hash).a), lossConfig(state), link);
    for (const lang of ['numpy', 'pytorch', 'keras']) assert.ok(generate(lang, cfg, BASE).includes(` ${link}\n`), `${lang}: ${link}`);
  }
  assert.equal(pageLink(configs()[0], BASE), null, 's_nr ≠ s_dr has no link');
  assert.throws(() => generate('tensorflow', configs()[0], BASE), /unknown language 'tensorflow'/);
  assert.throws(() => generate('numpy', configs()[0]), /base URL/);
});

test('every form parses as Python and its parameters default to the configuration', (t) => {
  const why = numpyMissing();
  if (why) {
    console.log(`# SKIPPED: ${why}`);
    t.skip(why);
    return;
  }
  const cfgs = configs();
  const sources = cfgs.flatMap((cfg) => ['numpy', 'pytorch', 'keras'].map((lang) => generate(lang, cfg, BASE)));
  // The defaults of `def loss(…)` or of the class's `__init__`, read with Python's own parser.
  const reader = `
import ast, json, sys
out = []
for src in json.load(sys.stdin):
    tree = ast.parse(src)
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name in ("loss", "__init__"))
    names = [a.arg for a in fn.args.args]
    out.append(dict(zip(names[len(names) - len(fn.args.defaults):], (ast.literal_eval(d) for d in fn.args.defaults))))
print(json.dumps(out))
`;
  const got = JSON.parse(execFileSync('python3', ['-c', reader], { input: JSON.stringify(sources), encoding: 'utf8' }));
  cfgs.forEach((cfg, i) => {
    const dice = cfg.kind !== 'ce';
    const want = {
      ...(dice ? {
        smooth_nr: cfg['smooth-nr'], smooth_dr: cfg['smooth-dr'], formula: cfg.formula,
        ...(cfg.kind === 'gdl' ? { w_type: cfg.weights } : {}),
        squared_pred: cfg.squared, include_background: cfg['include-background'], batch: cfg.aggregation === 'global',
      } : {}),
      reduction: cfg.reduction, sigmoid: cfg.activation === 'sigmoid', ignore_index: 255,
    };
    assert.deepEqual(got[3 * i], want, `numpy ${JSON.stringify(cfg)}`);
    assert.deepEqual(got[3 * i + 1], { ...want, channels_last: false }, `pytorch ${JSON.stringify(cfg)}`);
    const name = { dice: 'dice_loss', gdl: 'generalized_dice_loss', ce: 'cross_entropy_loss', 'dice+ce': 'dice_ce_loss' }[cfg.kind];
    assert.deepEqual(got[3 * i + 2], { ...want, from_logits: true, name, dtype: null }, `keras ${JSON.stringify(cfg)}`);
  });
});

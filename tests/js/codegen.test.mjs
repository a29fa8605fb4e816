// The generated NumPy code is a correct implementation of the spec: for every combination of
// options it returns the loss `dicelab loss` prints, on random inputs with ignored pixels, an absent
// class and an all-ignored image. Every form (NumPy, PyTorch, Keras) of every loss, Part 2's
// included, is code (not a command), parses as Python, takes the configuration as its parameters'
// defaults and links to the page with that configuration in the hash; a Part 2 header's `dicelab
// loss` command computes the same loss. Skipped, with the reason printed, where Python or NumPy is
// absent. (The PyTorch and Keras forms run in their frameworks in `cargo xtask verify-exports`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate, pageLink, LANGUAGES } from '../../www/codegen.js';
import { parseHash } from '../../www/hash.js';
import { OPTIONS, defaults, inactive, lossConfig } from '../../www/options.js';
import { writeNpy } from '../../www/own/npy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, process.env.DICELAB_BIN ?? 'target/debug/dicelab');
const BASE = 'https://example.org/dicelab/';

const PART1 = ['dice', 'gdl', 'ce', 'dice+ce'];

/** Whether `cfg` is docs/losses.md's Part 2 (its forms' header has the `dicelab loss` command). */
const part2 = (cfg) => !PART1.includes(cfg.kind) || cfg.variant === 'smp' || cfg['log-loss'];

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
  const others = all.filter((c, i) => !PART1.includes(c.kind) && i % 5 === 0);
  return [...all, ...others.map((c) => ({ ...c, ...numbers }))];
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

test('Part 2\'s PyTorch and Keras forms are code, and their header\'s dicelab command computes the same loss', (t) => {
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
  const cfgs = allConfigs().filter(part2);
  assert.ok(cfgs.length > 100, `${cfgs.length} configurations`);
  for (const cfg of cfgs) {
    const lines = ['numpy', 'pytorch', 'keras'].map((lang) => {
      const code = generate(lang, cfg, BASE);
      assert.doesNotMatch(code, /not exported/, lang);
      assert.match(code, { numpy: /^def loss\(/m, pytorch: /^class \w+Loss\(nn\.Module\):$/m, keras: /^class \w+Loss\(keras\.losses\.Loss\):$/m }[lang], lang);
      return code.split('\n').find((l) => l.startsWith('#   dicelab loss '));
    });
    assert.ok(lines[0] && lines.every((l) => l === lines[0]), `one command in every form: ${lines}`);
    const args = lines[0].replace('#   dicelab ', '').split(' ');
    const r = spawnSync(BIN, args, { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `${lines[0]}: ${r.stderr}`);
    // The same configuration as the grid's direct flags give.
    const direct = spawnSync(BIN, cliArgs(cfg, 'logits.npy', 'labels.npy'), { cwd: dir, encoding: 'utf8' });
    assert.equal(direct.status, 0, direct.stderr);
    assert.equal(JSON.parse(r.stdout).loss, JSON.parse(direct.stdout).loss, lines[0]);
  }
});

test('the tabs are NumPy, PyTorch and Keras', () => {
  assert.deepEqual(LANGUAGES, [{ key: 'numpy', name: 'NumPy' }, { key: 'pytorch', name: 'PyTorch' }, { key: 'keras', name: 'Keras' }]);
});

test('every form is self-contained and links to the page with its configuration', () => {
  for (const lang of ['numpy', 'pytorch', 'keras']) {
    for (const cfg of allConfigs()) {
      const code = generate(lang, cfg, BASE);
      const what = `${lang} ${JSON.stringify(cfg)}`;
      assert.match(code, { numpy: /^def loss\(logits, labels,/m, pytorch: /^class \w+Loss\(nn\.Module\):$/m, keras: /^class \w+Loss\(keras\.losses\.Loss\):$/m }[lang], what);
      assert.doesNotMatch(code, /undefined|NaN|shared\/|\.md\b/, what);
      assert.match(code, /^# L = /m, what);
    }
  }
  // The page sets s_nr = s_dr and ignores label 255: such a configuration's link reproduces it.
  for (const cfg of allConfigs().map((c) => ({ ...c, 'smooth-dr': c['smooth-nr'] }))) {
    const link = pageLink(cfg, BASE);
    assert.ok(link.startsWith(`${BASE}#`), link);
    // The same state as the configuration's: equal loss options (those without effect at defaults).
    const state = defaults();
    for (const o of OPTIONS) if (o.paths[0]?.[0] === 'loss') state[o.key] = cfg[o.paths[0][1]];
    assert.deepEqual(lossConfig(parseHash(new URL(link).hash).a), lossConfig(state), link);
    for (const lang of ['numpy', 'pytorch', 'keras']) assert.ok(generate(lang, cfg, BASE).includes(` ${link}\n`), `${lang}: ${link}`);
  }
  assert.equal(pageLink(allConfigs()[0], BASE), null, 's_nr ≠ s_dr has no link');
  assert.throws(() => generate('tensorflow', allConfigs()[0], BASE), /unknown language 'tensorflow'/);
  assert.throws(() => generate('numpy', allConfigs()[0]), /base URL/);
});

/** The parameters' defaults a Part 2 form must have for `cfg` (docs/losses.md 2.13's defaults). */
function part2Defaults(cfg) {
  const kind = cfg.kind;
  const variant = cfg.variant ?? { 'focal-tversky': 'smp', focal: 'smp', lovasz: 'smp' }[kind] ?? 'monai';
  const region = ['dice', 'jaccard', 'tversky', 'focal-tversky', 'dice+focal'].includes(kind);
  const focal = kind === 'focal' || kind === 'dice+focal';
  const want = {};
  if (region) Object.assign(want, { smooth_nr: cfg['smooth-nr'], smooth_dr: cfg['smooth-dr'] });
  if (kind === 'tversky' || kind === 'focal-tversky') Object.assign(want, { alpha: cfg.alpha ?? 0.5, beta: cfg.beta });
  if (focal) want.alpha = cfg.alpha;
  if (kind === 'focal-tversky') want.gamma = cfg.gamma ?? (variant === 'paper' ? 4 / 3 : 0.75);
  if (focal) want.gamma = cfg.gamma ?? 2;
  if (kind === 'dice+focal') Object.assign(want, { lambda_dice: cfg['lambda-dice'], lambda_focal: cfg['lambda-focal'] });
  if ((region && variant === 'smp') || cfg['log-loss']) want.eps = cfg.eps;
  if (kind !== 'focal') want.batch = cfg.aggregation === 'global';
  want.reduction = cfg.reduction;
  // The softmax focal loss needs class 0 (docs/losses.md 2.6).
  if (kind !== 'focal' || cfg['focal-activation'] !== 'softmax') want.include_background = cfg['include-background'];
  if (kind !== 'focal') want.sigmoid = cfg.activation === 'sigmoid';
  want.ignore_index = 255;
  return want;
}

test('every form parses as Python and its parameters default to the configuration', (t) => {
  const why = numpyMissing();
  if (why) {
    console.log(`# SKIPPED: ${why}`);
    t.skip(why);
    return;
  }
  const cfgs = allConfigs();
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
    const want = part2(cfg) ? part2Defaults(cfg) : {
      ...(dice ? {
        smooth_nr: cfg['smooth-nr'], smooth_dr: cfg['smooth-dr'], formula: cfg.formula,
        ...(cfg.kind === 'gdl' ? { w_type: cfg.weights } : {}),
        squared_pred: cfg.squared, include_background: cfg['include-background'], batch: cfg.aggregation === 'global',
      } : {}),
      reduction: cfg.reduction, sigmoid: cfg.activation === 'sigmoid', ignore_index: 255,
    };
    assert.deepEqual(got[3 * i], want, `numpy ${JSON.stringify(cfg)}`);
    assert.deepEqual(got[3 * i + 1], { ...want, channels_last: false }, `pytorch ${JSON.stringify(cfg)}`);
    const name = {
      dice: 'dice_loss', gdl: 'generalized_dice_loss', ce: 'cross_entropy_loss', 'dice+ce': 'dice_ce_loss', jaccard: 'jaccard_loss', tversky: 'tversky_loss',
      'focal-tversky': 'focal_tversky_loss', focal: 'focal_loss', lovasz: 'lovasz_softmax_loss', 'dice+focal': 'dice_focal_loss',
    }[cfg.kind];
    // The focal losses are defined on logits only (docs/losses.md 2.0): no from_logits.
    const logits = ['focal', 'dice+focal'].includes(cfg.kind) ? {} : { from_logits: true };
    assert.deepEqual(got[3 * i + 2], { ...want, ...logits, name, dtype: null }, `keras ${JSON.stringify(cfg)}`);
  });
});

// The page's option table and presets against the engine's own: the defaults of every page option
// equal what `dicelab train` uses with no flags, and each preset's loss options equal the CLI's
// preset of that name. The Rust definitions are the source; this fails when either side drifts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PRESETS, defaults, sessionConfig, lossConfig } from '../../www/options.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = process.env.DICELAB_BIN ?? resolve(ROOT, 'target/debug/dicelab');
// One tiny step: only the configuration the CLI reports is compared.
const TINY = ['--steps', '1', '--train-images', '1', '--val-images', '1', '--json'];
const cliConfig = (args) => JSON.parse(execFileSync(BIN, ['train', ...args, ...TINY]).toString()).config;

/** `b`'s values at the keys `a` has, recursively (the page sends only what it sets). */
function pick(a, b) {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k] !== null && typeof a[k] === 'object' ? pick(a[k], b?.[k]) : b?.[k]]));
}

test('the page\'s defaults are the engine\'s defaults', () => {
  const page = sessionConfig(defaults());
  const cli = cliConfig([]);
  // The CLI reports the images it was given (TINY); the page leaves their counts to the engine.
  assert.deepEqual(page, pick(page, cli));
});

test('each preset is the CLI\'s preset of that name', () => {
  for (const [name, options] of Object.entries(PRESETS)) {
    const page = lossConfig({ ...defaults(), ...options });
    assert.deepEqual(page, pick(page, cliConfig(['--preset', name]).loss), name);
  }
});

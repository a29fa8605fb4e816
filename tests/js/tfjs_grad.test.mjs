// The TensorFlow.js side of the benchmark (www/bench/tfjs_net.js) stays correct: its custom
// gradients (built from forward convs, or from the backprop kernels) equal tfjs's own autodiff on
// the cpu backend at a small size, the wasm backend's custom gradient equals the same, and every
// construction's first-step losses at the protocol's sizes equal the protocol's check values
// (shared/guides/bench-protocol.md). Runs in node with the npm packages `cargo xtask setup` installs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CONSTRUCTIONS, constructionsFor, makeModel } from '../../www/bench/tfjs_net.js';
import { CHECK, LAYERS } from '../../www/bench/protocol.js';

// Small enough for tfjs's cpu kernels, large enough that the dilated layer's padding and interior
// both matter (12 > 2 × its reach of 2).
const SMALL = { batch: 2, size: 12 };

async function use(backend) {
  if (backend === 'wasm') tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  assert.ok(await tf.setBackend(backend), `tfjs backend ${backend}`);
  await tf.ready();
}

/** Loss and per-tensor gradients (w, b per layer) of `construction` on the current backend. */
async function gradients(construction, loss) {
  const m = makeModel(tf, { ...SMALL, loss, construction });
  try {
    return await m.lossAndGrads();
  } finally {
    m.dispose();
  }
}

/** max |a − b| over max |b|, and max |b| (so a gradient of zeros cannot pass). */
function relErr(a, b) {
  assert.equal(a.length, b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return [d / m, m];
}

const NAMES = LAYERS.flatMap((_, i) => [`w${i}`, `b${i}`]);

function assertClose(got, want, what) {
  assert.ok(Math.abs(got.loss - want.loss) < 1e-6, `${what}: loss ${got.loss} vs ${want.loss}`);
  got.grads.forEach((g, i) => {
    const [err, scale] = relErr(g, want.grads[i]);
    assert.ok(scale > 1e-6, `${what}: ∂L/∂${NAMES[i]} is all but zero (${scale})`);
    assert.ok(err < 1e-4, `${what}: ∂L/∂${NAMES[i]} off by ${err.toExponential(2)} of its largest value`);
  });
}

const reference = {};
before(async () => {
  await use('cpu');
  for (const loss of ['dice', 'ce']) reference[loss] = await gradients('autodiff', loss);
});

for (const loss of ['dice', 'ce']) {
  test(`tfjs custom gradients equal tfjs autodiff on the cpu backend (${loss})`, async () => {
    await use('cpu');
    assert.deepEqual(constructionsFor(tf), CONSTRUCTIONS, 'the cpu backend runs every construction');
    for (const c of ['custom-fwd', 'custom-bp']) assertClose(await gradients(c, loss), reference[loss], `cpu ${c}`);
  });

  test(`tfjs-wasm's custom gradient equals cpu autodiff (${loss})`, async () => {
    await use('wasm');
    assert.deepEqual(constructionsFor(tf), ['custom-fwd'], 'wasm lacks Conv2DBackpropFilter');
    assertClose(await gradients('custom-fwd', loss), reference[loss], 'wasm custom-fwd');
  });
}

test('tfjs first-step losses equal the protocol check values', async () => {
  // Training steps on wasm (the benchmark's backend) at both sizes; forward only on cpu, whose
  // kernels are slow at these sizes, for the two forward passes there are (FusedConv2D, and
  // conv2d + add + relu with the dilated layer through spaceToBatchND).
  const runs = [
    ['wasm', 'custom-fwd', 4, 48, 'dice'],
    ['wasm', 'custom-fwd', 4, 48, 'ce'],
    ['wasm', 'custom-fwd', 8, 64, 'dice'],
    ['wasm', 'custom-fwd', 8, 64, 'ce'],
    ['cpu', 'custom-fwd', 4, 48, 'dice'],
    ['cpu', 'autodiff', 4, 48, 'ce'],
  ];
  for (const [backend, construction, batch, size, loss] of runs) {
    await use(backend);
    const m = makeModel(tf, { batch, size, loss, construction });
    const want = CHECK[`${batch}x${size}`][loss];
    const what = `${backend} ${construction} ${batch}×${size} ${loss}`;
    if (backend === 'wasm') {
      const first = await m.step();
      assert.ok(Math.abs(first - want) < 1e-5, `${what}: ${first} vs ${want}`);
      // The update happened: the loss moved.
      const second = await m.step();
      assert.ok(Number.isFinite(second) && second !== first, `${what}: ${first} -> ${second}`);
    } else {
      const first = await m.loss();
      assert.ok(Math.abs(first - want) < 1e-5, `${what}: ${first} vs ${want}`);
    }
    m.dispose();
  }
});

test('a step leaks no tensors', async () => {
  await use('wasm');
  const m = makeModel(tf, { ...SMALL, loss: 'dice', construction: 'custom-fwd' });
  await m.step(); // Adam creates its slots on the first step.
  const n = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await m.step();
  assert.equal(tf.memory().numTensors, n);
  m.dispose();
});

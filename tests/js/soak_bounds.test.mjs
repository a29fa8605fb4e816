// The soak's checks (tests/soak/harness.mjs `failures`) on made-up results: a sound run passes, and
// each kind of breach — heap, wasm memory, a GPU buffer, a createBuffer call, a fallen rate, a run
// on the wrong backend, a console error — is reported, once, naming what broke.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failures, BOUNDS } from '../soak/harness.mjs';

const MiB = 1048576;
const point = (step) => ({
  step,
  workerHeap: 0.7 * MiB,
  pageHeap: 1.4 * MiB,
  wasmBytes: 2 * MiB,
  gpuBuffers: { a: 23 },
  createdBuffers: 40,
  backends: { a: 'gpu' },
});
const sound = () => ({ mode: 'gpu', steps: 3000, start: point(300), end: point(3000), rateStart: 6, rateEnd: 5.5, errors: [] });

test('a sound run passes', () => {
  assert.deepEqual(failures(sound()), []);
});

test('each breach is reported once', () => {
  const cases = [
    [(r) => { r.end.workerHeap += BOUNDS.workerHeapGrowth + 1; }, /workerHeap grew/],
    [(r) => { r.end.pageHeap += BOUNDS.pageHeapGrowth + 1; }, /pageHeap grew/],
    [(r) => { r.end.wasmBytes += BOUNDS.wasmSlack + BOUNDS.wasmPerStep * 2700 + 1; }, /wasm memory grew/],
    [(r) => { r.end.gpuBuffers.a += 1; }, /GPU buffers went 23 -> 24/],
    [(r) => { r.end.createdBuffers += 3; }, /createBuffer called 3 times/],
    [(r) => { r.rateEnd = 2.9; }, /steps\/s fell from 6.0 to 2.9/],
    [(r) => { r.rateEnd = NaN; }, /steps\/s fell/],
    [(r) => { r.end.backends.a = 'cpu'; }, /trains on cpu at the end/],
    [(r) => { r.errors.push('boom'); }, /console errors: boom/],
  ];
  for (const [breach, message] of cases) {
    const r = sound();
    breach(r);
    const f = failures(r);
    assert.equal(f.length, 1, `${message}: ${f}`);
    assert.match(f[0], message);
  }
});

test('within the bounds is not a breach', () => {
  const r = sound();
  r.end.workerHeap += BOUNDS.workerHeapGrowth;
  r.end.wasmBytes += BOUNDS.wasmSlack + BOUNDS.wasmPerStep * 2700;
  r.rateEnd = BOUNDS.rateFraction * r.rateStart;
  assert.deepEqual(failures(r), []);
});

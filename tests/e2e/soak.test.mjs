// The soak harness (tests/soak/harness.mjs) at ~300 steps per mode, with the same measurements and
// the same bounds as `cargo xtask soak`: the harness cannot rot, and a leak large enough to show in
// 300 steps (a GPU buffer per step, a growing heap) fails here already.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { soak, failures, MODES } from '../soak/harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const STEPS = 300;
let server;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

for (const mode of Object.keys(MODES)) {
  test(`soak harness, ${STEPS} steps (${mode})`, async () => {
    const r = await soak(server.url, mode, STEPS);
    console.log(`# ${mode}: worker heap ${r.start.workerHeap} -> ${r.end.workerHeap} B, GPU buffers ${JSON.stringify(r.start.gpuBuffers)} -> ${JSON.stringify(r.end.gpuBuffers)}, steps/s ${r.rateStart.toFixed(1)} -> ${r.rateEnd.toFixed(1)}`);
    assert.ok(r.steps >= STEPS, `stopped at step ${r.steps}`);
    assert.ok(r.start.workerHeap > 0 && r.start.pageHeap > 0 && r.start.wasmBytes > 0, 'nothing measured');
    assert.deepEqual(failures(r), []);
  });
}

// The soak harness (tests/soak/harness.mjs) for a few hundred steps per mode, with the same
// measurements and the same bounds as `cargo xtask soak`: the harness cannot rot, and a leak large
// enough to show that soon (a GPU buffer per step, a growing heap) fails here already. The rate
// windows are 150 steps (a quarter of the GPU mode's run), long enough to span several snapshots;
// the runs leave room for the steps trained while the start is measured (100–200 here). The GPU
// mode runs fewer steps (SwiftShader trains ~5 a second) to keep the whole file near a minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { serve } from './serve.mjs';
import { soak, failures, MODES } from '../soak/harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const STEPS = { cpu: 800, gpu: 120, ab: 800 };
let server;

before(async () => {
  server = await serve(resolve(ROOT, 'dist'));
});
after(async () => server.close());

for (const mode of Object.keys(MODES)) {
  const steps = STEPS[mode];
  test(`soak harness, ${steps} steps (${mode})`, async () => {
    const r = await soak(server.url, mode, steps, { windowSteps: Math.min(150, steps / 4) });
    console.log(`# ${mode}: worker heap ${r.start.workerHeap} -> ${r.end.workerHeap} B, GPU buffers ${JSON.stringify(r.start.gpuBuffers)} -> ${JSON.stringify(r.end.gpuBuffers)}, steps/s ${r.rateStart.toFixed(1)} -> ${r.rateEnd.toFixed(1)}`);
    assert.ok(r.steps >= steps, `stopped at step ${r.steps}`);
    assert.ok(r.start.workerHeap > 0 && r.start.pageHeap > 0 && r.start.wasmBytes > 0, 'nothing measured');
    assert.deepEqual(failures(r), []);
  });
}

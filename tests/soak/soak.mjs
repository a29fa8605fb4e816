// `cargo xtask soak`: long runs of the built page (dist/) in headless Chromium, one mode after the
// other (harness.mjs has the modes, what is measured and the bounds). Prints a table, writes
// target/soak/soak.json, and exits 1 if any run breaks a bound.
//
//   node tests/soak/soak.mjs [--steps N] [--backend cpu|gpu|all]
//
// Without --steps every mode runs 20,000 steps. On a machine without a GPU the GPU mode trains on
// SwiftShader (WebGPU emulated on the CPU) at the smallest size, ~10 steps/s: about 35 minutes of
// the whole run (README "Guarantees").
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '../e2e/serve.mjs';
import { soak, failures, BOUNDS } from './harness.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const DEFAULT_STEPS = { cpu: 20000, gpu: 20000, ab: 20000 };
const BACKENDS = { cpu: ['cpu', 'ab'], gpu: ['gpu'], all: ['cpu', 'gpu', 'ab'] };

function fail(message) {
  console.error(`soak: ${message}`);
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({ options: { steps: { type: 'string' }, backend: { type: 'string', default: 'all' } } }).values;
} catch (e) {
  fail(e.message);
}
const modes = BACKENDS[opts.backend] ?? fail(`--backend must be cpu, gpu or all, got '${opts.backend}'`);
const steps = opts.steps === undefined ? null : Number(opts.steps);
// A tenth of the run (at least 60 steps) warms up, then come the two rate windows of as much.
if (steps !== null && !(Number.isInteger(steps) && steps >= 1000 && steps <= 1e6)) {
  fail(`--steps must be a whole number in 1000..=1000000, got '${opts.steps}'`);
}

const mib = (b) => (b / 1048576).toFixed(2);
const server = await serve(resolve(ROOT, 'dist'));
const results = [];
try {
  for (const mode of modes) {
    const n = steps ?? DEFAULT_STEPS[mode];
    console.log(`soak: ${mode}, ${n} steps`);
    results.push(await soak(server.url, mode, n, { log: (l) => console.log(`soak: ${l}`) }));
  }
} finally {
  await server.close();
}

const rows = results.map((r) => [
  r.mode, r.steps, (r.seconds / 60).toFixed(1),
  `${mib(r.start.workerHeap)} → ${mib(r.end.workerHeap)}`,
  `${mib(r.start.pageHeap)} → ${mib(r.end.pageHeap)}`,
  `${mib(r.start.wasmBytes)} → ${mib(r.end.wasmBytes)}`,
  Object.keys(r.start.gpuBuffers).map((id) => `${r.start.gpuBuffers[id] ?? '-'} → ${r.end.gpuBuffers[id] ?? '-'}`).join(', '),
  r.end.createdBuffers - r.start.createdBuffers,
  `${r.rateStart.toFixed(1)} → ${r.rateEnd.toFixed(1)}`,
]);
const head = ['mode', 'steps', 'min', 'worker heap MiB', 'page heap MiB', 'wasm MiB', 'GPU buffers', 'createBuffer', 'steps/s'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));

const problems = results.flatMap(failures);
const out = resolve(ROOT, 'target/soak');
mkdirSync(out, { recursive: true });
const report = { date: new Date().toISOString(), bounds: BOUNDS, results, failures: problems };
writeFileSync(resolve(out, 'soak.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`soak: wrote ${resolve(out, 'soak.json')}`);
if (problems.length) {
  for (const p of problems) console.error(`soak: FAILED ${p}`);
  process.exit(1);
}
console.log('soak: every run within bounds');

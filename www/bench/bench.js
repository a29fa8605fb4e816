// bench.html's driver: one engine, one size, one loss per page load (a fresh page each), as the
// protocol says: the first step's loss against the protocol's check value, then warm-up steps and
// repetitions of timed steps, each awaited to completion; the median repetition's ms/step.
// An engine that cannot run here (dicelab-gpu without WebGPU) is skipped: benchResult.skipped says
// why. Query: ?engine=…&batch=4&size=48&loss=dice&warmup=5&reps=3&steps=30&rep_ms=…&construction=…
// (rep_ms caps one repetition's time for the slow backends; at least one step always runs;
// construction picks the TensorFlow.js network's construction, www/bench/tfjs_net.js; &profile=N
// times dicelab's step piece by piece over N more steps). dicelab's result also carries the
// same-run SIMD ceiling and the step's GFLOP/s against it. The result lands in
// window.benchResult and document.body.dataset.done.
import { CHECK } from './protocol.js';
import { GPU_CPU_TOLERANCE, Skip, load } from './engines.js';

const q = new URLSearchParams(location.search);
const num = (k, d) => (q.has(k) ? Number(q.get(k)) : d);
const opts = { batch: num('batch', 4), size: num('size', 48), loss: q.get('loss') ?? 'dice', construction: q.get('construction') ?? undefined, profile: num('profile', 0) };
const engine = q.get('engine') ?? 'dicelab';
const warmup = num('warmup', 5);
const reps = num('reps', 3);
const steps = num('steps', 30);
const repMs = num('rep_ms', Infinity);

/** Steps until `n` are done or `ms` have passed (at least one); resolves to [steps, ms, last loss]. */
async function timed(step, n, ms) {
  const t0 = performance.now();
  let done = 0;
  let last = NaN;
  while (done < n && (done === 0 || performance.now() - t0 < ms)) {
    last = await step();
    done++;
  }
  return [done, performance.now() - t0, last];
}

async function main() {
  const { info, step, reference, after } = await load(engine, opts);
  const first = await step();
  // performance.now() counts from navigation start.
  const loadToFirstMs = performance.now();
  const check = CHECK[`${opts.batch}x${opts.size}`]?.[opts.loss] ?? null;
  const [warm] = await timed(step, warmup - 1, repMs);
  const repsOut = [];
  let last = first;
  for (let r = 0; r < reps; r++) {
    const [n, ms, l] = await timed(step, steps, repMs);
    repsOut.push({ steps: n, msPerStep: ms / n });
    last = l;
  }
  const sorted = repsOut.map((x) => x.msPerStep).sort((a, b) => a - b);
  const msPerStep = sorted[Math.floor(sorted.length / 2)];
  // The GPU engine's first step against the CPU engine's, from the same weights and batch.
  const cpuFirst = reference ? await reference() : null;
  const extra = after ? await after(msPerStep) : {};
  const gpuCpu = reference
    ? { cpuFirst, gpuCpuDiff: Math.abs(first - cpuFirst), gpuCpuTolerance: GPU_CPU_TOLERANCE }
    : {};
  return {
    engine,
    ...opts,
    ...info,
    first,
    check,
    firstDiff: check === null ? null : Math.abs(first - check),
    lastLoss: last,
    loadToFirstMs,
    warmupSteps: warm + 1,
    reps: repsOut,
    msPerStep,
    stepsPerS: 1000 / msPerStep,
    ...gpuCpu,
    ...extra,
  };
}

const out = document.getElementById('out');
main()
  .then((r) => {
    window.benchResult = r;
    out.textContent = JSON.stringify(r, null, 2);
  })
  .catch((e) => {
    const why = String(e?.message ?? e);
    window.benchResult = { engine, ...opts, ...(e instanceof Skip ? { skipped: why } : { error: why }) };
    out.textContent = e instanceof Skip ? `skipped ${engine}: ${why}` : `error: ${why}`;
  })
  .finally(() => {
    document.body.dataset.done = '1';
  });

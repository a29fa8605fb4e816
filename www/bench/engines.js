// The engines bench.html can time: dicelab's wasm build on the CPU (`dicelab`: the build the
// playground loads in this browser, the relaxed-SIMD one where it runs; `dicelab-simd128`: the plain
// SIMD128 build) and on WebGPU (`dicelab-gpu`), and TensorFlow.js 4.22 on each backend, in one of the constructions of
// tfjs_net.js (`opts.construction`; default the first the backend can run). Each loader resolves to
// { info, step(), reference?(), after?(msPerStep) } where step() trains once and resolves to the loss
// before the update; after(), where present, adds figures measured after the timing; reference(), where present, resolves to the CPU engine's first-step loss, for the GPU's
// first-step check (called after the timing, so it costs the timed figures nothing). A loader
// rejects with a `Skip` where its engine cannot run here (no WebGPU, no adapter). TensorFlow.js is served by the benchmark server under /tfjs/ (from node_modules);
// it is never part of the playground's build.
import { constructionsFor, makeModel } from './tfjs_net.js';
import { startBuild } from '../fma.js';

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

/** Extra backend bundle, backend name, and environment flags of each tfjs engine. The union bundle
 * (`@tensorflow/tfjs`, with the cpu and webgl backends) comes first: tfjs-core's own bundle
 * registers no gradients, so it cannot train. */
const TFJS = {
  'tfjs-cpu': { backend: 'cpu' },
  'tfjs-wasm-simd': { bundle: 'wasm/tf-backend-wasm.es2017.min.js', backend: 'wasm', simd: true },
  'tfjs-wasm': { bundle: 'wasm/tf-backend-wasm.es2017.min.js', backend: 'wasm', simd: false },
  'tfjs-webgl': { backend: 'webgl' },
  'tfjs-webgpu': { bundle: 'webgpu/tf-backend-webgpu.es2017.min.js', backend: 'webgpu' },
};

export const ENGINES = ['dicelab', 'dicelab-simd128', 'dicelab-gpu', ...Object.keys(TFJS)];

/** An engine that cannot run in this browser; the page reports the reason instead of a figure. */
export class Skip extends Error {}

/** GPU and CPU first-step losses must agree within this (the protocol's first-step tolerance). */
export const GPU_CPU_TOLERANCE = 1e-5;

// The bench build (tools/variants.mjs): the playground's engine plus the protocol runs; its
// relaxed-SIMD twin where the browser runs it (as the playground chooses), unless `plain`; a twin
// that fails to load falls back to the plain build, as the playground's does. Resolves to
// [module, the build's name], so a fallback is reported as the build it ran.
async function wasm(plain = false) {
  const [mod, fused] = await startBuild(
    () => import('../../bench/dicelab.js'),
    plain ? null : () => import('../../bench-fma/dicelab.js'),
  );
  return [mod, fused ? 'relaxed SIMD' : 'SIMD128'];
}

/** The SIMD ceiling (`simdPeakRun`, src/bench/peak.rs) in GFLOP/s: rounds sized to ~25 ms a run,
 * the best of 5 (the fastest run is the one least disturbed by the machine). */
function simdPeakGflops(mod) {
  const time = (rounds) => {
    const t0 = performance.now();
    mod.simdPeakRun(rounds, 0.999, 0.001);
    return performance.now() - t0;
  };
  let rounds = 1 << 20;
  while (time(rounds) < 5 && rounds < 1 << 28) rounds *= 2;
  rounds = Math.max(rounds, Math.round((rounds * 25) / Math.max(time(rounds), 1)));
  let best = 0;
  for (let i = 0; i < 5; i++) best = Math.max(best, mod.simdPeakFlops(rounds) / time(rounds) / 1e6);
  return best;
}

async function dicelab({ batch, size, loss, profile }, plain = false) {
  const [mod, build] = await wasm(plain);
  const run = new mod.ProtocolRun(batch, size, loss);
  // After the timing: the same run's arithmetic against the ceiling, and (?profile=N) the step
  // taken apart over N steps after 3 warm-up steps (src/bench/profile.rs).
  const after = async (msPerStep) => {
    const peak = simdPeakGflops(mod);
    const flops = mod.stepFlops(batch, size);
    const gflops = flops / msPerStep / 1e6;
    const out = { simdPeakGflops: peak, stepGflop: flops / 1e9, gflops, pctOfPeak: (100 * gflops) / peak };
    if (profile > 0) {
      const p = new mod.StepProfile(batch, size, loss);
      for (let i = 0; i < 3; i++) p.step();
      p.free();
      const p2 = new mod.StepProfile(batch, size, loss);
      const t0 = performance.now();
      for (let i = 0; i < profile; i++) p2.step();
      const msProfiled = (performance.now() - t0) / profile;
      const ms = p2.msPerStep();
      out.profile = { steps: profile, msProfiled, pieces: Object.fromEntries(p2.names().map((n, i) => [n, ms[i]])) };
    }
    return out;
  };
  return { info: { backend: 'cpu (wasm)', construction: build }, step: async () => run.step(), after };
}

async function dicelabGpu({ batch, size, loss }) {
  const [mod] = await wasm();
  let run;
  try {
    run = await mod.GpuProtocolRun.create(batch, size, loss);
  } catch (e) {
    throw new Skip(`no WebGPU device: ${e?.message ?? e}`);
  }
  return {
    info: { backend: 'webgpu', adapter: run.adapter() },
    // Resolves once this step's loss has been read back from the GPU.
    step: () => run.stepAsync(),
    reference: async () => new mod.ProtocolRun(batch, size, loss).step(),
  };
}

async function tfjs(name, opts) {
  const spec = TFJS[name];
  await loadScript('/tfjs/union/tf.es2017.min.js');
  if (spec.bundle) await loadScript(`/tfjs/${spec.bundle}`);
  const tf = window.tf;
  if (spec.backend === 'wasm') {
    tf.wasm.setWasmPaths('/tfjs/wasm/');
    // No threads: the page is not cross-origin isolated, and the comparison is one thread to one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (!spec.simd) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  }
  const ok = await tf.setBackend(spec.backend);
  if (!ok || tf.getBackend() !== spec.backend) throw new Error(`tfjs backend ${spec.backend} did not start`);
  await tf.ready();
  const runs = constructionsFor(tf);
  if (opts.construction && !runs.includes(opts.construction)) {
    throw new Skip(`construction ${opts.construction} needs kernels tfjs-${spec.backend} lacks (it runs ${runs.join(', ')})`);
  }
  const model = makeModel(tf, opts);
  const info = { backend: tf.getBackend(), construction: model.construction, constructions: runs };
  if (spec.backend === 'wasm') info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { info, step: () => model.step() };
}

/** Loads engine `name` with the protocol's model for `opts` ({ batch, size, loss }). */
export function load(name, opts) {
  if (name === 'dicelab') return dicelab(opts);
  if (name === 'dicelab-simd128') return dicelab(opts, true);
  if (name === 'dicelab-gpu') return dicelabGpu(opts);
  if (TFJS[name]) return tfjs(name, opts);
  return Promise.reject(new Error(`unknown engine ${name}; one of ${ENGINES.join(', ')}`));
}

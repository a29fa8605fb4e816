// The engines bench.html can time: dicelab's wasm build and TensorFlow.js 4.22 on each backend.
// Each loader resolves to { info, step() } where step() trains once and resolves to the loss before
// the update. TensorFlow.js is served by the benchmark server under /tfjs/ (from node_modules);
// it is never part of the playground's build.
import { makeModel } from './tfjs_net.js';

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

export const ENGINES = ['dicelab', ...Object.keys(TFJS)];

async function dicelab({ batch, size, loss }) {
  const mod = await import('../../dicelab.js');
  await mod.default();
  const run = new mod.ProtocolRun(batch, size, loss);
  return { info: { backend: 'cpu (wasm)' }, step: async () => run.step() };
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
  const model = makeModel(tf, opts);
  const info = { backend: tf.getBackend(), customFilterGrad: model.customFilterGrad };
  if (spec.backend === 'wasm') info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { info, step: () => model.step() };
}

/** Loads engine `name` with the protocol's model for `opts` ({ batch, size, loss }). */
export function load(name, opts) {
  if (name === 'dicelab') return dicelab(opts);
  if (TFJS[name]) return tfjs(name, opts);
  return Promise.reject(new Error(`unknown engine ${name}; one of ${ENGINES.join(', ')}`));
}

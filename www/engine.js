// Which of the page's wasm builds a run trains in, each fetched and compiled at most once:
//   '../dicelab.js'        the WebGPU engine (wgpu and the WGSL kernels) with the CPU engine;
//   '../cpu/dicelab.js'    the CPU engine alone, ~56 KB (gzipped) lighter;
//   '../bench/dicelab.js'  the full engine (docs/losses.md Part 2's losses too), fetched only when a
//                          run asks for one of those, which the two above refuse.
// cpu/ and bench/ each have a twin built for relaxed SIMD (cpu-fma/, bench-fma/), fetched instead
// where the browser runs it (www/fma.js); a twin that fails to load falls back to its plain build.
// All export the same `Playground` API. The WebGPU build is fetched only where it can train: a
// WebGPU adapter exists and, in `auto`, is not a software one (the rule wgpu applies itself:
// `GPUAdapterInfo.isFallbackAdapter`). Elsewhere the CPU build trains, and says why it is not on
// the GPU (it asks WebGPU the same question).

import { startBuild } from './fma.js';

const loading = {}; // 'gpu' | 'cpu' | 'full' -> Promise<module>, dropped if it fails (a later start retries)
const loaded = {}; // 'gpu' | 'cpu' | 'full' -> module

/** Whether an engine error says the loss needs the full build (`ConfigError::NotInBuild`). */
export const needsFull = (e) => /not in this build of dicelab/.test(String(e?.message ?? e));

/** The full build: every loss, WebGPU where the browser has it. */
export const fullEngine = () => load('full');

/** Each build's glue module, imported by literal paths (the bundler keeps them external). */
const GLUE = {
  gpu: () => import('../dicelab.js'),
  cpu: () => import('../cpu/dicelab.js'),
  'cpu-fma': () => import('../cpu-fma/dicelab.js'),
  full: () => import('../bench/dicelab.js'),
  'full-fma': () => import('../bench-fma/dicelab.js'),
};

/** The build of `kind`, started: its relaxed-SIMD twin where the browser runs one. */
const start = async (kind) => (await startBuild(GLUE[kind], GLUE[`${kind}-fma`]))[0];

function load(kind) {
  loading[kind] ??= (async () => {
    const mod = await start(kind);
    loaded[kind] = mod;
    return mod;
  })().catch((e) => {
    delete loading[kind];
    throw e;
  });
  return loading[kind];
}

/** The adapter WebGPU offers this page, or null (no WebGPU, none offered, or the request failed). */
async function adapter() {
  try {
    return (await globalThis.navigator?.gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  } catch {
    return null;
  }
}

/** The build a run on `backend` ('gpu' | 'cpu' | 'auto') needs. A CPU run takes whichever build is
 * already loaded rather than fetch the other. Where the WebGPU build cannot be fetched or started,
 * the run falls back to the CPU build (which then says why it is not on the GPU). */
let adapterInfo = null; // GPUAdapterInfo of the adapter last offered, for its name

/**
 * A readable name for the WebGPU adapter the page was offered: its description, else its vendor and
 * architecture (what browsers expose), marked when it is a software one; null before any was asked.
 */
export function adapterName() {
  const i = adapterInfo;
  if (!i) return null;
  const name = i.description || [i.vendor, i.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
  return i.isFallbackAdapter ? `${name}, software` : name;
}

export async function engineFor(backend) {
  if (backend === 'cpu') return loaded.gpu ?? loaded.cpu ?? load('cpu');
  if (loaded.gpu) return loaded.gpu;
  const a = await adapter();
  adapterInfo = a?.info ?? null;
  if (!(a && (backend === 'gpu' || !a.info?.isFallbackAdapter))) return load('cpu');
  try {
    return await load('gpu');
  } catch (e) {
    console.warn(`dicelab: the WebGPU build did not start (${e?.message ?? e}); training on the CPU build`);
    return load('cpu');
  }
}

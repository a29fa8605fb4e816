// Which of the page's two wasm builds a run trains in, each fetched and compiled at most once:
//   '../dicelab.js'      the WebGPU engine (wgpu and the WGSL kernels) with the CPU engine;
//   '../cpu/dicelab.js'  the CPU engine alone, ~45 KB (gzipped) lighter.
// Both export the same `Playground` API. The WebGPU build is fetched only where it can train: a
// WebGPU adapter exists and, in `auto`, is not a software one (the rule wgpu applies itself:
// `GPUAdapterInfo.isFallbackAdapter`). Elsewhere the CPU build trains, and says why it is not on
// the GPU (it asks WebGPU the same question).

const modules = {}; // 'gpu' | 'cpu' -> Promise<module>

function load(kind) {
  modules[kind] ??= (async () => {
    const mod = await import(kind === 'gpu' ? '../dicelab.js' : '../cpu/dicelab.js');
    await mod.default();
    return mod;
  })();
  return modules[kind];
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
 * already loaded rather than fetch the other. */
export async function engineFor(backend) {
  if (backend === 'cpu') return modules.gpu ?? load('cpu');
  if (modules.gpu) return modules.gpu;
  const a = await adapter();
  const usable = a && (backend === 'gpu' || !a.info?.isFallbackAdapter);
  return load(usable ? 'gpu' : 'cpu');
}

// Whether this browser runs WebAssembly relaxed SIMD. Where it does, the page's CPU builds are
// fetched from cpu-fma/ and bench-fma/ (tools/variants.mjs): the same engine with the convolutions'
// multiply-adds fused (`f32x4.relaxed_madd`, one instruction where the CPU has FMA). A browser
// without it cannot even compile such a module, so it gets cpu/ and bench/: one build either way.

/** A one-function module using `f32x4.relaxed_madd`: it validates where relaxed SIMD runs. */
const PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32,
  0, 32, 0, 253, 133, 2, 11,
]);

/** Whether the browser validates relaxed SIMD (false where WebAssembly itself is missing). */
export const relaxedSimd = (() => {
  try {
    return WebAssembly.validate(PROBE);
  } catch {
    return false;
  }
})();

/**
 * Starts a build: its relaxed-SIMD twin where the browser runs one (`twin` imports its glue
 * module; null for none), else, or when the twin fails to load, the plain build (`plain`).
 * Resolves to [module, whether it is the twin].
 */
export async function startBuild(plain, twin) {
  if (twin && relaxedSimd) {
    try {
      const mod = await twin();
      await mod.default();
      return [mod, true];
    } catch (e) {
      console.warn(`dicelab: the relaxed-SIMD build did not start (${e?.message ?? e}); loading the plain one`);
    }
  }
  const mod = await plain();
  await mod.default();
  return [mod, false];
}

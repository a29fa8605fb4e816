// The benchmark protocol's random data and initial weights (shared/guides/bench-protocol.md), in
// JavaScript for the TensorFlow.js side; bit-identical to src/rng.rs, src/data/protocol.rs and the
// Glorot branch of src/net/init.rs, so both engines train the same network from the same batch.

export const CLASSES = 6;
export const WIDTH = 16;
export const DATA_SEED = 42;
export const WEIGHT_SEED = 1234;

/** First-step losses of the protocol, keyed `${batch}x${size}`. */
export const CHECK = {
  '4x48': { dice: 0.833099, ce: 1.79388 },
  '8x64': { dice: 0.833398, ce: 1.79459 },
};

/** TinySegNet's layers: kernel, dilation, in, out. */
export const LAYERS = [
  { k: 3, dilation: 1, cin: 3, cout: WIDTH },
  { k: 3, dilation: 1, cin: WIDTH, cout: WIDTH },
  { k: 3, dilation: 2, cin: WIDTH, cout: WIDTH },
  { k: 1, dilation: 1, cin: WIDTH, cout: CLASSES },
];

/** A mulberry32 stream: each call returns the next draw in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inputs (B, H, W, 3) and labels (B, H, W) of the protocol's data stream. */
export function batchData(batch, size) {
  const rng = mulberry32(DATA_SEED);
  const n = batch * size * size;
  const images = new Float32Array(n * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng();
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = Math.min(CLASSES - 1, Math.floor(CLASSES * rng()));
  return { images, labels };
}

/** Glorot-uniform HWIO weights of every layer, drawn layer after layer from one stream. */
export function glorotWeights() {
  const rng = mulberry32(WEIGHT_SEED);
  return LAYERS.map(({ k, cin, cout }) => {
    const lim = Math.sqrt(6 / (k * k * cin + k * k * cout));
    const w = new Float32Array(k * k * cin * cout);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng() - 1) * lim;
    return w;
  });
}

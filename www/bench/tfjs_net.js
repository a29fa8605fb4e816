// TinySegNet in TensorFlow.js (the global `tf`, 4.22), identical to dicelab's: the same layers,
// data, initial weights, losses and Adam settings, built as fast as tfjs allows. Each model is one
// of three constructions (the report names which), and bench.js times every one a backend can run:
//
// - `custom-fwd`: every 3×3 layer a tf.customGrad around the FusedConv2D kernel (conv + bias +
//   ReLU in one kernel, native dilation); its backward uses forward conv2d kernels only, so it runs
//   on tfjs-wasm, which registers no Conv2DBackpropFilter:
//     g  = dy · step(y)                        (ReLU layers; y is the saved output)
//     dx = conv2d(g, W flipped in ky and kx, in/out swapped, 'same', the layer's dilation)
//     dW = conv2d(pad(x) with batch and channels swapped (ci, H+2p, W+2p, B),
//                 g as a filter (H, W, B, co), stride = dilation, 'valid') → (ci, k, k, co) → HWIO
//     db = Σ g over B, H, W
//   since dW[ky,kx,ci,co] = Σ_{b,y,x} pad(x)[b, y+ky·d, x+kx·d, ci] · g[b,y,x,co].
// - `custom-bp`: the same fused forward; the backward of the dilation-1 layers through the
//   backend's Conv2DBackpropInput / Conv2DBackpropFilter kernels (what tfjs's own gradient of a
//   conv calls), the dilated layer's as in custom-fwd (those kernels take no dilation).
// - `autodiff`: tfjs's own gradients. tf.fused.conv2d does not fuse under a gradient tape (tfjs-core
//   fused_util `shouldFuse`: only a 'linear' activation fuses while recording), and tfjs has no
//   gradient for a dilated conv2d, so this is conv2d + add + relu per layer and the dilated layer as
//   pad → spaceToBatchND → conv2d 'valid' → batchToSpaceND, the same convolution.
// In all three the 1×1 output layer is a fused matMul with bias over the (B·H·W, 16) pixels, and
// the first layer computes no gradient for the input image.
import { CLASSES, LAYERS, batchData, glorotWeights } from './protocol.js';

/** Every construction, in the order the report lists them. */
export const CONSTRUCTIONS = ['custom-fwd', 'custom-bp', 'autodiff'];

const hasKernel = (tf, name) => Boolean(tf.getKernel(name, tf.getBackend()));

/** The constructions the current backend can run (the backprop kernels are not everywhere). */
export function constructionsFor(tf) {
  const bp = hasKernel(tf, 'Conv2DBackpropFilter') && hasKernel(tf, 'Conv2DBackpropInput');
  return CONSTRUCTIONS.filter((c) => c === 'custom-fwd' || bp);
}

/** conv + bias (+ ReLU) as one FusedConv2D kernel. Called through the engine because tf.fused.conv2d
 * falls back to separate ops whenever a gradient tape is recording. */
function fusedConv(tf, x, w, b, dilation, relu) {
  const attrs = {
    strides: [1, 1],
    pad: 'same',
    dataFormat: 'NHWC',
    dilations: [dilation, dilation],
    activation: relu ? 'relu' : 'linear',
  };
  return tf.engine().runKernel('FusedConv2D', { x, filter: w, bias: b }, attrs);
}

/** ∂L/∂W of a stride-1 'same' conv from forward conv kernels only (see the top of this file). */
function filterGradFwd(tf, x, g, k, dilation) {
  const p = (dilation * (k - 1)) / 2;
  const xp = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
  const byChannel = tf.transpose(xp, [3, 1, 2, 0]); // (ci, H+2p, W+2p, B)
  const filter = tf.transpose(g, [1, 2, 0, 3]); // (H, W, B, co)
  return tf.transpose(tf.conv2d(byChannel, filter, dilation, 'valid'), [1, 2, 0, 3]);
}

/** ∂L/∂x of a stride-1 'same' conv from a forward conv: the flipped, in/out-swapped kernel. */
function inputGradFwd(tf, g, w, dilation) {
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(g, flipped, 1, 'same', 'NHWC', dilation);
}

/** One 3×3 layer with a custom gradient: `layer(x, w, b)`, or `layer(w, b)` for the first layer
 * (`x` fixed: the image needs no gradient, and a custom gradient would compute one anyway). */
function customLayer(tf, { k, dilation }, relu, backprop, image) {
  const useBp = backprop && dilation === 1;
  const grads = (x, w, y, dy, needDx) => {
    const g = relu ? tf.mul(dy, tf.step(y)) : dy;
    const db = tf.sum(g, [0, 1, 2]);
    const conv = { strides: 1, pad: 'same', dataFormat: 'NHWC' };
    const dw = useBp
      ? tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { ...conv, filterShape: w.shape })
      : filterGradFwd(tf, x, g, k, dilation);
    if (!needDx) return [dw, db];
    const dx = useBp ? tf.conv2dTranspose(g, w, x.shape, 1, 'same') : inputGradFwd(tf, g, w, dilation);
    return [dx, dw, db];
  };
  if (image) {
    return tf.customGrad((w, b, save) => {
      const y = fusedConv(tf, image, w, b, dilation, relu);
      save([w, y]);
      return { value: y, gradFunc: (dy, [ws, ys]) => grads(image, ws, ys, dy, false) };
    });
  }
  return tf.customGrad((x, w, b, save) => {
    const y = fusedConv(tf, x, w, b, dilation, relu);
    save([x, w, y]);
    return { value: y, gradFunc: (dy, [xs, ws, ys]) => grads(xs, ws, ys, dy, true) };
  });
}

/** One 3×3 layer through tfjs's own gradients. */
function autodiffLayer(tf, x, w, b, { k, dilation }) {
  const activation = 'relu';
  if (dilation === 1) return tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: 'same', activation });
  const p = (dilation * (k - 1)) / 2;
  const padded = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]);
  const blocks = tf.spaceToBatchND(padded, [dilation, dilation], [[0, 0], [0, 0]]);
  // Bias and ReLU act per pixel, so they may run on the blocks before they are put back.
  const y = tf.fused.conv2d({ x: blocks, filter: w, bias: b, strides: 1, pad: 'valid', activation });
  return tf.batchToSpaceND(y, [dilation, dilation], [[0, 0], [0, 0]]);
}

/** The 1×1 output layer as a matMul over pixels (tfjs fuses a linear matMul + bias under a tape). */
function pointwise(tf, x, w, b) {
  const [n, h, wd, ci] = x.shape;
  const co = w.shape[3];
  const z = tf.fused.matMul({ a: tf.reshape(x, [n * h * wd, ci]), b: tf.reshape(w, [ci, co]), bias: b });
  return tf.reshape(z, [n, h, wd, co]);
}

/** A model over the protocol's batch with `construction` (default: the first the backend runs):
 * `step()` trains once and resolves to the loss before it; `loss()` and `lossAndGrads()` give the
 * loss (and ∂L/∂θ per layer) without updating (the gradient check). */
export function makeModel(tf, { batch, size, loss, construction }) {
  const chosen = construction ?? constructionsFor(tf)[0];
  if (!constructionsFor(tf).includes(chosen)) {
    throw new Error(`construction ${chosen} cannot run on tfjs-${tf.getBackend()} (it runs ${constructionsFor(tf).join(', ')})`);
  }
  const { images, labels } = batchData(batch, size);
  const x = tf.tensor4d(images, [batch, size, size, 3]);
  const onehot = new Float32Array(labels.length * CLASSES);
  labels.forEach((l, i) => {
    onehot[i * CLASSES + l] = 1;
  });
  const r = tf.tensor4d(onehot, [batch, size, size, CLASSES]);
  const weights = glorotWeights().map((w, i) => {
    const { k, cin, cout } = LAYERS[i];
    return { w: tf.variable(tf.tensor4d(w, [k, k, cin, cout])), b: tf.variable(tf.zeros([cout])) };
  });
  const hidden = LAYERS.slice(0, -1);
  const custom =
    chosen === 'autodiff' ? null : hidden.map((l, i) => customLayer(tf, l, true, chosen === 'custom-bp', i === 0 ? x : null));
  const forward = () => {
    let a = x;
    hidden.forEach((layer, i) => {
      const { w, b } = weights[i];
      if (custom) a = i === 0 ? custom[0](w, b) : custom[i](a, w, b);
      else a = autodiffLayer(tf, a, w, b, layer);
    });
    const out = weights[weights.length - 1];
    return pointwise(tf, a, out.w, out.b);
  };
  const lossFn =
    loss === 'ce'
      ? () => tf.neg(tf.mean(tf.sum(tf.mul(r, tf.logSoftmax(forward())), -1)))
      : () => {
          const p = tf.softmax(forward());
          const axes = [0, 1, 2];
          const inter = tf.sum(tf.mul(r, p), axes);
          const denom = tf.add(tf.add(tf.sum(r, axes), tf.sum(p, axes)), 1);
          return tf.mean(tf.sub(1, tf.div(tf.add(tf.mul(2, inter), 1), denom)));
        };
  const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
  const vars = weights.flatMap(({ w, b }) => [w, b]);
  return {
    construction: chosen,
    async step() {
      const l = opt.minimize(lossFn, true);
      const [v] = await l.data();
      l.dispose();
      return v;
    },
    /** The loss at the current weights, forward only. */
    async loss() {
      const l = tf.tidy(lossFn);
      const [v] = await l.data();
      l.dispose();
      return v;
    },
    /** The loss and ∂L/∂(w, b) of every layer at the current weights, as Float32Arrays. */
    async lossAndGrads() {
      const { value, grads } = tf.variableGrads(lossFn, vars);
      const out = { loss: (await value.data())[0], grads: [] };
      for (const v of vars) out.grads.push(await grads[v.name].data());
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    },
    dispose() {
      tf.dispose([x, r, ...vars]);
      opt.dispose();
    },
  };
}

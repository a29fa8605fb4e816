// TinySegNet in TensorFlow.js (the global `tf`), identical to dicelab's: the same layers, data,
// initial weights, losses and Adam settings. Two workarounds, needed for training it at all:
// - tfjs refuses gradients of dilated conv2d, so the dilation-2 layer runs as pad →
//   spaceToBatchND → 3×3 'valid' conv → batchToSpaceND, which is the same convolution;
// - tfjs-backend-wasm registers no Conv2DBackpropFilter kernel, so where a backend lacks it every
//   conv gets a custom gradient: the input gradient by conv2dTranspose, the filter gradient as a
//   conv2d of the input by ∂L/∂y with batch and channels swapped.
import { CLASSES, LAYERS, batchData, glorotWeights } from './protocol.js';

/** A 'valid' stride-1 conv with the filter gradient made of other ops: with the batch and channel
 * axes swapped, dW is itself a 'valid' conv of the input by ∂L/∂y,
 * `dW[ky,kx,c,o] = Σ_{n,y,x} x[n,y+ky,x+kx,c]·dy[n,y,x,o]`, so it runs on the backend's fast Conv2D. */
function customConv(tf) {
  return tf.customGrad((x, w, save) => {
    save([x, w]);
    const y = tf.conv2d(x, w, 1, 'valid');
    const gradFunc = (dy, [xs, ws]) => {
      const dx = tf.conv2dTranspose(dy, ws, xs.shape, 1, 'valid');
      const byChannel = tf.transpose(xs, [3, 1, 2, 0]); // (cin, H, W, N)
      const filter = tf.transpose(dy, [1, 2, 0, 3]); // (Ho, Wo, N, cout)
      const dw = tf.transpose(tf.conv2d(byChannel, filter, 1, 'valid'), [1, 2, 0, 3]);
      return [dx, dw];
    };
    return { value: y, gradFunc };
  });
}

/** A model over the protocol's batch: `step()` trains once and resolves to the loss before it. */
export function makeModel(tf, { batch, size, loss }) {
  const hasFilterGrad = Boolean(tf.getKernel('Conv2DBackpropFilter', tf.getBackend()));
  const custom = hasFilterGrad ? null : customConv(tf);
  const valid = (x, w) => (custom ? custom(x, w) : tf.conv2d(x, w, 1, 'valid'));
  const pad = (x, p) => (p ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x);
  const conv = (x, w, { k, dilation }) => {
    const p = (dilation * (k - 1)) / 2;
    if (dilation === 1) return custom ? valid(pad(x, p), w) : tf.conv2d(x, w, 1, 'same');
    const blocks = tf.spaceToBatchND(pad(x, p), [dilation, dilation], [[0, 0], [0, 0]]);
    return tf.batchToSpaceND(valid(blocks, w), [dilation, dilation], [[0, 0], [0, 0]]);
  };

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
  const forward = () =>
    LAYERS.reduce((a, layer, i) => {
      const z = tf.add(conv(a, weights[i].w, layer), weights[i].b);
      return i < LAYERS.length - 1 ? tf.relu(z) : z;
    }, x);
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
  return {
    customFilterGrad: !hasFilterGrad,
    async step() {
      const l = opt.minimize(lossFn, true);
      const [v] = await l.data();
      l.dispose();
      return v;
    },
  };
}

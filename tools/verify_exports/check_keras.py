"""The Keras form against `dicelab loss`, on the backend KERAS_BACKEND names (tensorflow, jax or
torch): loss and autodiff gradient in float32 and float64 (the loss's dtype=), y_true (N, H, W, 1),
from_logits=False on probabilities (the losses that have it: not the focal ones), get_config round trip, and two training steps in
model.compile + fit per configuration.

Usage: KERAS_BACKEND=jax python check_keras.py WORK_DIR OUT.json
(JAX needs JAX_ENABLE_X64=1 for float64; the driver sets it.)
"""
import sys
from functools import partial

import keras
import numpy as np
from keras import ops

from common import Results, Work, case_name

BACKEND = keras.backend.backend()


def value_and_grad(fn, z):
    """fn(z) and ∂fn/∂z for a numpy array z, by the backend's own autodiff (a custom loop's way)."""
    if BACKEND == "tensorflow":
        import tensorflow as tf
        x = tf.constant(z)
        with tf.GradientTape() as tape:
            tape.watch(x)
            v = fn(x)
        return float(v), tape.gradient(v, x).numpy()
    if BACKEND == "jax":
        import jax
        v, g = jax.value_and_grad(fn)(jax.numpy.asarray(z))
        return float(v), np.asarray(g)
    if BACKEND == "torch":
        import torch
        x = torch.tensor(z, requires_grad=True)
        v = fn(x)
        v.backward()
        return float(v.detach()), x.grad.numpy()
    raise SystemExit(f"check_keras.py: unsupported backend {BACKEND}")


def check_case(res, work, c, d):
    case = case_name(work, c, d)
    _, Loss = work.form("keras", c)
    logits, labels = work.data(d)
    want, grad = work.ref(c, d)
    y = labels.astype(np.int32)
    for dt in ("float32", "float64"):
        name = dt.replace("loat", "")
        def run(dt=dt, name=name):
            loss = Loss(dtype=dt)
            v, g = value_and_grad(lambda z: loss(y, z), logits.astype(dt))
            res.loss(f"loss {name}", case, v, want)
            res.grad(f"grad {name}", case, g, grad, labels)
        res.guard(f"loss {name}", case, run)

    def trailing_one():
        loss = Loss()
        same = float(loss(y[..., None], logits)) == float(loss(y, logits))
        res.add("y_true (N, H, W, 1)", case, same)
    res.guard("y_true (N, H, W, 1)", case, trailing_one)
    if work.configs[c]["cfg"]["kind"] in ("focal", "dice+focal"):
        return  # defined on logits only: no from_logits

    def probabilities():  # the activation in the net, the loss on its output
        loss = Loss(from_logits=False, dtype="float64")
        sigmoid = work.configs[c]["cfg"]["activation"] == "sigmoid"
        act = ops.sigmoid if sigmoid else partial(ops.softmax, axis=-1)
        v, g = value_and_grad(lambda z: loss(y, act(z)), logits.astype("float64"))
        res.loss("loss from_logits=False f64", case, v, want)
        res.grad("grad from_logits=False f64", case, g, grad, labels)
    res.guard("loss from_logits=False f64", case, probabilities)


def train(work, c):
    """model.compile(loss=...) + fit: two batches of a one-layer net; finite losses, weights moved."""
    _, Loss = work.form("keras", c)
    logits, labels = work.data(0)
    n, h, w, classes = logits.shape
    keras.utils.set_random_seed(c)
    model = keras.Sequential([keras.Input((h, w, 3)), keras.layers.Conv2D(classes, 3, padding="same")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=Loss())
    before = [ops.convert_to_numpy(v).copy() for v in model.weights]
    batches = []
    log = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(float(logs["loss"])))
    x = np.random.default_rng(c).normal(size=(2 * n, h, w, 3)).astype("float32")
    y = np.concatenate([labels, labels]).astype("int32")
    model.fit(x, y, batch_size=n, epochs=1, shuffle=False, verbose=0, callbacks=[log])
    moved = any(not np.array_equal(a, ops.convert_to_numpy(v)) for a, v in zip(before, model.weights))
    ok = len(batches) == 2 and all(np.isfinite(batches)) and moved
    return ok, f"batch losses {batches}, weights moved: {moved}"


def main(work_dir, out):
    work = Work(work_dir)
    res = Results(f"keras ({BACKEND})")
    for c, d in work.cases():
        check_case(res, work, c, d)
    for c in range(len(work.configs)):
        case = f"config {c} ({work.configs[c]['name']})"

        def fit(c=c, case=case):
            ok, note = train(work, c)
            res.add("compile + fit 2 steps", case, ok, note=note)
        res.guard("compile + fit 2 steps", case, fit)

        def config(c=c, case=case):
            _, Loss = work.form("keras", c)
            logits, labels = work.data(0)
            loss = Loss()
            again = Loss.from_config(loss.get_config())
            res.add("get_config round trip", case, float(again(labels, logits)) == float(loss(labels, logits)))
        res.guard("get_config round trip", case, config)
    res.note(f"keras {keras.__version__} on {BACKEND}")
    res.write(out)


if __name__ == "__main__":
    main(*sys.argv[1:])

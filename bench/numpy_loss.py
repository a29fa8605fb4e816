"""The native loss benchmark beside NumPy: the soft Dice loss (corrected, global, mean over classes)
and its gradient with respect to the logits, written the way a NumPy user would (float32), on the
exact inputs `dicelab bench loss` draws (mulberry32 seed 42: logits 4u - 2, labels floor(C*u)).

It first checks that both compute the same thing (`dicelab loss` on the same arrays through .npy
files: loss to 1e-5, gradient to 1e-4 of its largest value), then alternates `dicelab bench loss
--json` and the NumPy timing, twice, so that both are measured in the same minutes. PyTorch (CPU) is
timed too when it imports. Prints one JSON object.

usage: python3 bench/numpy_loss.py DICELAB_BIN [--batch 8 --size 256 --classes 6 --runs 9]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def mulberry32(seed, first, count):
    """Draws first .. first+count-1 (0-based) of stream `seed`: the state after draw i is
    seed + (i+1)·0x6D2B79F5, so every draw is computed independently."""
    i = np.arange(first + 1, first + count + 1, dtype=np.uint64)
    a = ((np.uint64(seed) + i * np.uint64(0x6D2B79F5)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    t = (a ^ (a >> np.uint32(15))) * (a | np.uint32(1))
    t ^= t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61))
    return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


def inputs(batch, size, classes):
    n = batch * size * size * classes
    u = mulberry32(42, 0, n).astype(np.float32)
    logits = (np.float32(4.0) * u - np.float32(2.0)).reshape(batch, size, size, classes)
    v = mulberry32(42, n, batch * size * size)
    labels = np.minimum(np.floor(v * classes), classes - 1).astype(np.int32)
    return logits, labels.reshape(batch, size, size)


def dice_loss_and_grad(z, y):
    """Soft Dice (corrected smoothing 1, per class over the batch, mean) and dL/dz, float32."""
    c = z.shape[-1]
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    r = np.eye(c, dtype=np.float32)[y]
    axes = (0, 1, 2)
    inter = (r * p).sum(axis=axes)
    denom = r.sum(axis=axes) + p.sum(axis=axes) + 1.0
    num = 2.0 * inter + 1.0
    loss = np.mean(1.0 - num / denom)
    dp = -(2.0 * r / denom - num / denom**2) / c
    grad = p * (dp - (p * dp).sum(axis=-1, keepdims=True))
    return loss, grad


def torch_timing(z, y, runs):
    try:
        import torch
    except ImportError as e:
        return {"skipped": f"PyTorch not installed ({e}); the CPU wheel is ~200 MB, not installed by the benchmark"}
    torch.set_num_threads(1)
    zt = torch.from_numpy(z)
    r = torch.nn.functional.one_hot(torch.from_numpy(y).long(), z.shape[-1]).float()

    def once():
        x = zt.clone().requires_grad_(True)
        p = torch.softmax(x, -1)
        inter = (r * p).sum((0, 1, 2))
        loss = (1 - (2 * inter + 1) / (r.sum((0, 1, 2)) + p.sum((0, 1, 2)) + 1)).mean()
        loss.backward()
        return loss.item()

    return {"version": torch.__version__, "loss_s": median_time(once, runs)}


def median_time(f, runs):
    f()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return sorted(ts)[len(ts) // 2]


def check(dicelab, z, y, loss, grad):
    with tempfile.TemporaryDirectory() as d:
        np.save(os.path.join(d, "z.npy"), z)
        np.save(os.path.join(d, "y.npy"), y)
        out = subprocess.run(
            [dicelab, "loss", "--logits", f"{d}/z.npy", "--labels", f"{d}/y.npy", "--loss", "dice",
             "--formula", "corrected", "--reduction", "mean", "--grad-out", f"{d}/g.npy"],
            check=True, capture_output=True, text=True)
        ref = json.loads(out.stdout)["loss"]
        g = np.load(f"{d}/g.npy")
    grad_err = float(np.abs(g - grad).max() / np.abs(g).max())
    ok = abs(ref - float(loss)) < 1e-5 and grad_err < 1e-4
    return {"dicelab_loss": ref, "numpy_loss": float(loss), "grad_rel_err": grad_err, "agree": ok}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dicelab")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--classes", type=int, default=6)
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    z, y = inputs(a.batch, a.size, a.classes)
    loss, grad = dice_loss_and_grad(z, y)
    result = {"shape": list(z.shape), "numpy": np.__version__, "python": sys.version.split()[0],
              "check": check(a.dicelab, z, y, loss, grad), "rounds": []}
    bench = [a.dicelab, "bench", "loss", "--json", "--loss", "dice", "--formula", "corrected",
             "--reduction", "mean", "--batch", str(a.batch), "--size", str(a.size),
             "--classes", str(a.classes), "--runs", str(a.runs)]
    for _ in range(2):
        ours = json.loads(subprocess.run(bench, check=True, capture_output=True, text=True).stdout)
        numpy_s = median_time(lambda: dice_loss_and_grad(z, y), a.runs)
        result["rounds"].append({"dicelab": ours, "numpy_s": numpy_s})
    result["torch"] = torch_timing(z, y, a.runs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

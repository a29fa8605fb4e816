"""The NumPy form (the float64 reference) against `dicelab loss`: its loss, and its gradient by
central finite differences (NumPy has no autodiff), except Lovász-softmax's on data with equal
errors: a difference across a tie measures neither side's gradient (docs/losses.md 2.7).

Usage: python check_numpy.py WORK_DIR OUT.json
"""
import sys

import numpy as np

from common import Results, Work, case_name

STEP = 1e-6  # central differences in float64: truncation ~1e-12, rounding ~1e-9 of the gradient


def finite_differences(f, z):
    g = np.empty_like(z)
    flat, gflat = z.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        x = flat[i]
        flat[i] = x + STEP
        up = f(z)
        flat[i] = x - STEP
        down = f(z)
        flat[i] = x
        gflat[i] = (up - down) / (2 * STEP)
    return g


def main(work_dir, out):
    work = Work(work_dir)
    res = Results("numpy")
    kinks = 0
    for c, d in work.cases():
        case = case_name(work, c, d)
        module, _ = work.form("numpy", c)
        logits, labels = work.data(d)
        want, grad = work.ref(c, d)
        z = logits.astype(np.float64)
        res.guard("loss f32 input", case, lambda: res.loss("loss f32 input", case, module.loss(logits, labels), want))
        res.guard("loss f64", case, lambda: res.loss("loss f64", case, module.loss(z, labels), want))
        if work.configs[c]["cfg"]["kind"] == "lovasz" and work.datasets[d].get("ties"):
            kinks += 1
            continue
        def fd(module=module, z=z, labels=labels, grad=grad, case=case):
            g = finite_differences(lambda x: module.loss(x, labels), z.copy())
            res.grad("grad f64 (finite differences)", case, g, grad, labels)
        res.guard("grad f64 (finite differences)", case, fd)
    if kinks:
        res.note(f"{kinks} Lovász cases on data with equal errors: no finite differences (a kink)")
    res.write(out)


if __name__ == "__main__":
    main(*sys.argv[1:])

"""What the checkers of tools/verify_exports.py share: the work directory's cases, loading a
generated form, the tolerances, and recording a check's result.

The work directory (written by the driver) holds `cases.json`, the data sets as .npy files, the
reference gradient of each case from `dicelab loss --grad-out`, and `forms/<lang>_<config>.py`.
"""
import importlib.util
import json
import math
import re
import sys
from pathlib import Path

import numpy as np

LOSS_RTOL = 1e-5  # the spec's float32 accuracy on the loss value
GRAD_TOL = 1e-4  # ... and on the gradient, relative to its largest entry
IGNORE = 255


class Work:
    """The driver's work directory: configurations, data sets and reference results."""

    def __init__(self, root):
        self.root = Path(root)
        manifest = json.loads((self.root / "cases.json").read_text())
        self.configs = manifest["configs"]
        self.datasets = manifest["datasets"]
        self.refs = manifest["refs"]
        self._data = {}

    def data(self, d):
        """(logits (N, H, W, C) float32, labels (N, H, W) uint8) of data set `d`."""
        if d not in self._data:
            ds = self.datasets[d]
            self._data[d] = (np.load(self.root / ds["logits"]), np.load(self.root / ds["labels"]))
        return self._data[d]

    def ref(self, c, d):
        """(loss, gradient) that `dicelab loss` gives for configuration `c` on data set `d`."""
        r = self.refs[f"{c}/{d}"]
        return r["loss"], np.load(self.root / r["grad"]).astype(np.float64)

    def cases(self):
        """Every (configuration index, data set index)."""
        return [(c, d) for c in range(len(self.configs)) for d in range(len(self.datasets))]

    def form(self, lang, c):
        """The generated module of `lang` for configuration `c`, and its loss class (None for NumPy)."""
        path = self.root / "forms" / f"{lang}_{c}.py"
        spec = importlib.util.spec_from_file_location(f"{lang}_{c}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        m = re.search(r"^class (\w+)\(", path.read_text(), re.M)
        return module, getattr(module, m.group(1)) if m else None


def loss_error(got, want):
    """Relative error of a loss value (absolute where the reference is 0)."""
    got = float(got)
    if not math.isfinite(got):
        return math.inf
    return abs(got - want) / (abs(want) if want != 0 else 1.0)


def grad_error(got, want, labels):
    """max |got − want| / max |want|; infinite unless every ignored pixel's gradient is exactly 0."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return math.inf
    if np.any(got[labels == IGNORE] != 0):
        return math.inf
    scale = np.abs(want).max()
    return float(np.abs(got - want).max() / (scale if scale > 0 else 1.0))


class Results:
    """The checks one checker ran, written as JSON for the driver."""

    def __init__(self, form):
        self.form = form
        self.rows = []
        self.notes = []  # versions and what could not be checked here, for the summary

    def add(self, check, case, ok, err=None, note=""):
        """One check: its kind (e.g. "loss f32"), the case, pass or fail, the error measured."""
        err = None if err is None or not math.isfinite(err) else float(err)
        self.rows.append({"form": self.form, "check": check, "case": case, "ok": bool(ok), "err": err, "note": note})
        if not ok:
            print(f"FAIL {self.form} {check} {case}: err={err} {note}", file=sys.stderr)

    def loss(self, check, case, got, want, rtol=LOSS_RTOL):
        e = loss_error(got, want)
        self.add(check, case, e <= rtol, e)

    def grad(self, check, case, got, want, labels):
        e = grad_error(got, want, labels)
        why = "" if math.isfinite(e) else "not finite, or an ignored pixel's gradient is not 0"
        self.add(check, case, e <= GRAD_TOL, e, why)

    def guard(self, check, case, fn):
        """Runs `fn`; an exception is a failed check named after it, not a crash of the checker."""
        try:
            fn()
        except Exception as e:  # the report names it; the remaining checks still run
            self.add(check, case, False, None, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")

    def note(self, text):
        self.notes.append(text)

    def write(self, path):
        Path(path).write_text(json.dumps({"rows": self.rows, "notes": self.notes}))


def case_name(work, c, d):
    return f"config {c} ({work.configs[c]['name']}) on {work.datasets[d]['name']}"

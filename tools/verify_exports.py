#!/usr/bin/env python3
"""Verifies the page's exported loss code (www/codegen.js) in the real frameworks: for a grid of
configurations (docs/losses.md's Part 1 and Part 2 losses), the NumPy, PyTorch and Keras forms (Keras
on its TensorFlow, JAX and PyTorch backends) against `dicelab loss` on the same .npy inputs: loss to 1e-5 relative and the autodiff
gradient to 1e-4 of max |g|, in float32 and float64, and two training steps per configuration
(Keras: model.compile + fit; PyTorch: backward()). Prints a summary with counts per form and
exits 1 unless every check passed and every form was checked.

Usage: python tools/verify_exports.py [--cli target/release/dicelab] [--out target/verify-exports] [--quick]
`cargo xtask verify-exports` runs it in a virtual environment with the pinned frameworks
(tools/verify_exports/requirements*.txt).
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tools" / "verify_exports"
BASE = "https://example.org/dicelab/"  # the link in each header; any page address does
TIMEOUT_S = 3600

# What each base configuration also varies, in turn: (squared, activation, background, s_nr, s_dr).
VARIANTS = [
    (False, "softmax", True, 1.0, 1.0),
    (True, "sigmoid", False, 0.5, 1.5),
    (True, "softmax", False, 1e-5, 1e-5),
    (False, "sigmoid", True, 1.0, 1.0),
]


def part1_grid():
    """Every Part 1 loss × formula × reduction × aggregation (× weights for GDL), each in two variants."""
    out = []
    for kind in ("dice", "gdl", "ce", "dice+ce"):
        for formula in ("seed", "corrected"):
            for weights in ("square", "simple", "uniform") if kind == "gdl" else ("square",):
                for reduction in ("sum", "mean"):
                    for aggregation in ("global", "per-image"):
                        for k in range(2):
                            squared, act, bg, snr, sdr = VARIANTS[(len(out) // 2 + k) % len(VARIANTS)]
                            cfg = {"kind": kind, "formula": formula, "weights": weights, "reduction": reduction,
                                   "aggregation": aggregation, "squared": squared, "smooth-nr": snr, "smooth-dr": sdr,
                                   "activation": act, "ignore-index": 255, "include-background": bg}
                            name = "/".join([kind, formula] + ([weights] if kind == "gdl" else []) + [
                                reduction, aggregation, "squared" if squared else "plain", act,
                                "bg" if bg else "no-bg", f"s={snr:g},{sdr:g}"])
                            out.append({"cfg": cfg, "name": name, "part": 1})
    return out


# Part 2: each kind and library variant with the options that change its code or its numbers
# (docs/losses.md 2.0-2.8): (kind, variant, options).
PART2 = [
    ("dice", "smp", {}),
    ("dice", "smp", {"log-loss": True}),
    ("dice", "monai", {"log-loss": True, "formula": "seed"}),
    ("dice", "monai", {"log-loss": True}),
    ("jaccard", "monai", {}),
    ("jaccard", "monai", {"log-loss": True}),
    ("jaccard", "smp", {}),
    ("jaccard", "smp", {"log-loss": True, "eps": 1e-3}),
    ("tversky", "monai", {"alpha": 0.3, "beta": 0.7}),
    ("tversky", "smp", {"alpha": 0.3, "beta": 0.7}),
    ("tversky", "smp", {"alpha": 0.7, "beta": 0.3, "log-loss": True}),
    ("focal-tversky", "smp", {"alpha": 0.3, "beta": 0.7}),
    ("focal-tversky", "smp", {"gamma": 1.5, "log-loss": True}),
    ("focal-tversky", "paper", {"alpha": 0.3, "beta": 0.7}),
    ("focal-tversky", "paper", {"gamma": 0.5}),
    ("focal", "smp", {}),
    ("focal", "smp", {"alpha": 0.25, "gamma": 1.5}),
    ("focal", "monai", {"alpha": 0.25}),
    ("focal", "monai", {"gamma": 0.0}),
    ("focal", "smp", {"focal-activation": "softmax"}),
    ("focal", "monai", {"focal-activation": "softmax", "alpha": 0.25, "gamma": 1.5}),
    ("lovasz", "smp", {}),
    ("dice+focal", "monai", {"formula": "seed"}),
    ("dice+focal", "monai", {"alpha": 0.25, "lambda-dice": 0.5, "lambda-focal": 2.0}),
    ("dice+focal", "smp", {"gamma": 1.5}),
]
SQUARED = {("dice", "monai"), ("jaccard", "monai"), ("dice+focal", "monai")}  # the rest rejects --squared


def part2_grid():
    """Each PART2 entry × reduction × aggregation (focal: pixels, no units), in turn in the VARIANTS."""
    out = []
    for reduction in ("sum", "mean"):
        for aggregation in ("global", "per-image"):
            for kind, variant, opts in PART2:
                if kind == "focal" and aggregation == "per-image":
                    continue
                squared, act, bg, snr, sdr = VARIANTS[len(out) % len(VARIANTS)]
                squared = squared and (kind, variant) in SQUARED
                bg = bg or opts.get("focal-activation") == "softmax"  # it needs the background class
                cfg = {"kind": kind, "variant": variant, "formula": "corrected", "weights": "square",
                       "reduction": reduction, "aggregation": aggregation, "squared": squared,
                       "smooth-nr": snr, "smooth-dr": sdr, "activation": act, "ignore-index": 255,
                       "include-background": bg, **opts}
                extra = [f"{k}={v}" for k, v in opts.items()]
                name = "/".join([kind, variant, *extra, reduction, aggregation, "squared" if squared else "plain",
                                 act, "bg" if bg else "no-bg", f"s={snr:g},{sdr:g}"])
                out.append({"cfg": cfg, "name": name, "part": 2})
    return out


def datasets(work):
    """Two data sets, each with ignored pixels and a class absent from the truth; the second has
    pixels with equal logits, whose equal errors Lovász-softmax must order as the spec says."""
    rng = np.random.default_rng(14)
    out = []
    # B=3, 5×4, C=4: class 3 absent, a few ignored pixels, image 2 all ignored.
    z = rng.normal(scale=2.0, size=(3, 5, 4, 4)).astype(np.float32)
    y = rng.integers(0, 3, size=(3, 5, 4)).astype(np.uint8)
    y[0, 1, 2] = 255
    y[1, 4, 0] = 255
    y[2] = 255
    out.append(("small: class 3 absent, image 2 all ignored", z, y, False))
    # B=2, 6×6, C=5: class 3 absent, class 4 only in image 0, a fifth of the pixels ignored.
    z = rng.normal(scale=3.0, size=(2, 6, 6, 5)).astype(np.float32)
    y = rng.choice(np.array([0, 1, 2], dtype=np.uint8), size=(2, 6, 6))
    y[0, :2, :2] = 4
    y[rng.random(size=y.shape) < 0.2] = 255
    z[1, 3] = z[1, 2]  # a row of image 1 twice; and two pixels copied, one across images
    z[0, 5, 5] = z[0, 0, 0]
    z[1, 5, 5] = z[0, 1, 1]
    out.append(("larger: class 3 absent, class 4 in image 0 only, 20% ignored, equal logits", z, y, True))
    result = []
    for i, (name, z, y, ties) in enumerate(out):
        np.save(work / f"logits_{i}.npy", z)
        np.save(work / f"labels_{i}.npy", y)
        result.append({"name": name, "logits": f"logits_{i}.npy", "labels": f"labels_{i}.npy", "ties": ties})
    return result


def cli_args(cfg):
    a = ["--loss", cfg["kind"], "--formula", cfg["formula"], "--weights", cfg["weights"],
         "--reduction", cfg["reduction"], "--activation", cfg["activation"],
         "--smooth-nr", repr(cfg["smooth-nr"]), "--smooth-dr", repr(cfg["smooth-dr"]),
         "--ignore-index", str(cfg["ignore-index"])]
    if cfg["aggregation"] == "per-image":
        a.append("--per-image")
    if cfg["squared"]:
        a.append("--squared")
    if not cfg["include-background"]:
        a.append("--no-background")
    for key in ("variant", "alpha", "beta", "gamma", "eps", "focal-activation", "lambda-dice", "lambda-focal"):
        if cfg.get(key) is not None:
            a += [f"--{key}", str(cfg[key])]
    if cfg.get("log-loss"):
        a.append("--log-loss")
    return a


def references(cli, work, configs, data):
    """`dicelab loss` and its gradient for every configuration and data set."""
    refs = {}
    for c, conf in enumerate(configs):
        for d, ds in enumerate(data):
            grad = f"grad_{c}_{d}.npy"
            cmd = [cli, "loss", "--logits", str(work / ds["logits"]), "--labels", str(work / ds["labels"]),
                   "--grad-out", str(work / grad), *cli_args(conf["cfg"])]
            out = subprocess.run(cmd, capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"verify_exports: dicelab loss failed ({conf['name']}): {out.stderr.strip()}")
            refs[f"{c}/{d}"] = {"loss": json.loads(out.stdout)["loss"], "grad": grad}
    return refs


def generate(work, configs):
    """Writes forms/<lang>_<c>.py with the page's generator (node www/codegen.js)."""
    langs = ("numpy", "pytorch", "keras")
    jobs = [{"lang": lang, "cfg": conf["cfg"]} for conf in configs for lang in langs]
    out = subprocess.run(["node", str(HERE / "generate.mjs")], input=json.dumps({"base": BASE, "jobs": jobs}),
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"verify_exports: the generator failed: {out.stderr.strip()}")
    sources = json.loads(out.stdout)
    (work / "forms").mkdir()
    for i, src in enumerate(sources):
        c, lang = divmod(i, len(langs))
        (work / "forms" / f"{langs[lang]}_{c}.py").write_text(src)


def run_checker(work, label, script, env_extra):
    """Runs one checker in its own process (a Keras backend is fixed at import); returns its JSON."""
    out = work / f"results_{label}.json"
    # No __pycache__ in the source tree; TensorFlow's start-up chatter off.
    env = {**os.environ, "PYTHONPATH": str(HERE), "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
           **env_extra}
    t0 = time.time()
    print(f"verify_exports: {label} ...", flush=True)
    try:
        proc = subprocess.run([sys.executable, str(HERE / script), str(work), str(out)], env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"rows": [], "notes": [], "crash": f"timed out after {TIMEOUT_S} s"}
    if proc.returncode != 0 or not out.exists():
        tail = [line for line in proc.stderr.strip().splitlines() if line.strip()][-1:] or ["no output"]
        return {"rows": [], "notes": [], "crash": f"exit {proc.returncode}: {tail[0]}"}
    result = json.loads(out.read_text())
    print(f"verify_exports: {label} done in {time.time() - t0:.0f} s", flush=True)
    return result


def summary(forms, configs, n_data):
    """The printed summary, one line per form and part of docs/losses.md; returns whether everything
    passed."""
    n_configs = len(configs)
    parts = {p: sum(c["part"] == p for c in configs) for p in (1, 2)}
    print(f"\nverify-exports: {n_configs} configurations (Part 1: {parts[1]}, Part 2: {parts[2]}) × {n_data} data sets "
          f"= {n_configs * n_data} cases, "
          f"against `dicelab loss` (loss ≤ 1e-5 relative, gradient ≤ 1e-4 of max |g|;\n"
          f"the reference gradient is stored in float32, so ~1e-7 is its own rounding)\n")
    print(f"{'form':<28} {'checks':>7} {'passed':>7} {'failed':>7}   worst error (f32 / f64): loss; gradient")
    all_ok = True
    total = 0
    for label, result in forms:
        if "crash" in result or "skipped" in result:
            all_ok = False
            print(f"{label:<28} NOT CHECKED: {result.get('crash') or result.get('skipped')}")
            continue
        for part in (1, 2):
            rows = [r for r in result["rows"]
                    if configs[int(re.match(r"config (\d+)", r["case"]).group(1))]["part"] == part]
            if not rows:
                continue
            failed = [r for r in rows if not r["ok"]]

            def worst(kind, dt, rows=rows):
                errs = [r["err"] for r in rows if r["check"].startswith(kind) and dt in r["check"] and r["err"] is not None]
                return f"{max(errs):.0e}" if errs else "—"
            total += len(rows)
            all_ok &= not failed
            print(f"{f'{label}, Part {part}':<28} {len(rows):>7} {len(rows) - len(failed):>7} {len(failed):>7}   "
                  f"{worst('loss', 'f32')} / {worst('loss', 'f64')}; {worst('grad', 'f32')} / {worst('grad', 'f64')}")
    print("\nper check:")
    for label, result in forms:
        counts = {}
        for r in result.get("rows", []):
            ok, n = counts.get(r["check"], (0, 0))
            counts[r["check"]] = (ok + r["ok"], n + 1)
        if counts:
            print(f"  {label}: " + "; ".join(f"{k} {ok}/{n}" for k, (ok, n) in counts.items()))
        for note in result.get("notes", []):
            print(f"  {label}: {note}")
    print(f"\n{'PASS' if all_ok else 'FAIL'}: {total} checks" + ("" if all_ok else ", see the failures above"))
    return all_ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", default=os.environ.get("DICELAB_BIN", str(ROOT / "target/release/dicelab")),
                    help="the dicelab binary (default: $DICELAB_BIN, else target/release/dicelab)")
    ap.add_argument("--out", default=str(ROOT / "target/verify-exports"), help="work directory (emptied first)")
    ap.add_argument("--quick", action="store_true",
                    help="every 12th Part 1 and every 6th Part 2 configuration only (a smoke test)")
    args = ap.parse_args()
    if not Path(args.cli).is_file():
        sys.exit(f"verify_exports: no dicelab binary at {args.cli} (cargo build --release, or set DICELAB_BIN)")
    if shutil.which("node") is None:
        sys.exit("verify_exports: node is not on PATH (it runs the page's generator)")
    work = Path(args.out)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    configs = part1_grid()[::12] + part2_grid()[::6] if args.quick else part1_grid() + part2_grid()
    data = datasets(work)
    refs = references(args.cli, work, configs, data)
    (work / "cases.json").write_text(json.dumps({"configs": configs, "datasets": data, "refs": refs}))
    generate(work, configs)
    have_torch = importlib.util.find_spec("torch") is not None
    no_torch = {"skipped": "PyTorch is not installed in this environment"}
    forms = [("numpy", run_checker(work, "numpy", "check_numpy.py", {}))]
    forms.append(("pytorch", run_checker(work, "pytorch", "check_torch.py", {}) if have_torch else no_torch))
    for backend in ("tensorflow", "jax", "torch"):
        label = f"keras ({backend})"
        if backend == "torch" and not have_torch:
            forms.append((label, no_torch))
            continue
        env = {"KERAS_BACKEND": backend, "JAX_ENABLE_X64": "1", "JAX_PLATFORMS": "cpu"}
        forms.append((label, run_checker(work, f"keras-{backend}", "check_keras.py", env)))
    ok = summary(forms, configs, len(data))
    (work / "summary.json").write_text(json.dumps(forms))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

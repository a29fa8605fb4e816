#!/usr/bin/env python3
"""Checks docs/losses.md (Part 2: Jaccard, Tversky, focal Tversky, focal, log-Dice, Lovász-softmax,
Dice + focal) against the libraries it names: segmentation_models_pytorch (SMP) and MONAI.

Each formula of the document is transcribed here, independently, in float64 NumPy on channels-last
logits z (B, H, W, C) and labels y (B, H, W) (255 = ignored), with its analytic gradient ∂L/∂z. For
every named variant and every test case the script prints one line:

    name  case  loss=<value>  loss_rel=<|L_spec − L_lib| / |L_lib|>
          grad_rel=<max|g_spec − g_lib| / max|g_lib|>  fd_rel=<max|g_spec − g_fd| / max|g_spec|>

where g_lib is torch autograd of the library call (float64) and g_fd central finite differences of
the NumPy loss. A variant without a library twin (marked "no library") is compared with torch
autograd of the same formula written in torch. It exits 1 if any loss_rel or grad_rel exceeds 1e-9,
any fd_rel exceeds 1e-6, or an ignored pixel's gradient is not exactly 0.

A check tool, not part of CI. Usage (the venv with torch, monai and segmentation-models-pytorch):
    target/verify-venv/bin/python tools/spec_check.py [--quick]
"""
import argparse
import contextlib
import math
import sys
import warnings

import numpy as np
import torch

import monai
import monai.losses as ml
import segmentation_models_pytorch as smp
from segmentation_models_pytorch.losses._functional import softmax_focal_loss_with_logits

IGNORE = 255
LIB_TOL = 1e-9  # float64 library vs spec, loss and gradient
FD_TOL = 1e-6  # float64 finite differences vs the analytic gradient, relative to max |g|
F32_LOSS_TOL, F32_GRAD_TOL = 1e-5, 1e-4  # MONAI's FocalLoss computes in float32 (see the spec)

torch.set_num_threads(1)
warnings.filterwarnings("ignore")


# ----------------------------------------------------------------------------------------------
# The spec in NumPy (float64). Every function returns (L, ∂L/∂z) for z (B,H,W,C), y (B,H,W).
# ----------------------------------------------------------------------------------------------

def activate(z, act):
    if act == "softmax":
        e = np.exp(z - z.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # the logistic sigmoid, without overflow


def through(p, g, act):
    """∂L/∂z from g = ∂L/∂p: the spec's softmax and sigmoid rules."""
    if act == "softmax":
        return p * (g - (p * g).sum(-1, keepdims=True))
    return g * p * (1.0 - p)


def prepare(z, y):
    """Valid mask v (B,H,W) and one-hot truth r (B,H,W,C), zero at ignored pixels."""
    C = z.shape[-1]
    v = y != IGNORE
    r = np.eye(C)[np.where(v, y, 0)] * v[..., None]
    return v, r


def classes(C, bg):
    """K: the classes that take part (all, or all but 0)."""
    k = np.ones(C, bool)
    if not bg:
        k[0] = False
    return k


def unit_axes(agg):
    return (0, 1, 2) if agg == "global" else (1, 2)


def sums(p, r, v, agg, squared):
    """I, P, R per (unit, class), shaped to broadcast against (B,H,W,C); ∂P/∂p per pixel."""
    ax = unit_axes(agg)
    pv = p * v[..., None]
    I = (r * pv).sum(ax, keepdims=True)
    if squared:
        P = (pv * pv).sum(ax, keepdims=True)
        R = (r * r).sum(ax, keepdims=True)
        dP = 2.0 * pv
    else:
        P = pv.sum(ax, keepdims=True)
        R = r.sum(ax, keepdims=True)
        dP = np.broadcast_to(v[..., None], p.shape).astype(np.float64)
    return I, P, R, dP


# Scores S(I, P, R) and their partials ∂S/∂I, ∂S/∂P (R is a constant of the labels).

def score_tversky_smp(I, P, R, alpha, beta, snr, sdr, eps):
    D = I + alpha * (P - I) + beta * (R - I) + sdr
    Dc = np.maximum(D, eps)
    S = (I + snr) / Dc
    live = (D >= eps).astype(np.float64)  # the clamp: below eps the denominator is a constant
    dI = 1.0 / Dc - live * S * (1.0 - alpha - beta) / Dc
    dP = -live * S * alpha / Dc
    return S, dI, dP


def score_tversky_monai(I, P, R, alpha, beta, snr, sdr):
    D = I + alpha * (P - I) + beta * (R - I) + sdr
    S = (I + snr) / D
    return S, 1.0 / D - S * (1.0 - alpha - beta) / D, -S * alpha / D


def score_jaccard_monai(I, P, R, snr, sdr):
    D = 2.0 * (R + P - I) + sdr
    S = (2.0 * I + snr) / D
    return S, 2.0 / D + 2.0 * S / D, -2.0 * S / D


def score_dice_corrected(I, P, R, snr, sdr):
    D = R + P + sdr
    S = (2.0 * I + snr) / D
    return S, 2.0 / D, -S / D


def region_loss(z, y, score, *, act="softmax", agg="global", red="mean", bg=True, squared=False,
                log_loss=False, eps=1e-7, present_mask=False, power=None, paper_gamma=None):
    """The region losses of Part 2: per (unit, class) score S, term t, reduction.

    score(I, P, R) -> (S, ∂S/∂I, ∂S/∂P). present_mask: SMP's mask m = [R > 0]. power: SMP's focal
    Tversky exponent γ on the reduced loss. paper_gamma: the paper's per-term (1 − S)^(1/γ).
    """
    p = activate(z, act)
    v, r = prepare(z, y)
    I, P, R, dPdp = sums(p, r, v, agg, squared)
    S, dSdI, dSdP = score(I, P, R)
    K = classes(z.shape[-1], bg).astype(np.float64)
    A = 1 if agg == "global" else z.shape[0]
    if log_loss:
        Sc = np.maximum(S, eps)
        t = -np.log(Sc)
        dtdS = -(S >= eps).astype(np.float64) / Sc
    elif paper_gamma is not None:
        d = np.maximum(1.0 - S, 0.0)
        t = d ** (1.0 / paper_gamma)
        with np.errstate(divide="ignore", invalid="ignore"):
            dtdS = np.where(d > 0, -(1.0 / paper_gamma) * d ** (1.0 / paper_gamma - 1.0), 0.0)
    else:
        t = 1.0 - S
        dtdS = -np.ones_like(S)
    w = np.broadcast_to(K, S.shape).copy()
    if present_mask:
        w *= (R > 0)
    norm = A * K.sum() if red == "mean" else 1.0
    M = (w * t).sum() / norm
    dLdt = w / norm
    if power is not None:
        L = M ** power
        dLdt = dLdt * (power * M ** (power - 1.0) if M > 0 else 0.0)
    else:
        L = M
    G = dLdt * dtdS  # ∂L/∂S per (unit, class)
    g = G * (dSdI * r + dSdP * dPdp) * v[..., None]
    return L, through(p, g, act)


def focal_loss(z, y, *, act="sigmoid", gamma=2.0, alpha=None, norm_kind="elements", red="mean",
               bg=True, alpha_f32=False):
    """Focal loss. norm_kind (mean): 'elements' = |K|·N_valid (sigmoid; SMP), 'pixels' = N_valid
    (MONAI with ignore_index; softmax in every variant)."""
    v, r = prepare(z, y)
    K = classes(z.shape[-1], bg)
    nvalid = v.sum()
    if act == "sigmoid":
        s = 2.0 * r - 1.0
        u = s * z
        ell = np.logaddexp(0.0, -u)  # −log q, q = σ(u)
        q = np.exp(-ell)
        omq = np.exp(-np.logaddexp(0.0, u))  # 1 − q = σ(−u)
        wt = (alpha * r + (1.0 - alpha) * (1.0 - r)) if alpha is not None else np.ones_like(z)
        mask = v[..., None] * K
        f = wt * omq ** gamma * ell * mask
        df = -s * wt * omq ** gamma * (gamma * q * ell + omq) * mask
        n = (K.sum() * nvalid if norm_kind == "elements" else nvalid) if red == "mean" else 1.0
        return f.sum() / n, df / n
    assert bg, "softmax focal without the background class is rejected by the spec"
    C = z.shape[-1]
    p = activate(z, "softmax")
    yy = np.where(v, y, 0)
    logp = z - z.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    ell = -np.take_along_axis(logp, yy[..., None], -1)[..., 0]
    q = np.exp(-ell)
    onehot = np.eye(C)[yy]
    omq = (p * (1.0 - onehot)).sum(-1)  # 1 − q as the sum of the other classes
    if alpha is not None:
        a0, a1 = 1.0 - alpha, alpha
        if alpha_f32:  # MONAI builds its softmax weights as a float32 tensor
            a0, a1 = float(np.float32(a0)), float(np.float32(a1))
        wy = np.where(yy == 0, a0, a1)
    else:
        wy = np.ones_like(q)
    f = wy * omq ** gamma * ell * v
    coef = wy * omq ** (gamma - 1.0) * (gamma * q * ell + omq) * v
    df = coef[..., None] * (p - onehot)
    n = nvalid if red == "mean" else 1.0
    return f.sum() / n, df / n


def lovasz_grad_sorted(fg_sorted):
    """Jaccard-loss increments along the sorted errors (the gradient of the Lovász extension), in
    the spec's cancellation-free closed form, checked against the difference form J_k − J_(k−1)."""
    R = fg_sorted.sum()
    F = np.cumsum(fg_sorted)  # foreground among the first k
    Bk = np.cumsum(1.0 - fg_sorted)  # background among the first k
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.where(fg_sorted > 0, 1.0 / (R + Bk), (R - F) / ((R + Bk) * (R + Bk - 1.0)))
    J = 1.0 - (R - F) / (R + Bk)
    diff = np.concatenate([J[:1], J[1:] - J[:-1]])
    assert np.allclose(inc, diff, rtol=1e-12, atol=1e-15), "closed-form increments disagree"
    return inc


def lovasz_loss(z, y, *, act="softmax", agg="global", red="mean", bg=True, check_ties=True):
    p = activate(z, act)
    v, r = prepare(z, y)
    B, H, W, C = z.shape
    K = classes(C, bg)
    units = [np.ones((B, H, W), bool)] if agg == "global" else [
        np.arange(B)[:, None, None] == b for b in range(B)]
    L = 0.0
    g = np.zeros_like(p)
    min_gap = math.inf
    for u in units:
        sel = u & v
        present = [l for l in range(C) if K[l] and r[..., l][sel].sum() > 0]
        if not present:
            continue
        wgt = 1.0 / (len(units) * len(present)) if red == "mean" else 1.0
        idx = np.flatnonzero(sel.ravel())
        for l in present:
            fg = r[..., l].ravel()[idx]
            e = np.abs(fg - p[..., l].ravel()[idx])
            order = np.argsort(-e, kind="stable")  # descending; ties by pixel index
            es = e[order]
            if len(es) > 1:
                min_gap = min(min_gap, float(np.min(es[:-1] - es[1:])))
            inc = lovasz_grad_sorted(fg[order])
            L += wgt * float(es @ inc)
            ge = np.empty_like(e)
            ge[order] = inc
            gl = g[..., l].ravel()
            gl[idx] += wgt * ge * (1.0 - 2.0 * fg)  # ∂e/∂p = −1 on the class, +1 off it
            g[..., l] = gl.reshape(B, H, W)
    if check_ties:
        assert min_gap > 0, "tied errors: the gradient is a subgradient, not compared"
    return L, through(p, g, act), min_gap


# ----------------------------------------------------------------------------------------------
# The libraries, called on the same data (channels first), and torch autograd.
# ----------------------------------------------------------------------------------------------

def lib_eval(fn, z, y):
    """fn(z_t (B,C,H,W) f64, y (B,H,W) long) -> scalar; returns (L, ∂L/∂z channels last)."""
    zt = torch.tensor(np.moveaxis(z, -1, 1).copy(), dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.long)
    L = fn(zt, yt)
    (gz,) = torch.autograd.grad(L, zt)
    return float(L), np.moveaxis(gz.numpy(), 1, -1)


def lib_eval_f32(fn, z, y):
    zt = torch.tensor(np.moveaxis(z, -1, 1).copy(), dtype=torch.float32, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.long)
    L = fn(zt, yt)
    (gz,) = torch.autograd.grad(L, zt)
    return float(L), np.moveaxis(gz.double().numpy(), 1, -1)


@contextlib.contextmanager
def keep_float64():
    """MONAI's FocalLoss casts its input with .float() and SMP's Lovász its increments; let float64
    stay float64 for the check (the float32 lines call them as shipped)."""
    orig = torch.Tensor.float

    def f(self, *a, **k):
        return self if self.dtype == torch.float64 else orig(self, *a, **k)

    torch.Tensor.float = f
    try:
        yield
    finally:
        torch.Tensor.float = orig


def monai_target(y):
    return y.unsqueeze(1)


def onehot64(y, C):
    """A float64 one-hot target, all zero at ignored pixels (MONAI's own one_hot is float32)."""
    v = y != IGNORE
    return torch.nn.functional.one_hot(torch.where(v, y, 0), C).permute(0, 3, 1, 2).double() * v.unsqueeze(1)


def no_bg_classes(C):
    return list(range(1, C))


# Torch transcriptions for the variant without a library twin (the paper's focal Tversky).

def torch_paper_focal_tversky(zt, yt, alpha, beta, gamma, snr, sdr, agg, red, bg):
    C = zt.shape[1]
    p = torch.softmax(zt, 1)
    v = (yt != IGNORE)
    r = torch.nn.functional.one_hot(torch.where(v, yt, 0), C).permute(0, 3, 1, 2).double()
    r = r * v.unsqueeze(1)
    p = p * v.unsqueeze(1)
    ax = [0, 2, 3] if agg == "global" else [2, 3]
    I = (p * r).sum(ax)
    FP = (p * (1 - r)).sum(ax)
    FN = ((1 - p) * r).sum(ax)
    T = (I + snr) / (I + alpha * FP + beta * FN + sdr)
    t = torch.clamp(1 - T, min=0) ** (1.0 / gamma)
    if not bg:
        t = t[..., 1:]
    return t.mean() if red == "mean" else t.sum()


# ----------------------------------------------------------------------------------------------
# Cases and checks
# ----------------------------------------------------------------------------------------------

def make_cases(quick):
    rng = np.random.default_rng(20240616)
    cases = []

    def add(name, B, H, W, C, labels_fn, ignore_frac):
        z = rng.normal(0.0, 1.5, (B, H, W, C))
        y = labels_fn(B, H, W, C)
        if ignore_frac > 0:
            m = rng.random((B, H, W)) < ignore_frac
            for b in range(B):  # every image keeps at least two labelled pixels
                m[b].flat[:2] = False
            y = np.where(m, IGNORE, y)
        cases.append((name, z, y.astype(np.int64)))

    add("c1 B2 5x4 C3 all-present", 2, 5, 4, 3, lambda B, H, W, C: rng.integers(0, C, (B, H, W)), 0.0)

    def absent3(B, H, W, C):
        y = rng.integers(0, C - 1, (B, H, W))
        return np.where(y == 3, C - 1, y)  # class 3 never occurs

    add("c2 B3 4x6 C5 class3-absent ignore", 3, 4, 6, 5, absent3, 0.15)

    def per_image(B, H, W, C):
        y = rng.integers(0, C, (B, H, W))
        y[1:][y[1:] == 2] = 0  # class 2 only in image 0
        y[3][y[3] == 1] = 3  # class 1 absent from image 3
        return y

    add("c3 B4 3x3 C4 per-image-absent ignore", 4, 3, 3, 4, per_image, 0.2)

    def absent1(B, H, W, C):
        y = rng.integers(0, C, (B, H, W))
        return np.where(y == 1, 0, y)

    if not quick:
        add("c4 B2 4x4 C4 class1-absent", 2, 4, 4, 4, absent1, 0.0)
    return cases


def fd_grad(loss_fn, z, h):
    g = np.zeros_like(z)
    flat = z.ravel()
    for i in range(flat.size):
        zp = flat.copy()
        zp[i] += h
        zm = flat.copy()
        zm[i] -= h
        g.flat[i] = (loss_fn(zp.reshape(z.shape)) - loss_fn(zm.reshape(z.shape))) / (2 * h)
    return g


def rel(a, b):
    return abs(a - b) / (abs(b) if b != 0 else 1.0)


def grad_rel(a, b):
    s = np.abs(b).max()
    return float(np.abs(a - b).max() / (s if s > 0 else 1.0))


class Report:
    def __init__(self):
        self.fails = []
        self.n = 0
        self.worst = {}

    def line(self, name, case, L_spec, g_spec, L_lib, g_lib, g_fd, y, tol_loss=LIB_TOL,
             tol_grad=LIB_TOL, note=""):
        self.n += 1
        lr = rel(L_spec, L_lib)
        gr = grad_rel(g_spec, g_lib)
        fr = grad_rel(g_fd, g_spec) if g_fd is not None else 0.0
        ign = y == IGNORE
        zero_ok = not np.any(g_spec[ign] != 0) and not np.any(g_lib[ign] != 0)
        ok = lr <= tol_loss and gr <= tol_grad and fr <= FD_TOL and zero_ok and math.isfinite(L_spec)
        w = self.worst.setdefault(name, [0.0, 0.0, None])
        w[0], w[1] = max(w[0], lr), max(w[1], gr)
        if g_fd is not None:
            w[2] = max(w[2] or 0.0, fr)
        fd = f"{fr:.1e}" if g_fd is not None else "   -   "
        print(f"{'OK  ' if ok else 'FAIL'} {name:<58} {case:<38} loss={L_spec:<+.12f} "
              f"loss_rel={lr:.1e} grad_rel={gr:.1e} fd_rel={fd}"
              + ("" if zero_ok else " IGNORED-PIXEL-GRADIENT-NONZERO") + (f"  [{note}]" if note else ""))
        if not ok:
            self.fails.append((name, case))


def run(quick):
    cases = make_cases(quick)
    rep = Report()
    checks = []  # (name, spec(z,y)->(L,g), lib(zt,yt)->L, needs_no_ignore, fd_h, lib_kind)

    def add(name, spec, lib, no_ignore=False, h=1e-6, kind="f64", note=""):
        checks.append((name, spec, lib, no_ignore, h, kind, note))

    C_of = lambda zt: zt.shape[1]

    # --- Part 1 sanity: Dice (corrected), MONAI DiceLoss -------------------------------------
    for agg, batch in (("per-image", False), ("global", True)):
        add(f"dice monai corrected {agg} s=1e-5",
            lambda z, y, agg=agg: region_loss(z, y, lambda I, P, R: score_dice_corrected(I, P, R, 1e-5, 1e-5), agg=agg),
            lambda zt, yt, batch=batch: ml.DiceLoss(softmax=True, to_onehot_y=True, smooth_nr=1e-5, smooth_dr=1e-5,
                                                    batch=batch, ignore_index=IGNORE)(zt, monai_target(yt)))

    # --- Jaccard -------------------------------------------------------------------------------
    for s in (0.0, 0.5):
        add(f"jaccard smp smooth={s} (global, mean, mask)",
            lambda z, y, s=s: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 1.0, 1.0, s, s, 1e-7),
                                          present_mask=True),
            lambda zt, yt, s=s: smp.losses.JaccardLoss("multiclass", smooth=s, ignore_index=IGNORE)(zt, yt))
    add("jaccard smp smooth=1 no-background",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 1.0, 1.0, 1.0, 1.0, 1e-7),
                                 present_mask=True, bg=False),
        lambda zt, yt: smp.losses.JaccardLoss("multiclass", smooth=1.0, ignore_index=IGNORE,
                                              classes=no_bg_classes(C_of(zt)))(zt, yt))
    add("jaccard smp from-logits=false (input p)",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 1.0, 1.0, 0.0, 0.0, 1e-7),
                                 present_mask=True),
        lambda zt, yt: smp.losses.JaccardLoss("multiclass", from_logits=False, ignore_index=IGNORE)(
            torch.softmax(zt, 1), yt))
    add("log-jaccard smp smooth=0 (log_loss)",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 1.0, 1.0, 0.0, 0.0, 1e-7),
                                 present_mask=True, log_loss=True),
        lambda zt, yt: smp.losses.JaccardLoss("multiclass", log_loss=True, ignore_index=IGNORE)(zt, yt))
    for agg, batch in (("per-image", False), ("global", True)):
        for red in ("mean", "sum"):
            for bg in (True, False):
                for sq in ((False, True) if red == "mean" and bg else (False,)):
                    snr, sdr = (1e-5, 1e-5) if bg else (0.3, 1.2)
                    add(f"jaccard monai {agg} {red} bg={int(bg)} squared={int(sq)} s={snr:g},{sdr:g}",
                        lambda z, y, agg=agg, red=red, bg=bg, sq=sq, snr=snr, sdr=sdr: region_loss(
                            z, y, lambda I, P, R: score_jaccard_monai(I, P, R, snr, sdr), agg=agg, red=red, bg=bg,
                            squared=sq),
                        lambda zt, yt, batch=batch, red=red, bg=bg, sq=sq, snr=snr, sdr=sdr: ml.DiceLoss(
                            softmax=True, to_onehot_y=not sq, jaccard=True, smooth_nr=snr, smooth_dr=sdr, batch=batch,
                            reduction=red, include_background=bg, squared_pred=sq, ignore_index=IGNORE)(
                            zt, onehot64(yt, zt.shape[1]) if sq else monai_target(yt)),
                        note="float64 one-hot target" if sq else "")
                    if sq:
                        add(f"jaccard monai {agg} {red} squared=1 to_onehot_y (float32 Σr²)",
                            lambda z, y, agg=agg: region_loss(
                                z, y, lambda I, P, R: score_jaccard_monai(I, P, R, 1e-5, 1e-5), agg=agg, squared=True),
                            lambda zt, yt, batch=batch: ml.DiceLoss(
                                softmax=True, to_onehot_y=True, jaccard=True, batch=batch, squared_pred=True,
                                ignore_index=IGNORE)(zt, monai_target(yt)),
                            kind="f64-loose", note="float32 tolerances")
    add("jaccard monai sigmoid per-image mean s=1",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_jaccard_monai(I, P, R, 1.0, 1.0), agg="per-image",
                                 act="sigmoid"),
        lambda zt, yt: ml.DiceLoss(sigmoid=True, to_onehot_y=True, jaccard=True, smooth_nr=1.0, smooth_dr=1.0,
                                   ignore_index=IGNORE)(zt, monai_target(yt)))

    # --- Tversky -------------------------------------------------------------------------------
    for a, b, s in ((0.3, 0.7, 0.0), (0.7, 0.3, 1.0)):
        add(f"tversky smp alpha={a} beta={b} smooth={s}",
            lambda z, y, a=a, b=b, s=s: region_loss(
                z, y, lambda I, P, R: score_tversky_smp(I, P, R, a, b, s, s, 1e-7), present_mask=True),
            lambda zt, yt, a=a, b=b, s=s: smp.losses.TverskyLoss("multiclass", alpha=a, beta=b, gamma=1.0, smooth=s,
                                                                 ignore_index=IGNORE)(zt, yt))
    add("log-tversky smp alpha=0.3 beta=0.7 no-background",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.3, 0.7, 0.0, 0.0, 1e-7),
                                 present_mask=True, log_loss=True, bg=False),
        lambda zt, yt: smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, log_loss=True, ignore_index=IGNORE,
                                              classes=no_bg_classes(C_of(zt)))(zt, yt))
    for agg, batch in (("per-image", False), ("global", True)):
        for red in ("mean", "sum"):
            for bg in (True, False):
                add(f"tversky monai alpha=0.3 beta=0.7 {agg} {red} bg={int(bg)} s=1e-5,0.5",
                    lambda z, y, agg=agg, red=red, bg=bg: region_loss(
                        z, y, lambda I, P, R: score_tversky_monai(I, P, R, 0.3, 0.7, 1e-5, 0.5), agg=agg, red=red,
                        bg=bg),
                    lambda zt, yt, batch=batch, red=red, bg=bg: ml.TverskyLoss(
                        softmax=True, to_onehot_y=True, alpha=0.3, beta=0.7, smooth_nr=1e-5, smooth_dr=0.5,
                        batch=batch, reduction=red, include_background=bg, ignore_index=IGNORE)(zt, monai_target(yt)))
    add("tversky monai sigmoid alpha=0.5 beta=0.5 per-image mean",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_monai(I, P, R, 0.5, 0.5, 1e-5, 1e-5),
                                 agg="per-image", act="sigmoid"),
        lambda zt, yt: ml.TverskyLoss(sigmoid=True, to_onehot_y=True, ignore_index=IGNORE)(zt, monai_target(yt)))

    # --- Focal Tversky ------------------------------------------------------------------------
    for g, s in ((2.0, 0.0), (0.75, 1.0), (4.0 / 3.0, 0.5)):
        add(f"focal-tversky smp alpha=0.3 beta=0.7 gamma={g:.4g} smooth={s}",
            lambda z, y, g=g, s=s: region_loss(
                z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.3, 0.7, s, s, 1e-7), present_mask=True, power=g),
            lambda zt, yt, g=g, s=s: smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=g, smooth=s,
                                                            ignore_index=IGNORE)(zt, yt))
    add("focal-tversky smp gamma=2 log_loss no-background",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.3, 0.7, 0.0, 0.0, 1e-7),
                                 present_mask=True, power=2.0, log_loss=True, bg=False),
        lambda zt, yt: smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=2.0, log_loss=True,
                                              ignore_index=IGNORE, classes=no_bg_classes(C_of(zt)))(zt, yt))
    for agg in ("global", "per-image"):
        for red, bg in (("mean", True), ("sum", False)):
            add(f"focal-tversky paper alpha=0.3 beta=0.7 gamma=4/3 {agg} {red} bg={int(bg)} s=1",
                lambda z, y, agg=agg, red=red, bg=bg: region_loss(
                    z, y, lambda I, P, R: score_tversky_monai(I, P, R, 0.3, 0.7, 1.0, 1.0), agg=agg, red=red, bg=bg,
                    paper_gamma=4.0 / 3.0),
                lambda zt, yt, agg=agg, red=red, bg=bg: torch_paper_focal_tversky(
                    zt, yt, 0.3, 0.7, 4.0 / 3.0, 1.0, 1.0, agg, red, bg),
                note="no library: torch autograd of the formula")

    # --- Focal ----------------------------------------------------------------------------------
    for g, a in ((2.0, None), (2.0, 0.25), (0.5, 0.75), (0.0, None)):
        add(f"focal smp sigmoid gamma={g} alpha={a} mean",
            lambda z, y, g=g, a=a: focal_loss(z, y, act="sigmoid", gamma=g, alpha=a, norm_kind="elements"),
            lambda zt, yt, g=g, a=a: smp.losses.FocalLoss("multiclass", gamma=g, alpha=a, ignore_index=IGNORE)(zt, yt))
    add("focal smp sigmoid gamma=2 reduction=sum (= Σ/|K|)",
        lambda z, y: (lambda L, G: (L / z.shape[-1], G / z.shape[-1]))(
            *focal_loss(z, y, act="sigmoid", gamma=2.0, red="sum")),
        lambda zt, yt: smp.losses.FocalLoss("multiclass", gamma=2.0, ignore_index=IGNORE, reduction="sum")(zt, yt),
        note="SMP sums per class, then averages the classes")
    add("focal softmax gamma=2 (SMP softmax_focal_loss_with_logits)",
        lambda z, y: focal_loss(z, y, act="softmax", gamma=2.0),
        lambda zt, yt: softmax_focal_loss_with_logits(zt, yt, gamma=2.0), no_ignore=True)
    for g, a, bg in ((2.0, None, True), (2.0, 0.25, True), (0.5, 0.75, False), (3.0, None, False)):
        add(f"focal monai sigmoid gamma={g} alpha={a} bg={int(bg)} (ignore_index set)",
            lambda z, y, g=g, a=a, bg=bg: focal_loss(z, y, act="sigmoid", gamma=g, alpha=a, norm_kind="pixels", bg=bg),
            lambda zt, yt, g=g, a=a, bg=bg: ml.FocalLoss(to_onehot_y=True, gamma=g, alpha=a, include_background=bg,
                                                         ignore_index=IGNORE)(zt, monai_target(yt)),
            kind="patched-f64")
    for g, a in ((2.0, None), (2.0, 0.25), (0.5, 0.6)):
        add(f"focal monai softmax gamma={g} alpha={a} (ignore_index set)",
            lambda z, y, g=g, a=a: focal_loss(z, y, act="softmax", gamma=g, alpha=a, alpha_f32=True),
            lambda zt, yt, g=g, a=a: ml.FocalLoss(to_onehot_y=True, gamma=g, alpha=a, use_softmax=True,
                                                  ignore_index=IGNORE)(zt, monai_target(yt)),
            kind="patched-f64", note="alpha, 1 - alpha rounded to float32 as MONAI does")
    add("focal monai sigmoid gamma=2 float32 as shipped (ignore_index set)",
        lambda z, y: focal_loss(z, y, act="sigmoid", gamma=2.0, norm_kind="pixels"),
        lambda zt, yt: ml.FocalLoss(to_onehot_y=True, gamma=2.0, ignore_index=IGNORE)(zt, monai_target(yt)),
        kind="f32", note="float32 tolerances")
    add("focal monai sigmoid no ignore_index (= smp normaliser)",
        lambda z, y: focal_loss(z, y, act="sigmoid", gamma=2.0, norm_kind="elements"),
        lambda zt, yt: ml.FocalLoss(to_onehot_y=True, gamma=2.0)(zt, monai_target(yt)),
        no_ignore=True, kind="patched-f64")
    add("focal monai softmax no ignore_index (= spec / |K|)",
        lambda z, y: (lambda L, G: (L / z.shape[-1], G / z.shape[-1]))(*focal_loss(z, y, act="softmax", gamma=2.0)),
        lambda zt, yt: ml.FocalLoss(to_onehot_y=True, gamma=2.0, use_softmax=True)(zt, monai_target(yt)),
        no_ignore=True, kind="patched-f64")

    # --- log-Dice (SMP DiceLoss) ----------------------------------------------------------------
    for s in (0.0, 1.0):
        add(f"dice smp smooth={s}",
            lambda z, y, s=s: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.5, 0.5, s, s, 1e-7),
                                          present_mask=True),
            lambda zt, yt, s=s: smp.losses.DiceLoss("multiclass", smooth=s, ignore_index=IGNORE)(zt, yt))
        add(f"log-dice smp smooth={s} (log_loss)",
            lambda z, y, s=s: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.5, 0.5, s, s, 1e-7),
                                          present_mask=True, log_loss=True),
            lambda zt, yt, s=s: smp.losses.DiceLoss("multiclass", smooth=s, log_loss=True, ignore_index=IGNORE)(zt, yt))
    add("log-dice smp no-background smooth=0",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.5, 0.5, 0.0, 0.0, 1e-7),
                                 present_mask=True, log_loss=True, bg=False),
        lambda zt, yt: smp.losses.DiceLoss("multiclass", log_loss=True, ignore_index=IGNORE,
                                           classes=no_bg_classes(C_of(zt)))(zt, yt))
    add("dice smp smooth=0.5 == corrected s_nr=s_dr=1 + mask",
        lambda z, y: region_loss(z, y, lambda I, P, R: score_dice_corrected(I, P, R, 1.0, 1.0), present_mask=True),
        lambda zt, yt: smp.losses.DiceLoss("multiclass", smooth=0.5, ignore_index=IGNORE)(zt, yt))

    # --- Lovász-softmax -------------------------------------------------------------------------
    for agg, per_image in (("global", False), ("per-image", True)):
        add(f"lovasz smp {agg} mean (classes present)",
            lambda z, y, agg=agg: lovasz_loss(z, y, agg=agg)[:2],
            lambda zt, yt, per_image=per_image: smp.losses.LovaszLoss("multiclass", per_image=per_image,
                                                                      ignore_index=IGNORE)(zt, yt),
            h="lovasz", kind="patched-f64")
    add("lovasz smp global float32 as shipped",
        lambda z, y: lovasz_loss(z, y, agg="global")[:2],
        lambda zt, yt: smp.losses.LovaszLoss("multiclass", ignore_index=IGNORE)(zt, yt),
        kind="f32", note="float32 tolerances")

    # --- Dice + focal ---------------------------------------------------------------------------
    for agg, batch, bg in (("per-image", False, True), ("global", True, False)):
        add(f"dice+focal monai DiceFocalLoss {agg} bg={int(bg)} gamma=2 lambda 1,0.5",
            lambda z, y, agg=agg, bg=bg: tuple(
                a + 0.5 * b for a, b in zip(
                    region_loss(z, y, lambda I, P, R: score_dice_corrected(I, P, R, 1e-5, 1e-5), agg=agg, bg=bg),
                    focal_loss(z, y, act="sigmoid", gamma=2.0, norm_kind="elements", bg=bg))),
            lambda zt, yt, batch=batch, bg=bg: ml.DiceFocalLoss(
                softmax=True, to_onehot_y=True, gamma=2.0, batch=batch, include_background=bg, lambda_dice=1.0,
                lambda_focal=0.5)(zt, monai_target(yt)),
            no_ignore=True, kind="patched-f64")
    add("dice+focal smp DiceLoss + FocalLoss smooth=1 gamma=2",
        lambda z, y: tuple(a + b for a, b in zip(
            region_loss(z, y, lambda I, P, R: score_tversky_smp(I, P, R, 0.5, 0.5, 1.0, 1.0, 1e-7), present_mask=True),
            focal_loss(z, y, act="sigmoid", gamma=2.0, norm_kind="elements"))),
        lambda zt, yt: smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=IGNORE)(zt, yt)
        + smp.losses.FocalLoss("multiclass", gamma=2.0, ignore_index=IGNORE)(zt, yt))

    for name, spec, lib, no_ignore, h, kind, note in checks:
        for cname, z, y in cases:
            if no_ignore:
                if np.any(y == IGNORE):
                    continue
            L, g = spec(z, y)
            if kind == "f32":
                Ll, gl = lib_eval_f32(lib, z, y)
            elif kind == "patched-f64":
                with keep_float64():
                    Ll, gl = lib_eval(lib, z, y)
            else:
                Ll, gl = lib_eval(lib, z, y)
            if h == "lovasz":
                gap = lovasz_loss(z, y, agg="global" if "global" in name else "per-image")[2]
                hh = min(1e-6, gap / 20.0)  # small enough that no two errors swap places
            else:
                hh = h
            gfd = None if kind == "f32" else fd_grad(lambda zz: spec(zz, y)[0], z, hh)
            if kind in ("f32", "f64-loose"):
                rep.line(name, cname, L, g, Ll, gl, gfd, y, F32_LOSS_TOL, F32_GRAD_TOL, note)
            else:
                rep.line(name, cname, L, g, Ll, gl, gfd, y, note=note)
    return rep


def reference_value():
    """Part 1's hand-check value: MONAI's published DiceLoss test, 0.383713."""
    z = np.array([[[-1.0, 0, 1], [1, 0, -1]], [[0.0, 0, 0], [0, 0, 0]]])  # (B, C, N)
    y = np.array([[[1, 0, 0]], [[1, 1, 0]]])[:, 0]  # (B, N)
    zl = np.moveaxis(z, 1, -1)[:, None]  # (B, 1, N, C) channels last
    L, _ = region_loss(zl, y[:, None], lambda I, P, R: score_dice_corrected(I, P, R, 1e-4, 1e-4), agg="per-image")
    Lm = float(ml.DiceLoss(to_onehot_y=True, softmax=True, smooth_nr=1e-4, smooth_dr=1e-4)(
        torch.tensor(z), torch.tensor(y)[:, None]))
    ok = abs(L - 0.383713) < 5e-7 and rel(L, Lm) <= LIB_TOL
    print(f"{'OK  ' if ok else 'FAIL'} reference value (Part 1): spec {L:.7f}, MONAI DiceLoss {Lm:.7f}, "
          f"published 0.383713")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="three cases instead of four")
    args = ap.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__}, monai {monai.__version__}, "
          f"segmentation_models_pytorch {smp.__version__}")
    ok_ref = reference_value()
    rep = run(args.quick)
    print()
    print("worst per variant (loss_rel, grad_rel, fd_rel):")
    for name, (a, b, c) in rep.worst.items():
        print(f"  {name:<66} {a:.1e} {b:.1e} " + (f"{c:.1e}" if c is not None else "   -"))
    print(f"\n{rep.n - len(rep.fails)}/{rep.n} checks pass"
          f" (library: loss and gradient ≤ {LIB_TOL:g} relative in float64, float32 lines ≤ "
          f"{F32_LOSS_TOL:g}/{F32_GRAD_TOL:g}; finite differences ≤ {FD_TOL:g} of max |g|)")
    if rep.fails or not ok_ref:
        for f in rep.fails:
            print("FAILED:", *f)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Prints the library values that tests/native/part2_values.rs hard-codes: each call of
docs/losses.md 2.11 on one fixed case, its loss and the sum of |∂L/∂z|, in float64 (MONAI's
FocalLoss and SMP's Lovász kept in float64 as tools/spec_check.py does).

The case: B=2, H=2, W=3, C=4, logits z[i] = (((7·i + 3) mod 41) − 20)/8 over the flat
channels-last index i; labels below (255 ignored; class 3 absent; class 2 absent from image 1).
    target/verify-venv/bin/python tools/part2_values.py
"""
import sys

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from spec_check import keep_float64, lib_eval, monai_target  # noqa: E402

import monai.losses as ml  # noqa: E402
import segmentation_models_pytorch as smp  # noqa: E402

B, H, W, C = 2, 2, 3, 4
z = np.array([(((7 * i + 3) % 41) - 20) / 8 for i in range(B * H * W * C)]).reshape(B, H, W, C)
y = np.array([[[0, 1, 2], [1, 255, 0]], [[0, 0, 1], [1, 0, 0]]])
y_full = np.where(y == 255, 0, y)
I = 255

calls = [
    ("jaccard_smp", 'smp.losses.JaccardLoss("multiclass", smooth=0.5, ignore_index=255)',
     lambda zt, yt: smp.losses.JaccardLoss("multiclass", smooth=0.5, ignore_index=I)(zt, yt), y),
    ("log_jaccard_smp", 'smp.losses.JaccardLoss("multiclass", log_loss=True, ignore_index=255)',
     lambda zt, yt: smp.losses.JaccardLoss("multiclass", log_loss=True, ignore_index=I)(zt, yt), y),
    ("jaccard_monai", "monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, "
     "smooth_nr=1e-5, smooth_dr=1e-5, ignore_index=255)",
     lambda zt, yt: ml.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, smooth_nr=1e-5,
                                smooth_dr=1e-5, ignore_index=I)(zt, monai_target(yt)), y),
    ("tversky_smp", 'smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=1.0, smooth=1.0, '
     "ignore_index=255)",
     lambda zt, yt: smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=1.0, smooth=1.0,
                                           ignore_index=I)(zt, yt), y),
    ("tversky_monai", "monai.losses.TverskyLoss(softmax=True, to_onehot_y=True, alpha=0.3, beta=0.7, "
     "smooth_nr=1e-5, smooth_dr=0.5, ignore_index=255)",
     lambda zt, yt: ml.TverskyLoss(softmax=True, to_onehot_y=True, alpha=0.3, beta=0.7, smooth_nr=1e-5,
                                   smooth_dr=0.5, ignore_index=I)(zt, monai_target(yt)), y),
    ("focal_tversky_smp", 'smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=0.75, '
     "smooth=1.0, ignore_index=255)",
     lambda zt, yt: smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=0.75, smooth=1.0,
                                           ignore_index=I)(zt, yt), y),
    ("dice_smp", 'smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=255)',
     lambda zt, yt: smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=I)(zt, yt), y),
    ("log_dice_smp", 'smp.losses.DiceLoss("multiclass", smooth=1.0, log_loss=True, ignore_index=255)',
     lambda zt, yt: smp.losses.DiceLoss("multiclass", smooth=1.0, log_loss=True, ignore_index=I)(zt, yt), y),
    ("focal_smp", 'smp.losses.FocalLoss("multiclass", gamma=2.0, alpha=0.25, ignore_index=255)',
     lambda zt, yt: smp.losses.FocalLoss("multiclass", gamma=2.0, alpha=0.25, ignore_index=I)(zt, yt), y),
    ("focal_monai", "monai.losses.FocalLoss(to_onehot_y=True, gamma=2.0, ignore_index=255)",
     lambda zt, yt: ml.FocalLoss(to_onehot_y=True, gamma=2.0, ignore_index=I)(zt, monai_target(yt)), y),
    ("focal_monai_softmax", "monai.losses.FocalLoss(to_onehot_y=True, gamma=2.0, alpha=0.25, "
     "use_softmax=True, ignore_index=255)",
     lambda zt, yt: ml.FocalLoss(to_onehot_y=True, gamma=2.0, alpha=0.25, use_softmax=True,
                                 ignore_index=I)(zt, monai_target(yt)), y),
    ("lovasz_smp", 'smp.losses.LovaszLoss("multiclass", per_image=False, ignore_index=255)',
     lambda zt, yt: smp.losses.LovaszLoss("multiclass", per_image=False, ignore_index=I)(zt, yt), y),
    ("lovasz_smp_per_image", 'smp.losses.LovaszLoss("multiclass", per_image=True, ignore_index=255)',
     lambda zt, yt: smp.losses.LovaszLoss("multiclass", per_image=True, ignore_index=I)(zt, yt), y),
    ("dice_focal_monai", "monai.losses.DiceFocalLoss(softmax=True, to_onehot_y=True, gamma=2.0, "
     "smooth_nr=1e-5, smooth_dr=1e-5, lambda_dice=0.7, lambda_focal=2.5) (labels without 255)",
     lambda zt, yt: ml.DiceFocalLoss(softmax=True, to_onehot_y=True, gamma=2.0, smooth_nr=1e-5,
                                     smooth_dr=1e-5, lambda_dice=0.7, lambda_focal=2.5)(zt, monai_target(yt)),
     y_full),
    ("dice_focal_smp", 'smp DiceLoss("multiclass", smooth=1.0, ignore_index=255) + '
     'FocalLoss("multiclass", gamma=2.0, ignore_index=255)',
     lambda zt, yt: smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=I)(zt, yt)
     + smp.losses.FocalLoss("multiclass", gamma=2.0, ignore_index=I)(zt, yt), y),
]

torch.set_num_threads(1)
for name, call, fn, labels in calls:
    with keep_float64():
        L, g = lib_eval(fn, z, labels)
    print(f"// {call}\n{name}: loss {L!r}, sum |g| {float(np.abs(g).sum())!r}")

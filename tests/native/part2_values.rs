//! Library values of docs/losses.md 2.11, computed once with SMP 0.6.0 and MONAI 1.6.1 in float64
//! by tools/part2_values.py (the library call above each), so these tests pin the equivalence
//! without Python: the loss to 1e-9 relative and `Σ|∂L/∂z|` to 1e-6 (the gradient is f32).

use dicelab::loss::{self, Activation, Aggregation, LossConfig, LossKind, Variant};
use ndarray::{Array3, Array4};

/// B=2, H=2, W=3, C=4; logits `(((7i + 3) mod 41) − 20)/8` (exact in f32); one pixel ignored;
/// class 3 absent; class 2 absent from image 1. `full`: the ignored pixel labelled 0 instead.
fn case(full: bool) -> (Array4<f32>, Array3<i32>) {
    let z = Array4::from_shape_fn((2, 2, 3, 4), |(b, h, w, c)| {
        let i = ((b * 2 + h) * 3 + w) * 4 + c;
        (((7 * i + 3) % 41) as f32 - 20.0) / 8.0
    });
    let ignored = if full { 0 } else { 255 };
    let y = Array3::from_shape_vec((2, 2, 3), vec![0, 1, 2, 1, ignored, 0, 0, 0, 1, 1, 0, 0])
        .expect("shape");
    (z, y)
}

fn check(what: &str, cfg: LossConfig, full: bool, want_loss: f64, want_abs_grad: f64) {
    let (z, y) = case(full);
    let (r, g) =
        loss::loss_and_grad(&cfg, z.view(), y.view()).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        (r.loss - want_loss).abs() <= 1e-9 * want_loss.abs(),
        "{what}: loss {} vs library {want_loss}",
        r.loss
    );
    let abs: f64 = g.iter().map(|v| f64::from(v.abs())).sum();
    assert!(
        (abs - want_abs_grad).abs() <= 1e-6 * want_abs_grad,
        "{what}: Σ|g| {abs} vs library {want_abs_grad}"
    );
}

fn with(kind: LossKind, variant: Variant, s: f64) -> LossConfig {
    LossConfig {
        kind,
        variant: Some(variant),
        smooth_nr: s,
        smooth_dr: s,
        ..LossConfig::default()
    }
}

#[test]
fn jaccard_equals_smp_and_monai() {
    // smp.losses.JaccardLoss("multiclass", smooth=0.5, ignore_index=255)
    check(
        "jaccard smp",
        with(LossKind::Jaccard, Variant::Smp, 0.5),
        false,
        0.5391396654232035,
        0.13461101079618767,
    );
    // smp.losses.JaccardLoss("multiclass", log_loss=True, ignore_index=255)
    check(
        "log-jaccard smp",
        LossConfig {
            log_loss: true,
            ..with(LossKind::Jaccard, Variant::Smp, 0.0)
        },
        false,
        1.335462854303939,
        0.8744901762424038,
    );
    // monai.losses.DiceLoss(softmax=True, to_onehot_y=True, jaccard=True, smooth_nr=1e-5,
    //                       smooth_dr=1e-5, ignore_index=255)
    check(
        "jaccard monai",
        LossConfig {
            aggregation: Aggregation::PerImage,
            ..with(LossKind::Jaccard, Variant::Monai, 1e-5)
        },
        false,
        0.8605833724176035,
        0.12654867041208676,
    );
}

#[test]
fn tversky_and_focal_tversky_equal_smp_and_monai() {
    let t = |variant, s| LossConfig {
        alpha: Some(0.3),
        beta: 0.7,
        ..with(LossKind::Tversky, variant, s)
    };
    // smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=1.0, smooth=1.0,
    //                        ignore_index=255)
    check(
        "tversky smp",
        t(Variant::Smp, 1.0),
        false,
        0.38173289621065304,
        0.14522360903233167,
    );
    // monai.losses.TverskyLoss(softmax=True, to_onehot_y=True, alpha=0.3, beta=0.7,
    //                          smooth_nr=1e-5, smooth_dr=0.5, ignore_index=255)
    check(
        "tversky monai",
        LossConfig {
            aggregation: Aggregation::PerImage,
            smooth_nr: 1e-5,
            smooth_dr: 0.5,
            ..t(Variant::Monai, 0.0)
        },
        false,
        0.8455281251802136,
        0.12786413334168834,
    );
    // smp.losses.TverskyLoss("multiclass", alpha=0.3, beta=0.7, gamma=0.75, smooth=1.0,
    //                        ignore_index=255): focal-tversky's default gamma
    check(
        "focal-tversky smp",
        LossConfig {
            kind: LossKind::FocalTversky,
            ..t(Variant::Smp, 1.0)
        },
        false,
        0.48564585960318596,
        0.13856660994497655,
    );
}

#[test]
fn dice_and_log_dice_equal_smp() {
    // smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=255)
    check(
        "dice smp",
        with(LossKind::Dice, Variant::Smp, 1.0),
        false,
        0.36974200542415103,
        0.14628754273973846,
    );
    // smp.losses.DiceLoss("multiclass", smooth=1.0, log_loss=True, ignore_index=255)
    check(
        "log-dice smp",
        LossConfig {
            log_loss: true,
            ..with(LossKind::Dice, Variant::Smp, 1.0)
        },
        false,
        0.5182046859294265,
        0.3028063169946263,
    );
}

#[test]
fn focal_equals_smp_and_monai() {
    // smp.losses.FocalLoss("multiclass", gamma=2.0, alpha=0.25, ignore_index=255)
    check(
        "focal smp",
        LossConfig {
            alpha: Some(0.25),
            ..with(LossKind::Focal, Variant::Smp, 1.0)
        },
        false,
        0.2636310897274509,
        0.23810573510635016,
    );
    // monai.losses.FocalLoss(to_onehot_y=True, gamma=2.0, ignore_index=255), in float64
    check(
        "focal monai",
        with(LossKind::Focal, Variant::Monai, 1.0),
        false,
        1.6723358299463948,
        1.5057897335504975,
    );
    // monai.losses.FocalLoss(to_onehot_y=True, gamma=2.0, alpha=0.25, use_softmax=True,
    //                        ignore_index=255), in float64
    check(
        "focal monai softmax",
        LossConfig {
            alpha: Some(0.25),
            focal_activation: Activation::Softmax,
            ..with(LossKind::Focal, Variant::Monai, 1.0)
        },
        false,
        0.7498329954499212,
        0.7819760610603107,
    );
}

#[test]
fn lovasz_equals_smp() {
    let lovasz = LossConfig {
        kind: LossKind::Lovasz,
        ..LossConfig::default()
    };
    // smp.losses.LovaszLoss("multiclass", per_image=False, ignore_index=255), in float64
    check(
        "lovasz",
        lovasz,
        false,
        0.7080507448927967,
        0.28090964356936354,
    );
    // smp.losses.LovaszLoss("multiclass", per_image=True, ignore_index=255), in float64
    check(
        "lovasz per-image",
        LossConfig {
            aggregation: Aggregation::PerImage,
            ..lovasz
        },
        false,
        0.7144112490154075,
        0.25163634699408477,
    );
}

#[test]
fn dice_focal_equals_monai_and_smp() {
    // monai.losses.DiceFocalLoss(softmax=True, to_onehot_y=True, gamma=2.0, smooth_nr=1e-5,
    //                            smooth_dr=1e-5, lambda_dice=0.7, lambda_focal=2.5), float64,
    // on labels without 255 (it has no ignore_index)
    check(
        "dice+focal monai",
        LossConfig {
            aggregation: Aggregation::PerImage,
            lambda_dice: 0.7,
            lambda_focal: 2.5,
            ..with(LossKind::DiceFocal, Variant::Monai, 1e-5)
        },
        true,
        1.6229843474684764,
        1.0553310382499075,
    );
    // smp.losses.DiceLoss("multiclass", smooth=1.0, ignore_index=255)
    //   + smp.losses.FocalLoss("multiclass", gamma=2.0, ignore_index=255)
    check(
        "dice+focal smp",
        with(LossKind::DiceFocal, Variant::Smp, 1.0),
        false,
        0.7878259629107498,
        0.5119495892343461,
    );
}

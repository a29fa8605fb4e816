// loss_terms.wgsl: from the sums to the loss, one thread (the work is O(units·classes)). CPU twin:
// `loss_terms` in src/loss/terms.rs, with `class_dice` / `dice_loss` (dice.rs) and `class_weights` /
// `gdl_loss` (gdl.rs).
//
// Dice per (unit a, class l):
//   seed:      d = 1 − 2·(I + s_nr) / (R + P + s_dr)
//   corrected: d = 1 − (2·I + s_nr) / (R + P + s_dr)
//   ∂d/∂I = −2/den,  ∂d/∂(R+P) = num/den²
// evaluated as d = (den − num)/den = (D + s_dr − s_nr)/den (seed: s_dr − 2·s_nr) with D = R + P − 2I
// summed without cancellation by class_sums: 1 − num/den in f32 loses every digit when num ≈ den.
// Generalized Dice per unit: the same ratio on Σ_l w_al·I_al and Σ_l w_al·(R_al + P_al), with
// w = 1/R², 1/R or 1, an absent class (R = 0) taking the unit's largest finite weight (MONAI).
// Cross-entropy: ce_scale·Σ ce_n with ce_scale = 1/valid (mean, and always for dice+ce) or 1 (sum).
//
// Writes `coefs` (what logit_grad needs: ce_scale, ∂L/∂I_al, ∂L/∂P_al) and `report` (what the caller
// may read back for display), so a training step runs class_sums → loss_terms → logit_grad with no
// readback in between. Layouts: src/gpu/layout.rs.

@group(0) @binding(5) var<storage, read> sums_f: array<f32>;        // [units][3C+1]: I, P, D, ce
@group(0) @binding(6) var<storage, read> sums_u: array<u32>;        // [units][C+1]: R, valid
@group(0) @binding(7) var<storage, read_write> coefs: array<f32>;   // ce_scale, coef_i[K], coef_p[K]
@group(0) @binding(8) var<storage, read_write> report: array<f32>;  // header, 5 × [K], gdl[units]

const STATUS_OK: f32 = 0.0;
const STATUS_ZERO_DENOMINATOR: f32 = 1.0;

fn sum_i(a: u32, l: u32) -> f32 {
    return sums_f[a * (3u * params.classes + 1u) + l];
}
fn sum_p(a: u32, l: u32) -> f32 {
    return sums_f[a * (3u * params.classes + 1u) + params.classes + l];
}
fn sum_d(a: u32, l: u32) -> f32 {
    return sums_f[a * (3u * params.classes + 1u) + 2u * params.classes + l];
}
fn sum_r(a: u32, l: u32) -> f32 {
    return f32(sums_u[a * (params.classes + 1u) + l]);
}

// (value, ∂/∂I, ∂/∂(R+P), 1) of the smoothed Dice ratio from I, R + P and D = R + P − 2I; all 0 when
// the denominator is 0.
fn dice_term(i: f32, rp: f32, d: f32) -> vec4<f32> {
    var num = 2.0 * i + params.smooth_nr;
    if params.formula == FORMULA_SEED {
        num = 2.0 * (i + params.smooth_nr);
    }
    let den = rp + params.smooth_dr;
    if den == 0.0 {
        return vec4<f32>(0.0);
    }
    return vec4<f32>((d + params.smooth_off) / den, -2.0 / den, num / (den * den), 1.0);
}

// The Dice term of (unit a, class l).
fn class_term(a: u32, l: u32) -> vec4<f32> {
    return dice_term(sum_i(a, l), sum_r(a, l) + sum_p(a, l), sum_d(a, l));
}

// Generalized Dice weight of an included class from its true volume; −1 marks "absent, infinite".
fn raw_weight(r: f32) -> f32 {
    if params.weights == WEIGHTS_UNIFORM {
        return 1.0;
    }
    if r == 0.0 {
        return -1.0;
    }
    if params.weights == WEIGHTS_SIMPLE {
        return 1.0 / r;
    }
    return 1.0 / (r * r);
}

// Report slots: the first zero denominator, as the CPU's `LossError::ZeroDenominator` (class C stands
// for "all classes" of a Generalized Dice unit).
var<private> status: f32 = STATUS_OK;
var<private> err_unit: u32 = 0u;
var<private> err_class: u32 = 0u;

fn zero_denominator(a: u32, l: u32) {
    if status == STATUS_OK {
        status = STATUS_ZERO_DENOMINATOR;
        err_unit = a;
        err_class = l;
    }
}

fn dice_loss(k_all: u32) -> f32 {
    let c = params.classes;
    let first = params.first_class;
    var scale = 1.0 / f32(params.units * (c - first));
    if params.reduction == REDUCTION_SUM {
        scale = 1.0;
    }
    var loss = 0.0;
    for (var a = 0u; a < params.units; a++) {
        for (var l = first; l < c; l++) {
            let k = a * c + l;
            let d = class_term(a, l);
            if d.w == 0.0 {
                zero_denominator(a, l);
            }
            loss += d.x;
            coefs[1u + k] = scale * d.y;
            coefs[1u + k_all + k] = scale * d.z;
        }
    }
    return scale * loss;
}

fn gdl_loss(k_all: u32) -> f32 {
    let c = params.classes;
    let first = params.first_class;
    var scale = 1.0 / f32(params.units);
    if params.reduction == REDUCTION_SUM {
        scale = 1.0;
    }
    var loss = 0.0;
    for (var a = 0u; a < params.units; a++) {
        var w_max = 0.0;
        for (var l = first; l < c; l++) {
            w_max = max(w_max, raw_weight(sum_r(a, l)));
        }
        var wi = 0.0;
        var wrp = 0.0;
        var wd = 0.0;
        for (var l = first; l < c; l++) {
            var w = raw_weight(sum_r(a, l));
            if w < 0.0 {
                w = w_max;
            }
            report[HEAD + 4u * k_all + a * c + l] = w;
            wi += w * sum_i(a, l);
            wrp += w * (sum_r(a, l) + sum_p(a, l));
            wd += w * sum_d(a, l);
        }
        let g = dice_term(wi, wrp, wd);
        if g.w == 0.0 {
            zero_denominator(a, c);
        }
        loss += g.x;
        report[HEAD + 5u * k_all + a] = g.x;
        for (var l = first; l < c; l++) {
            let k = a * c + l;
            let w = report[HEAD + 4u * k_all + k];
            coefs[1u + k] = scale * w * g.y;
            coefs[1u + k_all + k] = scale * w * g.z;
        }
    }
    return scale * loss;
}

@compute @workgroup_size(1)
fn loss_terms() {
    let c = params.classes;
    let k_all = params.units * c;

    // Per (unit, class): the Dice shown for every kind, weight 1 (0 if excluded), no gradient yet.
    for (var a = 0u; a < params.units; a++) {
        for (var l = 0u; l < c; l++) {
            let k = a * c + l;
            let d = class_term(a, l);
            report[HEAD + k] = d.x;
            report[HEAD + k_all + k] = d.y;
            report[HEAD + 2u * k_all + k] = d.z;
            report[HEAD + 3u * k_all + k] = d.w;
            report[HEAD + 4u * k_all + k] = select(0.0, 1.0, l >= params.first_class);
            coefs[1u + k] = 0.0;
            coefs[1u + k_all + k] = 0.0;
        }
    }

    var loss = 0.0;
    var dice = 0.0;
    if params.kind != KIND_CE {
        if params.kind == KIND_GDL {
            dice = gdl_loss(k_all);
        } else {
            dice = dice_loss(k_all);
        }
        loss += dice;
    }

    var ce = 0.0;
    var ce_scale = 0.0;
    if params.kind == KIND_CE || params.kind == KIND_DICE_CE {
        var ce_sum = 0.0;
        var valid = 0u;
        for (var a = 0u; a < params.units; a++) {
            ce_sum += sums_f[a * (3u * c + 1u) + 3u * c];
            valid += sums_u[a * (c + 1u) + c];
        }
        // dice+ce always takes the mean; a batch with every pixel ignored has ce 0 and no gradient.
        let mean = params.kind == KIND_DICE_CE || params.reduction != REDUCTION_SUM;
        if valid > 0u {
            ce_scale = select(1.0, 1.0 / f32(valid), mean);
        }
        ce = ce_scale * ce_sum;
        loss += ce;
    }
    coefs[0] = ce_scale;

    report[0] = loss;
    report[1] = dice;
    report[2] = ce;
    report[3] = status;
    report[4] = f32(err_unit);
    report[5] = f32(err_class);
    report[6] = 0.0;
    report[7] = 0.0;
}

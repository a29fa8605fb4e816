// loss_terms.wgsl: from the sums to the loss, one thread (the work is O(units·classes)). CPU twin:
// `loss_terms` in src/loss/terms.rs, with `class_dice` / `dice_loss` (dice.rs), `class_weights` /
// `gdl_loss` (gdl.rs), `region_loss` (region.rs), `focal_part` (terms.rs) and the reduction of
// `lovasz_loss` (lovasz.rs).
//
// Dice per (unit a, class l):
//   seed:      d = 1 − 2·(I + s_nr) / (R + P + s_dr)
//   corrected: d = 1 − (2·I + s_nr) / (R + P + s_dr)
//   ∂d/∂I = −2/den,  ∂d/∂(R+P) = num/den²
// evaluated as d = (den − num)/den = (D + s_dr − s_nr)/den (seed: s_dr − 2·s_nr) with D = R + P − 2I
// = FP + FN summed without cancellation by class_sums: 1 − num/den in f32 loses every digit when
// num ≈ den. Generalized Dice per unit: the same ratio on Σ_l w_al·I_al and Σ_l w_al·(R_al + P_al),
// with w = 1/R², 1/R or 1, an absent class (R = 0) taking the unit's largest finite weight (MONAI).
// Cross-entropy: ce_scale·Σ ce_n with ce_scale = 1/valid (mean, and always for dice+ce) or 1 (sum).
//
// Part 2's region losses (docs/losses.md 2.1): a score S = num/den (Tversky, with SMP's clamp of den
// at eps; MONAI's Jaccard; Part 1's Dice), its term (1 − S = (den − num)/den, −ln S = log1p((den −
// num)/num), (1 − S)^(1/γ)) and the reduction (SMP's presence mask; focal Tversky's outer power).
// Focal: its sums over the normaliser. Lovász: each unit's mean of the λ_al that lovasz.wgsl left.
//
// Writes `coefs` (what logit_grad needs: ce_scale, ∂L/∂I_al, ∂L/∂P_al) and `report` (what the caller
// may read back for display), so a training step runs class_sums → loss_terms → logit_grad with no
// readback in between. Layouts: src/gpu/layout.rs.

@group(0) @binding(5) var<storage, read> sums_f: array<f32>;        // [units][5C+1]
@group(0) @binding(6) var<storage, read> sums_u: array<u32>;        // [units][C+1]: R, valid
@group(0) @binding(7) var<storage, read_write> coefs: array<f32>;   // ce_scale, coef_i, coef_p, s_f
@group(0) @binding(8) var<storage, read_write> report: array<f32>;  // header, 8 × [K], 2 × [units]
@group(0) @binding(10) var<storage, read> lovasz: array<f32>;       // [K]: λ_al (Lovász only)

// Float sum q (0 I, 1 P, 2 FP, 3 FN, 4 focal) of (unit a, class l).
fn sum_q(q: u32, a: u32, l: u32) -> f32 {
    return sums_f[a * (SUMS_PER_CLASS * params.classes + 1u) + q * params.classes + l];
}
fn sum_i(a: u32, l: u32) -> f32 {
    return sum_q(0u, a, l);
}
fn sum_p(a: u32, l: u32) -> f32 {
    return sum_q(1u, a, l);
}
fn sum_fp(a: u32, l: u32) -> f32 {
    return sum_q(2u, a, l);
}
fn sum_fn(a: u32, l: u32) -> f32 {
    return sum_q(3u, a, l);
}
// D = R + P − 2I = FP + FN (Σ|r − p|, or Σ(r − p)² when squared).
fn sum_d(a: u32, l: u32) -> f32 {
    return sum_fp(a, l) + sum_fn(a, l);
}
fn sum_r(a: u32, l: u32) -> f32 {
    return f32(sums_u[a * (params.classes + 1u) + l]);
}
fn valid_pixels() -> u32 {
    var valid = 0u;
    for (var a = 0u; a < params.units; a++) {
        valid += sums_u[a * (params.classes + 1u) + params.classes];
    }
    return valid;
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
// for "all classes" of a Generalized Dice unit) or `ZeroScoreDenominator`.
var<private> status: u32 = STATUS_OK;
var<private> err_unit: u32 = 0u;
var<private> err_class: u32 = 0u;

fn fail(code: u32, a: u32, l: u32) {
    if status == STATUS_OK {
        status = code;
        err_unit = a;
        err_class = l;
    }
}

fn zero_denominator(a: u32, l: u32) {
    fail(STATUS_ZERO_DENOMINATOR, a, l);
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
        report[HEAD + 8u * k_all + a] = g.x;
        for (var l = first; l < c; l++) {
            let k = a * c + l;
            let w = report[HEAD + 4u * k_all + k];
            coefs[1u + k] = scale * w * g.y;
            coefs[1u + k_all + k] = scale * w * g.z;
        }
    }
    return scale * loss;
}

// A Part 2 score: S, 1 − S and −ln S (each without cancellation), ∂S/∂I, ∂S/∂P, and whether its
// denominator is non-zero.
struct Score {
    value: f32,
    rest: f32,
    neg_log: f32,
    d_i: f32,
    d_p: f32,
    ok: bool,
}

// S = num/den with den − num = gap, and its partials.
fn ratio(num: f32, den: f32, gap: f32, d_i: f32, d_p: f32) -> Score {
    return Score(num / den, gap / den, log1p(gap / num), d_i, d_p, den != 0.0);
}

fn region_score(a: u32, l: u32) -> Score {
    let i = sum_i(a, l);
    if params.score == SCORE_TVERSKY {
        let al = params.tv_alpha;
        let be = params.tv_beta;
        let num = i + params.smooth_nr;
        let spread = al * sum_fp(a, l) + be * sum_fn(a, l);
        let den = i + spread + params.smooth_dr;
        if params.smp == 1u && den < params.eps {
            // SMP's clamp: the denominator is the constant eps.
            let s = num / params.eps;
            return Score(s, (params.eps - num) / params.eps, -log(s), 1.0 / params.eps, 0.0, true);
        }
        let s = num / den;
        return ratio(num, den, spread + params.smooth_gap, (1.0 - (1.0 - al - be) * s) / den, -al * s / den);
    }
    if params.score == SCORE_JACCARD {
        let d = sum_d(a, l);
        let num = 2.0 * i + params.smooth_nr;
        let den = 2.0 * (i + d) + params.smooth_dr;
        let s = num / den;
        return ratio(num, den, 2.0 * d + params.smooth_gap, 2.0 * (1.0 + s) / den, -2.0 * s / den);
    }
    // Part 1's Dice as a score, S = 1 − d.
    let t = class_term(a, l);
    var num = 2.0 * i + params.smooth_nr;
    if params.formula == FORMULA_SEED {
        num = 2.0 * (i + params.smooth_nr);
    }
    let den = sum_r(a, l) + sum_p(a, l) + params.smooth_dr;
    return ratio(num, den, sum_d(a, l) + params.smooth_off, -t.y, -t.z);
}

// (t(S), ∂t/∂S).
fn region_term(s: Score) -> vec2<f32> {
    if params.term == TERM_LOG {
        if s.value >= params.eps {
            return vec2<f32>(s.neg_log, -1.0 / s.value);
        }
        return vec2<f32>(-log(params.eps), 0.0);
    }
    if params.term == TERM_PAPER {
        if s.rest > 0.0 {
            let t = pow0(s.rest, params.inv_gamma);
            return vec2<f32>(t, -params.inv_gamma * t / s.rest);
        }
        return vec2<f32>(0.0, 0.0);
    }
    return vec2<f32>(s.rest, -1.0);
}

fn region_loss(k_all: u32) -> f32 {
    let c = params.classes;
    let first = params.first_class;
    var z = f32(params.units * (c - first));
    if params.reduction == REDUCTION_SUM {
        z = 1.0;
    }
    var total = 0.0;
    for (var a = 0u; a < params.units; a++) {
        for (var l = first; l < c; l++) {
            let k = a * c + l;
            let sc = region_score(a, l);
            if !sc.ok {
                fail(STATUS_ZERO_SCORE_DENOMINATOR, a, l);
            }
            report[HEAD + 5u * k_all + k] = sc.value;
            // smp: a class absent from the unit's truth keeps its place in z but has no term.
            if params.smp == 1u && sum_r(a, l) == 0.0 {
                report[HEAD + 6u * k_all + k] = 0.0;
                continue;
            }
            let t = region_term(sc);
            report[HEAD + 6u * k_all + k] = t.x;
            total += t.x;
            coefs[1u + k] = t.y * sc.d_i / z;
            coefs[1u + k_all + k] = t.y * sc.d_p / z;
        }
    }
    let l0 = total / z;
    if params.kind != KIND_FOCAL_TVERSKY || params.smp == 0u {
        return l0;
    }
    // SMP raises the class mean, once: ∂L/∂L₀ = γ·L₀^(γ−1) = γ·L/L₀.
    let loss = pow0(max(l0, 0.0), params.gamma);
    var outer = 0.0;
    if l0 > 0.0 {
        outer = params.gamma * loss / l0;
    }
    scale_coefs(k_all, outer);
    return loss;
}

// Multiplies every ∂L/∂I, ∂L/∂P by w.
fn scale_coefs(k_all: u32, w: f32) {
    for (var k = 0u; k < 2u * k_all; k++) {
        coefs[1u + k] *= w;
    }
}

// The focal part (docs/losses.md 2.6, 2.8): its value, and ∂L/∂(Σ f) into coefs.
fn focal_part(k_all: u32) -> f32 {
    let valid = valid_pixels();
    var z = 1.0;
    if params.focal_norm == FOCAL_NORM_PIXELS {
        z = f32(valid);
    } else if params.focal_norm == FOCAL_NORM_ELEMENTS {
        z = f32(params.classes - params.first_class) * f32(valid);
    }
    var inv = 0.0;
    if valid > 0u {
        inv = 1.0 / z;
    }
    var focal = 0.0;
    for (var a = 0u; a < params.units; a++) {
        for (var l = 0u; l < params.classes; l++) {
            let f = sum_q(4u, a, l);
            report[HEAD + 7u * k_all + a * params.classes + l] = f * inv;
            focal += f;
        }
    }
    coefs[1u + 2u * k_all] = params.lambda_focal * inv;
    return focal * inv;
}

// Lovász: per unit the mean of λ over its present classes, then the mean over units (or the sum of
// every λ).
fn lovasz_part(k_all: u32) -> f32 {
    let c = params.classes;
    var loss = 0.0;
    for (var a = 0u; a < params.units; a++) {
        var present = 0u;
        var unit_sum = 0.0;
        for (var l = params.first_class; l < c; l++) {
            let k = a * c + l;
            if sum_r(a, l) > 0.0 {
                present += 1u;
                unit_sum += lovasz[k];
                report[HEAD + 6u * k_all + k] = lovasz[k];
            }
        }
        var unit_loss = 0.0;
        if present > 0u {
            unit_loss = unit_sum / f32(present);
        }
        report[HEAD + 8u * k_all + params.units + a] = unit_loss;
        if params.reduction == REDUCTION_SUM {
            loss += unit_sum;
        } else {
            loss += unit_loss / f32(params.units);
        }
    }
    return loss;
}

@compute @workgroup_size(1)
fn loss_terms() {
    let c = params.classes;
    let k_all = params.units * c;

    // Per (unit, class): the Dice shown for every kind, weight 1 (0 if excluded), no gradient yet,
    // no Part 2 score, term or focal share.
    for (var a = 0u; a < params.units; a++) {
        for (var l = 0u; l < c; l++) {
            let k = a * c + l;
            let d = class_term(a, l);
            report[HEAD + k] = d.x;
            report[HEAD + k_all + k] = d.y;
            report[HEAD + 2u * k_all + k] = d.z;
            report[HEAD + 3u * k_all + k] = d.w;
            report[HEAD + 4u * k_all + k] = select(0.0, 1.0, l >= params.first_class);
            report[HEAD + 5u * k_all + k] = 0.0;
            report[HEAD + 6u * k_all + k] = 0.0;
            report[HEAD + 7u * k_all + k] = 0.0;
            coefs[1u + k] = 0.0;
            coefs[1u + k_all + k] = 0.0;
        }
    }
    coefs[1u + 2u * k_all] = 0.0;

    var loss = 0.0;
    var dice = 0.0;
    let kind = params.kind;
    if kind != KIND_CE && kind != KIND_FOCAL && kind != KIND_LOVASZ {
        if kind == KIND_GDL {
            dice = gdl_loss(k_all);
        } else if params.score == SCORE_PART1 {
            dice = dice_loss(k_all);
        } else {
            dice = region_loss(k_all);
        }
        if kind == KIND_DICE_FOCAL {
            scale_coefs(k_all, params.lambda_dice);
            loss += params.lambda_dice * dice;
        } else {
            loss += dice;
        }
    }

    var ce = 0.0;
    var ce_scale = 0.0;
    if kind == KIND_CE || kind == KIND_DICE_CE {
        var ce_sum = 0.0;
        for (var a = 0u; a < params.units; a++) {
            ce_sum += sums_f[a * (SUMS_PER_CLASS * c + 1u) + SUMS_PER_CLASS * c];
        }
        let valid = valid_pixels();
        // dice+ce always takes the mean; a batch with every pixel ignored has ce 0 and no gradient.
        let mean = kind == KIND_DICE_CE || params.reduction != REDUCTION_SUM;
        if valid > 0u {
            ce_scale = select(1.0, 1.0 / f32(valid), mean);
        }
        ce = ce_scale * ce_sum;
        loss += ce;
    }
    coefs[0] = ce_scale;

    var focal = 0.0;
    if kind == KIND_FOCAL || kind == KIND_DICE_FOCAL {
        focal = focal_part(k_all);
        loss += params.lambda_focal * focal;
    }
    if kind == KIND_LOVASZ {
        loss += lovasz_part(k_all);
    }

    report[0] = loss;
    report[1] = dice;
    report[2] = ce;
    report[3] = f32(status);
    report[4] = f32(err_unit);
    report[5] = f32(err_class);
    report[6] = focal;
    report[7] = 0.0;
}

//! An independent f64 TinySegNet for the tests: a direct (loop) convolution straight from the
//! definition, `out[n,y,x,o] = b[o] + Σ_{ky,kx,i} in[n, y+ky·d−pad, x+kx·d−pad, i] · W[ky,kx,i,o]`
//! (zero outside the image), ReLU, and the four layers — none of the engine's kernels.

use dicelab::net::{Conv, Dims, NetSpec};

pub fn conv_ref(conv: &Conv, d: Dims, x: &[f64], w: &[f64], b: &[f64]) -> Vec<f64> {
    let (h, wd, k) = (d.height as isize, d.width as isize, conv.k);
    let pad = conv.pad() as isize;
    let mut out = vec![0.0; d.pixels() * conv.cout];
    for n in 0..d.batch {
        for y in 0..h {
            for xx in 0..wd {
                let o = ((n * d.height + y as usize) * d.width + xx as usize) * conv.cout;
                for co in 0..conv.cout {
                    let mut s = b[co];
                    for ky in 0..k {
                        for kx in 0..k {
                            let iy = y + (ky * conv.dilation) as isize - pad;
                            let ix = xx + (kx * conv.dilation) as isize - pad;
                            if iy < 0 || ix < 0 || iy >= h || ix >= wd {
                                continue;
                            }
                            let src =
                                ((n * d.height + iy as usize) * d.width + ix as usize) * conv.cin;
                            for ci in 0..conv.cin {
                                s += x[src + ci]
                                    * w[((ky * k + kx) * conv.cin + ci) * conv.cout + co];
                            }
                        }
                    }
                    out[o + co] = s;
                }
            }
        }
    }
    out
}

/// The logits of TinySegNet `spec` with flat parameters `p` on images `x`.
pub fn net_ref(spec: &NetSpec, d: Dims, p: &[f64], x: &[f64]) -> Vec<f64> {
    let mut a = x.to_vec();
    for (i, (l, (wr, br))) in spec.layers().iter().zip(spec.offsets()).enumerate() {
        a = conv_ref(l, d, &a, &p[wr], &p[br]);
        if i < 3 {
            a.iter_mut().for_each(|v| *v = v.max(0.0));
        }
    }
    a
}

/// `Σ g·v`.
pub fn dot(g: &[f64], v: &[f64]) -> f64 {
    g.iter().zip(v).map(|(a, b)| a * b).sum()
}

/// Central difference of `f` at `x` along coordinate `i`, step `h`.
pub fn central(f: impl Fn(&[f64]) -> f64, x: &[f64], i: usize, h: f64) -> f64 {
    let mut xp = x.to_vec();
    xp[i] += h;
    let up = f(&xp);
    xp[i] -= 2.0 * h;
    (up - f(&xp)) / (2.0 * h)
}

pub fn to64(v: &[f32]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x)).collect()
}

/// `|got − want| ≤ tol·(1 + |want|)` for every entry, with a message naming the entry.
pub fn assert_close(what: &str, got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            (f64::from(g) - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: got {g}, want {w}"
        );
    }
}

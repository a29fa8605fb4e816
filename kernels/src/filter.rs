//! [`filter_grad`]: a convolution's weight gradient, `∂L/∂W[(ky·k + kx)·cin + c][j] = Σ_pixels
//! src(pixel + tap) · dy(pixel)[j]`, and [`bias_grad`], `∂L/∂b[j] = Σ_pixels dy(pixel)[j]`.
//!
//! Each image row is summed in f32 lanes (a block of [`ROWS`] weight rows × up to 16 columns in
//! registers, the row's output gradient loaded once per block), and the rows' sums are added in
//! f64, so a large batch loses no more precision than one row.

use crate::forward::Window;
use crate::grid::Grid;
use crate::simd::F4;
use crate::ROWS;

/// The operands of one weight gradient, checked once.
struct Operands<'a> {
    window: Window,
    src: &'a [f32],
    sg: Grid,
    dy: &'a [f32],
    dg: Grid,
}

/// `dw = Σ_pixels src(pixel + tap) ⊗ dy(pixel)` (`k·k·sg.channels` rows of `dg.channels`,
/// overwritten). `src` is the layer's input laid out as `sg` (a border of at least the window's
/// padding), `dy` the gradient of its output laid out as `dg`; `sums` is scratch of `dw`'s length.
pub fn filter_grad(
    window: Window,
    src: &[f32],
    sg: Grid,
    dy: &[f32],
    dg: Grid,
    dw: &mut [f32],
    sums: &mut [f64],
) {
    let n = dg.channels;
    assert!(
        (sg.batch, sg.height, sg.width) == (dg.batch, dg.height, dg.width),
        "filter_grad: input and gradient grids differ in shape"
    );
    assert!(
        sg.pad >= window.pad(),
        "filter_grad: input border under the padding"
    );
    assert!(
        src.len() >= sg.len() && dy.len() >= dg.len(),
        "filter_grad: buffer too short"
    );
    assert_eq!(
        dw.len(),
        window.k * window.k * sg.channels * n,
        "filter_grad: weights"
    );
    assert_eq!(sums.len(), dw.len(), "filter_grad: scratch length");
    let o = Operands {
        window,
        src,
        sg,
        dy,
        dg,
    };
    sums.fill(0.0);
    dw.fill(0.0);
    if dg.width == 0 {
        return;
    }
    for b in 0..dg.batch {
        for y in 0..dg.height {
            row(&o, b, y, sums);
        }
    }
    for (d, s) in dw.iter_mut().zip(sums.iter()) {
        *d = *s as f32;
    }
}

/// Image row `(b, y)`'s terms, added into `sums`. A call per row, as the forward kernel's (a
/// browser's optimised code takes over only at a call).
#[inline(never)]
fn row(o: &Operands<'_>, b: usize, y: usize, sums: &mut [f64]) {
    let (k, c, n) = (o.window.k, o.sg.channels, o.dg.channels);
    for ky in 0..k {
        for kx in 0..k {
            let first_row = (ky * k + kx) * c;
            if c < ROWS {
                for j in 0..n {
                    column(o, (b, y), (ky, kx), (0, c), j, &mut sums[first_row * n..]);
                }
                continue;
            }
            // The last block of an odd channel count starts one channel early, its first row
            // left out of the sums (the block before added it).
            for ci in (0..c).step_by(ROWS) {
                let first = ci.min(c - ROWS);
                let sums = &mut sums[(first_row + first) * n..];
                columns(o, (b, y), (ky, kx), (first, ci - first), sums);
            }
        }
    }
}

/// Weight rows `ci + skip..ci + ROWS` of tap `(ky, kx)` (the block computes from row `ci`), every
/// column, over image row `(b, y)`, added into `sums` (from row `ci`):
/// blocks of 16, 8 and 4 columns; the last block of 4 may overlap the one before (its first
/// columns left out of the sums), with fewer than 4, one column at a time.
#[inline(always)]
fn columns(
    o: &Operands<'_>,
    at: (usize, usize),
    tap: (usize, usize),
    (ci, skip): (usize, usize),
    sums: &mut [f64],
) {
    let n = o.dg.channels;
    let mut j = 0;
    while j + 16 <= n {
        block::<4>(o, at, tap, ci, (skip, j, 0), sums);
        j += 16;
    }
    if j + 8 <= n {
        block::<2>(o, at, tap, ci, (skip, j, 0), sums);
        j += 8;
    }
    if j + 4 <= n {
        block::<1>(o, at, tap, ci, (skip, j, 0), sums);
        j += 4;
    }
    if j < n && n >= 4 {
        block::<1>(o, at, tap, ci, (skip, n - 4, j - (n - 4)), sums);
    } else {
        for j in j..n {
            column(
                o,
                at,
                tap,
                (ci + skip, ROWS - skip),
                j,
                &mut sums[skip * n..],
            );
        }
    }
}

/// The input values of tap `(ky, kx)` along image row `(b, y)`, channels `ci..ci + count`:
/// pixel `x`'s from `x · channels`.
#[inline(always)]
fn tap_row<'a>(
    o: &Operands<'a>,
    b: usize,
    y: usize,
    (ky, kx): (usize, usize),
    ci: usize,
    count: usize,
) -> &'a [f32] {
    let (q, d) = (o.window.pad(), o.window.dilation);
    let first = o.sg.at(b, y, 0) - q * o.sg.row_stride() - q * o.sg.channels
        + d * (ky * o.sg.row_stride() + kx * o.sg.channels)
        + ci;
    &o.src[first..first + (o.sg.width - 1) * o.sg.channels + count]
}

/// The output gradient along image row `(b, y)`.
#[inline(always)]
fn dy_row<'a>(o: &Operands<'a>, b: usize, y: usize) -> &'a [f32] {
    let first = o.dg.at(b, y, 0);
    &o.dy[first..first + o.dg.width * o.dg.channels]
}

/// [`ROWS`] weight rows from `ci` × `4·V` columns from column `j`, in registers over image row
/// `(b, y)`; adds all but its first `skip_rows` rows and `skip_cols` columns into `sums` (from row
/// `ci`).
#[inline(always)]
fn block<const V: usize>(
    o: &Operands<'_>,
    (b, y): (usize, usize),
    tap: (usize, usize),
    ci: usize,
    (skip_rows, j, skip_cols): (usize, usize, usize),
    sums: &mut [f64],
) {
    let (c, n) = (o.sg.channels, o.dg.channels);
    let xs = tap_row(o, b, y, tap, ci, ROWS);
    let mut acc = [[F4::splat(0.0); V]; ROWS];
    // Each pixel's ROWS input values, zipped with its output gradient: no index to check.
    let pixels = xs.windows(ROWS).step_by(c);
    for (g, xs) in dy_row(o, b, y).chunks_exact(n).zip(pixels) {
        let g = &g[j..j + 4 * V];
        let gv: [F4; V] = std::array::from_fn(|v| F4::load(g, 4 * v));
        for (acc, &xv) in acc.iter_mut().zip(xs) {
            let a = F4::splat(xv);
            for (acc, g) in acc.iter_mut().zip(gv) {
                *acc = acc.mul_add(a, g);
            }
        }
    }
    if skip_rows == 0 && skip_cols == 0 {
        for (r, acc) in acc.into_iter().enumerate() {
            for (v, lanes) in acc.into_iter().enumerate() {
                let at = r * n + j + 4 * v;
                for (s, l) in sums[at..at + 4].iter_mut().zip(lanes.to_array()) {
                    *s += f64::from(l);
                }
            }
        }
        return;
    }
    // An overlapping block: out of the registers first (skipping by a run-time count inside the
    // lanes kept the accumulators in memory through the loop above, 2× slower).
    let mut out = [[0.0f32; 16]; ROWS];
    for (out, acc) in out.iter_mut().zip(acc) {
        for (out, lanes) in out.chunks_exact_mut(4).zip(acc) {
            out.copy_from_slice(&lanes.to_array());
        }
    }
    for (r, out) in out.iter().enumerate().skip(skip_rows) {
        let at = r * n + j + skip_cols;
        let lanes = &out[skip_cols..4 * V];
        for (s, &l) in sums[at..at + lanes.len()].iter_mut().zip(lanes) {
            *s += f64::from(l);
        }
    }
}

/// Weight rows `ci..ci + count` × column `j`, one lane at a time, over image row `(b, y)`, added
/// into `sums` (from row `ci`): the same sums in the same order as [`block`]'s (a multiply then an
/// add, also in a relaxed-SIMD build, where the lanes fuse them).
#[inline(never)]
fn column(
    o: &Operands<'_>,
    (b, y): (usize, usize),
    tap: (usize, usize),
    (ci, count): (usize, usize),
    j: usize,
    sums: &mut [f64],
) {
    let (c, n) = (o.sg.channels, o.dg.channels);
    let xs = tap_row(o, b, y, tap, ci, count);
    for r in 0..count {
        let mut acc = 0.0f32;
        for (x, g) in dy_row(o, b, y).chunks_exact(n).enumerate() {
            acc += xs[x * c + r] * g[j];
        }
        sums[r * n + j] += f64::from(acc);
    }
}

/// `db[j] = Σ_pixels dy(pixel)[j]`, summed in f64; `dy` laid out as `dg`.
pub fn bias_grad(dy: &[f32], dg: Grid, db: &mut [f32]) {
    /// Columns summed per pass, so the sums stay on the stack.
    const PASS: usize = 64;
    let n = dg.channels;
    assert_eq!(db.len(), n, "bias_grad: length");
    assert!(dy.len() >= dg.len(), "bias_grad: buffer too short");
    for first in (0..n).step_by(PASS) {
        let cols = (n - first).min(PASS);
        let mut sums = [0.0f64; PASS];
        for b in 0..dg.batch {
            for y in 0..dg.height {
                let at = dg.at(b, y, 0);
                for g in dy[at..at + dg.width * n].chunks_exact(n) {
                    for (s, &v) in sums.iter_mut().zip(&g[first..first + cols]) {
                        *s += f64::from(v);
                    }
                }
            }
        }
        for (d, s) in db[first..first + cols].iter_mut().zip(sums) {
            *d = s as f32;
        }
    }
}

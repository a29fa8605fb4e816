//! [`conv`]: `dst = finish(start + Σ_taps src · W)`, a stride-1 'same' convolution read from a
//! padded source, for the forward pass and for the input gradient.
//!
//! Output pixel `(b, y, x)`, column `j` sums, over the taps `(ky, kx)` and source channels `c` in
//! that order, `src(b, y + ky·d − q, x + kx·d − q, c) · W[(ky·k + kx)·cin + c][j]` (HWIO weights,
//! `q = d·(k − 1)/2`). A block holds [`ROWS`] neighbouring pixels × up to 16 columns in registers,
//! loads each weight vector once for its pixels and each source value once for its columns.

use crate::grid::Grid;
use crate::simd::F4;
use crate::ROWS;

/// A convolution's window: `k × k` taps, `dilation` pixels apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Taps per side (odd).
    pub k: usize,
    /// Pixels between neighbouring taps.
    pub dilation: usize,
}

impl Window {
    /// The 'same' padding: `dilation·(k − 1)/2`.
    pub fn pad(&self) -> usize {
        self.dilation * (self.k - 1) / 2
    }
}

/// What each output starts from.
#[derive(Debug, Clone, Copy)]
pub enum Start<'a> {
    /// Zero.
    Zero,
    /// The bias of its column.
    Bias(&'a [f32]),
}

/// What happens to each output before it is stored.
#[derive(Debug, Clone, Copy)]
pub enum Finish<'a> {
    /// Nothing.
    Linear,
    /// `max(v, 0)`.
    Relu,
    /// `v · [g > 0]`, with `g` the value at the same pixel and column of a tensor laid out as the
    /// grid: a ReLU's gradient, gated by that ReLU's output.
    Gate(&'a [f32], Grid),
}

/// The operands of one convolution, checked once.
struct Operands<'a> {
    window: Window,
    src: &'a [f32],
    sg: Grid,
    w: &'a [f32],
    start: Start<'a>,
    finish: Finish<'a>,
    dg: Grid,
}

/// `dst = finish(start + conv(src, W))` over every pixel of `dg`. `src` is laid out as `sg`, with a
/// border of at least the window's padding; `w` holds `k·k·sg.channels` rows of `dg.channels`.
#[allow(clippy::too_many_arguments)] // the convolution's operands, each named at the call
pub fn conv(
    window: Window,
    src: &[f32],
    sg: Grid,
    w: &[f32],
    start: Start<'_>,
    finish: Finish<'_>,
    dst: &mut [f32],
    dg: Grid,
) {
    let n = dg.channels;
    assert!(
        (sg.batch, sg.height, sg.width) == (dg.batch, dg.height, dg.width),
        "conv: source and output grids differ in shape"
    );
    assert!(
        sg.pad >= window.pad(),
        "conv: source border under the padding"
    );
    assert!(
        src.len() >= sg.len() && dst.len() >= dg.len(),
        "conv: buffer too short"
    );
    assert_eq!(
        w.len(),
        window.k * window.k * sg.channels * n,
        "conv: weights"
    );
    if let Start::Bias(b) = start {
        assert_eq!(b.len(), n, "conv: bias length");
    }
    if let Finish::Gate(g, gg) = finish {
        let same =
            (gg.batch, gg.height, gg.width, gg.channels) == (dg.batch, dg.height, dg.width, n);
        assert!(same && g.len() >= gg.len(), "conv: gate tensor");
    }
    let ops = Operands {
        window,
        src,
        sg,
        w,
        start,
        finish,
        dg,
    };
    for b in 0..dg.batch {
        for y in 0..dg.height {
            row(&ops, b, y, dst);
        }
    }
}

/// Image row `(b, y)`. A call per row, not one for the whole tensor: a browser switches a wasm
/// function from its baseline code to the optimised one only at a call, never inside a running one.
#[inline(never)]
fn row(o: &Operands<'_>, b: usize, y: usize, dst: &mut [f32]) {
    let (n, width) = (o.dg.channels, o.dg.width);
    if width < ROWS {
        for x in 0..width {
            for j in 0..n {
                column(o, b, y, (x, 1), j, dst);
            }
        }
        return;
    }
    // The last block of a row of odd width starts one pixel early: it recomputes a pixel (the
    // same operations, the same bits) instead of needing a one-pixel kernel.
    for x in (0..width).step_by(ROWS) {
        pixels(o, b, y, x.min(width - ROWS), dst);
    }
}

/// Every column of [`ROWS`] pixels from `(b, y, x)` along the row: blocks of 16, 8 and 4 columns;
/// with 4 or more, the last block of 4 may overlap the one before, as pixels do; with fewer, one
/// column at a time.
#[inline(always)]
fn pixels(o: &Operands<'_>, b: usize, y: usize, x: usize, dst: &mut [f32]) {
    let n = o.dg.channels;
    let mut j = 0;
    while j + 16 <= n {
        block::<4>(o, b, y, x, j, dst);
        j += 16;
    }
    if j + 8 <= n {
        block::<2>(o, b, y, x, j, dst);
        j += 8;
    }
    if j + 4 <= n {
        block::<1>(o, b, y, x, j, dst);
        j += 4;
    }
    if j < n && n >= 4 {
        block::<1>(o, b, y, x, n - 4, dst);
    } else {
        for j in j..n {
            column(o, b, y, (x, ROWS), j, dst);
        }
    }
}

/// Index in the source of the window's first tap for pixel `(b, y, x)`.
#[inline(always)]
fn window_at(o: &Operands<'_>, b: usize, y: usize, x: usize) -> usize {
    let q = o.window.pad();
    o.sg.at(b, y, x) - q * o.sg.row_stride() - q * o.sg.channels
}

/// Offset of tap `(ky, kx)` from the window's first.
#[inline(always)]
fn tap(o: &Operands<'_>, ky: usize, kx: usize) -> usize {
    o.window.dilation * (ky * o.sg.row_stride() + kx * o.sg.channels)
}

/// [`ROWS`] pixels × `4·V` columns from column `j`, in registers.
#[inline(always)]
fn block<const V: usize>(
    o: &Operands<'_>,
    b: usize,
    y: usize,
    x: usize,
    j: usize,
    dst: &mut [f32],
) {
    let (c, n, k) = (o.sg.channels, o.dg.channels, o.window.k);
    let first: [F4; V] = match o.start {
        Start::Zero => [F4::splat(0.0); V],
        Start::Bias(bias) => std::array::from_fn(|v| F4::load(bias, j + 4 * v)),
    };
    let mut acc = [first; ROWS];
    let win = window_at(o, b, y, x);
    let mut row = 0;
    for ky in 0..k {
        for kx in 0..k {
            let t = win + tap(o, ky, kx);
            // The two pixels' values zipped with the weight rows: no index to check in the loop.
            let (x0, x1) = (&o.src[t..t + c], &o.src[t + c..t + 2 * c]);
            let ws = &o.w[row * n..(row + c) * n];
            for ((wrow, &a0), &a1) in ws.chunks_exact(n).zip(x0).zip(x1) {
                let wrow = &wrow[j..j + 4 * V];
                let wv: [F4; V] = std::array::from_fn(|v| F4::load(wrow, 4 * v));
                for (acc, a) in acc.iter_mut().zip([a0, a1]) {
                    let a = F4::splat(a);
                    for (acc, w) in acc.iter_mut().zip(wv) {
                        *acc = acc.mul_add(a, w);
                    }
                }
            }
            row += c;
        }
    }
    for (r, acc) in acc.into_iter().enumerate() {
        let at = o.dg.at(b, y, x + r) + j;
        for (v, mut val) in acc.into_iter().enumerate() {
            match o.finish {
                Finish::Linear => {}
                Finish::Relu => val = val.relu(),
                Finish::Gate(g, gg) => val = val.gate(F4::load(g, gg.at(b, y, x + r) + j + 4 * v)),
            }
            val.store(dst, at + 4 * v);
        }
    }
}

/// `count` pixels from `(b, y, x)` × column `j`, one lane at a time: the same sums in the same
/// order as [`block`]'s (a multiply then an add, also in a relaxed-SIMD build, where the lanes
/// fuse them).
#[inline(never)]
fn column(
    o: &Operands<'_>,
    b: usize,
    y: usize,
    (x, count): (usize, usize),
    j: usize,
    dst: &mut [f32],
) {
    let (c, n, k) = (o.sg.channels, o.dg.channels, o.window.k);
    let win = window_at(o, b, y, x);
    for r in 0..count {
        let mut acc = match o.start {
            Start::Zero => 0.0,
            Start::Bias(bias) => bias[j],
        };
        let mut row = 0;
        for ky in 0..k {
            for kx in 0..k {
                let t = win + tap(o, ky, kx) + r * c;
                for ci in 0..c {
                    acc += o.src[t + ci] * o.w[(row + ci) * n + j];
                }
                row += c;
            }
        }
        let val = match o.finish {
            Finish::Linear => acc,
            Finish::Relu => {
                if 0.0 < acc {
                    acc
                } else {
                    0.0
                }
            }
            Finish::Gate(g, gg) => {
                if g[gg.at(b, y, x + r) + j] > 0.0 {
                    acc
                } else {
                    0.0
                }
            }
        };
        dst[o.dg.at(b, y, x + r) + j] = val;
    }
}

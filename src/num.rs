//! `Num`: a float in a message, printed without core's float formatter on wasm32.
//!
//! Rust's `{}` for `f64`/`f32` links core's shortest-representation printer (grisu, dragon, bignum:
//! ~17 KB of the page's wasm). The page only needs the digits a person reads, and the browser
//! already has a printer, so on wasm32 `Num` writes JavaScript's `Number.prototype.toString`
//! (`1e-7`, `1e+21`, `NaN`, `Infinity`; `-0` prints `0`). Natively it writes exactly what `{}`
//! wrote, so the CLI's messages stay byte for byte the same.

use std::fmt;

/// A float to print in a message: `{}` natively, JavaScript's `String(x)` on wasm32. Width and fill
/// apply on both; a precision (`{:.2}`) does not round on wasm32 (it cuts the text): print at full
/// precision, as every message does.
// No `Debug`: it would print through core's formatter again.
#[derive(Clone, Copy, PartialEq)]
pub struct Num<T = f64>(pub T);

#[cfg(not(target_arch = "wasm32"))]
impl<T: fmt::Display> fmt::Display for Num<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(target_arch = "wasm32")]
impl<T: Copy + Into<f64>> fmt::Display for Num<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Radix 10 never throws.
        let text = js_sys::Number::from(self.0.into())
            .to_string_with_radix(10)
            .map_err(|_| fmt::Error)?;
        f.pad(&String::from(text))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::Num;

    /// The CLI's messages keep their bytes: natively `Num` is `{}`, flags included.
    #[test]
    fn natively_prints_as_display() {
        for x in [0.1, 1e-7, 1e21, -0.0, f64::NAN, f64::NEG_INFINITY, 2.5e-300] {
            assert_eq!(Num(x).to_string(), x.to_string());
            assert_eq!(format!("{:>12}", Num(x)), format!("{x:>12}"));
        }
        assert_eq!(Num(0.1f32).to_string(), "0.1");
    }
}

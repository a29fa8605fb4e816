//! Forward-mode dual numbers `v + d·ε`: evaluating the reference on them gives the derivative of
//! the loss with respect to one seeded logit, exactly up to rounding, with no analytic gradient
//! written anywhere in the tests (so the engine's hand-derived gradient is checked against the
//! formulas themselves, not against a second derivation).

use std::ops::{Add, Div, Mul, Neg, Sub};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct D {
    pub v: f64,
    pub d: f64,
}

impl D {
    pub fn c(v: f64) -> Self {
        Self { v, d: 0.0 }
    }
    pub fn exp(self) -> Self {
        let e = self.v.exp();
        Self {
            v: e,
            d: e * self.d,
        }
    }
    pub fn ln(self) -> Self {
        Self {
            v: self.v.ln(),
            d: self.d / self.v,
        }
    }
    /// `x^g`; at `x = 0` the derivative is taken as 0 (the spec's convention where `g < 1`).
    pub fn powf(self, g: f64) -> Self {
        if self.v == 0.0 {
            return Self::c(0.0f64.powf(g));
        }
        Self {
            v: self.v.powf(g),
            d: g * self.v.powf(g - 1.0) * self.d,
        }
    }
}

impl Add for D {
    type Output = D;
    fn add(self, o: D) -> D {
        D {
            v: self.v + o.v,
            d: self.d + o.d,
        }
    }
}

impl Sub for D {
    type Output = D;
    fn sub(self, o: D) -> D {
        D {
            v: self.v - o.v,
            d: self.d - o.d,
        }
    }
}

impl Mul for D {
    type Output = D;
    fn mul(self, o: D) -> D {
        D {
            v: self.v * o.v,
            d: self.d * o.v + self.v * o.d,
        }
    }
}

impl Div for D {
    type Output = D;
    fn div(self, o: D) -> D {
        D {
            v: self.v / o.v,
            d: (self.d * o.v - self.v * o.d) / (o.v * o.v),
        }
    }
}

impl Neg for D {
    type Output = D;
    fn neg(self) -> D {
        D {
            v: -self.v,
            d: -self.d,
        }
    }
}

impl Add<f64> for D {
    type Output = D;
    fn add(self, o: f64) -> D {
        self + D::c(o)
    }
}

impl Sub<D> for f64 {
    type Output = D;
    fn sub(self, o: D) -> D {
        D::c(self) - o
    }
}

impl Mul<D> for f64 {
    type Output = D;
    fn mul(self, o: D) -> D {
        D::c(self) * o
    }
}

impl std::iter::Sum for D {
    fn sum<I: Iterator<Item = D>>(iter: I) -> D {
        iter.fold(D::c(0.0), |a, b| a + b)
    }
}

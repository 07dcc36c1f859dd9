//! Fast, accurate special cases of libm functions for the hot loops.

use std::f64::consts::TAU;

/// cos(2πx) to within 1e-14 absolute (more exact than `(TAU * x).cos()` for large x), several
/// times faster: exact period reduction (x − round(x) is exact in floating point), a
/// branch-free quarter-wave fold, then the degree-18 Taylor polynomial on [0, π/2] by Estrin's
/// scheme (short dependency chains, so neighbouring genes overlap). cos_2pi(0) is exactly 1.
#[inline(always)]
pub fn cos_2pi(x: f64) -> f64 {
    let r = (x - round_nearest(x)).abs(); // in [0, 0.5]
                                          // cos 2πr = −cos 2π(0.5 − r) for r > 0.25; min and copysign compile without branches.
    let a = r.min(0.5 - r);
    let sign = 1.0f64.copysign(0.25 - r);
    let t = TAU * a; // in [0, π/2]
    let t2 = t * t;
    let t4 = t2 * t2;
    let t8 = t4 * t4;
    let t16 = t8 * t8;
    // Taylor coefficients (-1)^k / (2k)!, k = 0..=9.
    const C: [f64; 10] = [
        1.0,
        -1.0 / 2.0,
        1.0 / 24.0,
        -1.0 / 720.0,
        1.0 / 40_320.0,
        -1.0 / 3_628_800.0,
        1.0 / 479_001_600.0,
        -1.0 / 87_178_291_200.0,
        1.0 / 20_922_789_888_000.0,
        -1.0 / 6_402_373_705_728_000.0,
    ];
    let low = (C[0] + C[1] * t2) + t4 * (C[2] + C[3] * t2);
    let high = (C[4] + C[5] * t2) + t4 * (C[6] + C[7] * t2);
    let p = low + t8 * high + t16 * (C[8] + C[9] * t2);
    sign * p
}

/// x rounded to the nearest integer (ties to even) for |x| < 2^51, without a libm call or a
/// branch: adding 1.5·2^52 leaves no fraction bits. Larger |x| are integers already and come
/// back as they are.
#[inline(always)]
pub fn round_nearest(x: f64) -> f64 {
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let rounded = (x + SHIFTER) - SHIFTER;
    if x.abs() < 2_251_799_813_685_248.0 {
        rounded
    } else {
        x
    }
}

/// x^n by repeated squaring, inlined (the `powi` builtin becomes a libcall).
#[inline]
fn pow_whole(x: f64, n: u32) -> f64 {
    let (mut base, mut n, mut result) = (x, n, 1.0);
    while n > 0 {
        if n & 1 == 1 {
            result *= base;
        }
        base *= base;
        n >>= 1;
    }
    result
}

/// x^k for a fixed k: repeated squaring (`powi`) when k is a whole number in 1..=64 (e.g.
/// η + 1 = 16 or 21 for the default SBX and polynomial indices), else `powf`.
#[derive(Clone, Copy, Debug)]
pub struct Power {
    k: f64,
    whole: Option<u32>,
}

impl Power {
    /// The power `k`.
    pub fn new(k: f64) -> Self {
        let whole = (k.fract() == 0.0 && (1.0..=64.0).contains(&k)).then_some(k as u32);
        Self { k, whole }
    }

    /// x^k.
    #[inline]
    pub fn of(self, x: f64) -> f64 {
        match self.whole {
            Some(16) => {
                let x2 = x * x;
                let x4 = x2 * x2;
                let x8 = x4 * x4;
                x8 * x8
            }
            Some(n) => pow_whole(x, n),
            None => x.powf(self.k),
        }
    }
}

/// x^(1/k) for a fixed k: a chain of square roots when k is a power of two up to 64 (16 for
/// the default SBX index 15), else `powf`.
#[derive(Clone, Copy, Debug)]
pub struct Root {
    inverse: f64,
    halvings: Option<u32>,
}

impl Root {
    /// The root of degree `k`.
    pub fn new(k: f64) -> Self {
        let halvings =
            (k.fract() == 0.0 && (1.0..=64.0).contains(&k) && (k as u32).is_power_of_two())
                .then(|| (k as u32).trailing_zeros());
        Self {
            inverse: 1.0 / k,
            halvings,
        }
    }

    /// x^(1/k), x >= 0.
    #[inline]
    pub fn of(self, x: f64) -> f64 {
        match self.halvings {
            Some(4) => x.sqrt().sqrt().sqrt().sqrt(),
            Some(n) => {
                let mut y = x;
                for _ in 0..n {
                    y = y.sqrt();
                }
                y
            }
            None => x.powf(self.inverse),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_nearest_rounds() {
        for (x, r) in [
            (0.4, 0.0),
            (0.6, 1.0),
            (-2.7, -3.0),
            (1e300, 1e300),
            (-7.0, -7.0),
        ] {
            assert_eq!(round_nearest(x), r);
        }
    }

    #[test]
    fn power_and_root_match_powf() {
        for k in [1.0, 2.5, 16.0, 21.0, 100.0] {
            for x in [0.0, 1e-9, 0.3, 1.0, 1.7, 250.0] {
                let (p, r) = (Power::new(k).of(x), Root::new(k).of(x));
                assert!(
                    (p - x.powf(k)).abs() <= 1e-12 * x.powf(k).max(1.0),
                    "{x}^{k}"
                );
                assert!(
                    (r - x.powf(1.0 / k)).abs() <= 1e-14 * r.max(1.0),
                    "{x}^(1/{k})"
                );
            }
        }
    }

    #[test]
    fn cos_2pi_matches_libm() {
        // Far from 0, TAU·x itself rounds by ~1e-14, so compare near 0 and on exact halves.
        let mut worst: f64 = 0.0;
        for i in -100_000..=100_000 {
            let x = i as f64 * 0.000_013_7;
            worst = worst.max((cos_2pi(x) - (TAU * x).cos()).abs());
            let y = x + 12.0;
            worst = worst.max((cos_2pi(y) - cos_2pi(x)).abs());
        }
        assert!(worst < 1e-14, "worst error {worst}");
        assert_eq!(cos_2pi(0.0), 1.0);
        assert_eq!(cos_2pi(3.0), 1.0);
    }
}

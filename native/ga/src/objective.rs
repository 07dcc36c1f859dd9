//! The six benchmark objectives, as functions of the already shifted (and rotated) vector z.
//! All are minimised with optimum value 0 at z = 0 (rosenbrock and schwefel add their own
//! offset inside [`crate::Problem`]).

use crate::fast_math::cos_2pi;

/// A builtin objective. Names are the lower-case ones of the TypeScript API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Σ z²; bounds [-100, 100].
    Sphere,
    /// 10·D + Σ (z² − 10 cos 2πz); bounds [-5.12, 5.12].
    Rastrigin,
    /// Σ 100(z_{i+1} − z_i²)² + (z_i − 1)², z = M(x − o) + 1 ((z − 1)² at dim 1); bounds [-5, 10].
    Rosenbrock,
    /// Ackley with a = 20, b = 0.2, c = 2π; bounds [-32.768, 32.768].
    Ackley,
    /// 1 + Σ z²/4000 − Π cos(z_i/√i); bounds [-600, 600].
    Griewank,
    /// 418.9828872724339·D − Σ z sin√|z|, z = M(x − o) + 420.9687462275036; bounds [-500, 500].
    /// Hazard (as specified): where a z_i leaves [-500, 500] (possible since o ≠ 0) the value
    /// can go below 0, so 0 is the optimum only near o.
    Schwefel,
}

/// Every objective, in the order of the docs.
pub const OBJECTIVES: [Objective; 6] = [
    Objective::Sphere,
    Objective::Rastrigin,
    Objective::Rosenbrock,
    Objective::Ackley,
    Objective::Griewank,
    Objective::Schwefel,
];

const SCHWEFEL_PEAK: f64 = 418.982_887_272_433_9;
/// The coordinate of schwefel's optimum, added to M(x − o).
pub const SCHWEFEL_OFFSET: f64 = 420.968_746_227_503_6;

impl Objective {
    /// The objective named `name` (`sphere`, `rastrigin`, …), or None.
    pub fn from_name(name: &str) -> Option<Self> {
        OBJECTIVES.iter().copied().find(|o| o.name() == name)
    }

    /// The lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sphere => "sphere",
            Self::Rastrigin => "rastrigin",
            Self::Rosenbrock => "rosenbrock",
            Self::Ackley => "ackley",
            Self::Griewank => "griewank",
            Self::Schwefel => "schwefel",
        }
    }

    /// The default bounds `(lower, upper)`, the same for every gene.
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Self::Sphere => (-100.0, 100.0),
            Self::Rastrigin => (-5.12, 5.12),
            Self::Rosenbrock => (-5.0, 10.0),
            Self::Ackley => (-32.768, 32.768),
            Self::Griewank => (-600.0, 600.0),
            Self::Schwefel => (-500.0, 500.0),
        }
    }

    /// What is added to M(x − o) to get z (1 for rosenbrock, 420.97… for schwefel, else 0).
    pub fn offset(self) -> f64 {
        match self {
            Self::Rosenbrock => 1.0,
            Self::Schwefel => SCHWEFEL_OFFSET,
            _ => 0.0,
        }
    }

    /// The objective at z (z already shifted, rotated and offset).
    #[inline]
    pub fn value(self, z: &[f64]) -> f64 {
        match self {
            Self::Sphere => z.iter().map(|v| v * v).sum(),
            Self::Rastrigin => rastrigin(z),
            Self::Rosenbrock => rosenbrock(z),
            Self::Ackley => ackley(z),
            Self::Griewank => griewank(z),
            Self::Schwefel => schwefel(z),
        }
    }
}

/// One gene's Rastrigin term, z² + 10(1 − cos 2πz).
#[inline(always)]
pub(crate) fn rastrigin_term(v: f64) -> f64 {
    v * v + 10.0 * (1.0 - cos_2pi(v))
}

/// Rastrigin of z = x − shift, without materialising z (same sums as [`Objective::value`]).
#[inline]
pub fn shifted_rastrigin(x: &[f64], shift: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { shifted_rastrigin_avx(x, shift) };
    }
    shifted_rastrigin_body(x, shift)
}

/// [`shifted_rastrigin`] compiled for AVX: four genes per instruction instead of two, and
/// the same result bit for bit (the same IEEE operations per lane in the same order; AVX
/// alone, without FMA, so nothing is contracted), so runs do not depend on the CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn shifted_rastrigin_avx(x: &[f64], shift: &[f64]) -> f64 {
    shifted_rastrigin_body(x, shift)
}

#[inline(always)]
fn shifted_rastrigin_body(x: &[f64], shift: &[f64]) -> f64 {
    const BLOCK: usize = 64;
    let n = x.len().min(shift.len());
    let whole = n - n % 4;
    let mut acc = [0.0f64; 4];
    let mut terms = [0.0f64; BLOCK];
    // The terms of a block first, in a plain loop the compiler vectorises to the full vector
    // width; then the same four partial sums as one pass would make (gene 4j + k into sum k).
    for (xs, os) in x[..whole].chunks(BLOCK).zip(shift[..whole].chunks(BLOCK)) {
        let terms = &mut terms[..xs.len()];
        for ((t, &xi), &oi) in terms.iter_mut().zip(xs).zip(os) {
            *t = rastrigin_term(xi - oi);
        }
        for c in terms.chunks_exact(4) {
            for k in 0..4 {
                acc[k] += c[k];
            }
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for i in whole..n {
        sum += rastrigin_term(x[i] - shift[i]);
    }
    sum
}

/// Four independent partial sums so that consecutive genes overlap in the pipeline.
#[inline]
fn rastrigin(z: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = z.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] += rastrigin_term(c[k]);
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &v in rest {
        sum += rastrigin_term(v);
    }
    sum
}

fn rosenbrock(z: &[f64]) -> f64 {
    if z.len() == 1 {
        // The sum is empty at one dimension; keep a unique optimum at z = 1.
        return (z[0] - 1.0) * (z[0] - 1.0);
    }
    let mut sum = 0.0;
    for w in z.windows(2) {
        let a = w[1] - w[0] * w[0];
        let b = w[0] - 1.0;
        sum += 100.0 * a * a + b * b;
    }
    sum
}

fn ackley(z: &[f64]) -> f64 {
    let n = z.len() as f64;
    let (mut squares, mut cosines) = (0.0, 0.0);
    for &v in z {
        squares += v * v;
        cosines += cos_2pi(v);
    }
    let value = -20.0 * (-0.2 * (squares / n).sqrt()).exp() - (cosines / n).exp()
        + 20.0
        + std::f64::consts::E;
    // exp(1) − e leaves a rounding residue of ~4e-16 at the optimum.
    value.max(0.0)
}

fn griewank(z: &[f64]) -> f64 {
    let (mut sum, mut product) = (0.0, 1.0);
    for (i, &v) in z.iter().enumerate() {
        sum += v * v / 4000.0;
        product *= (v / ((i + 1) as f64).sqrt()).cos();
    }
    1.0 + sum - product
}

fn schwefel(z: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &v in z {
        sum += v * v.abs().sqrt().sin();
    }
    SCHWEFEL_PEAK * z.len() as f64 - sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx_rastrigin_equals_the_portable_one_bit_for_bit() {
        if !std::arch::is_x86_feature_detected!("avx") {
            return;
        }
        let mut rng = crate::rng::Rng::new(3);
        for dim in [1, 3, 4, 7, 30, 64, 101, 300] {
            let x: Vec<f64> = (0..dim).map(|_| 10.24 * rng.next_f64() - 5.12).collect();
            let o: Vec<f64> = (0..dim).map(|_| 8.0 * rng.next_f64() - 4.0).collect();
            // SAFETY: AVX checked above.
            let avx = unsafe { shifted_rastrigin_avx(&x, &o) };
            assert_eq!(
                avx.to_bits(),
                shifted_rastrigin_body(&x, &o).to_bits(),
                "dim {dim}"
            );
        }
    }
}

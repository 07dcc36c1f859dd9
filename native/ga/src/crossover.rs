//! Recombination of two parents, in place, keeping genes within bounds.

use crate::fast_math::{Power, Root};
use crate::parameters::Crossover;
use crate::rng::Rng;

/// Settings of one crossover call.
#[derive(Clone, Copy, Debug)]
pub struct CrossoverSettings {
    /// Which operator.
    pub kind: Crossover,
    /// SBX distribution index.
    pub sbx_eta: f64,
    /// Blend extension alpha.
    pub blend_alpha: f64,
}

/// Reusable per-gene buffers of SBX (so that a generation allocates nothing).
#[derive(Clone, Debug, Default)]
pub struct CrossoverScratch {
    genes: Vec<usize>,
    u: Vec<f64>,
    beta1: Vec<f64>,
    beta2: Vec<f64>,
    q1: Vec<f64>,
    q2: Vec<f64>,
}

/// Recombines `a` and `b` (two genomes) in place, within `[lower, upper]` per gene.
#[inline]
pub fn crossover(
    s: &CrossoverSettings,
    a: &mut [f64],
    b: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    rng: &mut Rng,
    scratch: &mut CrossoverScratch,
) {
    match s.kind {
        Crossover::Sbx => sbx(s.sbx_eta, a, b, lower, upper, rng, scratch),
        Crossover::Blend => blend(s.blend_alpha, a, b, lower, upper, rng),
        Crossover::Uniform => {
            for (x, y) in a.iter_mut().zip(b.iter_mut()) {
                if rng.chance(0.5) {
                    std::mem::swap(x, y);
                }
            }
        }
    }
}

/// DEAP's `cxSimulatedBinaryBounded`: each gene crossed with probability 0.5 (when the
/// parents differ by more than 1e-14), children clamped and swapped with probability 0.5.
/// The two per-gene coins are bits of 32-bit draws; the spread draw is a full double.
///
/// Three passes: pick the genes and draw, then the powers and roots of all picked
/// genes in a branch-free loop (their long sqrt chains overlap instead of stalling), then
/// write the children.
fn sbx(
    eta: f64,
    a: &mut [f64],
    b: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    rng: &mut Rng,
    t: &mut CrossoverScratch,
) {
    let power = Power::new(eta + 1.0);
    let root = Root::new(eta + 1.0);
    // Sized once to the genome (at most every gene is crossed), then written by index: no
    // capacity check per gene.
    let len = a.len();
    for v in [&mut t.u, &mut t.beta1, &mut t.beta2] {
        v.resize(len, 0.0);
    }
    t.genes.resize(len, 0);
    let mut n = 0;
    // Walk the set bits of one 32-bit draw per 32 genes: no per-gene branch to mispredict.
    for base in (0..a.len()).step_by(32) {
        let mut bits = rng.next_u32();
        if a.len() - base < 32 {
            bits &= (1u32 << (a.len() - base)) - 1;
        }
        while bits != 0 {
            let i = base + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (x1, x2) = (a[i].min(b[i]), a[i].max(b[i]));
            if x2 - x1 <= 1e-14 {
                continue;
            }
            let twice_inverse_spread = 2.0 / (x2 - x1);
            t.genes[n] = i;
            t.u[n] = rng.next_f64();
            t.beta1[n] = 1.0 + (x1 - lower[i]) * twice_inverse_spread;
            t.beta2[n] = 1.0 + (upper[i] - x2) * twice_inverse_spread;
            n += 1;
        }
    }
    let (genes, u, beta1, beta2) = (&t.genes[..n], &t.u[..n], &t.beta1[..n], &t.beta2[..n]);
    t.q1.resize(n, 0.0);
    t.q2.resize(n, 0.0);
    let beta_q = |u: f64, beta: f64| {
        let alpha = 2.0 - 1.0 / power.of(beta);
        let v = u * alpha;
        let inverse = 1.0 / (2.0 - v);
        // A bit-mask select: LLVM turns `if` into a branch here, which mispredicts half the time.
        let mask = ((v > 1.0) as u64).wrapping_neg();
        root.of(f64::from_bits(
            (inverse.to_bits() & mask) | (v.to_bits() & !mask),
        ))
    };
    if eta == 15.0 {
        // The default index, straight-line: x^16 by squaring, x^(1/16) by four square roots
        // (the square roots are most of SBX's time).
        sbx_roots_16(&mut t.q1, &mut t.q2, u, beta1, beta2);
    } else {
        for k in 0..n {
            t.q1[k] = beta_q(u[k], beta1[k]);
            t.q2[k] = beta_q(u[k], beta2[k]);
        }
    }
    let mut swap_bits = 0u32;
    for (k, &i) in genes.iter().enumerate() {
        let (x1, x2) = (a[i].min(b[i]), a[i].max(b[i]));
        let (xl, xu) = (lower[i], upper[i]);
        let spread = x2 - x1;
        let c1 = (0.5 * (x1 + x2 - t.q1[k] * spread)).clamp(xl, xu);
        let c2 = (0.5 * (x1 + x2 + t.q2[k] * spread)).clamp(xl, xu);
        if swap_bits <= 1 {
            // A marker bit on top: 31 coins come out before the next refill.
            swap_bits = (rng.next_u32() >> 1) | 0x8000_0000;
        }
        // Swap with probability 0.5, by bit masks rather than a branch.
        let mask = ((swap_bits & 1) as u64).wrapping_neg();
        swap_bits >>= 1;
        let (b1, b2) = (c1.to_bits(), c2.to_bits());
        a[i] = f64::from_bits((b2 & mask) | (b1 & !mask));
        b[i] = f64::from_bits((b1 & mask) | (b2 & !mask));
    }
}

/// BLX-alpha: each child gene uniform in [min − α·d, max + α·d], d = |a − b|, clamped.
fn blend(alpha: f64, a: &mut [f64], b: &mut [f64], lower: &[f64], upper: &[f64], rng: &mut Rng) {
    for i in 0..a.len() {
        let (lo, hi) = if a[i] < b[i] {
            (a[i], b[i])
        } else {
            (b[i], a[i])
        };
        let d = hi - lo;
        let (from, to) = (lo - alpha * d, hi + alpha * d);
        a[i] = (from + (to - from) * rng.next_f64()).clamp(lower[i], upper[i]);
        b[i] = (from + (to - from) * rng.next_f64()).clamp(lower[i], upper[i]);
    }
}

/// SBX's per-gene spread factors at η = 15, straight-line: x^16 by squaring, x^(1/16) by
/// four square roots (most of SBX's time). Writes q1 (from β1) and q2 (from β2; one root
/// serves both where their alphas agree).
fn sbx_roots_16(q1: &mut [f64], q2: &mut [f64], u: &[f64], beta1: &[f64], beta2: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the CPU has AVX (checked just above).
        return unsafe { sbx_roots_16_avx(q1, q2, u, beta1, beta2) };
    }
    sbx_roots_16_body(q1, q2, u, beta1, beta2)
}

/// [`sbx_roots_16`] compiled for AVX: four square roots per instruction instead of two, the
/// same result bit for bit (AVX alone, without FMA: the same IEEE operations per lane).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn sbx_roots_16_avx(
    q1: &mut [f64],
    q2: &mut [f64],
    u: &[f64],
    beta1: &[f64],
    beta2: &[f64],
) {
    sbx_roots_16_body(q1, q2, u, beta1, beta2)
}

#[inline(always)]
fn sbx_alpha_16(beta: f64) -> f64 {
    // 10^16 > 2^53: from β = 10 on, 2 − 1/β^16 rounds to exactly 2, so clamping β changes
    // nothing (and keeps β^16 finite) without a branch.
    let b = beta.min(10.0);
    let b2 = b * b;
    let b4 = b2 * b2;
    let b8 = b4 * b4;
    2.0 - 1.0 / (b8 * b8)
}

#[inline(always)]
fn sbx_q_16(u: f64, alpha: f64) -> f64 {
    let v = u * alpha;
    let inverse = 1.0 / (2.0 - v);
    // A bit-mask select: LLVM turns `if` into a branch here, which mispredicts half the time.
    let mask = ((v > 1.0) as u64).wrapping_neg();
    let x = f64::from_bits((inverse.to_bits() & mask) | (v.to_bits() & !mask));
    x.sqrt().sqrt().sqrt().sqrt()
}

#[inline(always)]
fn sbx_roots_16_body(q1: &mut [f64], q2: &mut [f64], u: &[f64], beta1: &[f64], beta2: &[f64]) {
    // Branch-free over straight slices, so that it compiles to packed square roots; q2 holds
    // the difference of the alphas until the fix-up pass below.
    for (((q1, q2), &u), (&b1, &b2)) in q1
        .iter_mut()
        .zip(q2.iter_mut())
        .zip(u)
        .zip(beta1.iter().zip(beta2))
    {
        let (a1, a2) = (sbx_alpha_16(b1), sbx_alpha_16(b2));
        *q1 = sbx_q_16(u, a1);
        *q2 = a2 - a1;
    }
    // Far from both bounds both alphas round to 2 (the usual case once the population has
    // gathered): one root serves both children.
    for k in 0..q1.len() {
        q2[k] = if q2[k] == 0.0 {
            q1[k]
        } else {
            sbx_q_16(u[k], sbx_alpha_16(beta2[k]))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx_roots_equal_the_portable_ones_bit_for_bit() {
        if !std::arch::is_x86_feature_detected!("avx") {
            return;
        }
        let mut rng = Rng::new(7);
        for n in [1, 2, 3, 5, 17, 40] {
            let u: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
            // β from just above 1 (a parent on the bound) to far beyond 10.
            let beta = |rng: &mut Rng| 1.0 + 30.0 * rng.next_f64().powi(3);
            let b1: Vec<f64> = (0..n).map(|_| beta(&mut rng)).collect();
            let b2: Vec<f64> = (0..n)
                .map(|k| if k % 2 == 0 { b1[k] } else { beta(&mut rng) })
                .collect();
            let (mut p1, mut p2, mut v1, mut v2) =
                (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            sbx_roots_16_body(&mut p1, &mut p2, &u, &b1, &b2);
            // SAFETY: AVX checked above.
            unsafe { sbx_roots_16_avx(&mut v1, &mut v2, &u, &b1, &b2) };
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&p1), bits(&v1));
            assert_eq!(bits(&p2), bits(&v2));
        }
    }

    #[test]
    fn every_crossover_keeps_children_within_bounds() {
        let lower = [-1.0, 0.0, 5.0];
        let upper = [1.0, 10.0, 6.0];
        let mut rng = Rng::new(4);
        for kind in [Crossover::Sbx, Crossover::Blend, Crossover::Uniform] {
            let s = CrossoverSettings {
                kind,
                sbx_eta: 2.0,
                blend_alpha: 2.0,
            };
            for _ in 0..10_000 {
                let mut a: Vec<f64> = (0..3)
                    .map(|i| lower[i] + (upper[i] - lower[i]) * rng.next_f64())
                    .collect();
                let mut b: Vec<f64> = (0..3)
                    .map(|i| lower[i] + (upper[i] - lower[i]) * rng.next_f64())
                    .collect();
                crossover(
                    &s,
                    &mut a,
                    &mut b,
                    &lower,
                    &upper,
                    &mut rng,
                    &mut CrossoverScratch::default(),
                );
                for i in 0..3 {
                    assert!(
                        a[i] >= lower[i]
                            && a[i] <= upper[i]
                            && b[i] >= lower[i]
                            && b[i] <= upper[i]
                    );
                }
            }
        }
    }

    #[test]
    fn sbx_children_are_centred_on_the_parents_and_cross_half_the_genes() {
        let mut rng = Rng::new(8);
        let s = CrossoverSettings {
            kind: Crossover::Sbx,
            sbx_eta: 15.0,
            blend_alpha: 0.5,
        };
        let (mut sum, mut crossed, n) = (0.0, 0, 10_000);
        let mut scratch = CrossoverScratch::default();
        for _ in 0..n {
            let (mut a, mut b) = ([0.0; 40], [1.0; 40]);
            crossover(
                &s,
                &mut a,
                &mut b,
                &[-10.0; 40],
                &[10.0; 40],
                &mut rng,
                &mut scratch,
            );
            sum += a[7] + b[7];
            crossed += a.iter().filter(|&&x| x != 0.0 && x != 1.0).count();
        }
        assert!((sum / n as f64 - 1.0).abs() < 0.01);
        let fraction = crossed as f64 / (40 * n) as f64;
        assert!((fraction - 0.5).abs() < 0.01, "{fraction}");
    }
}

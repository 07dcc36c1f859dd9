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

/// Recombines `a` and `b` (two genomes) in place, within `[lower, upper]` per gene.
#[inline]
pub fn crossover(
    s: &CrossoverSettings,
    a: &mut [f64],
    b: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    rng: &mut Rng,
) {
    match s.kind {
        Crossover::Sbx => sbx(s.sbx_eta, a, b, lower, upper, rng),
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
fn sbx(eta: f64, a: &mut [f64], b: &mut [f64], lower: &[f64], upper: &[f64], rng: &mut Rng) {
    let power = Power::new(eta + 1.0);
    let root = Root::new(eta + 1.0);
    let mut cross_bits = 0u32;
    let mut swap_bits = 0u32;
    for i in 0..a.len() {
        if i % 32 == 0 {
            cross_bits = rng.next_u32();
        }
        let cross = cross_bits & 1 == 1;
        cross_bits >>= 1;
        if !cross {
            continue;
        }
        let (x1, x2) = if a[i] < b[i] { (a[i], b[i]) } else { (b[i], a[i]) };
        if x2 - x1 <= 1e-14 {
            continue;
        }
        let (xl, xu) = (lower[i], upper[i]);
        let u = rng.next_f64();
        let spread = x2 - x1;
        // A select, not a branch: u·α <= 1 is a coin flip the predictor cannot learn.
        let beta_q = |alpha: f64| {
            let v = u * alpha;
            let inverse = 1.0 / (2.0 - v);
            root.of(if v <= 1.0 { v } else { inverse })
        };
        let alpha1 = 2.0 - 1.0 / power.of(1.0 + 2.0 * (x1 - xl) / spread);
        let alpha2 = 2.0 - 1.0 / power.of(1.0 + 2.0 * (xu - x2) / spread);
        let q1 = beta_q(alpha1);
        // Far from both bounds both alphas round to 2: one root serves both children.
        let q2 = if alpha2 == alpha1 { q1 } else { beta_q(alpha2) };
        let c1 = (0.5 * (x1 + x2 - q1 * spread)).clamp(xl, xu);
        let c2 = (0.5 * (x1 + x2 + q2 * spread)).clamp(xl, xu);
        if swap_bits <= 1 {
            // A marker bit on top: 31 coins come out before the next refill.
            swap_bits = (rng.next_u32() >> 1) | 0x8000_0000;
        }
        let swap = swap_bits & 1 == 1;
        swap_bits >>= 1;
        if swap {
            a[i] = c2;
            b[i] = c1;
        } else {
            a[i] = c1;
            b[i] = c2;
        }
    }
}

/// BLX-alpha: each child gene uniform in [min − α·d, max + α·d], d = |a − b|, clamped.
fn blend(alpha: f64, a: &mut [f64], b: &mut [f64], lower: &[f64], upper: &[f64], rng: &mut Rng) {
    for i in 0..a.len() {
        let (lo, hi) = if a[i] < b[i] { (a[i], b[i]) } else { (b[i], a[i]) };
        let d = hi - lo;
        let (from, to) = (lo - alpha * d, hi + alpha * d);
        a[i] = (from + (to - from) * rng.next_f64()).clamp(lower[i], upper[i]);
        b[i] = (from + (to - from) * rng.next_f64()).clamp(lower[i], upper[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_crossover_keeps_children_within_bounds() {
        let lower = [-1.0, 0.0, 5.0];
        let upper = [1.0, 10.0, 6.0];
        let mut rng = Rng::new(4);
        for kind in [Crossover::Sbx, Crossover::Blend, Crossover::Uniform] {
            let s = CrossoverSettings { kind, sbx_eta: 2.0, blend_alpha: 2.0 };
            for _ in 0..10_000 {
                let mut a: Vec<f64> = (0..3).map(|i| lower[i] + (upper[i] - lower[i]) * rng.next_f64()).collect();
                let mut b: Vec<f64> = (0..3).map(|i| lower[i] + (upper[i] - lower[i]) * rng.next_f64()).collect();
                crossover(&s, &mut a, &mut b, &lower, &upper, &mut rng);
                for i in 0..3 {
                    assert!(a[i] >= lower[i] && a[i] <= upper[i] && b[i] >= lower[i] && b[i] <= upper[i]);
                }
            }
        }
    }

    #[test]
    fn sbx_children_are_centred_on_the_parents_and_cross_half_the_genes() {
        let mut rng = Rng::new(8);
        let s = CrossoverSettings { kind: Crossover::Sbx, sbx_eta: 15.0, blend_alpha: 0.5 };
        let (mut sum, mut crossed, n) = (0.0, 0, 10_000);
        for _ in 0..n {
            let (mut a, mut b) = ([0.0; 40], [1.0; 40]);
            crossover(&s, &mut a, &mut b, &[-10.0; 40], &[10.0; 40], &mut rng);
            sum += a[7] + b[7];
            crossed += a.iter().filter(|&&x| x != 0.0 && x != 1.0).count();
        }
        assert!((sum / n as f64 - 1.0).abs() < 0.01);
        let fraction = crossed as f64 / (40 * n) as f64;
        assert!((fraction - 0.5).abs() < 0.01, "{fraction}");
    }
}

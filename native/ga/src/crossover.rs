//! Recombination of two parents, in place, keeping genes within bounds.

use crate::parameters::Crossover;
use crate::rng::Rng;
use crate::sbx::sbx;
pub use crate::sbx::SbxBatch;

/// The old name of [`SbxBatch`] (the scratch of single-pair [`crossover`] calls).
pub type CrossoverScratch = SbxBatch;

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
    scratch: &mut SbxBatch,
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

#[cfg(test)]
mod tests {
    use super::*;

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

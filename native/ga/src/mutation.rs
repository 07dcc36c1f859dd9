//! Per-gene mutation, in place, keeping genes within bounds.

use crate::fast_math::{Power, Root};
use crate::parameters::Mutation;
use crate::rng::Rng;

/// Settings of one mutation call.
#[derive(Clone, Copy, Debug)]
pub struct MutationSettings {
    /// Which operator.
    pub kind: Mutation,
    /// Probability that a gene mutates, 0..=1 (the effective, adapted rate).
    pub rate: f64,
    /// Polynomial distribution index.
    pub eta: f64,
    /// Gaussian σ as a fraction of the gene's range.
    pub sigma: f64,
}

/// Mutates each gene of `genome` with probability `s.rate`, within `[lower, upper]`.
#[inline]
pub fn mutate(
    s: &MutationSettings,
    genome: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    rng: &mut Rng,
) {
    if s.rate <= 0.0 {
        return;
    }
    let power = Power::new(s.eta + 1.0);
    let root = Root::new(s.eta + 1.0);
    if s.rate >= 0.5 {
        for i in 0..genome.len() {
            if rng.chance(s.rate) {
                mutate_gene(s, genome, i, lower, upper, power, root, rng);
            }
        }
        return;
    }
    // Skip straight to the next mutated gene: the same distribution as one coin per gene,
    // with one draw per mutation (~1 per genome at the default rate) instead of one per gene.
    let ln_q = (1.0 - s.rate).ln();
    let mut i = rng.geometric(ln_q);
    while i < genome.len() {
        mutate_gene(s, genome, i, lower, upper, power, root, rng);
        i = i.saturating_add(1).saturating_add(rng.geometric(ln_q));
    }
}

/// The mutations of a whole generation: drawn row by row in the order of [`mutate`] (which
/// genes, and each one's uniform or Gaussian deviate), applied later in one pass, once the
/// rows hold their crossed genes. Reused: nothing is allocated once the buffers have grown.
#[derive(Clone, Debug, Default)]
pub struct MutationPlan {
    /// Index of the mutated gene in the rows buffer, and its gene number.
    at: Vec<(usize, usize)>,
    /// Its draw: u for polynomial mutation, a standard normal deviate for Gaussian.
    draw: Vec<f64>,
    /// The last rate seen and ln(1 − rate): one logarithm per generation, not per genome.
    ln_q: Option<(f64, f64)>,
}

impl MutationPlan {
    /// Draws the mutations of the genome `rows[at..at + dim]` (dim = lower.len()) with the
    /// PRNG draws [`mutate`] would make.
    pub fn draw(
        &mut self,
        s: &MutationSettings,
        at: usize,
        lower: &[f64],
        upper: &[f64],
        rng: &mut Rng,
    ) {
        if s.rate <= 0.0 {
            return;
        }
        let dim = lower.len();
        let ln_q = if s.rate < 0.5 {
            match self.ln_q {
                Some((rate, ln_q)) if rate == s.rate => ln_q,
                _ => {
                    let ln_q = (1.0 - s.rate).ln();
                    self.ln_q = Some((s.rate, ln_q));
                    ln_q
                }
            }
        } else {
            0.0
        };
        let (targets, draws) = (&mut self.at, &mut self.draw);
        let mut gene = |i: usize, rng: &mut Rng| {
            if upper[i] - lower[i] <= 0.0 {
                return;
            }
            targets.push((at + i, i));
            draws.push(match s.kind {
                Mutation::Polynomial => rng.next_f64(),
                Mutation::Gaussian => rng.gaussian(),
            });
        };
        if s.rate >= 0.5 {
            for i in 0..dim {
                if rng.chance(s.rate) {
                    gene(i, rng);
                }
            }
            return;
        }
        let mut i = rng.geometric(ln_q);
        while i < dim {
            gene(i, rng);
            i = i.saturating_add(1).saturating_add(rng.geometric(ln_q));
        }
    }

    /// Applies the drawn mutations to `rows` (the same values [`mutate`] gives); then forgets
    /// them.
    pub fn apply(&mut self, s: &MutationSettings, rows: &mut [f64], lower: &[f64], upper: &[f64]) {
        let power = Power::new(s.eta + 1.0);
        let root = Root::new(s.eta + 1.0);
        for (&(at, i), &d) in self.at.iter().zip(&self.draw) {
            rows[at] = mutated(s, rows[at], d, lower[i], upper[i], power, root);
        }
        self.at.clear();
        self.draw.clear();
    }
}

/// Gene `x` in [xl, xu] (xu > xl) mutated with the draw `d` (u, or a normal deviate).
#[inline]
fn mutated(
    s: &MutationSettings,
    x: f64,
    d: f64,
    xl: f64,
    xu: f64,
    power: Power,
    root: Root,
) -> f64 {
    let range = xu - xl;
    let y = match s.kind {
        Mutation::Polynomial => {
            // DEAP's mutPolynomialBounded.
            let u = d;
            let delta_q = if u < 0.5 {
                let xy = 1.0 - (x - xl) / range;
                let val = 2.0 * u + (1.0 - 2.0 * u) * power.of(xy);
                root.of(val) - 1.0
            } else {
                let xy = 1.0 - (xu - x) / range;
                let val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * power.of(xy);
                1.0 - root.of(val)
            };
            x + delta_q * range
        }
        Mutation::Gaussian => x + s.sigma * range * d,
    };
    y.clamp(xl, xu)
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn mutate_gene(
    s: &MutationSettings,
    genome: &mut [f64],
    i: usize,
    lower: &[f64],
    upper: &[f64],
    power: Power,
    root: Root,
    rng: &mut Rng,
) {
    let (xl, xu) = (lower[i], upper[i]);
    let range = xu - xl;
    if range <= 0.0 {
        return;
    }
    let x = genome[i];
    let y = match s.kind {
        Mutation::Polynomial => {
            // DEAP's mutPolynomialBounded.
            let u = rng.next_f64();
            let delta_q = if u < 0.5 {
                let xy = 1.0 - (x - xl) / range;
                let val = 2.0 * u + (1.0 - 2.0 * u) * power.of(xy);
                root.of(val) - 1.0
            } else {
                let xy = 1.0 - (xu - x) / range;
                let val = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * power.of(xy);
                1.0 - root.of(val)
            };
            x + delta_q * range
        }
        Mutation::Gaussian => x + s.sigma * range * rng.gaussian(),
    };
    genome[i] = y.clamp(xl, xu);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_drawn_then_applied_equals_mutating_at_once_bit_for_bit() {
        let lower = [-5.0, 0.0, 2.0, -1.0, -5.0, 0.0, 3.0];
        let upper = [5.0, 1.0, 2.0, 1.0, 5.0, 10.0, 3.5];
        let dim = lower.len();
        let mut rng = Rng::new(12);
        let mut plan = MutationPlan::default();
        for kind in [Mutation::Polynomial, Mutation::Gaussian] {
            for rate in [0.0, 0.05, 1.0 / 7.0, 0.3, 0.5, 0.9, 1.0] {
                let s = MutationSettings {
                    kind,
                    rate,
                    eta: 20.0,
                    sigma: 0.2,
                };
                let rows: Vec<f64> = (0..3 * dim)
                    .map(|k| lower[k % dim] + (upper[k % dim] - lower[k % dim]) * rng.next_f64())
                    .collect();
                let (mut planned, mut direct) = (rows.clone(), rows);
                let (mut plan_rng, mut direct_rng) = (rng.clone(), rng.clone());
                for row in 0..3 {
                    plan.draw(&s, row * dim, &lower, &upper, &mut plan_rng);
                    mutate(
                        &s,
                        &mut direct[row * dim..(row + 1) * dim],
                        &lower,
                        &upper,
                        &mut direct_rng,
                    );
                }
                plan.apply(&s, &mut planned, &lower, &upper);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&planned), bits(&direct), "{kind:?} at {rate}");
                assert_eq!(plan_rng, direct_rng);
                rng = plan_rng;
            }
        }
    }

    #[test]
    fn every_mutation_keeps_genes_within_bounds() {
        let mut rng = Rng::new(6);
        for kind in [Mutation::Polynomial, Mutation::Gaussian] {
            let s = MutationSettings {
                kind,
                rate: 1.0,
                eta: 1.0,
                sigma: 2.0,
            };
            let mut g = [0.0, 9.9];
            for _ in 0..10_000 {
                mutate(&s, &mut g, &[-1.0, 0.0], &[1.0, 10.0], &mut rng);
                assert!(g[0] >= -1.0 && g[0] <= 1.0 && g[1] >= 0.0 && g[1] <= 10.0);
            }
        }
    }

    #[test]
    fn genes_mutate_at_the_given_rate() {
        let mut rng = Rng::new(9);
        for rate in [0.01, 0.1, 0.3, 0.7] {
            let s = MutationSettings {
                kind: Mutation::Gaussian,
                rate,
                eta: 20.0,
                sigma: 0.1,
            };
            let mut changed = 0;
            for _ in 0..20_000 {
                let mut g = [0.5; 10];
                mutate(&s, &mut g, &[0.0; 10], &[1.0; 10], &mut rng);
                changed += g.iter().filter(|&&x| x != 0.5).count();
            }
            let observed = changed as f64 / 200_000.0;
            assert!(
                (observed - rate).abs() < 0.1 * rate,
                "rate {rate}: {observed}"
            );
        }
    }

    #[test]
    fn rate_zero_changes_nothing_and_rate_one_changes_every_gene() {
        let mut rng = Rng::new(6);
        let mut g = [0.5; 8];
        let off = MutationSettings {
            kind: Mutation::Polynomial,
            rate: 0.0,
            eta: 20.0,
            sigma: 0.1,
        };
        mutate(&off, &mut g, &[0.0; 8], &[1.0; 8], &mut rng);
        assert_eq!(g, [0.5; 8]);
        let on = MutationSettings { rate: 1.0, ..off };
        mutate(&on, &mut g, &[0.0; 8], &[1.0; 8], &mut rng);
        assert!(g.iter().all(|&x| x != 0.5));
    }
}

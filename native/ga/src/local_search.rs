//! The memetic step: a short CMA-ES from an elite, in the bounds-normalised unit box, with a
//! step size taken from the population's spread.

use crate::bounds::Bounds;
use crate::cma::Cma;
use crate::evaluator::Evaluator;
use crate::rng::Rng;

/// Hansen's default CMA-ES population for `dim` genes: 4 + ⌊3 ln dim⌋, at least 6.
pub fn hansen_lambda(dim: usize) -> usize {
    (4 + (3.0 * (dim as f64).ln()) as usize).max(6)
}

/// Samples per CMA-ES iteration of the memetic step: 20 + dim (50 at 30-D; a large population
/// smooths multimodal landscapes such as Rastrigin: measured with `examples/islands.rs`, λ = 14
/// gave a median of 26 on rotated Rastrigin 30-D, λ = 50 gave 16), but at most budget / 10 so
/// a search makes ten iterations, and never below [`hansen_lambda`].
pub fn default_lambda(dim: usize, budget: u32) -> usize {
    (20 + dim).min(budget as usize / 10).max(hansen_lambda(dim))
}

/// The initial CMA-ES step, in units of the genes' ranges: the population's diversity
/// (mean std / range), clamped to [MIN_SIGMA, MAX_SIGMA].
pub const MIN_SIGMA: f64 = 1e-4;
/// See [`MIN_SIGMA`].
pub const MAX_SIGMA: f64 = 0.3;

/// What a local search found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchResult {
    /// Evaluations spent.
    pub evaluations: u64,
    /// The best fitness seen (may not beat the start).
    pub fitness: f64,
}

/// Reusable buffers of the local search (allocated once per population).
#[derive(Clone, Debug)]
pub struct LocalSearcher {
    cma: Cma,
    start: Vec<f64>,
    batch: Vec<f64>,
    fitness: Vec<f64>,
}

impl LocalSearcher {
    /// Buffers for `dim` genes and `lambda` (>= 2) samples per iteration.
    pub fn new(dim: usize, lambda: usize) -> Self {
        let cma = Cma::new(dim, lambda);
        let lambda = cma.lambda();
        Self {
            cma,
            start: vec![0.0; dim],
            batch: vec![0.0; lambda * dim],
            fitness: vec![0.0; lambda],
        }
    }

    /// Samples per CMA-ES iteration.
    pub fn lambda(&self) -> usize {
        self.cma.lambda()
    }

    /// Searches from `genome` (fitness `fitness`) with at most `budget` evaluations (one
    /// evaluator call per CMA-ES iteration of λ samples); on improvement `genome` is
    /// overwritten with the best point found. `sigma` is in units of the genes' ranges; `hop`
    /// (same units, 0 = none) moves the CMA-ES start away from `genome` by a Gaussian step.
    #[allow(clippy::too_many_arguments)]
    pub fn search(
        &mut self,
        genome: &mut [f64],
        fitness: f64,
        sigma: f64,
        hop: f64,
        budget: u64,
        bounds: &Bounds,
        rng: &mut Rng,
        evaluator: &mut dyn Evaluator,
    ) -> Result<SearchResult, String> {
        let dim = bounds.dim();
        let (lower, upper) = (bounds.lower(), bounds.upper());
        for i in 0..dim {
            let range = upper[i] - lower[i];
            self.start[i] = if range > 0.0 {
                (genome[i] - lower[i]) / range
            } else {
                0.0
            };
        }
        if hop > 0.0 {
            for x in self.start.iter_mut() {
                *x = (*x + hop * rng.gaussian()).clamp(0.0, 1.0);
            }
        }
        self.cma
            .reset(&self.start, sigma.clamp(MIN_SIGMA, MAX_SIGMA));
        let lambda = self.cma.lambda() as u64;
        let (mut spent, mut best) = (0u64, fitness);
        while spent + lambda <= budget {
            let points = self.cma.ask(rng);
            for (row, point) in self
                .batch
                .chunks_exact_mut(dim)
                .zip(points.chunks_exact(dim))
            {
                for i in 0..dim {
                    row[i] = lower[i] + (upper[i] - lower[i]) * point[i];
                }
                bounds.repair(row);
            }
            evaluator.evaluate(&self.batch, dim, &mut self.fitness)?;
            spent += lambda;
            for f in self.fitness.iter_mut() {
                if f.is_nan() {
                    *f = f64::INFINITY;
                }
            }
            for (k, &f) in self.fitness.iter().enumerate() {
                if f < best {
                    best = f;
                    genome.copy_from_slice(&self.batch[k * dim..(k + 1) * dim]);
                }
            }
            self.cma.tell(&self.fitness);
            if self.cma.spread() < 1e-13 {
                break;
            }
        }
        Ok(SearchResult {
            evaluations: spent,
            fitness: best,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluator::ProblemEvaluator;
    use crate::objective::Objective;
    use crate::parameters::Parallel;
    use crate::problem::Problem;

    #[test]
    fn local_search_improves_within_its_budget() {
        let p = Problem::new(Objective::Sphere, 10, 1, true, true).unwrap();
        let bounds = Bounds::uniform(10, -100.0, 100.0).unwrap();
        let mut genome = vec![50.0; 10];
        let mut scratch = Vec::new();
        let start = p.evaluate(&genome, &mut scratch);
        let mut s = LocalSearcher::new(10, hansen_lambda(10));
        let mut eval = ProblemEvaluator::new(&p, Parallel::Off, &mut scratch);
        let r = s
            .search(
                &mut genome,
                start,
                0.1,
                0.0,
                500,
                &bounds,
                &mut Rng::new(1),
                &mut eval,
            )
            .unwrap();
        assert!(r.evaluations <= 500);
        assert!(r.fitness < start * 1e-3, "{} -> {}", start, r.fitness);
        assert_eq!(p.evaluate(&genome, &mut scratch), r.fitness);
    }
}

//! How a batch of genomes gets its fitness: a builtin [`Problem`] (optionally on several
//! threads) or anything else implementing [`Evaluator`] (the napi binding's JS callback).

use crate::parameters::Parallel;
use crate::problem::Problem;
use rayon::prelude::*;

/// Evaluates batches of genomes.
pub trait Evaluator {
    /// Writes the fitness of each of the `fitness.len()` genomes in `genomes` (row-major,
    /// `dim` genes each) into `fitness`. Lower is better; NaN is treated as +∞.
    fn evaluate(&mut self, genomes: &[f64], dim: usize, fitness: &mut [f64]) -> Result<(), String>;
}

/// Batches cheaper than this many nanoseconds of (estimated) objective time stay on one thread.
/// Measured with `benches/generations.rs` on 2 cores, population 100, rotated Rastrigin:
/// 30-D (≈ 36 µs a batch) is slower with threads (11,200 vs 13,500 generations/s); 100-D
/// (≈ 370 µs) is 1.3× faster, 300-D 1.9×.
pub const PARALLEL_THRESHOLD_NS: f64 = 60_000.0;

/// A builtin problem as an [`Evaluator`].
pub struct ProblemEvaluator<'a> {
    problem: &'a Problem,
    parallel: Parallel,
    scratch: &'a mut Vec<f64>,
}

impl<'a> ProblemEvaluator<'a> {
    /// Evaluates `problem`, in parallel per `parallel`; `scratch` is reused single-threaded.
    pub fn new(problem: &'a Problem, parallel: Parallel, scratch: &'a mut Vec<f64>) -> Self {
        Self {
            problem,
            parallel,
            scratch,
        }
    }

    fn use_threads(&self, count: usize) -> bool {
        match self.parallel {
            Parallel::On => true,
            Parallel::Off => false,
            Parallel::Auto => {
                rayon::current_num_threads() > 1
                    && count as f64 * self.problem.cost_ns() >= PARALLEL_THRESHOLD_NS
            }
        }
    }
}

impl Evaluator for ProblemEvaluator<'_> {
    fn evaluate(&mut self, genomes: &[f64], dim: usize, fitness: &mut [f64]) -> Result<(), String> {
        let problem = self.problem;
        if self.use_threads(fitness.len()) {
            // Each genome's value depends only on the genome: same results as one thread.
            fitness
                .par_iter_mut()
                .zip(genomes.par_chunks_exact(dim))
                .for_each_init(Vec::new, |scratch, (f, g)| {
                    *f = problem.evaluate(g, scratch)
                });
        } else {
            problem.evaluate_batch(&genomes[..fitness.len() * dim], fitness, self.scratch);
        }
        Ok(())
    }
}

/// A closure `(genomes, dim, fitness)` as an [`Evaluator`].
pub struct FnEvaluator<F>(pub F);

impl<F> Evaluator for FnEvaluator<F>
where
    F: FnMut(&[f64], usize, &mut [f64]) -> Result<(), String>,
{
    fn evaluate(&mut self, genomes: &[f64], dim: usize, fitness: &mut [f64]) -> Result<(), String> {
        (self.0)(genomes, dim, fitness)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::Objective;
    use crate::rng::Rng;

    #[test]
    fn parallel_and_serial_evaluation_agree_bit_for_bit() {
        let p = Problem::new(Objective::Rastrigin, 30, 4, true, true).unwrap();
        let mut rng = Rng::new(1);
        let genomes: Vec<f64> = (0..30 * 200).map(|_| 10.0 * rng.next_f64() - 5.0).collect();
        let mut scratch = Vec::new();
        let (mut a, mut b) = (vec![0.0; 200], vec![0.0; 200]);
        ProblemEvaluator::new(&p, Parallel::On, &mut scratch)
            .evaluate(&genomes, 30, &mut a)
            .unwrap();
        ProblemEvaluator::new(&p, Parallel::Off, &mut scratch)
            .evaluate(&genomes, 30, &mut b)
            .unwrap();
        assert_eq!(a, b);
    }
}

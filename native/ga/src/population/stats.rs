//! The summary of a population that every step returns.

use super::Population;

/// Summary of a population after a step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PopulationStats {
    /// Generations done (the evaluation of a caller-evaluated initial population counts as one).
    pub generation: u64,
    /// Objective evaluations done, local search included.
    pub evaluations: u64,
    /// Best, mean and worst fitness (NaN before the first evaluation).
    pub best: f64,
    /// See `best`.
    pub mean: f64,
    /// See `best`.
    pub worst: f64,
    /// Mean over genes of std / range, 0..~0.3.
    pub diversity: f64,
    /// Per-gene mutation probability in use (after adaptation and boost).
    pub mutation_rate: f64,
}

impl Population {
    /// The current summary.
    pub fn stats(&self) -> PopulationStats {
        let (best, mean, worst) = if self.evaluated {
            let mean = self.fitness.iter().sum::<f64>() / self.size as f64;
            (self.fitness[0], mean, self.fitness[self.size - 1])
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        };
        PopulationStats {
            generation: self.generation,
            evaluations: self.evaluations,
            best,
            mean,
            worst,
            diversity: self.diversity,
            mutation_rate: self.rate,
        }
    }
}

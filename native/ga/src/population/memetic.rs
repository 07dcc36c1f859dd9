//! The memetic step: a CMA-ES local search from the best individuals, hopping to a
//! neighbouring basin when the previous step stalled.

use super::Population;
use crate::error::GaError;
use crate::evaluator::Evaluator;
use crate::local_search::{default_lambda, LocalSearcher};

/// A memetic step whose searches all gained less than this fraction of their start's fitness
/// has stalled; the next one hops (see [`crate::parameters::LocalSearch::hop`]).
pub const STALL_GAIN: f64 = 1e-3;

impl Population {
    pub(super) fn memetic(&mut self, evaluator: &mut dyn Evaluator) -> Result<(), GaError> {
        let ls = self.params.local_search;
        let dim = self.dim;
        let lambda = match ls.lambda {
            0 => default_lambda(dim, ls.budget),
            l => l as usize,
        };
        let mut searcher = match self.searcher.take() {
            Some(s) if s.lambda() == lambda => s,
            _ => LocalSearcher::new(dim, lambda),
        };
        let sigma = self.diversity * ls.sigma_factor;
        // A stalled elite sits in a local optimum that searching again would only confirm:
        // hop to a neighbouring basin instead (monotonic basin hopping).
        let hop = if self.stalled { ls.hop } else { 0.0 };
        let mut stalled = true;
        let mut genome = std::mem::take(&mut self.scratch);
        genome.resize(dim, 0.0);
        let mut improved = false;
        for j in 0..(ls.elites as usize).min(self.size) {
            let budget = match self.limit {
                Some(l) => (ls.budget as u64).min(l.saturating_sub(self.evaluations)),
                None => ls.budget as u64,
            };
            genome.copy_from_slice(&self.genomes[j * dim..(j + 1) * dim]);
            let result = searcher.search(
                &mut genome,
                self.fitness[j],
                sigma,
                hop,
                budget,
                &self.bounds,
                &mut self.rng,
                evaluator,
            );
            let result = match result {
                Ok(r) => r,
                Err(m) => {
                    self.scratch = genome;
                    self.searcher = Some(searcher);
                    return Err(GaError::Evaluation(m));
                }
            };
            self.evaluations += result.evaluations;
            if self.fitness[j] - result.fitness > STALL_GAIN * self.fitness[j].abs() {
                stalled = false;
            }
            if result.fitness < self.fitness[j] {
                self.genomes[j * dim..(j + 1) * dim].copy_from_slice(&genome);
                self.fitness[j] = result.fitness;
                improved = true;
            }
        }
        self.scratch = genome;
        self.searcher = Some(searcher);
        self.stalled = stalled;
        if improved {
            self.sort_from(false);
        }
        Ok(())
    }
}

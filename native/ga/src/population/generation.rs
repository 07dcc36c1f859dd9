//! One generation: breeding (selection, crossover, mutation, elitism), evaluation, sorting
//! best first, the adaptive mutation rate; and the step loops that run generations.

use super::{Population, PopulationStats};
use crate::adaptive::effective_rate;
use crate::crossover::{crossover, CrossoverSettings};
use crate::diversity::diversity;
use crate::error::{GaError, ParameterError};
use crate::evaluator::{Evaluator, ProblemEvaluator};
use crate::mutation::MutationSettings;
use crate::parameters::Crossover;
use crate::selection::select;

impl Population {
    /// Runs `generations` generations on the builtin objective; stops early at the
    /// evaluation limit. Errors when there is no builtin objective.
    pub fn step(&mut self, generations: u64) -> Result<PopulationStats, GaError> {
        let Some(problem) = self.problem.clone() else {
            return Err(ParameterError::new(
                "objective",
                "is not set: use stepWith with an evaluate callback",
            )
            .into());
        };
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut eval = ProblemEvaluator::new(&problem, self.params.parallel, &mut scratch);
        let result = self.step_with(generations, &mut eval);
        self.scratch = scratch;
        result
    }

    /// Runs `generations` generations evaluated by `evaluator`: one call per generation, plus
    /// one per CMA-ES iteration of a local search.
    pub fn step_with(
        &mut self,
        generations: u64,
        evaluator: &mut dyn Evaluator,
    ) -> Result<PopulationStats, GaError> {
        for _ in 0..generations {
            if !self.generation(evaluator)? {
                break;
            }
        }
        Ok(self.stats())
    }

    pub(super) fn within_limit(&self, more: usize) -> bool {
        self.limit
            .is_none_or(|l| self.evaluations + more as u64 <= l)
    }

    fn generation(&mut self, evaluator: &mut dyn Evaluator) -> Result<bool, GaError> {
        let (dim, size) = (self.dim, self.size);
        if !self.evaluated {
            if !self.within_limit(size) {
                return Ok(false);
            }
            self.next[..size * dim].copy_from_slice(&self.genomes);
            evaluator
                .evaluate(&self.next[..size * dim], dim, &mut self.next_fitness)
                .map_err(GaError::Evaluation)?;
            self.evaluations += size as u64;
            self.evaluated = true;
            self.generation += 1;
            self.sort_from(true);
            self.update_rate();
            return Ok(true);
        }
        let elites = self.params.elitism as usize;
        if !self.within_limit(size - elites) {
            return Ok(false);
        }
        self.breed(elites);
        evaluator
            .evaluate(
                &self.next[elites * dim..size * dim],
                dim,
                &mut self.next_fitness[elites..],
            )
            .map_err(GaError::Evaluation)?;
        self.evaluations += (size - elites) as u64;
        self.generation += 1;
        self.sort_from(true);
        let ls = self.params.local_search;
        if ls.every > 0 && self.generation.is_multiple_of(ls.every as u64) {
            self.update_rate();
            self.memetic(evaluator)?;
        }
        self.update_rate();
        Ok(true)
    }

    /// Fills `next` with the elites and `size − elites` children.
    fn breed(&mut self, elites: usize) {
        let (dim, size) = (self.dim, self.size);
        let p = &self.params;
        self.next[..elites * dim].copy_from_slice(&self.genomes[..elites * dim]);
        self.next_fitness[..elites].copy_from_slice(&self.fitness[..elites]);
        let xs = CrossoverSettings {
            kind: p.crossover,
            sbx_eta: p.sbx_eta,
            blend_alpha: p.blend_alpha,
        };
        let ms = MutationSettings {
            kind: p.mutation,
            rate: self.rate,
            eta: p.mutation_eta,
            sigma: p.gaussian_sigma,
        };
        let (lower, upper) = (self.bounds.lower(), self.bounds.upper());
        let tournament = p.tournament_size as usize;
        // Every draw is made here, pair by pair in the order of crossing and mutating each
        // pair at once; the SBX children and the mutations, which no draw depends on, are then
        // computed for the whole generation in two batches. The same run, bit for bit.
        let batch = &mut self.crossover_batch;
        let plan = &mut self.mutation_plan;
        let next = &mut self.next;
        let mut k = elites;
        while k < size {
            let a = select(p.selection, tournament, size, &mut self.rng);
            let b = select(p.selection, tournament, size, &mut self.rng);
            let (first, second) = next[k * dim..(k + 2) * dim].split_at_mut(dim);
            copy_row(first, &self.genomes[a * dim..(a + 1) * dim]);
            copy_row(second, &self.genomes[b * dim..(b + 1) * dim]);
            if self.rng.next_f64() < p.crossover_rate {
                if xs.kind == Crossover::Sbx {
                    batch.gather(next, k * dim, dim, lower, upper, &mut self.rng);
                } else {
                    crossover(&xs, first, second, lower, upper, &mut self.rng, batch);
                }
            }
            plan.draw(&ms, k * dim, lower, upper, &mut self.rng);
            plan.draw(&ms, (k + 1) * dim, lower, upper, &mut self.rng);
            k += 2;
        }
        batch.finish(xs.sbx_eta, next, dim);
        plan.apply(&ms, next, lower, upper);
        // The operators clamp already; only integer genes need rounding.
        if self.bounds.has_integer() {
            for row in next[elites * dim..k * dim].chunks_exact_mut(dim) {
                self.bounds.repair(row);
            }
        }
    }

    /// Sorts rows best first into `genomes`/`fitness`, from `next` (or in place).
    pub(super) fn sort_from(&mut self, from_next: bool) {
        let (dim, size) = (self.dim, self.size);
        if !from_next {
            self.next[..size * dim].copy_from_slice(&self.genomes);
            self.next_fitness.copy_from_slice(&self.fitness);
        }
        for f in self.next_fitness.iter_mut() {
            if f.is_nan() {
                *f = f64::INFINITY;
            }
        }
        let fit = &self.next_fitness;
        // One integer key per row, (fitness in total order, row), sorted as plain u128s: the
        // same order as comparing fitness with `total_cmp` then rows, without a comparator call.
        for (i, (o, f)) in self.order.iter_mut().zip(fit).enumerate() {
            *o = ((total_order_key(*f) as u128) << 64) | i as u128;
        }
        self.order.sort_unstable();
        for (r, &key) in self.order.iter().enumerate() {
            let i = key as u64 as usize;
            copy_row(
                &mut self.genomes[r * dim..(r + 1) * dim],
                &self.next[i * dim..(i + 1) * dim],
            );
            self.fitness[r] = fit[i];
        }
    }

    pub(super) fn update_rate(&mut self) {
        self.diversity = diversity(&self.genomes, self.size, &self.bounds, &mut self.sums);
        let p = &self.params;
        self.rate = effective_rate(
            p.mutation_rate,
            p.mutation_boost,
            p.adaptive_mutation,
            p.target_diversity,
            self.diversity,
        );
    }
}

/// `to.copy_from_slice(from)` for one genome, inline: 64-byte blocks of fixed size compile to
/// a few vector moves, where `copy_from_slice` calls `memmove` (whose dispatch is most of the
/// cost of copying 30 genes, and a generation copies ~200 rows).
#[inline(always)]
fn copy_row(to: &mut [f64], from: &[f64]) {
    let mut to_blocks = to.chunks_exact_mut(8);
    let mut from_blocks = from.chunks_exact(8);
    for (t, f) in (&mut to_blocks).zip(&mut from_blocks) {
        let f: &[f64; 8] = f.try_into().expect("a block of 8");
        let t: &mut [f64; 8] = t.try_into().expect("a block of 8");
        *t = *f;
    }
    for (t, f) in to_blocks
        .into_remainder()
        .iter_mut()
        .zip(from_blocks.remainder())
    {
        *t = *f;
    }
}

/// An unsigned integer that orders like `f64::total_cmp` does its argument.
#[inline]
fn total_order_key(f: f64) -> u64 {
    let bits = f.to_bits();
    // Negative numbers: flip every bit (larger magnitude sorts first); positive: set the top.
    bits ^ ((((bits as i64) >> 63) as u64) | (1 << 63))
}

//! A population evolving by the HMS GA: selection, crossover, mutation, elitism, memetic local
//! search, adaptive mutation. Kept sorted best first. No allocation per generation.

use crate::adaptive::effective_rate;
use crate::bounds::Bounds;
use crate::crossover::{crossover, CrossoverScratch, CrossoverSettings};
use crate::diversity::diversity;
use crate::error::{GaError, ParameterError};
use crate::evaluator::{Evaluator, ProblemEvaluator};
use crate::local_search::{default_lambda, LocalSearcher};
use crate::mutation::{mutate, MutationSettings};
use crate::parameters::GaParameters;
use crate::problem::Problem;
use crate::rng::Rng;
use crate::selection::select;
use crate::state::PopulationState;
use std::sync::Arc;

/// The most genes a genome may have.
pub const MAX_DIM: usize = 10_000;
/// The smallest population.
pub const MIN_SIZE: usize = 4;

/// What a population is made of.
#[derive(Clone, Debug)]
pub struct PopulationConfig {
    /// The seed of the run's PRNG.
    pub seed: u32,
    /// Individuals, >= 4; default 100.
    pub size: usize,
    /// Gene bounds (and so the dimension).
    pub bounds: Bounds,
    /// A builtin objective; None = evaluated by the caller through [`Population::step_with`].
    pub problem: Option<Problem>,
    /// Operator settings.
    pub parameters: GaParameters,
}

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

/// A population of real (or integer) genomes, sorted best first.
pub struct Population {
    dim: usize,
    size: usize,
    bounds: Bounds,
    params: GaParameters,
    problem: Option<Arc<Problem>>,
    genomes: Vec<f64>,
    fitness: Vec<f64>,
    next: Vec<f64>,
    next_fitness: Vec<f64>,
    order: Vec<usize>,
    rng: Rng,
    generation: u64,
    evaluations: u64,
    evaluated: bool,
    diversity: f64,
    rate: f64,
    sums: Vec<f64>,
    scratch: Vec<f64>,
    searcher: Option<LocalSearcher>,
    crossover_scratch: CrossoverScratch,
    limit: Option<u64>,
}

impl Population {
    /// A random population (uniform in the bounds). With a builtin problem it is evaluated at
    /// once (generation 0, `size` evaluations); otherwise by the first `step_with` generation.
    pub fn new(config: PopulationConfig) -> Result<Self, ParameterError> {
        let mut p = Self::empty(config)?;
        for row in p.genomes.chunks_exact_mut(p.dim) {
            for (i, g) in row.iter_mut().enumerate() {
                let (l, u) = (p.bounds.lower()[i], p.bounds.upper()[i]);
                *g = l + (u - l) * p.rng.next_f64();
            }
            p.bounds.repair(row);
        }
        if let Some(problem) = p.problem.clone() {
            let mut eval = ProblemEvaluator::new(&problem, p.params.parallel, &mut p.scratch);
            eval.evaluate(&p.genomes, p.dim, &mut p.fitness)
                .map_err(|m| ParameterError::new("objective", m))?;
            p.evaluations = p.size as u64;
            p.evaluated = true;
            p.sort_from(false);
        }
        p.update_rate();
        Ok(p)
    }

    /// Continues the run saved in `state` (from [`Population::export_state`]); `config` must
    /// describe the same problem. Its parameters are replaced by the state's.
    pub fn restore(
        config: PopulationConfig,
        state: &PopulationState,
    ) -> Result<Self, ParameterError> {
        let mut config = config;
        config.parameters = state.parameters.clone();
        config.size = state.size;
        let mut p = Self::empty(config)?;
        state.check(p.dim)?;
        p.genomes.copy_from_slice(&state.genomes);
        p.fitness.copy_from_slice(&state.fitness);
        p.rng = Rng::from_state(state.rng);
        p.generation = state.generation;
        p.evaluations = state.evaluations;
        p.evaluated = !p.fitness.iter().any(|f| f.is_nan());
        p.update_rate();
        Ok(p)
    }

    fn empty(config: PopulationConfig) -> Result<Self, ParameterError> {
        let dim = config.bounds.dim();
        if dim == 0 || dim > MAX_DIM {
            return Err(ParameterError::new(
                "dim",
                format!("must be an integer in 1..={MAX_DIM}, got {dim}"),
            ));
        }
        let size = config.size;
        if size < MIN_SIZE {
            return Err(ParameterError::new(
                "size",
                format!("must be an integer >= {MIN_SIZE}, got {size}"),
            ));
        }
        if let Some(problem) = &config.problem {
            if problem.dim() != dim {
                return Err(ParameterError::new(
                    "dim",
                    format!("is {dim} but the objective has {}", problem.dim()),
                ));
            }
        }
        config.parameters.validate(size)?;
        Ok(Self {
            dim,
            size,
            params: config.parameters,
            problem: config.problem.map(Arc::new),
            genomes: vec![0.0; size * dim],
            fitness: vec![f64::NAN; size],
            // One spare row for the odd child of the last pair.
            next: vec![0.0; (size + 1) * dim],
            next_fitness: vec![0.0; size],
            order: (0..size).collect(),
            rng: Rng::new(config.seed),
            generation: 0,
            evaluations: 0,
            evaluated: false,
            diversity: 0.0,
            rate: 0.0,
            sums: Vec::with_capacity(2 * dim),
            scratch: Vec::with_capacity(2 * dim),
            searcher: None,
            crossover_scratch: CrossoverScratch::default(),
            limit: None,
            bounds: config.bounds,
        })
    }

    /// Genes per genome.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Individuals.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The bounds.
    pub fn bounds(&self) -> &Bounds {
        &self.bounds
    }

    /// The operator settings in use.
    pub fn parameters(&self) -> &GaParameters {
        &self.params
    }

    /// The builtin problem, if any.
    pub fn problem(&self) -> Option<&Problem> {
        self.problem.as_deref()
    }

    /// Replaces the operator settings (validated first; nothing changes on error).
    pub fn set_parameters(&mut self, parameters: GaParameters) -> Result<(), ParameterError> {
        parameters.validate(self.size)?;
        self.params = parameters;
        self.update_rate();
        Ok(())
    }

    /// Stops steps (and trims local searches) at `limit` evaluations in all; None = no limit.
    pub fn set_evaluation_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

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

    fn within_limit(&self, more: usize) -> bool {
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
        let mut k = elites;
        while k < size {
            let a = select(p.selection, tournament, size, &mut self.rng);
            let b = select(p.selection, tournament, size, &mut self.rng);
            let (first, second) = self.next[k * dim..(k + 2) * dim].split_at_mut(dim);
            first.copy_from_slice(&self.genomes[a * dim..(a + 1) * dim]);
            second.copy_from_slice(&self.genomes[b * dim..(b + 1) * dim]);
            if self.rng.next_f64() < p.crossover_rate {
                crossover(
                    &xs,
                    first,
                    second,
                    lower,
                    upper,
                    &mut self.rng,
                    &mut self.crossover_scratch,
                );
            }
            mutate(&ms, first, lower, upper, &mut self.rng);
            mutate(&ms, second, lower, upper, &mut self.rng);
            // The operators clamp already; only integer genes need rounding.
            if self.bounds.has_integer() {
                self.bounds.repair(first);
                self.bounds.repair(second);
            }
            k += 2;
        }
    }

    /// Sorts rows best first into `genomes`/`fitness`, from `next` (or in place).
    fn sort_from(&mut self, from_next: bool) {
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
        self.order.iter_mut().enumerate().for_each(|(i, o)| *o = i);
        self.order
            .sort_unstable_by(|&a, &b| fit[a].total_cmp(&fit[b]).then(a.cmp(&b)));
        for (r, &i) in self.order.iter().enumerate() {
            self.genomes[r * dim..(r + 1) * dim]
                .copy_from_slice(&self.next[i * dim..(i + 1) * dim]);
            self.fitness[r] = fit[i];
        }
    }

    fn memetic(&mut self, evaluator: &mut dyn Evaluator) -> Result<(), GaError> {
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
            if result.fitness < self.fitness[j] {
                self.genomes[j * dim..(j + 1) * dim].copy_from_slice(&genome);
                self.fitness[j] = result.fitness;
                improved = true;
            }
        }
        self.scratch = genome;
        self.searcher = Some(searcher);
        if improved {
            self.sort_from(false);
        }
        Ok(())
    }

    fn update_rate(&mut self) {
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

    /// The best genome and its fitness (NaN before the first evaluation).
    pub fn best(&self) -> (&[f64], f64) {
        (
            &self.genomes[..self.dim],
            if self.evaluated {
                self.fitness[0]
            } else {
                f64::NAN
            },
        )
    }

    /// All genomes (size × dim, best first) and their fitness.
    pub fn individuals(&self) -> (&[f64], &[f64]) {
        (&self.genomes, &self.fitness)
    }

    /// Copies of the best `count` (at most size) genomes and fitness, best first.
    pub fn export_migrants(&self, count: usize) -> (Vec<f64>, Vec<f64>) {
        let count = count.min(self.size);
        (
            self.genomes[..count * self.dim].to_vec(),
            self.fitness[..count].to_vec(),
        )
    }

    /// Replaces the worst individuals by `genomes` (row-major, repaired into the bounds) with
    /// fitness `fitness`; takes at most `size − elitism` (at least 1), best first. Returns how
    /// many were taken.
    pub fn import_migrants(
        &mut self,
        genomes: &[f64],
        fitness: &[f64],
    ) -> Result<usize, ParameterError> {
        let dim = self.dim;
        if genomes.len() != fitness.len() * dim {
            return Err(ParameterError::new(
                "genomes",
                format!(
                    "must hold fitness.length × dim = {} × {dim} numbers, got {}",
                    fitness.len(),
                    genomes.len()
                ),
            ));
        }
        let room = (self.size - self.params.elitism as usize).max(1);
        let taken = fitness.len().min(room);
        self.next[..self.size * dim].copy_from_slice(&self.genomes);
        self.next_fitness.copy_from_slice(&self.fitness);
        for k in 0..taken {
            let slot = self.size - 1 - k;
            let row = &mut self.next[slot * dim..(slot + 1) * dim];
            row.copy_from_slice(&genomes[k * dim..(k + 1) * dim]);
            self.bounds.repair(row);
            self.next_fitness[slot] = fitness[k];
        }
        if taken > 0 {
            self.sort_from(true);
            self.update_rate();
        }
        Ok(taken)
    }

    /// A checkpoint: restoring it with [`Population::restore`] continues identically.
    pub fn export_state(&self) -> PopulationState {
        PopulationState {
            dim: self.dim,
            size: self.size,
            generation: self.generation,
            evaluations: self.evaluations,
            genomes: self.genomes.clone(),
            fitness: self.fitness.clone(),
            rng: self.rng.state(),
            parameters: self.params.clone(),
        }
    }
}

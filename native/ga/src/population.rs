//! A population evolving by the HMS GA: selection, crossover, mutation, elitism, memetic local
//! search, adaptive mutation. Kept sorted best first. No allocation per generation.

mod generation;
mod memetic;
mod migration;
mod stats;

pub use memetic::STALL_GAIN;
pub use stats::PopulationStats;

use crate::bounds::Bounds;
use crate::crossover::SbxBatch;
use crate::error::ParameterError;
use crate::evaluator::{Evaluator, ProblemEvaluator};
use crate::local_search::LocalSearcher;
use crate::mutation::MutationPlan;
use crate::parameters::GaParameters;
use crate::problem::Problem;
use crate::rng::Rng;
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
    order: Vec<u128>,
    rng: Rng,
    generation: u64,
    evaluations: u64,
    evaluated: bool,
    diversity: f64,
    rate: f64,
    sums: Vec<f64>,
    scratch: Vec<f64>,
    searcher: Option<LocalSearcher>,
    crossover_batch: SbxBatch,
    mutation_plan: MutationPlan,
    limit: Option<u64>,
    stalled: bool,
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
        // Checked before anything is allocated: a corrupt checkpoint's size (2^40, say) must
        // be refused, not abort the process allocating size × dim genes.
        state.check(config.bounds.dim())?;
        let mut config = config;
        config.parameters = state.parameters.clone();
        config.size = state.size;
        let mut p = Self::empty(config)?;
        p.genomes.copy_from_slice(&state.genomes);
        p.fitness.copy_from_slice(&state.fitness);
        p.rng = Rng::from_state(state.rng);
        p.generation = state.generation;
        p.evaluations = state.evaluations;
        p.evaluated = !p.fitness.iter().any(|f| f.is_nan());
        p.stalled = state.local_search_stalled;
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
            order: vec![0; size],
            rng: Rng::new(config.seed),
            generation: 0,
            evaluations: 0,
            evaluated: false,
            diversity: 0.0,
            rate: 0.0,
            sums: Vec::with_capacity(2 * dim),
            scratch: Vec::with_capacity(2 * dim),
            searcher: None,
            crossover_batch: SbxBatch::default(),
            mutation_plan: MutationPlan::default(),
            limit: None,
            stalled: false,
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
            local_search_stalled: self.stalled,
        }
    }
}

//! `Population`, `describeObjective` and `evaluateObjective`: the `hms-ga` crate seen from
//! JavaScript. Conversion and ownership only; the GA lives in `native/ga`, the option objects
//! in `population_options.rs`, `ga_parameters.rs` and `population_state.rs`.

use crate::ga_parameters::{merge, to_object, GaParametersObject};
use crate::population_options::{
    config, instance, invalid, whole, InstanceOptions, ProblemOptions,
};
use crate::population_state::{state_from, PopulationState};
use hms_ga::{Evaluator, GaError, ParameterError, Population as GaPopulation};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// A population's summary.
#[napi(object)]
pub struct PopulationStats {
    /// Generations done.
    pub generation: f64,
    /// Evaluations done, local search included.
    pub evaluations: f64,
    /// Best fitness (NaN before the first evaluation).
    pub best: f64,
    /// Mean fitness.
    pub mean: f64,
    /// Worst fitness.
    pub worst: f64,
    /// Mean over genes of std / range, 0..~0.3.
    pub diversity: f64,
    /// Effective per-gene mutation rate in use.
    pub mutation_rate: f64,
}

/// Genomes (count × dim, row-major) with their fitness.
#[napi(object)]
pub struct Individuals {
    /// count × dim genes, row-major.
    pub genomes: Float64Array,
    /// count fitness values.
    pub fitness: Float64Array,
}

/// The best individual.
#[napi(object)]
pub struct BestIndividual {
    /// Its genes.
    pub genome: Float64Array,
    /// Its fitness.
    pub fitness: f64,
}

/// A problem instance's description.
#[napi(object)]
pub struct ObjectiveDescription {
    /// Default lower bound of every gene.
    pub lower: f64,
    /// Default upper bound of every gene.
    pub upper: f64,
    /// The optimum o.
    pub shift: Float64Array,
    /// The rotation M, dim × dim row-major, or null.
    pub rotation: Option<Float64Array>,
}

fn ga_error(err: GaError) -> Error {
    match err {
        GaError::Parameter(e) => invalid(e),
        GaError::Evaluation(m) => {
            Error::new(Status::GenericFailure, format!("evaluate failed: {m}"))
        }
    }
}

/// `(genomes: Float64Array, count: number) => Float64Array | number[]`.
type EvaluateFn<'env> = Function<'env, FnArgs<(Float64Array, u32)>, Either<Float64Array, Vec<f64>>>;

/// The JavaScript callback of `stepWith` as an [`Evaluator`]: one call per batch.
struct JsEvaluator<'f, 'env> {
    evaluate: &'f EvaluateFn<'env>,
}

impl Evaluator for JsEvaluator<'_, '_> {
    fn evaluate(
        &mut self,
        genomes: &[f64],
        _dim: usize,
        fitness: &mut [f64],
    ) -> std::result::Result<(), String> {
        let count = fitness.len();
        let args = (Float64Array::with_data_copied(genomes), count as u32);
        let result = self
            .evaluate
            .call(args.into())
            .map_err(|e| e.reason.clone())?;
        let values: &[f64] = match &result {
            Either::A(typed) => typed,
            Either::B(list) => list,
        };
        if values.len() != count {
            return Err(format!(
                "the callback must return {count} numbers, got {}",
                values.len()
            ));
        }
        fitness.copy_from_slice(values);
        Ok(())
    }
}

/// A GA population held in Rust (see `Population` in packages/runtime/src/native.ts).
#[napi]
pub struct Population {
    inner: GaPopulation,
}

#[napi]
impl Population {
    /// A new population, or the continuation of `state` when given. `options` holds the
    /// problem fields, `parameters` the operator settings (the TypeScript wrapper passes its
    /// one options object as both). Throws naming the bad field.
    #[napi(constructor)]
    pub fn new(
        options: ProblemOptions,
        parameters: GaParametersObject,
        state: Option<PopulationState>,
    ) -> Result<Self> {
        let config = config(&options, &parameters)?;
        let inner = match state {
            Some(s) => {
                let dim = config.bounds.dim();
                GaPopulation::restore(config, &state_from(&s, dim)?).map_err(invalid)?
            }
            None => GaPopulation::new(config).map_err(invalid)?,
        };
        Ok(Self { inner })
    }

    /// Genes per genome.
    #[napi(getter)]
    pub fn dim(&self) -> u32 {
        self.inner.dim() as u32
    }

    /// Individuals.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.size() as u32
    }

    /// Runs `generations` generations on the builtin objective.
    #[napi]
    pub fn step(&mut self, generations: f64) -> Result<PopulationStats> {
        let n = whole("generations", generations, 0.0, 9e15)?;
        self.inner.step(n).map(stats).map_err(ga_error)
    }

    /// Runs `generations` generations, evaluating through `evaluate(genomes, count)` (genomes
    /// count × dim row-major; returns count fitness values): one call per generation plus one
    /// per local-search iteration.
    #[napi(
        ts_args_type = "generations: number, evaluate: (genomes: Float64Array, count: number) => Float64Array | number[]"
    )]
    pub fn step_with(
        &mut self,
        generations: f64,
        evaluate: EvaluateFn<'_>,
    ) -> Result<PopulationStats> {
        let n = whole("generations", generations, 0.0, 9e15)?;
        let mut evaluator = JsEvaluator {
            evaluate: &evaluate,
        };
        self.inner
            .step_with(n, &mut evaluator)
            .map(stats)
            .map_err(ga_error)
    }

    /// The best genome and its fitness.
    #[napi]
    pub fn best(&self) -> BestIndividual {
        let (genome, fitness) = self.inner.best();
        BestIndividual {
            genome: Float64Array::with_data_copied(genome),
            fitness,
        }
    }

    /// The current summary.
    #[napi]
    pub fn stats(&self) -> PopulationStats {
        stats(self.inner.stats())
    }

    /// The best `count` individuals, best first.
    #[napi]
    pub fn export_migrants(&self, count: f64) -> Result<Individuals> {
        let count = whole("count", count, 0.0, 1e9)? as usize;
        let (genomes, fitness) = self.inner.export_migrants(count);
        Ok(Individuals {
            genomes: Float64Array::new(genomes),
            fitness: Float64Array::new(fitness),
        })
    }

    /// Replaces the worst individuals by `migrants`; returns how many were taken.
    #[napi]
    pub fn import_migrants(&mut self, migrants: Individuals) -> Result<u32> {
        self.inner
            .import_migrants(&migrants.genomes, &migrants.fitness)
            .map(|n| n as u32)
            .map_err(invalid)
    }

    /// Changes operator settings (given fields only); nothing changes when one is invalid.
    #[napi]
    pub fn set_parameters(&mut self, parameters: GaParametersObject) -> Result<()> {
        let merged = merge(self.inner.parameters(), &parameters)?;
        self.inner.set_parameters(merged).map_err(invalid)
    }

    /// A checkpoint that `new Population(options, options, state)` continues exactly.
    #[napi]
    pub fn export_state(&self) -> PopulationState {
        let s = self.inner.export_state();
        PopulationState {
            dim: s.dim as f64,
            size: s.size as f64,
            generation: s.generation as f64,
            evaluations: s.evaluations as f64,
            genomes: s.genomes,
            fitness: s.fitness,
            rng: s.rng.iter().map(|&w| w as f64).collect(),
            parameters: to_object(&s.parameters),
            local_search_stalled: Some(s.local_search_stalled),
        }
    }
}

fn stats(s: hms_ga::PopulationStats) -> PopulationStats {
    PopulationStats {
        generation: s.generation as f64,
        evaluations: s.evaluations as f64,
        best: s.best,
        mean: s.mean,
        worst: s.worst,
        diversity: s.diversity,
        mutation_rate: s.mutation_rate,
    }
}

/// The instance (name, dim, problemSeed, shift, rotate): default bounds, optimum and rotation.
#[napi]
pub fn describe_objective(
    name: String,
    dim: f64,
    problem_seed: f64,
    options: Option<InstanceOptions>,
) -> Result<ObjectiveDescription> {
    let (shift, rotate) = options.map(|o| (o.shift, o.rotate)).unwrap_or((None, None));
    let p = instance(&name, dim, problem_seed, shift, rotate)?;
    let (lower, upper) = p.bounds();
    Ok(ObjectiveDescription {
        lower,
        upper,
        shift: Float64Array::with_data_copied(p.shift()),
        rotation: p.rotation().map(Float64Array::with_data_copied),
    })
}

/// The objective of each genome of `genomes` (count × dim, row-major) on that instance.
#[napi]
pub fn evaluate_objective(
    name: String,
    dim: f64,
    problem_seed: f64,
    options: Option<InstanceOptions>,
    genomes: Float64Array,
) -> Result<Float64Array> {
    let (shift, rotate) = options.map(|o| (o.shift, o.rotate)).unwrap_or((None, None));
    let p = instance(&name, dim, problem_seed, shift, rotate)?;
    let d = p.dim();
    if !genomes.len().is_multiple_of(d) {
        return Err(invalid(ParameterError::new(
            "genomes",
            format!(
                "must hold a multiple of dim = {d} numbers, got {}",
                genomes.len()
            ),
        )));
    }
    let mut scratch = Vec::new();
    let out: Vec<f64> = genomes
        .chunks_exact(d)
        .map(|g| p.evaluate(g, &mut scratch))
        .collect();
    Ok(Float64Array::new(out))
}

//! `Population`, `describeObjective` and `evaluateObjective`: the `hms-ga` crate seen from
//! JavaScript. Conversion and ownership only; the GA lives in `native/ga`.

use hms_ga::{
    Bounds, Crossover, Evaluator, GaError, GaParameters, LocalSearch, Mutation, Objective, Parallel,
    ParameterError, Population as GaPopulation, PopulationConfig, PopulationState as GaState, Problem,
    Selection,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// The CMA-ES local search of the memetic step.
#[napi(object)]
pub struct LocalSearchOptions {
    /// Run it every `every` generations, a whole number >= 0; 0 = off. Default 25.
    pub every: f64,
    /// From the best `elites` individuals, a whole number in 1..=size. Default 1.
    pub elites: f64,
    /// At most `budget` evaluations per elite per run, a whole number >= 2. Default 3000.
    pub budget: f64,
}

/// Operator settings; every field optional (the defaults are in `hms-ga`'s `GaParameters`).
#[napi(object, js_name = "GaParameters")]
pub struct GaParametersObject {
    /// 'tournament' (default) or 'rank'.
    pub selection: Option<String>,
    /// Individuals per tournament, a whole number in 1..=size; default 2.
    pub tournament_size: Option<f64>,
    /// 'sbx' (default), 'blend' or 'uniform'.
    pub crossover: Option<String>,
    /// Probability that a pair is recombined, 0..1; default 0.9.
    pub crossover_rate: Option<f64>,
    /// SBX distribution index, > 0; default 15.
    pub sbx_eta: Option<f64>,
    /// BLX-alpha, >= 0; default 0.5.
    pub blend_alpha: Option<f64>,
    /// 'polynomial' (default) or 'gaussian'.
    pub mutation: Option<String>,
    /// Per-gene mutation probability, 0..1; default 1/dim.
    pub mutation_rate: Option<f64>,
    /// Polynomial mutation distribution index, > 0; default 20.
    pub mutation_eta: Option<f64>,
    /// Gaussian sigma as a fraction of the gene's range, > 0; default 0.1.
    pub gaussian_sigma: Option<f64>,
    /// Best individuals copied unchanged, a whole number in 0..size; default 2.
    pub elitism: Option<f64>,
    /// Scale the mutation rate by diversity; default true.
    pub adaptive_mutation: Option<bool>,
    /// External multiplier of the mutation rate, >= 0; default 1.
    pub mutation_boost: Option<f64>,
    /// Diversity the adaptive rate steers towards, > 0; default 0.003.
    pub target_diversity: Option<f64>,
    /// The memetic step; default every 25 generations, 1 elite, 3000 evaluations.
    pub local_search: Option<LocalSearchOptions>,
    /// 'auto' (default), 'on' or 'off': builtin objectives evaluated on several threads.
    pub parallel: Option<String>,
}

/// The problem part of `PopulationOptions` (the GA part is read as `GaParameters`).
#[napi(object)]
pub struct ProblemOptions {
    /// Genes, a whole number in 1..=10000.
    pub dim: f64,
    /// Individuals, a whole number >= 4; default 100.
    pub size: Option<f64>,
    /// Seed of the run, a whole number in 0..=2^32-1.
    pub seed: f64,
    /// A builtin objective; omitted = evaluated through `stepWith`.
    pub objective: Option<String>,
    /// Seed of the problem instance; default `seed`.
    pub problem_seed: Option<f64>,
    /// Shift the optimum; default true.
    pub shift: Option<bool>,
    /// Rotate the problem; default false.
    pub rotate: Option<bool>,
    /// Lower bound(s): one for all genes or one per gene; default the objective's.
    pub lower: Option<Either<f64, Vec<f64>>>,
    /// Upper bound(s), like `lower`.
    pub upper: Option<Either<f64, Vec<f64>>>,
    /// Whole-number genes; default all false.
    pub integer: Option<Vec<bool>>,
}

/// `shift` and `rotate` of a problem instance.
#[napi(object)]
pub struct InstanceOptions {
    /// Default true.
    pub shift: Option<bool>,
    /// Default false.
    pub rotate: Option<bool>,
}

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

/// A checkpoint, plain numbers only.
#[napi(object)]
pub struct PopulationState {
    /// Genes per genome.
    pub dim: f64,
    /// Individuals.
    pub size: f64,
    /// Generations done.
    pub generation: f64,
    /// Evaluations done.
    pub evaluations: f64,
    /// size × dim genes, row-major, best first.
    pub genomes: Vec<f64>,
    /// size fitness values (NaN = not evaluated yet).
    pub fitness: Vec<f64>,
    /// The four 32-bit PRNG state words.
    pub rng: Vec<f64>,
    /// Every operator setting.
    pub parameters: GaParametersObject,
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

fn invalid(err: ParameterError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

fn ga_error(err: GaError) -> Error {
    match err {
        GaError::Parameter(e) => invalid(e),
        GaError::Evaluation(m) => Error::new(Status::GenericFailure, format!("evaluate failed: {m}")),
    }
}

fn whole(field: &'static str, v: f64, min: f64, max: f64) -> Result<u64> {
    if v.fract() == 0.0 && v >= min && v <= max {
        Ok(v as u64)
    } else {
        Err(invalid(ParameterError::new(field, format!("must be a whole number in {min}..={max}, got {v}"))))
    }
}

fn objective(name: &str, field: &'static str) -> Result<Objective> {
    Objective::from_name(name).ok_or_else(|| {
        invalid(ParameterError::new(
            field,
            format!("must be sphere, rastrigin, rosenbrock, ackley, griewank or schwefel, got '{name}'"),
        ))
    })
}

fn choice<T: Copy>(field: &'static str, value: &str, options: &[(&str, T)]) -> Result<T> {
    options.iter().find(|(n, _)| *n == value).map(|(_, t)| *t).ok_or_else(|| {
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        invalid(ParameterError::new(field, format!("must be one of {}, got '{value}'", names.join(", "))))
    })
}

const SELECTIONS: [(&str, Selection); 2] = [("tournament", Selection::Tournament), ("rank", Selection::Rank)];
const CROSSOVERS: [(&str, Crossover); 3] =
    [("sbx", Crossover::Sbx), ("blend", Crossover::Blend), ("uniform", Crossover::Uniform)];
const MUTATIONS: [(&str, Mutation); 2] = [("polynomial", Mutation::Polynomial), ("gaussian", Mutation::Gaussian)];
const PARALLELS: [(&str, Parallel); 3] = [("auto", Parallel::Auto), ("on", Parallel::On), ("off", Parallel::Off)];

fn name_of<T: PartialEq + Copy>(value: T, options: &[(&'static str, T)]) -> String {
    options.iter().find(|(_, t)| *t == value).map(|(n, _)| n.to_string()).unwrap_or_default()
}

/// `base` with the fields given in `o` replaced (checked for type and whole numbers here,
/// for ranges by `GaParameters::validate`).
fn merge(base: &GaParameters, o: &GaParametersObject) -> Result<GaParameters> {
    let mut p = base.clone();
    let big = u32::MAX as f64;
    if let Some(v) = &o.selection {
        p.selection = choice("selection", v, &SELECTIONS)?;
    }
    if let Some(v) = o.tournament_size {
        p.tournament_size = whole("tournamentSize", v, 1.0, big)? as u32;
    }
    if let Some(v) = &o.crossover {
        p.crossover = choice("crossover", v, &CROSSOVERS)?;
    }
    p.crossover_rate = o.crossover_rate.unwrap_or(p.crossover_rate);
    p.sbx_eta = o.sbx_eta.unwrap_or(p.sbx_eta);
    p.blend_alpha = o.blend_alpha.unwrap_or(p.blend_alpha);
    if let Some(v) = &o.mutation {
        p.mutation = choice("mutation", v, &MUTATIONS)?;
    }
    p.mutation_rate = o.mutation_rate.unwrap_or(p.mutation_rate);
    p.mutation_eta = o.mutation_eta.unwrap_or(p.mutation_eta);
    p.gaussian_sigma = o.gaussian_sigma.unwrap_or(p.gaussian_sigma);
    if let Some(v) = o.elitism {
        p.elitism = whole("elitism", v, 0.0, big)? as u32;
    }
    p.adaptive_mutation = o.adaptive_mutation.unwrap_or(p.adaptive_mutation);
    p.mutation_boost = o.mutation_boost.unwrap_or(p.mutation_boost);
    p.target_diversity = o.target_diversity.unwrap_or(p.target_diversity);
    if let Some(ls) = &o.local_search {
        p.local_search = LocalSearch {
            every: whole("localSearch.every", ls.every, 0.0, big)? as u32,
            elites: whole("localSearch.elites", ls.elites, 0.0, big)? as u32,
            budget: whole("localSearch.budget", ls.budget, 0.0, big)? as u32,
            ..p.local_search
        };
    }
    if let Some(v) = &o.parallel {
        p.parallel = choice("parallel", v, &PARALLELS)?;
    }
    Ok(p)
}

fn to_object(p: &GaParameters) -> GaParametersObject {
    GaParametersObject {
        selection: Some(name_of(p.selection, &SELECTIONS)),
        tournament_size: Some(p.tournament_size as f64),
        crossover: Some(name_of(p.crossover, &CROSSOVERS)),
        crossover_rate: Some(p.crossover_rate),
        sbx_eta: Some(p.sbx_eta),
        blend_alpha: Some(p.blend_alpha),
        mutation: Some(name_of(p.mutation, &MUTATIONS)),
        mutation_rate: Some(p.mutation_rate),
        mutation_eta: Some(p.mutation_eta),
        gaussian_sigma: Some(p.gaussian_sigma),
        elitism: Some(p.elitism as f64),
        adaptive_mutation: Some(p.adaptive_mutation),
        mutation_boost: Some(p.mutation_boost),
        target_diversity: Some(p.target_diversity),
        local_search: Some(LocalSearchOptions {
            every: p.local_search.every as f64,
            elites: p.local_search.elites as f64,
            budget: p.local_search.budget as f64,
        }),
        parallel: Some(name_of(p.parallel, &PARALLELS)),
    }
}

fn bound(field: &'static str, v: Option<&Either<f64, Vec<f64>>>, dim: usize, default: Option<f64>) -> Result<Vec<f64>> {
    match v {
        Some(Either::A(x)) => Ok(vec![*x; dim]),
        Some(Either::B(xs)) if xs.len() == dim => Ok(xs.clone()),
        Some(Either::B(xs)) => Err(invalid(ParameterError::new(
            field,
            format!("must be a number or {dim} numbers (one per gene), got {}", xs.len()),
        ))),
        None => default.map(|d| vec![d; dim]).ok_or_else(|| {
            invalid(ParameterError::new(field, "is required when there is no objective"))
        }),
    }
}

fn instance(name: &str, dim: f64, problem_seed: f64, shift: Option<bool>, rotate: Option<bool>) -> Result<Problem> {
    let objective = objective(name, "objective")?;
    let dim = whole("dim", dim, 1.0, hms_ga::population::MAX_DIM as f64)? as usize;
    let seed = whole("problemSeed", problem_seed, 0.0, u32::MAX as f64)? as u32;
    Problem::new(objective, dim, seed, shift.unwrap_or(true), rotate.unwrap_or(false)).map_err(invalid)
}

fn config(o: &ProblemOptions, parameters: &GaParametersObject) -> Result<PopulationConfig> {
    let dim = whole("dim", o.dim, 1.0, hms_ga::population::MAX_DIM as f64)? as usize;
    let size = whole("size", o.size.unwrap_or(100.0), hms_ga::population::MIN_SIZE as f64, 1e7)? as usize;
    let seed = whole("seed", o.seed, 0.0, u32::MAX as f64)?;
    let problem = match &o.objective {
        Some(name) => Some(instance(name, o.dim, o.problem_seed.unwrap_or(seed as f64), o.shift, o.rotate)?),
        None => None,
    };
    let (dl, du) = match &problem {
        Some(p) => (Some(p.bounds().0), Some(p.bounds().1)),
        None => (None, None),
    };
    let lower = bound("lower", o.lower.as_ref(), dim, dl)?;
    let upper = bound("upper", o.upper.as_ref(), dim, du)?;
    let integer = o.integer.clone().unwrap_or_else(|| vec![false; dim]);
    let bounds = Bounds::new(lower, upper, integer).map_err(invalid)?;
    let parameters = merge(&GaParameters::defaults(dim), parameters)?;
    Ok(PopulationConfig { seed: seed as u32, size, bounds, problem, parameters })
}

fn state_from(s: &PopulationState, dim: usize) -> Result<GaState> {
    if s.rng.len() != 4 {
        return Err(invalid(ParameterError::new("state.rng", format!("must hold 4 numbers, got {}", s.rng.len()))));
    }
    let mut rng = [0u32; 4];
    for (w, &v) in rng.iter_mut().zip(&s.rng) {
        *w = whole("state.rng", v, 0.0, u32::MAX as f64)? as u32;
    }
    Ok(GaState {
        dim: whole("state.dim", s.dim, 1.0, hms_ga::population::MAX_DIM as f64)? as usize,
        size: whole("state.size", s.size, 4.0, 1e7)? as usize,
        generation: whole("state.generation", s.generation, 0.0, 9e15)?,
        evaluations: whole("state.evaluations", s.evaluations, 0.0, 9e15)?,
        genomes: s.genomes.clone(),
        fitness: s.fitness.clone(),
        rng,
        parameters: merge(&GaParameters::defaults(dim), &s.parameters)?,
    })
}

/// `(genomes: Float64Array, count: number) => Float64Array | number[]`.
type EvaluateFn<'env> = Function<'env, FnArgs<(Float64Array, u32)>, Either<Float64Array, Vec<f64>>>;

/// The JavaScript callback of `stepWith` as an [`Evaluator`]: one call per batch.
struct JsEvaluator<'f, 'env> {
    evaluate: &'f EvaluateFn<'env>,
}

impl Evaluator for JsEvaluator<'_, '_> {
    fn evaluate(&mut self, genomes: &[f64], _dim: usize, fitness: &mut [f64]) -> std::result::Result<(), String> {
        let count = fitness.len();
        let args = (Float64Array::with_data_copied(genomes), count as u32);
        let result = self.evaluate.call(args.into()).map_err(|e| e.reason.clone())?;
        let values: &[f64] = match &result {
            Either::A(typed) => typed,
            Either::B(list) => list,
        };
        if values.len() != count {
            return Err(format!("the callback must return {count} numbers, got {}", values.len()));
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
    pub fn new(options: ProblemOptions, parameters: GaParametersObject, state: Option<PopulationState>) -> Result<Self> {
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
    #[napi(ts_args_type = "generations: number, evaluate: (genomes: Float64Array, count: number) => Float64Array | number[]")]
    pub fn step_with(
        &mut self,
        generations: f64,
        evaluate: EvaluateFn<'_>,
    ) -> Result<PopulationStats> {
        let n = whole("generations", generations, 0.0, 9e15)?;
        let mut evaluator = JsEvaluator { evaluate: &evaluate };
        self.inner.step_with(n, &mut evaluator).map(stats).map_err(ga_error)
    }

    /// The best genome and its fitness.
    #[napi]
    pub fn best(&self) -> BestIndividual {
        let (genome, fitness) = self.inner.best();
        BestIndividual { genome: Float64Array::with_data_copied(genome), fitness }
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
        Ok(Individuals { genomes: Float64Array::new(genomes), fitness: Float64Array::new(fitness) })
    }

    /// Replaces the worst individuals by `migrants`; returns how many were taken.
    #[napi]
    pub fn import_migrants(&mut self, migrants: Individuals) -> Result<u32> {
        self.inner.import_migrants(&migrants.genomes, &migrants.fitness).map(|n| n as u32).map_err(invalid)
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
            format!("must hold a multiple of dim = {d} numbers, got {}", genomes.len()),
        )));
    }
    let mut scratch = Vec::new();
    let out: Vec<f64> = genomes.chunks_exact(d).map(|g| p.evaluate(g, &mut scratch)).collect();
    Ok(Float64Array::new(out))
}

//! The option objects of `Population` and their conversion to `hms-ga` types; every error
//! names the JavaScript field.

use hms_ga::{
    Bounds, Crossover, GaParameters, LocalSearch, Mutation, Objective, Parallel, ParameterError,
    PopulationConfig, PopulationState as GaState, Problem, Selection,
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

pub(crate) fn invalid(err: ParameterError) -> Error {
    Error::new(Status::InvalidArg, err.to_string())
}

pub(crate) fn whole(field: &'static str, v: f64, min: f64, max: f64) -> Result<u64> {
    if v.fract() == 0.0 && v >= min && v <= max {
        Ok(v as u64)
    } else {
        Err(invalid(ParameterError::new(
            field,
            format!("must be a whole number in {min}..={max}, got {v}"),
        )))
    }
}

fn objective(name: &str, field: &'static str) -> Result<Objective> {
    Objective::from_name(name).ok_or_else(|| {
        invalid(ParameterError::new(
            field,
            format!(
                "must be sphere, rastrigin, rosenbrock, ackley, griewank or schwefel, got '{name}'"
            ),
        ))
    })
}

fn choice<T: Copy>(field: &'static str, value: &str, options: &[(&str, T)]) -> Result<T> {
    options
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            invalid(ParameterError::new(
                field,
                format!("must be one of {}, got '{value}'", names.join(", ")),
            ))
        })
}

const SELECTIONS: [(&str, Selection); 2] = [
    ("tournament", Selection::Tournament),
    ("rank", Selection::Rank),
];
const CROSSOVERS: [(&str, Crossover); 3] = [
    ("sbx", Crossover::Sbx),
    ("blend", Crossover::Blend),
    ("uniform", Crossover::Uniform),
];
const MUTATIONS: [(&str, Mutation); 2] = [
    ("polynomial", Mutation::Polynomial),
    ("gaussian", Mutation::Gaussian),
];
const PARALLELS: [(&str, Parallel); 3] = [
    ("auto", Parallel::Auto),
    ("on", Parallel::On),
    ("off", Parallel::Off),
];

fn name_of<T: PartialEq + Copy>(value: T, options: &[(&'static str, T)]) -> String {
    options
        .iter()
        .find(|(_, t)| *t == value)
        .map(|(n, _)| n.to_string())
        .unwrap_or_default()
}

/// `base` with the fields given in `o` replaced (checked for type and whole numbers here,
/// for ranges by `GaParameters::validate`).
pub(crate) fn merge(base: &GaParameters, o: &GaParametersObject) -> Result<GaParameters> {
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

pub(crate) fn to_object(p: &GaParameters) -> GaParametersObject {
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

fn bound(
    field: &'static str,
    v: Option<&Either<f64, Vec<f64>>>,
    dim: usize,
    default: Option<f64>,
) -> Result<Vec<f64>> {
    match v {
        Some(Either::A(x)) => Ok(vec![*x; dim]),
        Some(Either::B(xs)) if xs.len() == dim => Ok(xs.clone()),
        Some(Either::B(xs)) => Err(invalid(ParameterError::new(
            field,
            format!(
                "must be a number or {dim} numbers (one per gene), got {}",
                xs.len()
            ),
        ))),
        None => default.map(|d| vec![d; dim]).ok_or_else(|| {
            invalid(ParameterError::new(
                field,
                "is required when there is no objective",
            ))
        }),
    }
}

pub(crate) fn instance(
    name: &str,
    dim: f64,
    problem_seed: f64,
    shift: Option<bool>,
    rotate: Option<bool>,
) -> Result<Problem> {
    let objective = objective(name, "objective")?;
    let dim = whole("dim", dim, 1.0, hms_ga::population::MAX_DIM as f64)? as usize;
    let seed = whole("problemSeed", problem_seed, 0.0, u32::MAX as f64)? as u32;
    Problem::new(
        objective,
        dim,
        seed,
        shift.unwrap_or(true),
        rotate.unwrap_or(false),
    )
    .map_err(invalid)
}

pub(crate) fn config(
    o: &ProblemOptions,
    parameters: &GaParametersObject,
) -> Result<PopulationConfig> {
    let dim = whole("dim", o.dim, 1.0, hms_ga::population::MAX_DIM as f64)? as usize;
    let size = whole(
        "size",
        o.size.unwrap_or(100.0),
        hms_ga::population::MIN_SIZE as f64,
        1e7,
    )? as usize;
    let seed = whole("seed", o.seed, 0.0, u32::MAX as f64)?;
    let problem = match &o.objective {
        Some(name) => Some(instance(
            name,
            o.dim,
            o.problem_seed.unwrap_or(seed as f64),
            o.shift,
            o.rotate,
        )?),
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
    Ok(PopulationConfig {
        seed: seed as u32,
        size,
        bounds,
        problem,
        parameters,
    })
}

pub(crate) fn state_from(s: &PopulationState, dim: usize) -> Result<GaState> {
    if s.rng.len() != 4 {
        return Err(invalid(ParameterError::new(
            "state.rng",
            format!("must hold 4 numbers, got {}", s.rng.len()),
        )));
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

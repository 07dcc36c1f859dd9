//! The problem options of `Population` and their conversion to `hms-ga` types, and the
//! number checks shared by every option object; every error names the JavaScript field. The
//! GA settings are in `ga_parameters.rs`, checkpoints in `population_state.rs`.

use crate::ga_parameters::{merge, GaParametersObject};
use hms_ga::{Bounds, GaParameters, Objective, ParameterError, PopulationConfig, Problem};
use napi::bindgen_prelude::*;
use napi_derive::napi;

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

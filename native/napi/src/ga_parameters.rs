//! `GaParameters` as a JavaScript object: reading it over a base (every error names the
//! field) and writing it back.

use crate::population_options::{invalid, whole};
use hms_ga::{Crossover, GaParameters, LocalSearch, Mutation, Parallel, ParameterError, Selection};
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

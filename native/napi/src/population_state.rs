//! The checkpoint of a population as a JavaScript object (plain numbers, so that it can be
//! stored as msgpack) and its conversion back.

use crate::ga_parameters::{merge, GaParametersObject};
use crate::population_options::{invalid, whole};
use hms_ga::{GaParameters, ParameterError, PopulationState as GaState};
use napi::bindgen_prelude::*;
use napi_derive::napi;

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
    /// Whether the last memetic step stalled (the next one hops); absent = false.
    pub local_search_stalled: Option<bool>,
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
        local_search_stalled: s.local_search_stalled.unwrap_or(false),
    })
}

//! Checkpoints of a population.

use crate::error::ParameterError;
use crate::parameters::GaParameters;

/// Everything needed to continue a run exactly: genomes, fitness, RNG state, counters,
/// parameters and whether the last memetic step stalled. Fitness NaN marks a population not yet evaluated.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationState {
    /// Genes per genome.
    pub dim: usize,
    /// Individuals.
    pub size: usize,
    /// Generations done.
    pub generation: u64,
    /// Evaluations done.
    pub evaluations: u64,
    /// size × dim genes, row-major, best first.
    pub genomes: Vec<f64>,
    /// size fitness values, ascending.
    pub fitness: Vec<f64>,
    /// The xoshiro128** state words.
    pub rng: [u32; 4],
    /// The operator settings.
    pub parameters: GaParameters,
    /// Whether the last memetic step stalled (the next one hops); false in a fresh run.
    pub local_search_stalled: bool,
}

impl PopulationState {
    /// Checks the shapes against `dim`; errors name the `state.*` field.
    pub fn check(&self, dim: usize) -> Result<(), ParameterError> {
        if self.dim != dim {
            return Err(ParameterError::new(
                "state.dim",
                format!("must equal dim {dim}, got {}", self.dim),
            ));
        }
        // checked_mul: a corrupt size must not wrap around to the genomes' length.
        if self.size.checked_mul(dim) != Some(self.genomes.len()) {
            return Err(ParameterError::new(
                "state.genomes",
                format!(
                    "must hold size × dim = {} × {dim} numbers, got {}",
                    self.size,
                    self.genomes.len()
                ),
            ));
        }
        if self.fitness.len() != self.size {
            return Err(ParameterError::new(
                "state.fitness",
                format!(
                    "must hold size = {} numbers, got {}",
                    self.size,
                    self.fitness.len()
                ),
            ));
        }
        if self.genomes.iter().any(|g| !g.is_finite()) {
            return Err(ParameterError::new(
                "state.genomes",
                "must be finite numbers",
            ));
        }
        Ok(())
    }
}

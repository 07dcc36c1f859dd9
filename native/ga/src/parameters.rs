//! The operator settings of a population, changeable between steps.

use crate::adaptive::TARGET_DIVERSITY;
use crate::error::ParameterError;

/// Parent selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    /// The best of `tournament_size` uniformly drawn individuals.
    Tournament,
    /// Linear rank selection (selection pressure 2: the best is twice as likely as the median).
    Rank,
}

/// Recombination of two parents into two children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crossover {
    /// Simulated binary crossover, bounded (DEAP's `cxSimulatedBinaryBounded`).
    Sbx,
    /// BLX-alpha, clamped to the bounds.
    Blend,
    /// Each gene swapped with probability 0.5.
    Uniform,
}

/// Per-gene mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// DEAP's `mutPolynomialBounded`.
    Polynomial,
    /// Gaussian with σ = `gaussian_sigma` × the gene's range, clamped.
    Gaussian,
}

/// Whether offspring are evaluated on several threads (builtin objectives only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parallel {
    /// In parallel when the batch is expensive enough to pay for the threads (measured).
    Auto,
    /// Always in parallel.
    On,
    /// Never.
    Off,
}

/// The memetic step: a CMA-ES local search from elites.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LocalSearch {
    /// Run it every `every` generations; 0 = off.
    pub every: u32,
    /// From the best `elites` individuals (each its own search).
    pub elites: u32,
    /// At most `budget` evaluations per elite per run.
    pub budget: u32,
    /// Initial CMA-ES step as a multiple of the population's diversity (Rust-only tuning knob,
    /// not in the TypeScript API); default 1.
    pub sigma_factor: f64,
    /// CMA-ES samples per iteration; 0 = [`crate::local_search::default_lambda`] (Rust-only
    /// tuning knob); default 0.
    pub lambda: u32,
    /// Basin hopping: when the previous memetic step stalled (no search gained 0.1 % of its
    /// start's fitness), each search starts from the elite moved by a Gaussian step of this
    /// standard deviation per gene, as a fraction of the gene's range (the elite is replaced
    /// only by a better point); 0 = off. Rust-only tuning knob; default 0.03.
    pub hop: f64,
}

/// Default local search: every 25 generations, from the best elite, 3,000 evaluations (about
/// half of all evaluations at population 100), hops of 0.03 × range. Tuned with
/// examples/islands.rs (hops of 0.02, 0.03, 0.04 over 40 seeds of rotated Rastrigin 30-D: 0.03
/// gave the best median with migration, 16.9 against 18.9 without hops).
pub const DEFAULT_LOCAL_SEARCH: LocalSearch = LocalSearch {
    every: 25,
    elites: 1,
    budget: 3000,
    sigma_factor: 1.0,
    lambda: 0,
    hop: 0.03,
};

/// Every operator setting, resolved (defaults filled in for a dimension).
#[derive(Clone, Debug, PartialEq)]
pub struct GaParameters {
    /// Default tournament.
    pub selection: Selection,
    /// Individuals per tournament, 1..=size; default 2.
    pub tournament_size: u32,
    /// Default SBX.
    pub crossover: Crossover,
    /// Probability that a pair is recombined, 0..=1; default 0.9.
    pub crossover_rate: f64,
    /// SBX distribution index, > 0; default 15 (larger = children nearer the parents).
    pub sbx_eta: f64,
    /// BLX-alpha extension, >= 0; default 0.5.
    pub blend_alpha: f64,
    /// Default polynomial.
    pub mutation: Mutation,
    /// Per-gene mutation probability, 0..=1; default 1/dim.
    pub mutation_rate: f64,
    /// Polynomial mutation distribution index, > 0; default 20.
    pub mutation_eta: f64,
    /// Gaussian σ as a fraction of the gene's range, > 0; default 0.1.
    pub gaussian_sigma: f64,
    /// Best individuals copied unchanged, 0..size; default 2.
    pub elitism: u32,
    /// Scale the mutation rate by diversity (see [`crate::adaptive`]); default true.
    pub adaptive_mutation: bool,
    /// External multiplier of the mutation rate, >= 0; default 1.
    pub mutation_boost: f64,
    /// Diversity the adaptive rate steers towards, > 0; default [`TARGET_DIVERSITY`].
    pub target_diversity: f64,
    /// Default [`DEFAULT_LOCAL_SEARCH`].
    pub local_search: LocalSearch,
    /// Default auto.
    pub parallel: Parallel,
}

impl GaParameters {
    /// The defaults for genomes of `dim` genes.
    pub fn defaults(dim: usize) -> Self {
        Self {
            selection: Selection::Tournament,
            tournament_size: 2,
            crossover: Crossover::Sbx,
            crossover_rate: 0.9,
            sbx_eta: 15.0,
            blend_alpha: 0.5,
            mutation: Mutation::Polynomial,
            mutation_rate: 1.0 / dim.max(1) as f64,
            mutation_eta: 20.0,
            gaussian_sigma: 0.1,
            elitism: 2,
            adaptive_mutation: true,
            mutation_boost: 1.0,
            target_diversity: TARGET_DIVERSITY,
            local_search: DEFAULT_LOCAL_SEARCH,
            parallel: Parallel::Auto,
        }
    }

    /// Checks every field for a population of `size`; the error names the first bad field.
    pub fn validate(&self, size: usize) -> Result<(), ParameterError> {
        let t = self.tournament_size as usize;
        if t < 1 || t > size {
            return Err(ParameterError::new(
                "tournamentSize",
                format!("must be an integer in 1..={size}, got {t}"),
            ));
        }
        unit("crossoverRate", self.crossover_rate)?;
        positive("sbxEta", self.sbx_eta)?;
        non_negative("blendAlpha", self.blend_alpha)?;
        unit("mutationRate", self.mutation_rate)?;
        positive("mutationEta", self.mutation_eta)?;
        positive("gaussianSigma", self.gaussian_sigma)?;
        if self.elitism as usize >= size {
            return Err(ParameterError::new(
                "elitism",
                format!("must be an integer in 0..{size}, got {}", self.elitism),
            ));
        }
        non_negative("mutationBoost", self.mutation_boost)?;
        positive("targetDiversity", self.target_diversity)?;
        let ls = self.local_search;
        if ls.every > 0 && (ls.elites == 0 || ls.elites as usize > size) {
            return Err(ParameterError::new(
                "localSearch.elites",
                format!("must be an integer in 1..={size}, got {}", ls.elites),
            ));
        }
        if ls.every > 0 && ls.budget < 2 {
            return Err(ParameterError::new(
                "localSearch.budget",
                format!("must be an integer >= 2, got {}", ls.budget),
            ));
        }
        non_negative("localSearch.hop", ls.hop)?;
        Ok(())
    }
}

fn unit(field: &'static str, v: f64) -> Result<(), ParameterError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(ParameterError::new(
            field,
            format!("must be in 0..=1, got {v}"),
        ))
    }
}

fn positive(field: &'static str, v: f64) -> Result<(), ParameterError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(ParameterError::new(
            field,
            format!("must be a finite number > 0, got {v}"),
        ))
    }
}

fn non_negative(field: &'static str, v: f64) -> Result<(), ParameterError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(ParameterError::new(
            field,
            format!("must be a finite number >= 0, got {v}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        GaParameters::defaults(30).validate(100).unwrap();
    }

    type Breaker = Box<dyn Fn(&mut GaParameters)>;

    #[test]
    fn bad_parameters_name_the_field() {
        let cases: Vec<(&str, Breaker)> = vec![
            ("tournamentSize", Box::new(|p| p.tournament_size = 0)),
            ("tournamentSize", Box::new(|p| p.tournament_size = 101)),
            ("crossoverRate", Box::new(|p| p.crossover_rate = 1.5)),
            ("crossoverRate", Box::new(|p| p.crossover_rate = f64::NAN)),
            ("sbxEta", Box::new(|p| p.sbx_eta = 0.0)),
            ("blendAlpha", Box::new(|p| p.blend_alpha = -1.0)),
            ("mutationRate", Box::new(|p| p.mutation_rate = -0.1)),
            ("mutationEta", Box::new(|p| p.mutation_eta = f64::INFINITY)),
            ("gaussianSigma", Box::new(|p| p.gaussian_sigma = 0.0)),
            ("elitism", Box::new(|p| p.elitism = 100)),
            ("mutationBoost", Box::new(|p| p.mutation_boost = -2.0)),
            (
                "localSearch.elites",
                Box::new(|p| p.local_search.elites = 0),
            ),
            (
                "localSearch.budget",
                Box::new(|p| p.local_search.budget = 1),
            ),
            ("localSearch.hop", Box::new(|p| p.local_search.hop = -0.1)),
        ];
        for (field, break_it) in cases {
            let mut p = GaParameters::defaults(30);
            break_it(&mut p);
            let err = p.validate(100).unwrap_err();
            assert_eq!(err.field, field);
            assert!(err.to_string().starts_with(field), "{err}");
        }
    }
}

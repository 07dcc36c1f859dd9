//! `hms-ga`: the genetic algorithm of HMS evolution cells. A seeded, checkpointable GA
//! (tournament/rank selection, SBX/blend/uniform crossover, polynomial/Gaussian mutation,
//! elitism, diversity-adaptive mutation) with a memetic CMA-ES local search, and the benchmark
//! objectives (sphere, rastrigin, rosenbrock, ackley, griewank, schwefel) as shifted, optionally
//! rotated instances drawn from a problem seed.
//!
//! Minimisation. A generation copies the `elitism` best, fills the rest with pairs of children
//! (two parents selected, crossed with probability `crossover_rate`, each gene mutated with
//! the adaptive rate), evaluates the children in one batch and sorts best first; every
//! `local_search.every` generations a CMA-ES searches from the best individuals and its
//! evaluations count. The PRNG is xoshiro128** seeded by splitmix32 (the same streams as the
//! TypeScript engine), so the same seed and options give the same run bit for bit, on one
//! thread or several and on any x86-64 (vector paths chosen at run time compute the same
//! IEEE operations). A [`PopulationState`] checkpoint continues a run exactly.
#![deny(clippy::all)]

pub mod adaptive;
pub mod bounds;
pub mod cma;
pub mod crossover;
pub mod diversity;
pub mod eigen;
pub mod error;
pub mod evaluator;
pub mod fast_math;
pub mod local_search;
pub mod mutation;
pub mod objective;
pub mod parameters;
pub mod population;
pub mod problem;
pub mod rastrigin_batch;
pub mod rng;
pub mod rotation;
pub mod sbx;
pub mod selection;
pub mod state;

pub use bounds::Bounds;
pub use error::{GaError, ParameterError};
pub use evaluator::{Evaluator, FnEvaluator, ProblemEvaluator};
pub use objective::{Objective, OBJECTIVES};
pub use parameters::{Crossover, GaParameters, LocalSearch, Mutation, Parallel, Selection};
pub use population::{Population, PopulationConfig, PopulationStats};
pub use problem::Problem;
pub use rng::Rng;
pub use state::PopulationState;

//! `hms-ga`: the genetic algorithm of HMS evolution cells. A seeded, checkpointable GA
//! (tournament/rank selection, SBX/blend/uniform crossover, polynomial/Gaussian mutation,
//! elitism, diversity-adaptive mutation) with a memetic CMA-ES local search, and the benchmark
//! objectives (sphere, rastrigin, rosenbrock, ackley, griewank, schwefel) as shifted, optionally
//! rotated instances drawn from a problem seed. The contract is /work/ga-spec.md.
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
pub mod rng;
pub mod rotation;
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

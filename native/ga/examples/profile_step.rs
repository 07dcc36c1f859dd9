//! `cargo run -p hms-ga --release --example profile_step [generations]`: the speed target's
//! population (100, shifted Rastrigin 30-D, local search and adaptive mutation off, one thread)
//! stepped in one call, for `perf record`.
use hms_ga::{Bounds, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem};
use std::time::Instant;

fn main() {
    let generations: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let problem = Problem::new(Objective::Rastrigin, 30, 1, true, false).expect("problem");
    let mut parameters = GaParameters::defaults(30);
    parameters.parallel = Parallel::Off;
    parameters.adaptive_mutation = false;
    parameters.local_search.every = 0;
    let mut p = Population::new(PopulationConfig {
        seed: 1,
        size: 100,
        bounds: Bounds::uniform(30, -5.12, 5.12).expect("bounds"),
        problem: Some(problem),
        parameters,
    })
    .expect("population");
    let start = Instant::now();
    let s = p.step(generations).expect("step");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{generations} generations in {secs:.3} s: {:.0}/s, best {:.3e}",
        generations as f64 / secs,
        s.best
    );
}

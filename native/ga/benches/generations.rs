//! `cargo bench -p hms-ga`: generations per second of a population of 100 on shifted
//! Rastrigin 30-D, local search off, one thread (the speed target: ≥ 39,000/s), and with the
//! default memetic step. Plain `std::time`, no harness.
use hms_ga::{Bounds, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem};
use std::time::Instant;

const RUNS: usize = 5;

fn population(objective: Objective, rotate: bool, local_search: bool) -> Population {
    let problem = Problem::new(objective, 30, 1, true, rotate).expect("valid problem");
    let (l, u) = objective.bounds();
    let mut parameters = GaParameters::defaults(30);
    parameters.parallel = Parallel::Off;
    if !local_search {
        parameters.local_search.every = 0;
    }
    Population::new(PopulationConfig {
        seed: 1,
        size: 100,
        bounds: Bounds::uniform(30, l, u).expect("valid bounds"),
        problem: Some(problem),
        parameters,
    })
    .expect("valid population")
}

fn measure(name: &str, objective: Objective, rotate: bool, local_search: bool, generations: u64) {
    // `cargo bench -p hms-ga -- WORD` runs only the lines whose name contains WORD.
    let filter: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filter.iter().all(|f| name.contains(f.as_str())) {
        return;
    }
    let mut rates = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let mut p = population(objective, rotate, local_search);
        let start = Instant::now();
        p.step(generations).expect("step");
        let rate = generations as f64 / start.elapsed().as_secs_f64();
        // Run 0 warms caches and the CPU clock; it is not counted.
        if run > 0 {
            rates.push(rate);
        }
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "{name:<44} {:>9.0} generations/s (median of {RUNS}; best {:.0})",
        rates[RUNS / 2],
        rates[RUNS - 1]
    );
}

fn main() {
    measure("rastrigin 30-D shifted, no LS (target)", Objective::Rastrigin, false, false, 20_000);
    measure("rastrigin 30-D shifted+rotated, no LS", Objective::Rastrigin, true, false, 5_000);
    measure("rastrigin 30-D shifted, default memetic", Objective::Rastrigin, false, true, 2_000);
    measure("sphere 30-D shifted, no LS", Objective::Sphere, false, false, 20_000);
}

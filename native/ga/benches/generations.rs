//! `cargo bench -p hms-ga`: generations per second of a population of 100 on shifted
//! Rastrigin 30-D, local search off, one thread (the speed target: ≥ 39,000/s), and with the
//! default memetic step. Plain `std::time`, no harness.
use hms_ga::{Bounds, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem};
use std::time::Instant;

const RUNS: usize = 5;

/// CPU time of this thread in seconds (Linux: utime + stime of /proc/thread-self/stat, 100 Hz
/// ticks), so that a machine shared with other jobs does not skew the rate; None elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn population(
    objective: Objective,
    rotate: bool,
    local_search: bool,
    parallel: Parallel,
    dim: usize,
) -> Population {
    let problem = Problem::new(objective, dim, 1, true, rotate).expect("valid problem");
    let (l, u) = objective.bounds();
    let mut parameters = GaParameters::defaults(dim);
    parameters.parallel = parallel;
    if !local_search {
        parameters.local_search.every = 0;
    }
    Population::new(PopulationConfig {
        seed: 1,
        size: 100,
        bounds: Bounds::uniform(dim, l, u).expect("valid bounds"),
        problem: Some(problem),
        parameters,
    })
    .expect("valid population")
}

fn measure(name: &str, objective: Objective, rotate: bool, local_search: bool, generations: u64) {
    measure_with(
        name,
        objective,
        rotate,
        local_search,
        generations,
        Parallel::Off,
        30,
    );
}

fn measure_with(
    name: &str,
    objective: Objective,
    rotate: bool,
    local_search: bool,
    generations: u64,
    parallel: Parallel,
    dim: usize,
) {
    // `cargo bench -p hms-ga -- WORD` runs only the lines whose name contains WORD.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if !filter.iter().all(|f| name.contains(f.as_str())) {
        return;
    }
    let mut rates = Vec::with_capacity(RUNS);
    let mut cpu_rates = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let mut p = population(objective, rotate, local_search, parallel, dim);
        let (start, cpu_start) = (Instant::now(), cpu_seconds());
        p.step(generations).expect("step");
        let rate = generations as f64 / start.elapsed().as_secs_f64();
        // Run 0 warms caches and the CPU clock; it is not counted.
        if run > 0 {
            rates.push(rate);
            if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
                cpu_rates.push(generations as f64 / (b - a).max(0.01));
            }
        }
    }
    rates.sort_by(f64::total_cmp);
    cpu_rates.sort_by(f64::total_cmp);
    let cpu = cpu_rates
        .get(cpu_rates.len() / 2)
        .copied()
        .unwrap_or(f64::NAN);
    println!(
        "{name:<44} {:>7.0} generations/s wall (median of {RUNS}; best {:.0}), {cpu:>7.0} per CPU-second",
        rates[RUNS / 2],
        rates[RUNS - 1]
    );
}

fn main() {
    measure(
        "rastrigin 30-D shifted, no LS (target)",
        Objective::Rastrigin,
        false,
        false,
        40_000,
    );
    measure(
        "rastrigin 30-D shifted+rotated, no LS",
        Objective::Rastrigin,
        true,
        false,
        5_000,
    );
    measure(
        "rastrigin 30-D shifted, default memetic",
        Objective::Rastrigin,
        false,
        true,
        2_000,
    );
    measure(
        "sphere 30-D shifted, no LS",
        Objective::Sphere,
        false,
        false,
        40_000,
    );
    // Where threads pay (wall clock; 2 cores): evaluation cost per batch vs rayon's fork/join.
    for (dim, generations) in [(30, 5_000), (100, 1_000), (300, 200)] {
        for parallel in [Parallel::Off, Parallel::On] {
            let name = format!("threads: rastrigin {dim}-D rotated, {parallel:?}");
            measure_with(
                &name,
                Objective::Rastrigin,
                true,
                false,
                generations,
                parallel,
                dim,
            );
        }
    }
}

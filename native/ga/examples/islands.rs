//! `cargo run -p hms-ga --release --example islands`: the island protocol of the GA spec —
//! 4 islands × 100, ring migration of the best 2 every 25 generations, 200,000 evaluations in
//! all (local search included), seeds 1..=10 (problemSeed = seed), median best fitness — on
//! four 30-D problems, with and without migration, using the DEFAULT parameters.
//!
//! Options (for tuning): `--seeds N`, `--only WORD` (problems whose name contains WORD),
//! `--every N --elites N --budget N --sigma X --lambda N --hop X` (local search), `--eta-c X`,
//! `--eta-m X`, `--rate X` (mutation rate), `--no-adaptive`.
use hms_ga::{Bounds, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem};
use rayon::prelude::*;
use std::time::Instant;

const ISLANDS: usize = 4;
const SIZE: usize = 100;
const EVALUATIONS: u64 = 200_000;
const EVERY: u64 = 25;
const MIGRANTS: usize = 2;
const DIM: usize = 30;

struct Case {
    name: &'static str,
    objective: Objective,
    rotate: bool,
}

const CASES: [Case; 4] = [
    Case {
        name: "shifted Rastrigin 30-D",
        objective: Objective::Rastrigin,
        rotate: false,
    },
    Case {
        name: "shifted+rotated Rastrigin 30-D",
        objective: Objective::Rastrigin,
        rotate: true,
    },
    Case {
        name: "shifted Rosenbrock 30-D",
        objective: Objective::Rosenbrock,
        rotate: false,
    },
    Case {
        name: "shifted Ackley 30-D",
        objective: Objective::Ackley,
        rotate: false,
    },
];

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

fn parameters(args: &[String]) -> GaParameters {
    let mut p = GaParameters::defaults(DIM);
    // Seeds already run in parallel; the results are the same either way.
    p.parallel = Parallel::Off;
    let ls = &mut p.local_search;
    ls.every = arg(args, "--every").unwrap_or(ls.every);
    ls.elites = arg(args, "--elites").unwrap_or(ls.elites);
    ls.budget = arg(args, "--budget").unwrap_or(ls.budget);
    ls.sigma_factor = arg(args, "--sigma").unwrap_or(ls.sigma_factor);
    ls.lambda = arg(args, "--lambda").unwrap_or(ls.lambda);
    ls.hop = arg(args, "--hop").unwrap_or(ls.hop);
    p.sbx_eta = arg(args, "--eta-c").unwrap_or(p.sbx_eta);
    p.mutation_eta = arg(args, "--eta-m").unwrap_or(p.mutation_eta);
    p.mutation_rate = arg(args, "--rate").unwrap_or(p.mutation_rate);
    p.elitism = arg(args, "--elitism").unwrap_or(p.elitism);
    p.target_diversity = arg(args, "--target").unwrap_or(p.target_diversity);
    if args.iter().any(|a| a == "--no-adaptive") {
        p.adaptive_mutation = false;
    }
    p
}

/// The best fitness of a run of the protocol; `migrate` false = isolated islands.
fn run(case: &Case, seed: u32, migrate: bool, parameters: &GaParameters) -> (f64, u64) {
    let (l, u) = case.objective.bounds();
    let mut islands: Vec<Population> = (0..ISLANDS)
        .map(|i| {
            let problem =
                Problem::new(case.objective, DIM, seed, true, case.rotate).expect("problem");
            let mut p = Population::new(PopulationConfig {
                seed: seed.wrapping_mul(1000).wrapping_add(i as u32),
                size: SIZE,
                bounds: Bounds::uniform(DIM, l, u).expect("bounds"),
                problem: Some(problem),
                parameters: parameters.clone(),
            })
            .expect("population");
            p.set_evaluation_limit(Some(EVALUATIONS / ISLANDS as u64));
            p
        })
        .collect();
    loop {
        let before: u64 = islands.iter().map(|p| p.stats().evaluations).sum();
        for p in islands.iter_mut() {
            p.step(EVERY).expect("step");
        }
        let after: u64 = islands.iter().map(|p| p.stats().evaluations).sum();
        if after == before {
            break;
        }
        if migrate {
            let outgoing: Vec<_> = islands
                .iter()
                .map(|p| p.export_migrants(MIGRANTS))
                .collect();
            for (i, (genomes, fitness)) in outgoing.iter().enumerate() {
                islands[(i + 1) % ISLANDS]
                    .import_migrants(genomes, fitness)
                    .expect("migrants");
            }
        }
    }
    let best = islands
        .iter()
        .map(|p| p.stats().best)
        .fold(f64::INFINITY, f64::min);
    let evaluations = islands.iter().map(|p| p.stats().evaluations).sum();
    (best, evaluations)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds: u32 = arg(&args, "--seeds").unwrap_or(10);
    let only: Option<String> = arg(&args, "--only");
    let parameters = parameters(&args);
    let ls = parameters.local_search;
    println!(
        "island protocol: {ISLANDS} × {SIZE}, ring, best {MIGRANTS} every {EVERY} generations, {EVALUATIONS} evaluations, seeds 1..={seeds}"
    );
    println!(
        "local search: every {} elites {} budget {} sigma ×{} lambda {} hop {}; sbxEta {} mutationEta {} rate {:.4} adaptive {}",
        ls.every, ls.elites, ls.budget, ls.sigma_factor, ls.lambda, ls.hop, parameters.sbx_eta, parameters.mutation_eta,
        parameters.mutation_rate, parameters.adaptive_mutation
    );
    println!("target diversity {}", parameters.target_diversity);
    println!("| problem | median with migration | median without | mean with / without | seeds won by migration | best / worst with | seconds |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | ---: |");
    for case in CASES
        .iter()
        .filter(|c| only.as_ref().is_none_or(|w| c.name.contains(w.as_str())))
    {
        let start = Instant::now();
        let results: Vec<(bool, f64, u64, u32)> = (1..=seeds)
            .flat_map(|s| [(s, true), (s, false)])
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(seed, migrate)| {
                let (best, evaluations) = run(case, seed, migrate, &parameters);
                (migrate, best, evaluations, seed)
            })
            .collect();
        assert!(
            results.iter().all(|r| r.2 <= EVALUATIONS),
            "the evaluation budget was exceeded"
        );
        let mut with: Vec<f64> = results.iter().filter(|r| r.0).map(|r| r.1).collect();
        let mut without: Vec<f64> = results.iter().filter(|r| !r.0).map(|r| r.1).collect();
        let wins = results
            .iter()
            .filter(|r| r.0)
            .filter(|w| results.iter().any(|o| !o.0 && o.3 == w.3 && w.1 < o.1))
            .count();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (aw, ao) = (mean(&with), mean(&without));
        let (mw, mo) = (median(&mut with), median(&mut without));
        println!(
            "| {} | {:.4} | {:.4} | {:.4} / {:.4} | {wins}/{seeds} | {:.3e} / {:.3e} | {:.1} |",
            case.name,
            mw,
            mo,
            aw,
            ao,
            with[0],
            with[with.len() - 1],
            start.elapsed().as_secs_f64()
        );
    }
}

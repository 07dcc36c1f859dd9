//! Behaviour of a whole population: convergence, reproducibility, checkpoints, migration,
//! callbacks, integer genes, bad options.
use hms_ga::{
    Bounds, FnEvaluator, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem,
};

fn config(objective: Objective, dim: usize, seed: u32, rotate: bool) -> PopulationConfig {
    let (l, u) = objective.bounds();
    PopulationConfig {
        seed,
        size: 100,
        bounds: Bounds::uniform(dim, l, u).unwrap(),
        problem: Some(Problem::new(objective, dim, seed, true, rotate).unwrap()),
        parameters: GaParameters::defaults(dim),
    }
}

#[test]
fn the_ga_reaches_near_zero_on_sphere() {
    let mut p = Population::new(config(Objective::Sphere, 10, 3, false)).unwrap();
    let start = p.stats().best;
    let stats = p.step(300).unwrap();
    assert!(stats.best < 1e-6, "best {} from {start}", stats.best);
    assert!(stats.best <= stats.mean && stats.mean <= stats.worst);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    for parallel in [Parallel::Off, Parallel::On] {
        let run = |seed| {
            let mut c = config(Objective::Rastrigin, 20, seed, true);
            c.parameters.parallel = parallel;
            c.parameters.local_search.every = 5;
            let mut p = Population::new(c).unwrap();
            p.step(40).unwrap();
            p.export_state()
        };
        assert!(run(1) == run(1), "same seed, different runs ({parallel:?})");
        assert!(run(1).genomes != run(2).genomes);
    }
}

#[test]
fn a_restored_state_continues_identically() {
    let mut a = Population::new(config(Objective::Ackley, 8, 5, false)).unwrap();
    a.step(30).unwrap();
    let state = a.export_state();
    // The run's seed does not matter once the RNG state is restored.
    let mut c = config(Objective::Ackley, 8, 5, false);
    c.seed = 999;
    let mut b = Population::restore(c, &state).unwrap();
    a.step(60).unwrap();
    b.step(60).unwrap();
    assert!(a.export_state() == b.export_state(), "the runs diverged");
}

#[test]
fn migrants_replace_the_worst() {
    let mut a = Population::new(config(Objective::Sphere, 5, 1, false)).unwrap();
    let mut b = Population::new(config(Objective::Sphere, 5, 2, false)).unwrap();
    a.step(50).unwrap();
    let best_b = b.stats().best;
    let (genomes, fitness) = a.export_migrants(2);
    assert!(fitness[0] <= fitness[1]);
    let worst_before: Vec<f64> = b.individuals().1[98..].to_vec();
    assert_eq!(b.import_migrants(&genomes, &fitness).unwrap(), 2);
    let (g, f) = b.individuals();
    assert_eq!(f[0], fitness[0].min(best_b));
    assert_eq!(&g[..5], &genomes[..5]);
    assert!(!f.contains(&worst_before[1]));
    assert_eq!(
        b.import_migrants(&genomes[..4], &fitness)
            .unwrap_err()
            .field,
        "genomes"
    );
}

#[test]
fn the_callback_is_called_once_per_generation_without_local_search() {
    let mut c = config(Objective::Sphere, 6, 1, false);
    c.problem = None;
    c.parameters.local_search.every = 0;
    let mut p = Population::new(c).unwrap();
    let mut calls = 0;
    let mut eval = FnEvaluator(|g: &[f64], dim: usize, f: &mut [f64]| {
        calls += 1;
        for (fi, row) in f.iter_mut().zip(g.chunks_exact(dim)) {
            *fi = row.iter().map(|x| x * x).sum();
        }
        Ok(())
    });
    let stats = p.step_with(150, &mut eval).unwrap();
    assert_eq!(calls, 150);
    assert_eq!(stats.generation, 150);
    assert!(stats.best < 1.0, "best {}", stats.best);
    assert!(p.step(1).is_err());
}

#[test]
fn local_search_calls_count_as_evaluations() {
    let mut c = config(Objective::Rastrigin, 10, 1, true);
    c.parameters.local_search = hms_ga::LocalSearch {
        every: 10,
        elites: 2,
        budget: 300,
        ..c.parameters.local_search
    };
    let mut p = Population::new(c).unwrap();
    let stats = p.step(20).unwrap();
    // 100 initial + 20 × 98 offspring + 2 runs × 2 elites × ≤ 300.
    assert!(
        stats.evaluations > 2060 && stats.evaluations <= 2060 + 1200,
        "{}",
        stats.evaluations
    );
}

#[test]
fn integer_genes_stay_whole_and_in_bounds() {
    let mut c = config(Objective::Sphere, 4, 1, false);
    c.bounds = Bounds::new(
        vec![-10.5; 4],
        vec![10.5; 4],
        vec![true, false, true, false],
    )
    .unwrap();
    c.problem = Some(Problem::new(Objective::Sphere, 4, 1, false, false).unwrap());
    let mut p = Population::new(c).unwrap();
    p.step(30).unwrap();
    let bounds = p.bounds().clone();
    for row in p.individuals().0.chunks_exact(4) {
        assert!(bounds.contains(row), "{row:?}");
    }
}

#[test]
fn evaluation_limit_stops_the_run() {
    let mut p = Population::new(config(Objective::Rastrigin, 30, 1, false)).unwrap();
    p.set_evaluation_limit(Some(5000));
    let stats = p.step(1000).unwrap();
    assert!(
        stats.evaluations <= 5000 && stats.evaluations > 4800,
        "{}",
        stats.evaluations
    );
}

#[test]
fn bad_options_give_errors_naming_the_field() {
    let mut c = config(Objective::Sphere, 4, 1, false);
    c.size = 3;
    assert_eq!(Population::new(c).err().unwrap().field, "size");
    let mut c = config(Objective::Sphere, 4, 1, false);
    c.parameters.mutation_rate = 2.0;
    let err = Population::new(c).err().unwrap();
    assert_eq!(err.field, "mutationRate");
    let mut p = Population::new(config(Objective::Sphere, 4, 1, false)).unwrap();
    let mut bad = p.parameters().clone();
    bad.elitism = 1000;
    assert_eq!(p.set_parameters(bad).unwrap_err().field, "elitism");
}

#[test]
fn a_restored_state_keeps_a_stalled_local_search_hopping() {
    let mut c = config(Objective::Rastrigin, 10, 4, true);
    c.parameters.local_search.every = 5;
    let mut a = Population::new(c.clone()).unwrap();
    // Run until a memetic step stalls (the elite sits in a local optimum).
    let mut stalled = false;
    for _ in 0..100 {
        a.step(5).unwrap();
        if a.export_state().local_search_stalled {
            stalled = true;
            break;
        }
    }
    assert!(stalled, "the local search never stalled");
    let state = a.export_state();
    let mut b = Population::restore(c.clone(), &state).unwrap();
    let mut forgetful = Population::restore(
        c,
        &hms_ga::PopulationState {
            local_search_stalled: false,
            ..state
        },
    )
    .unwrap();
    a.step(5).unwrap();
    b.step(5).unwrap();
    forgetful.step(5).unwrap();
    assert!(a.export_state() == b.export_state(), "the runs diverged");
    // The hop draws from the RNG, so forgetting the stall changes the run.
    assert!(a.export_state().rng != forgetful.export_state().rng);
}

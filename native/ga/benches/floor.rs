//! `cargo bench -p hms-ga --bench floor`: the lower bound of one generation of the speed target
//! (population 100, shifted Rastrigin 30-D, elitism 2, SBX η 15 at 0.9, polynomial η 20 at 1/30,
//! tournament 2, local search and adaptive mutation off), against what `Population::step` does.
//!
//! Each piece of a generation's work is timed alone, in a tight loop, on the genomes of a real
//! run (the population after 1,500 generations): the 98 Rastrigin evaluations, the 196
//! tournaments, copying 98 parents and crossing 49 pairs with probability 0.9, mutating 98
//! children, sorting 100 rows best first and the diversity sum. Their sum is the time a
//! generation cannot go below with these kernels on this machine; `step` is then timed on the
//! same population. Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), so that the
//! other jobs of a shared machine do not count; the median of 7 rounds.
use hms_ga::crossover::SbxBatch;
use hms_ga::diversity::diversity;
use hms_ga::mutation::{MutationPlan, MutationSettings};
use hms_ga::selection::select;
use hms_ga::{
    Bounds, GaParameters, Objective, Parallel, Population, PopulationConfig, Problem, Rng,
};
use std::hint::black_box;

const DIM: usize = 30;
const SIZE: usize = 100;
const ELITES: usize = 2;
const ROUNDS: usize = 7;

fn thread_cpu_ns() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e9 + t.tv_nsec as f64
}

/// Median over rounds of the CPU nanoseconds per call of `f` (each round ~20 ms).
fn time(mut f: impl FnMut()) -> f64 {
    let mut per = Vec::with_capacity(ROUNDS);
    let mut reps = 1usize;
    loop {
        let t0 = thread_cpu_ns();
        for _ in 0..reps {
            f();
        }
        if thread_cpu_ns() - t0 > 2e6 {
            break;
        }
        reps *= 2;
    }
    reps *= 10;
    for _ in 0..ROUNDS {
        let t0 = thread_cpu_ns();
        for _ in 0..reps {
            f();
        }
        per.push((thread_cpu_ns() - t0) / reps as f64);
    }
    per.sort_by(f64::total_cmp);
    per[ROUNDS / 2]
}

fn population() -> Population {
    let mut parameters = GaParameters::defaults(DIM);
    parameters.parallel = Parallel::Off;
    parameters.adaptive_mutation = false;
    parameters.local_search.every = 0;
    Population::new(PopulationConfig {
        seed: 1,
        size: SIZE,
        bounds: Bounds::uniform(DIM, -5.12, 5.12).expect("bounds"),
        problem: Some(Problem::new(Objective::Rastrigin, DIM, 1, true, false).expect("problem")),
        parameters,
    })
    .expect("population")
}

fn main() {
    let problem = Problem::new(Objective::Rastrigin, DIM, 1, true, false).expect("problem");
    let bounds = Bounds::uniform(DIM, -5.12, 5.12).expect("bounds");
    let (lower, upper) = (bounds.lower().to_vec(), bounds.upper().to_vec());
    let mut p = population();
    p.step(1_500).expect("step");
    let (genomes, fitness) = (p.individuals().0.to_vec(), p.individuals().1.to_vec());
    let children = SIZE - ELITES;
    let pairs = children.div_ceil(2);
    let mut rng = Rng::new(9);
    let parents: Vec<(usize, usize)> = (0..pairs)
        .map(|_| {
            (
                select(hms_ga::Selection::Tournament, 2, SIZE, &mut rng),
                select(hms_ga::Selection::Tournament, 2, SIZE, &mut rng),
            )
        })
        .collect();
    let mut next = vec![0.0; (SIZE + 1) * DIM];
    let mut out = vec![0.0; children];
    let mut scratch = Vec::new();

    let one_by_one = time(|| {
        for (f, g) in out
            .iter_mut()
            .zip(genomes[ELITES * DIM..].chunks_exact(DIM))
        {
            *f = problem.evaluate(black_box(g), &mut scratch);
        }
        black_box(&out);
    });
    let evaluate = time(|| {
        problem.evaluate_batch(black_box(&genomes[ELITES * DIM..]), &mut out, &mut scratch);
        black_box(&out);
    });
    let tournaments = time(|| {
        let mut s = 0;
        for _ in 0..2 * pairs {
            s += select(hms_ga::Selection::Tournament, 2, SIZE, &mut rng);
        }
        black_box(s);
    });
    let mut batch = SbxBatch::default();
    let copy_and_cross = time(|| {
        for (k, &(a, b)) in parents.iter().enumerate() {
            let at = (ELITES + 2 * k) * DIM;
            let (first, second) = next[at..at + 2 * DIM].split_at_mut(DIM);
            first.copy_from_slice(&genomes[a * DIM..(a + 1) * DIM]);
            second.copy_from_slice(&genomes[b * DIM..(b + 1) * DIM]);
            if rng.next_f64() < 0.9 {
                batch.gather(&next, at, DIM, &lower, &upper, &mut rng);
            }
        }
        batch.finish(15.0, &mut next, DIM);
        black_box(&next);
    });
    let ms = MutationSettings {
        kind: hms_ga::Mutation::Polynomial,
        rate: 1.0 / DIM as f64,
        eta: 20.0,
        sigma: 0.1,
    };
    // Mutating the same rows over and over would drift them; mutate copies of real children.
    let crossed = next.clone();
    let mut plan = MutationPlan::default();
    let mut work = crossed.clone();
    let copy_only = time(|| {
        work[ELITES * DIM..SIZE * DIM].copy_from_slice(&crossed[ELITES * DIM..SIZE * DIM]);
        black_box(&work);
    });
    let mutation = time(|| {
        work[ELITES * DIM..SIZE * DIM].copy_from_slice(&crossed[ELITES * DIM..SIZE * DIM]);
        for row in ELITES..SIZE {
            plan.draw(&ms, row * DIM, &lower, &upper, &mut rng);
        }
        plan.apply(&ms, &mut work, &lower, &upper);
        black_box(&work);
    }) - copy_only;
    let mut order = vec![0u128; SIZE];
    let mut sorted = vec![0.0; SIZE * DIM];
    let mut shuffled_fitness = fitness.clone();
    shuffled_fitness.reverse();
    let sort = time(|| {
        for (i, (o, f)) in order.iter_mut().zip(&shuffled_fitness).enumerate() {
            let bits = f.to_bits();
            let key = bits ^ ((((bits as i64) >> 63) as u64) | (1 << 63));
            *o = ((key as u128) << 64) | i as u128;
        }
        order.sort_unstable();
        for (r, &key) in order.iter().enumerate() {
            let i = key as u64 as usize;
            sorted[r * DIM..(r + 1) * DIM].copy_from_slice(&genomes[i * DIM..(i + 1) * DIM]);
        }
        black_box(&sorted);
    });
    let mut sums = Vec::new();
    let spread = time(|| {
        black_box(diversity(black_box(&genomes), SIZE, &bounds, &mut sums));
    });
    // The PRNG alone: its draws are one serial chain that every operator waits on. A generation
    // makes ~2,450 32-bit draws: 392 for 98 tournaments, 98 for the crossover coins, ~1,380 for
    // SBX (a 32-bit mask per pair, a double per crossed gene, the swap coins), ~590 for the
    // mutation (two doubles per geometric skip and per mutated gene).
    const DRAWS: usize = 2_450;
    let draws = time(|| {
        let mut x = 0u32;
        for _ in 0..DRAWS {
            x ^= rng.next_u32();
        }
        black_box(x);
    });
    let floor = evaluate + tournaments + copy_and_cross + mutation + sort + spread;
    let mut steps = 0u64;
    let step = time(|| {
        p.step(1).expect("step");
        steps += 1;
    });
    let us = |ns: f64| format!("{:>6.2} µs", ns / 1e3);
    let row = |name: &str, ns: f64| println!("{name:<58} {}  {:>5.1}%", us(ns), 100.0 * ns / floor);
    println!("per generation, CPU time of one thread (median of {ROUNDS} rounds):");
    row(
        &format!("{children} Rastrigin 30-D evaluations (one batch)"),
        evaluate,
    );
    println!(
        "{:<58} {}",
        "  (the same, genome by genome)",
        us(one_by_one)
    );
    row(&format!("{} tournaments of 2", 2 * pairs), tournaments);
    row(
        &format!("copy {} parents, SBX at 0.9 on {pairs} pairs", 2 * pairs),
        copy_and_cross,
    );
    row(
        &format!("polynomial mutation of {children} children at 1/30"),
        mutation,
    );
    row(
        &format!("sort {SIZE} rows best first (keys, sort, row copies)"),
        sort,
    );
    row("diversity (sum and sum of squares per gene)", spread);
    row("floor: the sum", floor);
    println!(
        "{:<58} {}  (inside the operators above)",
        format!("  of which the PRNG: {DRAWS} draws"),
        us(draws)
    );
    println!(
        "{:<58} {}  {:>5.2}× the floor ({} generations timed)",
        "Population::step(1), same population",
        us(step),
        step / floor,
        steps
    );
    println!(
        "evaluations alone: {:.2} M/s ({:.1} ns each); floor {:.0} generations/s, step {:.0} generations/s (CPU)",
        children as f64 / evaluate * 1e3,
        evaluate / children as f64,
        1e9 / floor,
        1e9 / step
    );
}

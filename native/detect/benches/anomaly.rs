//! `cargo bench -p hms-detect --bench anomaly`: nanoseconds per series per observation for one
//! `observe` over 10,000 series (a health monitor's batch for a large swarm), window 60.
use hms_detect::{AnomalyOptions, AnomalySet};
use std::hint::black_box;
use std::time::Instant;

const SERIES: usize = 10_000;
const ROUNDS: usize = 100;
const RUNS: usize = 7;

fn main() {
    let mut set = AnomalySet::new(AnomalyOptions {
        max_series: SERIES,
        ..Default::default()
    })
    .expect("options are valid");
    let keys: Vec<String> = (0..SERIES).map(|i| format!("cell-{i}")).collect();
    let value = |i: usize, k: usize| 10.0 + ((i * 7919 + k * 31) % 61) as f64 / 10.0;
    // Fill every window first, so each run scores full windows.
    for k in 0..set.options().window_size {
        let values: Vec<f64> = (0..SERIES).map(|i| value(i, k)).collect();
        set.observe(&keys, &values, k as f64);
    }
    let batches: Vec<Vec<f64>> = (0..ROUNDS)
        .map(|k| (0..SERIES).map(|i| value(i, k + 7)).collect())
        .collect();
    let mut per_series = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let start = Instant::now();
        for (r, values) in batches.iter().enumerate() {
            black_box(set.observe(&keys, black_box(values), (1000 + run * ROUNDS + r) as f64));
        }
        // Run 0 warms caches and the CPU clock; it is not counted.
        if run > 0 {
            per_series.push(start.elapsed().as_nanos() as f64 / (ROUNDS * SERIES) as f64);
        }
    }
    per_series.sort_by(f64::total_cmp);
    let median = per_series[RUNS / 2];
    let best = per_series[0];
    println!(
        "observe:   {SERIES} series, {median:.1} ns per series per observation (window {}; median of {RUNS} runs; best {best:.1})",
        set.options().window_size
    );
}

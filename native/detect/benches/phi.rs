//! `cargo bench -p hms-detect`: nanoseconds per series for one `phi_all` over 10,000 series
//! (the health check of a large swarm), and per heartbeat. Plain `std::time`, no harness.
use hms_detect::{DetectorOptions, DetectorSet};
use std::hint::black_box;
use std::time::Instant;

const SERIES: usize = 10_000;
const BEATS: usize = 100;
const ROUNDS: usize = 500;
const RUNS: usize = 7;

fn main() {
    let mut set = DetectorSet::new(DetectorOptions::default()).expect("default options are valid");
    let slots: Vec<usize> = (0..SERIES).map(|_| set.add()).collect();

    let start = Instant::now();
    for k in 0..BEATS {
        for (i, &slot) in slots.iter().enumerate() {
            // ~1 s heartbeats with a per-series jitter of up to 60 ms.
            set.heartbeat(slot, (k * 1000 + (i * 7919 + k * 31) % 61) as f64);
        }
    }
    let heartbeat_ns = start.elapsed().as_nanos() as f64 / (SERIES * BEATS) as f64;

    let mut out = vec![0.0; set.capacity()];
    let mut per_series = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let start = Instant::now();
        for r in 0..ROUNDS {
            set.phi_all(black_box(100_000.0 + (r * 10) as f64), &mut out);
            black_box(&mut out);
        }
        // Run 0 warms caches and the CPU clock; it is not counted.
        if run > 0 {
            per_series.push(start.elapsed().as_nanos() as f64 / (ROUNDS * SERIES) as f64);
        }
    }
    per_series.sort_by(f64::total_cmp);
    let median = per_series[RUNS / 2];
    let best = per_series[0];
    println!("phi_all:   {SERIES} series, {median:.1} ns per series (median of {RUNS} runs; best {best:.1})");
    println!(
        "heartbeat: {heartbeat_ns:.1} ns per heartbeat (window {})",
        set.options().window_size
    );
}

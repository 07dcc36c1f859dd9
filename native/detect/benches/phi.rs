//! `cargo bench -p hms-detect`: nanoseconds per series for one batch score of 10,000 series.
use hms_detect::{DetectorOptions, DetectorSet};
use std::time::Instant;

fn main() {
    let mut set = DetectorSet::new(DetectorOptions::default()).unwrap();
    let n = 10_000;
    for i in 0..n {
        let slot = set.add();
        for k in 0..100 {
            set.heartbeat(slot, (k * 1000 + (i % 37)) as f64);
        }
    }
    let mut out = vec![0.0; set.capacity()];
    let rounds = 2_000;
    let start = Instant::now();
    let mut sink = 0.0;
    for r in 0..rounds {
        set.phi_all(100_000.0 + r as f64, &mut out);
        sink += out[r % n];
    }
    let ns = start.elapsed().as_nanos() as f64 / (rounds * n) as f64;
    println!("phi_all: {n} series, {ns:.1} ns per series (checksum {sink:.3})");
}

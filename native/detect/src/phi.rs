/// Phi of a heartbeat that is `elapsed_ms` late-or-not, given the interval distribution
/// (`mean_ms`, `std_dev_ms`), using Akka's logistic approximation of the normal CDF
/// (error < 0.0002). Always finite and non-negative; non-decreasing in `elapsed_ms`.
pub fn phi(elapsed_ms: f64, mean_ms: f64, std_dev_ms: f64) -> f64 {
    if !elapsed_ms.is_finite() || elapsed_ms <= 0.0 {
        return 0.0;
    }
    let y = (elapsed_ms - mean_ms) / std_dev_ms;
    let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
    let p = if elapsed_ms > mean_ms {
        // P(late) = e / (1 + e), computed without cancellation for large y.
        e / (1.0 + e)
    } else {
        1.0 - 1.0 / (1.0 + e)
    };
    // Far in the tail p underflows to 0: cap at the largest phi f64 can express.
    let value = -p.max(f64::MIN_POSITIVE).log10();
    value.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_is_zero_for_no_elapsed_time() {
        assert_eq!(phi(0.0, 1000.0, 100.0), 0.0);
        assert_eq!(phi(-5.0, 1000.0, 100.0), 0.0);
        assert_eq!(phi(f64::NAN, 1000.0, 100.0), 0.0);
    }

    #[test]
    fn phi_at_the_mean_is_about_log10_of_two() {
        let v = phi(1000.0, 1000.0, 100.0);
        assert!((v - 2f64.log10()).abs() < 1e-3, "{v}");
    }

    #[test]
    fn phi_never_decreases_and_stays_finite() {
        let mut last = 0.0;
        for t in (0..200_000).step_by(7) {
            let v = phi(t as f64, 1000.0, 100.0);
            assert!(v.is_finite());
            assert!(v >= last - 1e-9, "phi fell at {t}: {last} -> {v}");
            last = v;
        }
        assert!(last > 300.0);
    }
}

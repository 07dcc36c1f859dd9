/// Phi of a heartbeat `elapsed_ms` after the previous one, given the inter-arrival
/// distribution (`mean_ms`, `std_dev_ms`, both millis; `std_dev_ms` must be > 0).
///
/// Uses Akka's logistic approximation of the normal CDF (error < 0.0002):
/// `P(later) = 1 / (1 + e^z)` with `z = y (1.5976 + 0.070566 y²)`, `y = (elapsed - mean) / std`,
/// so `phi = -log10 P(later) = softplus(z) / ln 10`. Written as a softplus it cannot overflow or
/// lose all its digits in the tail (Akka's `e / (1 + e)` underflows to 0 and returns infinity
/// about 22 deviations out), so phi keeps growing with `elapsed_ms` instead of saturating.
///
/// Always finite and `>= 0`; non-decreasing in `elapsed_ms`. Returns 0 when any input is NaN.
pub fn phi(elapsed_ms: f64, mean_ms: f64, std_dev_ms: f64) -> f64 {
    let y = (elapsed_ms - mean_ms) / std_dev_ms;
    let z = y * (1.5976 + 0.070566 * y * y);
    // Past |z| = 40 the log term is below 4.3e-18: an ulp of z when z > 0, negligible when
    // z < 0. Skipping it also avoids exp's slow underflow path for long-dead series.
    let softplus = if z.abs() > 40.0 {
        z.max(0.0)
    } else {
        z.max(0.0) + (-z.abs()).exp().ln_1p()
    };
    let value = softplus / std::f64::consts::LN_10;
    if value.is_nan() {
        0.0
    } else {
        value.min(f64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Akka's formula as written there, to check the softplus form against where both are exact.
    fn akka_phi(elapsed: f64, mean: f64, std: f64) -> f64 {
        let y = (elapsed - mean) / std;
        let e = (-y * (1.5976 + 0.070566 * y * y)).exp();
        if elapsed > mean {
            -(e / (1.0 + e)).log10()
        } else {
            -(1.0 - 1.0 / (1.0 + e)).log10()
        }
    }

    fn cdf(phi: f64) -> f64 {
        1.0 - 10f64.powf(-phi)
    }

    #[test]
    fn matches_akka_where_akka_is_finite() {
        for t in 0..3000 {
            let elapsed = t as f64;
            let (ours, akka) = (
                phi(elapsed, 1000.0, 100.0),
                akka_phi(elapsed, 1000.0, 100.0),
            );
            if akka.is_finite() {
                assert!(
                    (ours - akka).abs() <= 1e-9 * akka.max(1.0),
                    "at {elapsed}: {ours} vs {akka}"
                );
            }
        }
    }

    #[test]
    fn approximates_the_normal_cdf() {
        // (elapsed, mean, std, Φ((elapsed - mean) / std))
        let cases = [
            (0.0, 0.0, 10.0, 0.5),
            (6.0, 0.0, 10.0, 0.7257),
            (15.0, 0.0, 10.0, 0.9332),
            (20.0, 0.0, 10.0, 0.97725),
            (25.0, 0.0, 10.0, 0.99379),
            (35.0, 0.0, 10.0, 0.99977),
            (22.0, 20.0, 3.0, 0.7475),
        ];
        for (elapsed, mean, std, expected) in cases {
            let got = cdf(phi(elapsed, mean, std));
            assert!(
                (got - expected).abs() < 1e-3,
                "Φ at {elapsed}: {got} vs {expected}"
            );
        }
    }

    #[test]
    fn is_about_log10_of_two_at_the_mean() {
        let v = phi(1000.0, 1000.0, 100.0);
        assert!((v - 2f64.log10()).abs() < 1e-9, "{v}");
    }

    #[test]
    fn never_decreases_and_stays_finite_far_into_the_tail() {
        let mut last = 0.0;
        for t in (0..2_000_000).step_by(7) {
            let v = phi(t as f64, 1000.0, 100.0);
            assert!(v.is_finite() && v >= 0.0, "phi({t}) = {v}");
            assert!(v >= last, "phi fell at {t}: {last} -> {v}");
            last = v;
        }
        assert!(last > 1e6, "{last}");
    }

    #[test]
    fn stays_finite_and_non_negative_on_extreme_inputs() {
        let extremes = [
            0.0,
            -1e308,
            1e308,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for elapsed in extremes {
            for mean in [0.0, 1000.0, 1e308] {
                for std in [f64::MIN_POSITIVE, 1e-300, 1.0, 1e308] {
                    let v = phi(elapsed, mean, std);
                    assert!(
                        v.is_finite() && v >= 0.0,
                        "phi({elapsed}, {mean}, {std}) = {v}"
                    );
                }
            }
        }
    }

    #[test]
    fn is_zero_for_nan_inputs() {
        assert_eq!(phi(f64::NAN, 1000.0, 100.0), 0.0);
        assert_eq!(phi(1000.0, f64::NAN, 100.0), 0.0);
        assert_eq!(phi(1000.0, 1000.0, f64::NAN), 0.0);
    }
}

//! The adaptive per-gene mutation rate.

/// Default diversity the adaptive rate steers towards: below it mutation grows, above it
/// shrinks (see `GaParameters::target_diversity`). Low on purpose: measured on shifted
/// Rastrigin 30-D (examples/islands.rs), 0.05 kept the rate high as the population converged
/// and stalled at a median of 7; 0.003 halves the rate until the population has converged
/// (median 0.0006 without local search).
pub const TARGET_DIVERSITY: f64 = 0.003;

/// The effective per-gene rate: `rate × boost × clamp(target / diversity, 0.5, 4)` when
/// `adaptive`, else `rate × boost`; capped at 1.
pub fn effective_rate(rate: f64, boost: f64, adaptive: bool, target: f64, diversity: f64) -> f64 {
    let factor = if adaptive {
        if diversity > 0.0 {
            (target / diversity).clamp(0.5, 4.0)
        } else {
            4.0
        }
    } else {
        1.0
    };
    (rate * boost * factor).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_diversity_raises_the_rate_within_limits() {
        assert_eq!(
            effective_rate(0.1, 1.0, true, TARGET_DIVERSITY, TARGET_DIVERSITY),
            0.1
        );
        assert_eq!(effective_rate(0.1, 1.0, true, TARGET_DIVERSITY, 0.0), 0.4);
        assert_eq!(effective_rate(0.1, 1.0, true, TARGET_DIVERSITY, 1.0), 0.05);
        assert_eq!(effective_rate(0.1, 1.0, false, TARGET_DIVERSITY, 0.0), 0.1);
        assert_eq!(effective_rate(0.5, 3.0, false, TARGET_DIVERSITY, 0.0), 1.0);
        assert_eq!(effective_rate(0.1, 0.0, true, TARGET_DIVERSITY, 0.0), 0.0);
    }
}

//! Generated input (proptest): options and times of any value are taken or refused naming the
//! option, and never panic; phi is never NaN for times the binding accepts (finite, >= 0).
use hms_detect::{DetectorOptions, DetectorSet};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(-1.0),
        any::<f64>(),
        0.0..1e13f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn options_of_any_value_are_taken_or_refused_by_name(
        window in prop_oneof![0..300usize, Just(usize::MAX)],
        min_std in any_f64(),
        pause in any_f64(),
        first in any_f64(),
    ) {
        let options = DetectorOptions {
            window_size: window,
            min_std_dev_ms: min_std,
            acceptable_pause_ms: pause,
            first_heartbeat_estimate_ms: first,
        };
        if let Err(e) = DetectorSet::new(options) {
            let named = ["windowSize", "minStdDevMs", "acceptablePauseMs", "firstHeartbeatEstimateMs"]
                .iter()
                .any(|f| e.to_string().contains(f));
            prop_assert!(named, "{e}");
        }
    }

    #[test]
    fn heartbeats_at_any_time_never_panic_and_phi_is_a_number(
        times in prop::collection::vec(any_f64(), 1..40),
        now in any_f64(),
    ) {
        let mut set = DetectorSet::new(DetectorOptions::default()).unwrap();
        let slot = set.add();
        for &t in &times {
            set.heartbeat(slot, t);
        }
        let mut out = vec![0.0; set.capacity()];
        set.phi_all(now, &mut out);
        let phi = set.phi(slot, now);
        let accepted = |t: f64| t.is_finite() && t >= 0.0;
        if accepted(now) && times.iter().copied().all(accepted) {
            prop_assert!(phi.is_some_and(|p| !p.is_nan()), "phi {phi:?} for {times:?} at {now}");
        }
    }
}

//! Generated input (proptest): checkpoints, migrants and parameters of any value are taken or
//! refused with an error naming the field, and never panic or hang the population.
use hms_ga::{
    Bounds, GaParameters, Objective, Population, PopulationConfig, PopulationState, Problem,
};
use proptest::prelude::*;

const DIM: usize = 3;

fn config() -> PopulationConfig {
    let (l, u) = Objective::Sphere.bounds();
    PopulationConfig {
        seed: 7,
        size: 8,
        bounds: Bounds::uniform(DIM, l, u).unwrap(),
        problem: Some(Problem::new(Objective::Sphere, DIM, 7, true, false).unwrap()),
        parameters: GaParameters::defaults(DIM),
    }
}

/// Any f64, the troublesome ones often.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(-1.0),
        any::<f64>(),
        -10.0..10.0f64,
    ]
}

fn any_size() -> impl Strategy<Value = usize> {
    prop_oneof![
        0..20usize,
        Just(usize::MAX),
        Just(usize::MAX / DIM + 1),
        Just(1 << 40)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_checkpoint_of_any_shape_restores_or_is_refused(
        size in any_size(),
        genomes in prop::collection::vec(any_f64(), 0..64),
        fitness in prop::collection::vec(any_f64(), 0..24),
        rng in prop_oneof![Just([0u32; 4]), any::<[u32; 4]>()],
        generation in any::<u64>(),
        evaluations in any::<u64>(),
        stalled in any::<bool>(),
    ) {
        let state = PopulationState {
            dim: DIM,
            size,
            generation,
            evaluations,
            genomes,
            fitness,
            rng,
            parameters: GaParameters::defaults(DIM),
            local_search_stalled: stalled,
        };
        match Population::restore(config(), &state) {
            Ok(mut p) => {
                let stats = p.step(2);
                prop_assert!(stats.is_ok(), "{stats:?}");
            }
            Err(e) => prop_assert!(e.to_string().contains("size") || e.to_string().contains("state.")),
        }
    }

    #[test]
    fn migrants_of_any_shape_are_imported_or_refused(
        genomes in prop::collection::vec(any_f64(), 0..40),
        fitness in prop::collection::vec(any_f64(), 0..12),
    ) {
        let mut p = Population::new(config()).unwrap();
        if let Err(e) = p.import_migrants(&genomes, &fitness) {
            let message = e.to_string();
            prop_assert!(message.contains("genomes") || message.contains("fitness"), "{message}");
        }
        prop_assert!(p.step(2).is_ok());
        let (_, best) = p.best();
        prop_assert!(!best.is_nan());
    }

    #[test]
    fn parameters_of_any_value_are_taken_or_refused(
        rates in prop::collection::vec(any_f64(), 10),
        counts in prop::collection::vec(prop_oneof![0..20u32, Just(u32::MAX)], 5),
    ) {
        let mut parameters = GaParameters::defaults(DIM);
        parameters.crossover_rate = rates[0];
        parameters.sbx_eta = rates[1];
        parameters.blend_alpha = rates[2];
        parameters.mutation_rate = rates[3];
        parameters.mutation_eta = rates[4];
        parameters.gaussian_sigma = rates[5];
        parameters.mutation_boost = rates[6];
        parameters.target_diversity = rates[7];
        parameters.local_search.sigma_factor = rates[8];
        parameters.local_search.hop = rates[9];
        parameters.tournament_size = counts[0];
        parameters.elitism = counts[1];
        parameters.local_search.every = counts[2] % 3;
        parameters.local_search.elites = counts[3];
        parameters.local_search.budget = counts[4].min(200);
        let mut p = Population::new(config()).unwrap();
        if p.set_parameters(parameters).is_ok() {
            prop_assert!(p.step(3).is_ok());
        }
    }
}

/// Regression: a checkpoint claiming 2^40 individuals aborted the process (allocation of
/// 26 TB in `Population::empty`) before its shape was checked; found by the property above.
#[test]
fn a_checkpoint_with_a_huge_size_is_refused_without_allocating() {
    let mut state = Population::new(config()).unwrap().export_state();
    for size in [1usize << 40, usize::MAX, u32::MAX as usize] {
        state.size = size;
        let err = Population::restore(config(), &state)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("state.genomes"), "{err}");
    }
}

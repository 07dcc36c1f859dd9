//! Parent selection over a population sorted best first.

use crate::parameters::Selection;
use crate::rng::Rng;

/// The rank (0 = best) of one parent. `size` individuals sorted best first; `tournament` is
/// the tournament size. Tournament: the best of `tournament` uniform draws (with
/// replacement). Rank: linear ranking with pressure 2, `floor(size · (1 − √(1 − u)))`.
#[inline]
pub fn select(selection: Selection, tournament: usize, size: usize, rng: &mut Rng) -> usize {
    match selection {
        Selection::Tournament => {
            let mut best = rng.below(size);
            for _ in 1..tournament {
                best = best.min(rng.below(size));
            }
            best
        }
        Selection::Rank => {
            let u = rng.next_f64();
            ((size as f64 * (1.0 - (1.0 - u).sqrt())) as usize).min(size - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(selection: Selection, tournament: usize) -> Vec<usize> {
        let mut rng = Rng::new(1);
        let mut counts = vec![0; 10];
        for _ in 0..100_000 {
            counts[select(selection, tournament, 10, &mut rng)] += 1;
        }
        counts
    }

    #[test]
    fn better_ranks_are_chosen_more_often() {
        for (selection, t) in [
            (Selection::Tournament, 2),
            (Selection::Tournament, 5),
            (Selection::Rank, 2),
        ] {
            let h = histogram(selection, t);
            assert!(h[0] > h[5] && h[5] > h[9], "{selection:?}: {h:?}");
        }
    }

    #[test]
    fn tournament_of_one_is_uniform() {
        let h = histogram(Selection::Tournament, 1);
        assert!(h.iter().all(|&c| (9_000..11_000).contains(&c)), "{h:?}");
    }
}

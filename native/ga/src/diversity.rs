//! Population diversity: mean over genes of (std of the gene / its range).

use crate::bounds::Bounds;

/// Diversity of `genomes` (`count × dim`, row-major): the mean over genes of the population
/// standard deviation of the gene divided by its range; 0 when converged, ≈ 0.29 for uniform
/// random genomes. Fixed genes (range 0) count as 0.
pub fn diversity(genomes: &[f64], count: usize, bounds: &Bounds, sums: &mut Vec<f64>) -> f64 {
    let dim = bounds.dim();
    if count < 2 || dim == 0 {
        return 0.0;
    }
    sums.clear();
    sums.resize(2 * dim, 0.0);
    let (mean, square) = sums.split_at_mut(dim);
    for row in genomes.chunks_exact(dim).take(count) {
        for ((m, s), &g) in mean.iter_mut().zip(square.iter_mut()).zip(row) {
            *m += g;
            *s += g * g;
        }
    }
    let n = count as f64;
    let mut total = 0.0;
    for i in 0..dim {
        let range = bounds.upper()[i] - bounds.lower()[i];
        if range > 0.0 {
            let m = mean[i] / n;
            let variance = (square[i] / n - m * m).max(0.0);
            total += variance.sqrt() / range;
        }
    }
    total / dim as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn identical_genomes_have_zero_diversity_and_random_ones_about_0_29() {
        let b = Bounds::uniform(5, -1.0, 1.0).unwrap();
        let mut sums = Vec::new();
        assert!(diversity(&[0.3; 50], 10, &b, &mut sums).abs() < 1e-7);
        let mut rng = Rng::new(2);
        let g: Vec<f64> = (0..5000).map(|_| -1.0 + 2.0 * rng.next_f64()).collect();
        let d = diversity(&g, 1000, &b, &mut sums);
        assert!((d - 0.2887).abs() < 0.01, "{d}");
    }
}

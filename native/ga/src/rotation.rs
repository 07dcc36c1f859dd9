//! Random orthogonal matrices for rotated problem instances.

use crate::rng::Rng;

/// A random orthogonal `dim × dim` matrix, row-major: `dim²` Gaussians drawn row by row from
/// `rng`, then the rows orthonormalised by modified Gram–Schmidt in order.
pub fn random_rotation(dim: usize, rng: &mut Rng) -> Vec<f64> {
    let mut m: Vec<f64> = (0..dim * dim).map(|_| rng.gaussian()).collect();
    for i in 0..dim {
        for j in 0..i {
            let (done, rest) = m.split_at_mut(i * dim);
            let prev = &done[j * dim..(j + 1) * dim];
            let row = &mut rest[..dim];
            let dot: f64 = prev.iter().zip(row.iter()).map(|(a, b)| a * b).sum();
            for (r, p) in row.iter_mut().zip(prev) {
                *r -= dot * p;
            }
        }
        let row = &mut m[i * dim..(i + 1) * dim];
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        for r in row.iter_mut() {
            *r /= norm;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_orthogonal() {
        for dim in [1, 2, 5, 30] {
            let m = random_rotation(dim, &mut Rng::new(11));
            for i in 0..dim {
                for j in 0..dim {
                    let dot: f64 = (0..dim).map(|k| m[i * dim + k] * m[j * dim + k]).sum();
                    let expected = if i == j { 1.0 } else { 0.0 };
                    assert!((dot - expected).abs() < 1e-12, "M·Mᵀ[{i}][{j}] = {dot}");
                }
            }
        }
    }
}

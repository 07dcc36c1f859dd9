//! Symmetric eigendecomposition by cyclic Jacobi rotations (fine up to a few hundred dims).

/// Decomposes the symmetric `n × n` matrix `a` (row-major; destroyed) into eigenvalues
/// `values` and eigenvectors, the columns of `vectors` (row-major): a = V diag(values) Vᵀ.
/// Stops when the off-diagonal mass is below 1e-20 of the total or after 50 sweeps.
pub fn jacobi_eigen(a: &mut [f64], n: usize, values: &mut [f64], vectors: &mut [f64]) {
    vectors.iter_mut().for_each(|v| *v = 0.0);
    for i in 0..n {
        vectors[i * n + i] = 1.0;
    }
    let total: f64 = a.iter().map(|v| v * v).sum();
    for _sweep in 0..50 {
        let mut off = 0.0;
        for p in 0..n {
            for q in p + 1..n {
                off += a[p * n + q] * a[p * n + q];
            }
        }
        if off <= 1e-20 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = vectors[k * n + p];
                    let vkq = vectors[k * n + q];
                    vectors[k * n + p] = c * vkp - s * vkq;
                    vectors[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    for i in 0..n {
        values[i] = a[i * n + i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn eigenvectors_reconstruct_the_matrix() {
        let n = 12;
        let mut rng = Rng::new(3);
        let g: Vec<f64> = (0..n * n).map(|_| rng.gaussian()).collect();
        // A = G Gᵀ is symmetric positive semi-definite.
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = (0..n).map(|k| g[i * n + k] * g[j * n + k]).sum();
            }
        }
        let original = a.clone();
        let (mut values, mut v) = (vec![0.0; n], vec![0.0; n * n]);
        jacobi_eigen(&mut a, n, &mut values, &mut v);
        for i in 0..n {
            for j in 0..n {
                let r: f64 = (0..n)
                    .map(|k| v[i * n + k] * values[k] * v[j * n + k])
                    .sum();
                assert!((r - original[i * n + j]).abs() < 1e-9);
            }
        }
    }
}

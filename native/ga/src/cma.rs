//! A compact (μ/μ_w, λ)-CMA-ES (Hansen's tutorial, "purecma") in the unit box [0, 1]^n:
//! samples are clamped to the box and the clamped points drive the update. Rotation
//! invariant, which is what the memetic step needs on rotated problems.

use crate::eigen::jacobi_eigen;
use crate::rng::Rng;

/// The state of one CMA-ES run; buffers are kept between runs (reset with [`Cma::reset`]).
#[derive(Clone, Debug)]
pub struct Cma {
    n: usize,
    lambda: usize,
    weights: Vec<f64>,
    mueff: f64,
    cc: f64,
    cs: f64,
    c1: f64,
    cmu: f64,
    damps: f64,
    chi_n: f64,
    mean: Vec<f64>,
    old_mean: Vec<f64>,
    sigma: f64,
    pc: Vec<f64>,
    ps: Vec<f64>,
    c: Vec<f64>,
    b: Vec<f64>,
    d: Vec<f64>,
    inv_sqrt_c: Vec<f64>,
    points: Vec<f64>,
    order: Vec<usize>,
    scratch: Vec<f64>,
    product: Vec<f64>,
    rotation: Vec<f64>,
    steps: Vec<f64>,
    scratch2: Vec<f64>,
    iterations: usize,
    eigen_at: usize,
}

impl Cma {
    /// A run in `n` dimensions with `lambda` (≥ 2) samples per iteration.
    pub fn new(n: usize, lambda: usize) -> Self {
        let lambda = lambda.max(2);
        let mu = lambda / 2;
        let raw: Vec<f64> = (0..mu)
            .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - ((i + 1) as f64).ln())
            .collect();
        let sum: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / sum).collect();
        let mueff = 1.0 / weights.iter().map(|w| w * w).sum::<f64>();
        let nf = n as f64;
        let cc = (4.0 + mueff / nf) / (nf + 4.0 + 2.0 * mueff / nf);
        let cs = (mueff + 2.0) / (nf + mueff + 5.0);
        let c1 = 2.0 / ((nf + 1.3).powi(2) + mueff);
        let cmu = (1.0 - c1).min(2.0 * (mueff - 2.0 + 1.0 / mueff) / ((nf + 2.0).powi(2) + mueff));
        let damps = 1.0 + 2.0 * (((mueff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + cs;
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        Self {
            n,
            lambda,
            weights,
            mueff,
            cc,
            cs,
            c1,
            cmu,
            damps,
            chi_n,
            mean: vec![0.0; n],
            old_mean: vec![0.0; n],
            sigma: 0.1,
            pc: vec![0.0; n],
            ps: vec![0.0; n],
            c: vec![0.0; n * n],
            b: vec![0.0; n * n],
            d: vec![1.0; n],
            inv_sqrt_c: vec![0.0; n * n],
            points: vec![0.0; lambda * n],
            order: (0..lambda).collect(),
            scratch: vec![0.0; n * n],
            product: vec![0.0; n * n],
            rotation: vec![0.0; n * n],
            steps: vec![0.0; lambda * n],
            scratch2: vec![0.0; n],
            iterations: 0,
            eigen_at: 0,
        }
    }

    /// Samples per iteration.
    pub fn lambda(&self) -> usize {
        self.lambda
    }

    /// The current step size.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Restarts from `mean` (in [0, 1]^n) with step size `sigma` and C = I.
    pub fn reset(&mut self, mean: &[f64], sigma: f64) {
        let n = self.n;
        self.mean.copy_from_slice(mean);
        self.sigma = sigma;
        self.pc.iter_mut().for_each(|v| *v = 0.0);
        self.ps.iter_mut().for_each(|v| *v = 0.0);
        for m in [&mut self.c, &mut self.b, &mut self.inv_sqrt_c] {
            m.iter_mut().for_each(|v| *v = 0.0);
            for i in 0..n {
                m[i * n + i] = 1.0;
            }
        }
        self.d.iter_mut().for_each(|v| *v = 1.0);
        self.iterations = 0;
        self.eigen_at = 0;
    }

    /// Draws λ points `mean + σ B D z`, clamped to [0, 1]^n; returned λ × n row-major.
    pub fn ask(&mut self, rng: &mut Rng) -> &[f64] {
        let n = self.n;
        for k in 0..self.lambda {
            for (i, z) in self.scratch2.iter_mut().enumerate() {
                *z = self.d[i] * rng.gaussian();
            }
            let row = &mut self.points[k * n..(k + 1) * n];
            for (i, x) in row.iter_mut().enumerate() {
                let bd: f64 = self.b[i * n..(i + 1) * n]
                    .iter()
                    .zip(&self.scratch2)
                    .map(|(b, z)| b * z)
                    .sum();
                *x = (self.mean[i] + self.sigma * bd).clamp(0.0, 1.0);
            }
        }
        &self.points
    }

    /// Updates mean, paths, covariance and step size from the fitness of the last `ask`.
    pub fn tell(&mut self, fitness: &[f64]) {
        let n = self.n;
        self.iterations += 1;
        self.order
            .sort_unstable_by(|&a, &b| fitness[a].total_cmp(&fitness[b]).then(a.cmp(&b)));
        self.old_mean.copy_from_slice(&self.mean);
        for i in 0..n {
            self.mean[i] = self
                .weights
                .iter()
                .zip(&self.order)
                .map(|(w, &k)| w * self.points[k * n + i])
                .sum();
        }
        // y_w = (mean − old) / σ, in scratch2.
        for i in 0..n {
            self.scratch2[i] = (self.mean[i] - self.old_mean[i]) / self.sigma;
        }
        let ps_scale = (self.cs * (2.0 - self.cs) * self.mueff).sqrt();
        for i in 0..n {
            let v: f64 = self.inv_sqrt_c[i * n..(i + 1) * n]
                .iter()
                .zip(&self.scratch2)
                .map(|(a, b)| a * b)
                .sum();
            self.ps[i] = (1.0 - self.cs) * self.ps[i] + ps_scale * v;
        }
        let ps_norm = self.ps.iter().map(|v| v * v).sum::<f64>().sqrt();
        let decay = 1.0 - (1.0 - self.cs).powf(2.0 * self.iterations as f64);
        let hsig = ps_norm / decay.sqrt() / self.chi_n < 1.4 + 2.0 / (n as f64 + 1.0);
        let pc_scale = if hsig {
            (self.cc * (2.0 - self.cc) * self.mueff).sqrt()
        } else {
            0.0
        };
        for i in 0..n {
            self.pc[i] = (1.0 - self.cc) * self.pc[i] + pc_scale * self.scratch2[i];
        }
        let keep = 1.0 - self.c1 - self.cmu
            + if hsig {
                0.0
            } else {
                self.c1 * self.cc * (2.0 - self.cc)
            };
        // The μ best steps y_k = (x_k − old mean) / σ, scaled by √w_k, once (not per entry).
        let mu = self.weights.len();
        for (r, (&w, &k)) in self.weights.iter().zip(&self.order).enumerate() {
            let scale = w.sqrt() / self.sigma;
            for i in 0..n {
                self.steps[r * n + i] = (self.points[k * n + i] - self.old_mean[i]) * scale;
            }
        }
        for i in 0..n {
            for j in 0..=i {
                let mut rank_mu = 0.0;
                for r in 0..mu {
                    rank_mu += self.steps[r * n + i] * self.steps[r * n + j];
                }
                let v = keep * self.c[i * n + j]
                    + self.c1 * self.pc[i] * self.pc[j]
                    + self.cmu * rank_mu;
                self.c[i * n + j] = v;
                self.c[j * n + i] = v;
            }
        }
        self.sigma *= ((self.cs / self.damps) * (ps_norm / self.chi_n - 1.0))
            .min(1.0)
            .exp();
        // Hansen's lazy update would decompose every iteration at λ ≈ 14, n = 30; every
        // ⌈n/10⌉ iterations costs little progress and a third of the time.
        let gap =
            (1.0 / ((self.c1 + self.cmu) * n as f64 * 10.0)).max(n.div_ceil(10) as f64) as usize;
        if self.iterations - self.eigen_at >= gap {
            self.eigen_at = self.iterations;
            self.decompose();
        }
    }

    /// Eigendecomposition of C, warm-started from the last basis B: Bᵀ C B is nearly diagonal,
    /// so Jacobi needs a sweep or two instead of eight; then B ← B V.
    fn decompose(&mut self) {
        let n = self.n;
        // product = C B
        for i in 0..n {
            for j in 0..n {
                let mut sum = 0.0;
                for k in 0..n {
                    sum += self.c[i * n + k] * self.b[k * n + j];
                }
                self.product[i * n + j] = sum;
            }
        }
        // scratch = Bᵀ (C B), symmetrised against rounding.
        for i in 0..n {
            for j in 0..=i {
                let mut sum = 0.0;
                for k in 0..n {
                    sum += self.b[k * n + i] * self.product[k * n + j];
                }
                self.scratch[i * n + j] = sum;
                self.scratch[j * n + i] = sum;
            }
        }
        jacobi_eigen(&mut self.scratch, n, &mut self.d, &mut self.rotation);
        // B ← B V
        for i in 0..n {
            for j in 0..n {
                let mut sum = 0.0;
                for k in 0..n {
                    sum += self.b[i * n + k] * self.rotation[k * n + j];
                }
                self.product[i * n + j] = sum;
            }
        }
        std::mem::swap(&mut self.b, &mut self.product);
        for d in self.d.iter_mut() {
            *d = d.max(1e-20).sqrt();
        }
        for i in 0..n {
            for j in 0..n {
                self.inv_sqrt_c[i * n + j] = (0..n)
                    .map(|k| self.b[i * n + k] * self.b[j * n + k] / self.d[k])
                    .sum();
            }
        }
    }

    /// The largest standard deviation along any axis: σ · max(D).
    pub fn spread(&self) -> f64 {
        self.sigma * self.d.iter().copied().fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cma_minimises_a_rotated_ellipsoid() {
        let n = 10;
        let mut cma = Cma::new(n, 10);
        let mut rng = Rng::new(1);
        cma.reset(&vec![0.8; n], 0.2);
        let f = |x: &[f64]| -> f64 {
            // An ill-conditioned, non-separable quadratic around 0.3.
            let mut s = 0.0;
            for i in 0..n {
                let a = x[i] - 0.3;
                let b = if i + 1 < n { x[i + 1] - 0.3 } else { 0.0 };
                s += 10f64.powf(3.0 * i as f64 / n as f64) * (a + b) * (a + b) + a * a;
            }
            s
        };
        let mut best = f64::INFINITY;
        for _ in 0..600 {
            let fitness: Vec<f64> = cma.ask(&mut rng).chunks(n).map(f).collect();
            best = fitness.iter().copied().fold(best, f64::min);
            cma.tell(&fitness);
        }
        assert!(best < 1e-10, "best {best}");
    }
}

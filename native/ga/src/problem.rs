//! A problem instance: an objective at a dimension with its own shift and optional rotation,
//! all drawn from a problem seed, so every engine can be handed the same instance.

use crate::error::ParameterError;
use crate::objective::Objective;
use crate::rng::Rng;
use crate::rotation::random_rotation;

/// The largest dimension of a rotated instance (the matrix holds dim² doubles).
pub const MAX_ROTATED_DIM: usize = 2000;

/// `f(x) = objective(M(x − o) + offset)`, minimised, optimum 0 at x = o.
#[derive(Clone, Debug)]
pub struct Problem {
    objective: Objective,
    dim: usize,
    shift: Vec<f64>,
    rotation: Option<Vec<f64>>,
}

impl Problem {
    /// Draws the instance `(objective, dim, problem_seed, shift, rotate)` from
    /// `Rng::new(problem_seed)`: first the shift o (dim uniforms: o_i in 0.8 × the bounds, or in
    /// [-80, 80] for schwefel; all 0 when `shift` is false, and then nothing is drawn), then the
    /// rotation (see [`random_rotation`]) when `rotate`.
    pub fn new(
        objective: Objective,
        dim: usize,
        problem_seed: u32,
        shift: bool,
        rotate: bool,
    ) -> Result<Self, ParameterError> {
        if dim == 0 {
            return Err(ParameterError::new(
                "dim",
                format!("must be >= 1, got {dim}"),
            ));
        }
        if rotate && dim > MAX_ROTATED_DIM {
            return Err(ParameterError::new(
                "rotate",
                format!("needs dim <= {MAX_ROTATED_DIM}, got dim {dim}"),
            ));
        }
        let mut rng = Rng::new(problem_seed);
        let (lower, upper) = match objective {
            Objective::Schwefel => (-80.0, 80.0),
            _ => {
                let (l, u) = objective.bounds();
                (0.8 * l, 0.8 * u)
            }
        };
        let shift = if shift {
            (0..dim)
                .map(|_| lower + (upper - lower) * rng.next_f64())
                .collect()
        } else {
            vec![0.0; dim]
        };
        let rotation = rotate.then(|| random_rotation(dim, &mut rng));
        Ok(Self {
            objective,
            dim,
            shift,
            rotation,
        })
    }

    /// The objective.
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// The number of variables.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The optimum o (where f = 0).
    pub fn shift(&self) -> &[f64] {
        &self.shift
    }

    /// The rotation M, dim × dim row-major, if rotated.
    pub fn rotation(&self) -> Option<&[f64]> {
        self.rotation.as_deref()
    }

    /// The objective's default bounds.
    pub fn bounds(&self) -> (f64, f64) {
        self.objective.bounds()
    }

    /// f(x); `scratch` is resized to 2·dim and reused (no allocation once sized).
    #[inline]
    pub fn evaluate(&self, x: &[f64], scratch: &mut Vec<f64>) -> f64 {
        if self.rotation.is_none() && self.objective == Objective::Rastrigin {
            // The hot case of the speed target: no z buffer, four independent sums.
            return crate::objective::shifted_rastrigin(x, &self.shift);
        }
        let dim = self.dim;
        scratch.resize(2 * dim, 0.0);
        let (d, z) = scratch.split_at_mut(dim);
        let offset = self.objective.offset();
        match &self.rotation {
            None => {
                for ((zi, xi), oi) in z.iter_mut().zip(x).zip(&self.shift) {
                    *zi = xi - oi + offset;
                }
            }
            Some(m) => {
                for ((di, xi), oi) in d.iter_mut().zip(x).zip(&self.shift) {
                    *di = xi - oi;
                }
                for (zi, row) in z.iter_mut().zip(m.chunks_exact(dim)) {
                    let dot: f64 = row.iter().zip(d.iter()).map(|(a, b)| a * b).sum();
                    *zi = dot + offset;
                }
            }
        }
        self.objective.value(z)
    }

    /// f of each genome of `genomes` (row-major, dim genes each) into `out`: the same values
    /// as [`Problem::evaluate`] genome by genome, shifted Rastrigin in one vectorised batch.
    pub fn evaluate_batch(&self, genomes: &[f64], out: &mut [f64], scratch: &mut Vec<f64>) {
        if self.rotation.is_none() && self.objective == Objective::Rastrigin {
            return crate::rastrigin_batch::shifted_rastrigin_batch(
                genomes,
                &self.shift,
                out,
                scratch,
            );
        }
        for (f, g) in out.iter_mut().zip(genomes.chunks_exact(self.dim)) {
            *f = self.evaluate(g, scratch);
        }
    }

    /// Estimated cost of one evaluation in nanoseconds (for deciding on parallel evaluation).
    pub fn cost_ns(&self) -> f64 {
        let per_gene = match self.objective {
            Objective::Sphere | Objective::Rosenbrock => 1.0,
            Objective::Rastrigin | Objective::Ackley => 3.0,
            Objective::Griewank | Objective::Schwefel => 15.0,
        };
        let d = self.dim as f64;
        let rotation = if self.rotation.is_some() {
            0.35 * d * d
        } else {
            0.0
        };
        d * per_gene + rotation + 20.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::OBJECTIVES;

    #[test]
    fn every_objective_is_zero_at_its_optimum_and_positive_elsewhere() {
        for objective in OBJECTIVES {
            for dim in [1, 2, 10, 30] {
                for rotate in [false, true] {
                    let p = Problem::new(objective, dim, 9, true, rotate).unwrap();
                    let mut scratch = Vec::new();
                    let at = p.evaluate(p.shift(), &mut scratch);
                    assert!(
                        at.abs() < 1e-9,
                        "{} dim {dim} rot {rotate}: f(o) = {at}",
                        objective.name()
                    );
                    let mut rng = Rng::new(dim as u32);
                    let (l, u) = p.bounds();
                    for k in 0..50 {
                        // Near the optimum and anywhere in the bounds; schwefel (as specified)
                        // has values below 0 where z leaves [-500, 500], so only near it.
                        let far = k % 2 == 1 && objective != Objective::Schwefel;
                        let step = if far { u - l } else { 1e-3 * (u - l) };
                        let x: Vec<f64> = p
                            .shift()
                            .iter()
                            .map(|o| (o + step * (rng.next_f64() - 0.5)).clamp(l, u))
                            .collect();
                        let f = p.evaluate(&x, &mut scratch);
                        assert!(f > 0.0, "{} dim {dim}: f = {f} at {x:?}", objective.name());
                    }
                }
            }
        }
    }

    #[test]
    fn shift_stays_inside_the_bounds_and_depends_on_the_seed() {
        let a = Problem::new(Objective::Rastrigin, 30, 1, true, false).unwrap();
        let b = Problem::new(Objective::Rastrigin, 30, 2, true, false).unwrap();
        assert_ne!(a.shift(), b.shift());
        assert!(a.shift().iter().all(|o| o.abs() <= 0.8 * 5.12));
        let s = Problem::new(Objective::Schwefel, 30, 1, true, false).unwrap();
        assert!(s.shift().iter().all(|o| o.abs() <= 80.0));
    }

    #[test]
    fn unshifted_instances_have_their_optimum_at_the_origin() {
        let p = Problem::new(Objective::Sphere, 4, 1, false, false).unwrap();
        assert_eq!(p.evaluate(&[0.0; 4], &mut Vec::new()), 0.0);
    }

    #[test]
    fn bad_dimensions_are_errors_naming_the_field() {
        let err = Problem::new(Objective::Sphere, 0, 1, true, false).unwrap_err();
        assert_eq!(err.field, "dim");
    }
}

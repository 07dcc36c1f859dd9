//! Per-gene bounds and integer genes; `repair` keeps a genome feasible.

use crate::error::ParameterError;

/// The box of feasible genomes: gene i in [lower_i, upper_i], whole when `integer[i]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    lower: Vec<f64>,
    upper: Vec<f64>,
    integer: Vec<bool>,
    any_integer: bool,
}

impl Bounds {
    /// Bounds from per-gene vectors (all of length dim). Integer genes have their bounds moved
    /// inwards to whole numbers. Errors name `lower`, `upper` or `integer`.
    pub fn new(
        lower: Vec<f64>,
        upper: Vec<f64>,
        integer: Vec<bool>,
    ) -> Result<Self, ParameterError> {
        let dim = lower.len();
        if upper.len() != dim {
            return Err(ParameterError::new(
                "upper",
                format!("must have {dim} values like lower, got {}", upper.len()),
            ));
        }
        if integer.len() != dim {
            return Err(ParameterError::new(
                "integer",
                format!(
                    "must have {dim} values (one per gene), got {}",
                    integer.len()
                ),
            ));
        }
        let mut lower = lower;
        let mut upper = upper;
        for i in 0..dim {
            if !lower[i].is_finite() {
                return Err(ParameterError::new(
                    "lower",
                    format!("must be finite, got {} at gene {i}", lower[i]),
                ));
            }
            if !upper[i].is_finite() {
                return Err(ParameterError::new(
                    "upper",
                    format!("must be finite, got {} at gene {i}", upper[i]),
                ));
            }
            if integer[i] {
                lower[i] = lower[i].ceil();
                upper[i] = upper[i].floor();
            }
            if lower[i] >= upper[i] && !(integer[i] && lower[i] == upper[i]) {
                return Err(ParameterError::new(
                    "upper",
                    format!(
                        "must be above lower at every gene, got {} <= {} at gene {i}",
                        upper[i], lower[i]
                    ),
                ));
            }
        }
        let any_integer = integer.iter().any(|&b| b);
        Ok(Self {
            lower,
            upper,
            integer,
            any_integer,
        })
    }

    /// The same bounds `[lower, upper]` for `dim` real genes.
    pub fn uniform(dim: usize, lower: f64, upper: f64) -> Result<Self, ParameterError> {
        Self::new(vec![lower; dim], vec![upper; dim], vec![false; dim])
    }

    /// Number of genes.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }

    /// Lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// Upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// Whether any gene is a whole number.
    pub fn has_integer(&self) -> bool {
        self.any_integer
    }

    /// Which genes are whole numbers.
    pub fn integer(&self) -> &[bool] {
        &self.integer
    }

    /// Rounds integer genes, then clamps every gene into its bounds (NaN becomes the lower bound).
    #[inline]
    pub fn repair(&self, genome: &mut [f64]) {
        if self.any_integer {
            for (g, &int) in genome.iter_mut().zip(&self.integer) {
                if int {
                    *g = g.round();
                }
            }
        }
        for ((g, &l), &u) in genome.iter_mut().zip(&self.lower).zip(&self.upper) {
            *g = if g.is_nan() { l } else { g.clamp(l, u) };
        }
    }

    /// Whether `genome` is inside the bounds with whole integer genes.
    pub fn contains(&self, genome: &[f64]) -> bool {
        genome.iter().enumerate().all(|(i, &g)| {
            g >= self.lower[i] && g <= self.upper[i] && (!self.integer[i] || g.fract() == 0.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repair_clamps_and_rounds() {
        let b = Bounds::new(vec![0.0, -1.5], vec![1.0, 2.5], vec![false, true]).unwrap();
        let mut g = [3.0, 2.4];
        b.repair(&mut g);
        assert_eq!(g, [1.0, 2.0]);
        let mut g = [f64::NAN, -7.0];
        b.repair(&mut g);
        assert_eq!(g, [0.0, -1.0]);
        assert!(b.contains(&g));
    }

    #[test]
    fn bad_bounds_name_the_field() {
        assert_eq!(Bounds::uniform(2, 1.0, 1.0).unwrap_err().field, "upper");
        assert_eq!(
            Bounds::new(vec![0.0], vec![1.0, 2.0], vec![false])
                .unwrap_err()
                .field,
            "upper"
        );
        assert_eq!(
            Bounds::new(vec![0.0], vec![1.0], vec![]).unwrap_err().field,
            "integer"
        );
        assert_eq!(
            Bounds::uniform(1, f64::NAN, 1.0).unwrap_err().field,
            "lower"
        );
        assert_eq!(
            Bounds::new(vec![0.2], vec![0.8], vec![true])
                .unwrap_err()
                .field,
            "upper"
        );
    }
}

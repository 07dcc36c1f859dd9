//! Migration between islands: the best individuals out, immigrants in place of the worst.

use super::Population;
use crate::error::ParameterError;

impl Population {
    /// Copies of the best `count` (at most size) genomes and fitness, best first.
    pub fn export_migrants(&self, count: usize) -> (Vec<f64>, Vec<f64>) {
        let count = count.min(self.size);
        (
            self.genomes[..count * self.dim].to_vec(),
            self.fitness[..count].to_vec(),
        )
    }

    /// Replaces the worst individuals by `genomes` (row-major, repaired into the bounds) with
    /// fitness `fitness`; takes at most `size − elitism` (at least 1), best first. Returns how
    /// many were taken.
    pub fn import_migrants(
        &mut self,
        genomes: &[f64],
        fitness: &[f64],
    ) -> Result<usize, ParameterError> {
        let dim = self.dim;
        if genomes.len() != fitness.len() * dim {
            return Err(ParameterError::new(
                "genomes",
                format!(
                    "must hold fitness.length × dim = {} × {dim} numbers, got {}",
                    fitness.len(),
                    genomes.len()
                ),
            ));
        }
        let room = (self.size - self.params.elitism as usize).max(1);
        let taken = fitness.len().min(room);
        self.next[..self.size * dim].copy_from_slice(&self.genomes);
        self.next_fitness.copy_from_slice(&self.fitness);
        for k in 0..taken {
            let slot = self.size - 1 - k;
            let row = &mut self.next[slot * dim..(slot + 1) * dim];
            row.copy_from_slice(&genomes[k * dim..(k + 1) * dim]);
            self.bounds.repair(row);
            self.next_fitness[slot] = fitness[k];
        }
        if taken > 0 {
            self.sort_from(true);
            self.update_rate();
        }
        Ok(taken)
    }
}

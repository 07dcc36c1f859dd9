//! Shifted Rastrigin of a whole batch of genomes at once: the terms of several genomes in one
//! long loop (the vector units stay full instead of leaving the last `dim % 4` genes of every
//! genome to scalar code), then each genome's sum in exactly the order of
//! [`crate::objective::shifted_rastrigin`], so every value is the same bit for bit.

use crate::objective::rastrigin_term;

/// Terms computed per block: the genes of as many whole genomes as fit (at least one genome).
const BLOCK: usize = 256;

/// `out[k]` = shifted Rastrigin of genome k of `genomes` (row-major, `shift.len()` genes each),
/// equal bit for bit to `shifted_rastrigin(genome, shift)`. `scratch` is resized and reused.
pub fn shifted_rastrigin_batch(
    genomes: &[f64],
    shift: &[f64],
    out: &mut [f64],
    scratch: &mut Vec<f64>,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { batch_avx512(genomes, shift, out, scratch) };
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked just above).
            return unsafe { batch_avx(genomes, shift, out, scratch) };
        }
    }
    batch_body(genomes, shift, out, scratch)
}

/// [`batch_body`] with 8-lane vectors: the same IEEE operations per lane (no FMA), so the
/// same bits as the portable and AVX paths.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn batch_avx512(genomes: &[f64], shift: &[f64], out: &mut [f64], scratch: &mut Vec<f64>) {
    batch_body(genomes, shift, out, scratch)
}

/// [`batch_body`] with 4-lane vectors (AVX alone, no FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn batch_avx(genomes: &[f64], shift: &[f64], out: &mut [f64], scratch: &mut Vec<f64>) {
    batch_body(genomes, shift, out, scratch)
}

#[inline(always)]
fn batch_body(genomes: &[f64], shift: &[f64], out: &mut [f64], scratch: &mut Vec<f64>) {
    let dim = shift.len();
    if dim == 0 {
        out.fill(0.0);
        return;
    }
    let rows = (BLOCK / dim).max(1);
    let len = rows * dim;
    scratch.resize(2 * len, 0.0);
    let (tiled, terms) = scratch.split_at_mut(len);
    // The shift repeated once per row of a block, so that the term loop has no index modulo.
    for row in tiled.chunks_exact_mut(dim) {
        row.copy_from_slice(shift);
    }
    for (block, values) in genomes.chunks(len).zip(out.chunks_mut(rows)) {
        let n = block.len();
        for ((t, &x), &o) in terms[..n].iter_mut().zip(block).zip(&tiled[..n]) {
            *t = rastrigin_term(x - o);
        }
        for (f, row) in values.iter_mut().zip(terms[..n].chunks_exact(dim)) {
            *f = sum_terms(row);
        }
    }
}

/// The sum of one genome's terms in the order of `shifted_rastrigin`: gene 4j + k into partial
/// sum k, then (s0 + s1) + (s2 + s3), then the last `dim % 4` terms one by one.
#[inline(always)]
fn sum_terms(terms: &[f64]) -> f64 {
    let whole = terms.len() - terms.len() % 4;
    let mut acc = [0.0f64; 4];
    for c in terms[..whole].chunks_exact(4) {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for &t in &terms[whole..] {
        sum += t;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::shifted_rastrigin;
    use crate::rng::Rng;

    #[test]
    fn the_batch_equals_one_genome_at_a_time_bit_for_bit() {
        let mut rng = Rng::new(11);
        let mut scratch = Vec::new();
        for dim in [1, 3, 4, 7, 30, 64, 101, 257, 300] {
            for count in [1, 2, 9, 98] {
                let shift: Vec<f64> = (0..dim).map(|_| 8.0 * rng.next_f64() - 4.0).collect();
                let genomes: Vec<f64> = (0..dim * count)
                    .map(|_| 10.24 * rng.next_f64() - 5.12)
                    .collect();
                let mut out = vec![f64::NAN; count];
                shifted_rastrigin_batch(&genomes, &shift, &mut out, &mut scratch);
                for (k, g) in genomes.chunks_exact(dim).enumerate() {
                    assert_eq!(
                        out[k].to_bits(),
                        shifted_rastrigin(g, &shift).to_bits(),
                        "dim {dim}, genome {k} of {count}"
                    );
                }
                // Every vector path this CPU has gives the same bits as the portable one.
                let mut portable = vec![f64::NAN; count];
                batch_body(&genomes, &shift, &mut portable, &mut scratch);
                assert_eq!(
                    out.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    portable.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
    }
}

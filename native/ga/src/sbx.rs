//! Simulated binary crossover (SBX, DEAP's `cxSimulatedBinaryBounded`) for a whole generation
//! at once: gathered pair by pair in PRNG order, computed in vectorised batches.

use crate::fast_math::{Power, Root};
use crate::rng::Rng;

/// The SBX work of a whole generation: the crossed genes of every pair, gathered in one pass
/// that draws from the PRNG in the order of gene-by-gene SBX, then both children of all of
/// them in branch-free loops over plain slices (vectorised: the long square-root and division
/// chains of neighbouring genes overlap), then the writes. Reused: a generation allocates
/// nothing once the buffers have grown.
#[derive(Clone, Debug, Default)]
pub struct SbxBatch {
    /// Index of the gene in the first child's row; the second child's is `dim` further on.
    at: Vec<usize>,
    /// Per gene: swap the two children (all ones) or not (zero).
    swap: Vec<u64>,
    u: Vec<f64>,
    x1: Vec<f64>,
    x2: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    c1: Vec<f64>,
    c2: Vec<f64>,
    /// Genes gathered so far (the buffers may be longer).
    n: usize,
}

impl SbxBatch {
    /// Forgets the gathered genes (keeps the buffers).
    pub fn clear(&mut self) {
        self.n = 0;
    }

    /// Gathers the SBX of the pair `rows[at..at + dim]`, `rows[at + dim..at + 2·dim]` (DEAP's
    /// `cxSimulatedBinaryBounded`: each gene crossed with probability 0.5 when the parents
    /// differ by more than 1e-14, children clamped and swapped with probability 0.5). The two
    /// per-gene coins are bits of 32-bit draws, the spread draw a full double; the draws are
    /// made here, the rows change in [`SbxBatch::finish`].
    pub fn gather(
        &mut self,
        rows: &[f64],
        at: usize,
        dim: usize,
        lower: &[f64],
        upper: &[f64],
        rng: &mut Rng,
    ) {
        let (a, b) = (&rows[at..at + dim], &rows[at + dim..at + 2 * dim]);
        let (lower, upper) = (&lower[..dim], &upper[..dim]);
        let first = self.n;
        // Room for every gene of the pair, then written by index: no capacity check per gene.
        let room = first + dim;
        if self.u.len() < room {
            for v in [
                &mut self.u,
                &mut self.x1,
                &mut self.x2,
                &mut self.lo,
                &mut self.hi,
            ] {
                v.resize(room, 0.0);
            }
            self.at.resize(room, 0);
            self.swap.resize(room, 0);
        }
        let mut n = first;
        // Walk the set bits of one 32-bit draw per 32 genes: no per-gene branch to mispredict.
        for base in (0..dim).step_by(32) {
            let mut bits = rng.next_u32();
            if dim - base < 32 {
                bits &= (1u32 << (dim - base)) - 1;
            }
            while bits != 0 {
                let i = base + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (x1, x2) = (a[i].min(b[i]), a[i].max(b[i]));
                if x2 - x1 <= 1e-14 {
                    continue;
                }
                self.at[n] = at + i;
                self.u[n] = rng.next_f64();
                self.x1[n] = x1;
                self.x2[n] = x2;
                self.lo[n] = lower[i];
                self.hi[n] = upper[i];
                n += 1;
            }
        }
        let mut swap_bits = 0u32;
        for swap in &mut self.swap[first..n] {
            if swap_bits <= 1 {
                // A marker bit on top: 31 coins come out before the next refill.
                swap_bits = (rng.next_u32() >> 1) | 0x8000_0000;
            }
            *swap = ((swap_bits & 1) as u64).wrapping_neg();
            swap_bits >>= 1;
        }
        self.n = n;
    }

    /// Computes the children of every gathered gene at distribution index `eta` and writes
    /// them into `rows`; then forgets them.
    pub fn finish(&mut self, eta: f64, rows: &mut [f64], dim: usize) {
        let n = self.n;
        if self.c1.len() < n {
            self.c1.resize(n, 0.0);
            self.c2.resize(n, 0.0);
        }
        let (c1, c2) = (&mut self.c1[..n], &mut self.c2[..n]);
        let genes = Genes {
            u: &self.u[..n],
            x1: &self.x1[..n],
            x2: &self.x2[..n],
            lo: &self.lo[..n],
            hi: &self.hi[..n],
        };
        if eta == 15.0 {
            // The default index, straight-line: x^16 by squaring, x^(1/16) by four square roots.
            sbx_children_16(c1, c2, &genes);
        } else {
            sbx_children(eta, c1, c2, &genes);
        }
        let (at, swap) = (&self.at[..n], &self.swap[..n]);
        for (((&at, &mask), &c1), &c2) in at.iter().zip(swap).zip(&*c1).zip(&*c2) {
            // Swap by bit masks rather than a branch.
            let (b1, b2) = (c1.to_bits(), c2.to_bits());
            rows[at] = f64::from_bits((b2 & mask) | (b1 & !mask));
            rows[at + dim] = f64::from_bits((b1 & mask) | (b2 & !mask));
        }
        self.clear();
    }
}

/// SBX of one pair, at once.
pub(crate) fn sbx(
    eta: f64,
    a: &mut [f64],
    b: &mut [f64],
    lower: &[f64],
    upper: &[f64],
    rng: &mut Rng,
    t: &mut SbxBatch,
) {
    let dim = a.len();
    let mut rows = Vec::with_capacity(2 * dim);
    rows.extend_from_slice(a);
    rows.extend_from_slice(b);
    t.clear();
    t.gather(&rows, 0, dim, lower, upper, rng);
    t.finish(eta, &mut rows, dim);
    a.copy_from_slice(&rows[..dim]);
    b.copy_from_slice(&rows[dim..]);
}

/// The crossed genes of one SBX call: spread draw, smaller and larger parent gene, bounds.
struct Genes<'a> {
    u: &'a [f64],
    x1: &'a [f64],
    x2: &'a [f64],
    lo: &'a [f64],
    hi: &'a [f64],
}

/// β1 and β2 of a gene: how far the parents' span may stretch towards each bound.
#[inline(always)]
fn betas(x1: f64, x2: f64, lo: f64, hi: f64) -> (f64, f64) {
    let twice_inverse_spread = 2.0 / (x2 - x1);
    (
        1.0 + (x1 - lo) * twice_inverse_spread,
        1.0 + (hi - x2) * twice_inverse_spread,
    )
}

/// The two children from the spread factors q1, q2, clamped (as `f64::clamp`, without its
/// assertion, so that the loop vectorises).
#[inline(always)]
fn children(x1: f64, x2: f64, lo: f64, hi: f64, q1: f64, q2: f64) -> (f64, f64) {
    let spread = x2 - x1;
    let clamp = |c: f64| {
        let c = if c < lo { lo } else { c };
        if c > hi {
            hi
        } else {
            c
        }
    };
    (
        clamp(0.5 * (x1 + x2 - q1 * spread)),
        clamp(0.5 * (x1 + x2 + q2 * spread)),
    )
}

/// The children at any η (x^(η+1) and its root by [`Power`] and [`Root`]).
fn sbx_children(eta: f64, c1: &mut [f64], c2: &mut [f64], g: &Genes) {
    let power = Power::new(eta + 1.0);
    let root = Root::new(eta + 1.0);
    let beta_q = |u: f64, beta: f64| {
        let alpha = 2.0 - 1.0 / power.of(beta);
        let v = u * alpha;
        root.of(if v <= 1.0 { v } else { 1.0 / (2.0 - v) })
    };
    for k in 0..c1.len() {
        let (x1, x2, lo, hi) = (g.x1[k], g.x2[k], g.lo[k], g.hi[k]);
        let (beta1, beta2) = betas(x1, x2, lo, hi);
        let (q1, q2) = (beta_q(g.u[k], beta1), beta_q(g.u[k], beta2));
        (c1[k], c2[k]) = children(x1, x2, lo, hi, q1, q2);
    }
}

/// SBX's children at η = 15, dispatched to the widest vectors the CPU has; every path gives
/// the same bits (the same IEEE operations per lane, no FMA).
fn sbx_children_16(c1: &mut [f64], c2: &mut [f64], g: &Genes) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F (checked just above).
            return unsafe { sbx_children_16_avx512(c1, c2, g) };
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked just above).
            return unsafe { sbx_children_16_avx(c1, c2, g) };
        }
    }
    sbx_children_16_body(c1, c2, g)
}

/// [`sbx_children_16_body`] with 8-lane vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sbx_children_16_avx512(c1: &mut [f64], c2: &mut [f64], g: &Genes) {
    sbx_children_16_body(c1, c2, g)
}

/// [`sbx_children_16_body`] with 4-lane vectors (AVX alone, without FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn sbx_children_16_avx(c1: &mut [f64], c2: &mut [f64], g: &Genes) {
    sbx_children_16_body(c1, c2, g)
}

#[inline(always)]
fn sbx_alpha_16(beta: f64) -> f64 {
    // 10^16 > 2^53: from β = 10 on, 2 − 1/β^16 rounds to exactly 2, so clamping β changes
    // nothing (and keeps β^16 finite) without a branch.
    let b = beta.min(10.0);
    let b2 = b * b;
    let b4 = b2 * b2;
    let b8 = b4 * b4;
    2.0 - 1.0 / (b8 * b8)
}

#[inline(always)]
fn sbx_q_16(u: f64, alpha: f64) -> f64 {
    let v = u * alpha;
    let inverse = 1.0 / (2.0 - v);
    // A bit-mask select: LLVM turns `if` into a branch here, which mispredicts half the time.
    let mask = ((v > 1.0) as u64).wrapping_neg();
    let x = f64::from_bits((inverse.to_bits() & mask) | (v.to_bits() & !mask));
    x.sqrt().sqrt().sqrt().sqrt()
}

#[inline(always)]
fn sbx_children_16_body(c1: &mut [f64], c2: &mut [f64], g: &Genes) {
    let n = c1.len();
    let (u, x1, x2, lo, hi) = (&g.u[..n], &g.x1[..n], &g.x2[..n], &g.lo[..n], &g.hi[..n]);
    // q1 into c1, and the difference of the alphas into c2, branch-free.
    for k in 0..n {
        let (beta1, beta2) = betas(x1[k], x2[k], lo[k], hi[k]);
        let (a1, a2) = (sbx_alpha_16(beta1), sbx_alpha_16(beta2));
        c1[k] = sbx_q_16(u[k], a1);
        c2[k] = a2 - a1;
    }
    // Far from both bounds both alphas round to 2 (the usual case once the population has
    // gathered): one root serves both children.
    for k in 0..n {
        c2[k] = if c2[k] == 0.0 {
            c1[k]
        } else {
            let (_, beta2) = betas(x1[k], x2[k], lo[k], hi[k]);
            sbx_q_16(u[k], sbx_alpha_16(beta2))
        };
    }
    for k in 0..n {
        (c1[k], c2[k]) = children(x1[k], x2[k], lo[k], hi[k], c1[k], c2[k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DEAP's SBX gene by gene, as plainly as it reads (the PRNG draws in the same order).
    fn sbx_reference(
        eta: f64,
        a: &mut [f64],
        b: &mut [f64],
        lower: &[f64],
        upper: &[f64],
        rng: &mut Rng,
    ) {
        let (power, root) = (Power::new(eta + 1.0), Root::new(eta + 1.0));
        let mut picked = Vec::new();
        for base in (0..a.len()).step_by(32) {
            let bits = rng.next_u32();
            for i in base..a.len().min(base + 32) {
                let (x1, x2) = (a[i].min(b[i]), a[i].max(b[i]));
                if (bits >> (i - base)) & 1 == 1 && x2 - x1 > 1e-14 {
                    picked.push((i, rng.next_f64()));
                }
            }
        }
        let mut swap_bits = 0u32;
        for (i, u) in picked {
            let (x1, x2) = (a[i].min(b[i]), a[i].max(b[i]));
            let spread = x2 - x1;
            let q = |beta: f64| {
                let v = u * (2.0 - 1.0 / power.of(beta));
                root.of(if v <= 1.0 { v } else { 1.0 / (2.0 - v) })
            };
            let q1 = q(1.0 + (x1 - lower[i]) * (2.0 / spread));
            let q2 = q(1.0 + (upper[i] - x2) * (2.0 / spread));
            let c1 = (0.5 * (x1 + x2 - q1 * spread)).clamp(lower[i], upper[i]);
            let c2 = (0.5 * (x1 + x2 + q2 * spread)).clamp(lower[i], upper[i]);
            if swap_bits <= 1 {
                swap_bits = (rng.next_u32() >> 1) | 0x8000_0000;
            }
            let swap = swap_bits & 1 == 1;
            swap_bits >>= 1;
            (a[i], b[i]) = if swap { (c2, c1) } else { (c1, c2) };
        }
    }

    #[test]
    fn sbx_equals_the_plain_formula_bit_for_bit() {
        let mut rng = Rng::new(7);
        let mut scratch = SbxBatch::default();
        for eta in [15.0, 2.0, 20.0] {
            for dim in [1, 3, 5, 17, 30, 40, 70] {
                let lower: Vec<f64> = (0..dim).map(|i| -5.0 + (i % 3) as f64).collect();
                let upper: Vec<f64> = lower.iter().map(|l| l + 10.0).collect();
                for round in 0..200 {
                    // Parents anywhere, near a bound, or a hair apart (then not crossed).
                    let gene = |rng: &mut Rng, i: usize| match round % 4 {
                        0 => lower[i] + 10.0 * rng.next_f64(),
                        1 => lower[i] + 1e-3 * rng.next_f64(),
                        2 => upper[i] - 0.5 * rng.next_f64().powi(4),
                        _ => 1.0 + 1e-15 * rng.next_f64(),
                    };
                    let a: Vec<f64> = (0..dim).map(|i| gene(&mut rng, i)).collect();
                    let b: Vec<f64> = (0..dim).map(|i| gene(&mut rng, i)).collect();
                    let (mut fa, mut fb, mut ra, mut rb) = (a.clone(), b.clone(), a, b);
                    let (mut fast_rng, mut plain_rng) = (rng.clone(), rng.clone());
                    sbx(
                        eta,
                        &mut fa,
                        &mut fb,
                        &lower,
                        &upper,
                        &mut fast_rng,
                        &mut scratch,
                    );
                    sbx_reference(eta, &mut ra, &mut rb, &lower, &upper, &mut plain_rng);
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        (bits(&fa), bits(&fb)),
                        (bits(&ra), bits(&rb)),
                        "eta {eta} dim {dim}"
                    );
                    assert_eq!(fast_rng, plain_rng);
                    rng = fast_rng;
                }
            }
        }
    }

    #[test]
    fn every_vector_path_gives_the_portable_bits() {
        let mut rng = Rng::new(3);
        for n in [1, 2, 3, 5, 8, 17, 40] {
            let x1: Vec<f64> = (0..n).map(|_| -5.0 + 5.0 * rng.next_f64()).collect();
            let x2: Vec<f64> = x1
                .iter()
                .map(|x| x + 5.0 * rng.next_f64().powi(3) + 1e-9)
                .collect();
            let u: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
            let (lo, hi) = (vec![-5.0; n], vec![5.0; n]);
            let g = Genes {
                u: &u,
                x1: &x1,
                x2: &x2,
                lo: &lo,
                hi: &hi,
            };
            let (mut p1, mut p2, mut v1, mut v2) =
                (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            sbx_children_16_body(&mut p1, &mut p2, &g);
            sbx_children_16(&mut v1, &mut v2, &g);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!((bits(&p1), bits(&p2)), (bits(&v1), bits(&v2)));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx") {
                // SAFETY: AVX checked just above.
                unsafe { sbx_children_16_avx(&mut v1, &mut v2, &g) };
                assert_eq!((bits(&p1), bits(&p2)), (bits(&v1), bits(&v2)));
            }
        }
    }
}

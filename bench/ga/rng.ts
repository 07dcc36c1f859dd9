/**
 * xoshiro128** (four 32-bit state words) seeded from a u32 by splitmix32: the generator of
 * `native/ga`'s rng module, so a seed names the same stream in both.
 */
export class Xoshiro128 {
  // Int32Array, not four number fields: a field holding a u32 above 2^31 is boxed by V8.
  private readonly s = new Int32Array(4);

  /** `seed`: a whole number 0..2^32-1. */
  constructor(seed: number) {
    let state = seed >>> 0;
    const splitmix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32();
  }

  /** The next u32. */
  nextU32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ t;
    s[3] = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits (two outputs). */
  nextDouble(): number {
    const a = this.nextU32();
    const b = this.nextU32();
    return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
  }

  /**
   * Genes to skip before the next one that mutates with probability p: a geometric deviate
   * floor(ln(1 − u) / ln(1 − p)); `lnQ` = ln(1 − p) < 0. Capped at 2^31.
   */
  geometric(lnQ: number): number {
    const gap = Math.log(1 - this.nextDouble()) / lnQ;
    return gap < 2147483648 ? Math.floor(gap) : 2147483648;
  }

  /** A uniform whole number in 0..n-1. */
  nextIndex(n: number): number {
    return Math.floor(this.nextDouble() * n);
  }

  /** A standard normal deviate by Box–Muller, the cosine half only (the state stays four words). */
  nextGaussian(): number {
    const u1 = 1 - this.nextDouble();
    const u2 = this.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

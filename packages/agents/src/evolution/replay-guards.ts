/**
 * The callers' guards as the model replays them: a circuit breaker per caller and dependency,
 * which hears of a call when it ends, and a dependency's failure marks in the stigmergy field,
 * which callers sense before each call. Kept apart from the replay that drives them
 * (`swarm-model.ts`).
 */

export interface Breaker {
  failures: number;
  openUntil: number;
  /** Half-open: its trial call is under way (others are rejected until it ends). */
  halfOpen: boolean;
  /** Outcomes of calls under way, by their end: the breaker hears of a call when it ends. */
  pending: Array<{ end: number; failed: boolean; trial: boolean }>;
}

/** Lands the outcomes of the calls that ended by `t` on breaker `b`, in the order they ended. */
export function settleBreaker(b: Breaker, t: number, threshold: number, reset: number): void {
  while (b.pending.length > 0 && (b.pending[0] as { end: number }).end <= t) {
    const { end, failed, trial } = b.pending.shift() as Breaker['pending'][number];
    if (trial) {
      b.halfOpen = false;
      if (failed) b.openUntil = end + reset;
      b.failures = 0;
      continue;
    }
    if (b.openUntil > end || b.halfOpen) continue;
    if (!failed) {
      b.failures = 0;
      continue;
    }
    b.failures++;
    if (b.failures >= threshold) {
      b.openUntil = end + reset;
      b.failures = 0;
    }
  }
}

export function addOutcome(b: Breaker, outcome: Breaker['pending'][number]): void {
  let i = b.pending.length;
  while (i > 0 && (b.pending[i - 1] as { end: number }).end > outcome.end) i--;
  b.pending.splice(i, 0, outcome);
}

/** A dependency's failure marks in the stigmergy field: strength at `at`, and marks still to land. */
export interface Marks {
  strength: number;
  at: number;
  /** End times of failed calls not yet deposited, ascending. */
  pending: number[];
}

/** The strength of `m` at `t`, landing the marks due by then; marks halve every quarter of `ttl`. */
export function senseMarks(m: Marks, t: number, ttl: number): number {
  const decayTo = (to: number) => {
    if (to > m.at) {
      m.strength *= 2 ** ((-4 * (to - m.at)) / ttl);
      m.at = to;
    }
  };
  while (m.pending.length > 0 && (m.pending[0] as number) <= t) {
    decayTo(m.pending.shift() as number);
    m.strength += 1;
  }
  decayTo(t);
  return m.strength;
}

export function addMark(m: Marks, at: number): void {
  let i = m.pending.length;
  while (i > 0 && (m.pending[i - 1] as number) > at) i--;
  m.pending.splice(i, 0, at);
}

import type { Measurement } from './observation-window.js';

/** What the calibration span needs of a trial. */
export interface SpanTrial {
  outcome: string;
  baseline: Measurement | null;
  measured: Measurement | null;
  endedAt?: number;
}

/**
 * The span of calls an evolution run's model is calibrated on: the three windows before `end`
 * (the newest calls surely reported), not before `since` (a run started by a fitness drop sees
 * the fault only), and only calls made under the configuration in force — since the last trial
 * that changed it ended (kept or rolled back; a skipped or unchanged trial changed nothing).
 *
 * A run started right after a trial (before a whole window under the configuration in force is
 * reported) used to get no calls at all: every candidate then scored the same, the pull towards
 * the configuration in force won, and the run came back `unchanged`. Then the span is the
 * trial's own window of that configuration: after a roll-back, the window before the trial (the
 * configuration restored); after a keep, the window measured under the candidate (now in force).
 */
export function calibrationSpan(options: {
  end: number;
  windowMs: number;
  since: number;
  /** A trial under way: the configuration in force is its candidate, with no calls reported yet. */
  underWay: boolean;
  trials: readonly SpanTrial[];
}): { from: number; to: number } {
  const { end, windowMs, since, underWay, trials } = options;
  if (underWay) return { from: end, to: end };
  const last = [...trials].reverse().find((t) => t.outcome === 'kept' || t.outcome === 'rolledback');
  const from = Math.max(end - windowMs * 3, since, last?.endedAt ?? 0);
  if (end - from >= windowMs || !last) return { from, to: end };
  if (last.outcome === 'rolledback' && last.baseline) {
    return {
      from: Math.max(last.baseline.to - windowMs * 3, since, last.baseline.from - windowMs * 2),
      to: last.baseline.to,
    };
  }
  if (last.outcome === 'kept' && last.measured) return { from: last.measured.from, to: last.measured.to };
  return { from, to: end };
}

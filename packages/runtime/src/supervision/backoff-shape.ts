/**
 * How a cell's restart delay grows with the crashes in its restart-intensity window: the
 * `supervision.backoffShape` setting (a strategy gene evolution may choose).
 *
 * - `exponential` (0, the default): a ceiling of base × 2^(n−1) up to the maximum, half fixed
 *   and half random ("equal jitter").
 * - `constant` (1): the base every time (half fixed, half random): a crash loop is retried at
 *   once each time, for a cell whose crashes are brief and independent.
 * - `decorrelated` (2): AWS's decorrelated jitter, a random delay between the base and three
 *   times the previous delay, up to the maximum: grows about as fast as exponential but spreads
 *   the restarts of many cells.
 */
export const BACKOFF_SHAPES = ['exponential', 'constant', 'decorrelated'] as const;
export type BackoffShape = (typeof BACKOFF_SHAPES)[number];

/** The shape a `supervision.backoffShape` value stands for (out of range: exponential). */
export function backoffShapeOf(value: number | undefined): BackoffShape {
  return BACKOFF_SHAPES[value ?? 0] ?? 'exponential';
}

/** The delay before the restart after the `recent`-th crash in the window, in millis. */
export function backoffDelay(
  shape: BackoffShape,
  options: { baseMs: number; maxMs: number; recent: number; previousMs: number; random: () => number },
): number {
  const { baseMs, maxMs, recent, previousMs, random } = options;
  switch (shape) {
    case 'constant': {
      const ceiling = Math.min(maxMs, baseMs);
      return ceiling / 2 + (random() * ceiling) / 2;
    }
    case 'decorrelated': {
      const low = Math.min(maxMs, baseMs);
      const high = Math.min(maxMs, Math.max(low, 3 * (recent > 1 ? previousMs : baseMs)));
      return low + random() * (high - low);
    }
    default: {
      const ceiling = Math.min(maxMs, baseMs * 2 ** (recent - 1));
      return ceiling / 2 + (random() * ceiling) / 2;
    }
  }
}

import { ValidationError } from '@hms/runtime/errors';

/** The weights of the swarm's fitness, from the design: they add up to 1. */
export const FITNESS_WEIGHTS = { responseTime: 0.4, errorRate: 0.3, resourceUse: 0.2, health: 0.1 } as const;

/** What a swarm did over a window, as measured (or as a model predicts it). */
export interface SwarmMeasures {
  /** 99th-percentile request latency, in millis, >= 0. */
  p99LatencyMs: number;
  /** Failed requests over all requests, 0..1. */
  errorRate: number;
  /** Resources used over resources available (CPU or memory, whichever is higher), 0..1. */
  resourceUse: number;
  /** Cells running over cells desired, 0..1. */
  healthyFraction: number;
}

/** Options of {@link swarmFitness}. */
export interface FitnessOptions {
  /** The latency that scores one half, in millis; default 50. */
  latencyScaleMs?: number;
}

const RANGES: Record<keyof SwarmMeasures, [number, number]> = {
  p99LatencyMs: [0, Number.POSITIVE_INFINITY],
  errorRate: [0, 1],
  resourceUse: [0, 1],
  healthyFraction: [0, 1],
};

/**
 * The fitness of a swarm configuration, in 0..1, higher is better: 0.4 × response time score +
 * 0.3 × (1 − error rate) + 0.2 × (1 − resource use) + 0.1 × health. The response time score is
 * `scale / (scale + p99)`: 1 at no latency, ½ at the scale, falling smoothly, so a GA keeps a
 * gradient however slow a candidate is.
 * @throws ValidationError naming the field when a measure is missing, not finite or out of range.
 */
export function swarmFitness(measures: SwarmMeasures, options: FitnessOptions = {}): number {
  for (const [field, [min, max]] of Object.entries(RANGES) as Array<[keyof SwarmMeasures, [number, number]]>) {
    const v = measures[field];
    if (typeof v !== 'number' || Number.isNaN(v) || v < min || v > max || !Number.isFinite(v)) {
      throw new ValidationError(`${field} must be a number from ${min} to ${max}, not ${JSON.stringify(v)}`, {
        data: { field },
      });
    }
  }
  const scale = options.latencyScaleMs ?? 50;
  const w = FITNESS_WEIGHTS;
  return (
    w.responseTime * (scale / (scale + measures.p99LatencyMs)) +
    w.errorRate * (1 - measures.errorRate) +
    w.resourceUse * (1 - measures.resourceUse) +
    w.health * measures.healthyFraction
  );
}

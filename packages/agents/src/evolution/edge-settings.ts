import type { SwarmCandidate } from './swarm-genes.js';
import type { ModelCorrection } from './swarm-model.js';

/** The call settings the replay uses on one edge. */
export interface EdgeSettings {
  timeout: number;
  threshold: number;
  reset: number;
  avoidAt: number;
}

/**
 * A call setting on edge `<caller>:<callee>` under configuration `c`, resolved as the nodes do:
 * `@edge:caller:callee`, else `@to:callee`, else swarm-wide, else `fallback`.
 */
export function edgeSetting(
  c: Record<string, number | undefined>,
  key: string,
  edge: string | undefined,
  fallback: number,
): number {
  if (edge) {
    const callee = edge.slice(edge.indexOf(':') + 1);
    const scoped = c[`${key}@edge:${edge}`] ?? (callee ? c[`${key}@to:${callee}`] : undefined);
    if (scoped !== undefined) return scoped;
  }
  return c[key] ?? fallback;
}

/** The settings the replay uses on `edge` (undefined: swarm-wide) under candidate `c`, with the GA's doubt. */
export function edgeSettings(c: SwarmCandidate, edge: string | undefined, correction?: ModelCorrection): EdgeSettings {
  return {
    timeout: edgeSetting(c, 'request.timeoutMs', edge, 5000),
    threshold: Math.max(
      1,
      Math.round(edgeSetting(c, 'breaker.failureThreshold', edge, 5) / (correction?.breakerScale ?? 1)),
    ),
    reset: edgeSetting(c, 'breaker.resetTimeoutMs', edge, 2000),
    avoidAt: (edgeSetting(c, 'stigmergy.avoidStrength', edge, 3) - 0.5) / (correction?.avoidScale ?? 1),
  };
}

/** The scoped values of a configuration (`key@scope` → value). */
export function scopedOf(config: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => k.includes('@')));
}

import type { SwarmCalibration } from './swarm-model.js';

/** The busiest node's event-loop utilization the model allows for (queueing beyond it is not modelled). */
const MAX_BUSIEST_ELU = 0.95;

/**
 * The busiest node's event-loop utilization under a placement policy (`placement.policy`: 0
 * spread, 1 fill, 2 affinity), from the swarm's mean: spread and affinity leave the load spread
 * over the nodes (affinity moves cells towards their peers, not onto fewer nodes), so the busiest
 * node runs at about the mean; fill packs the cells onto as few nodes as their capacity allows,
 * at worst all onto one, which then does the work of every node. (The model sees no gain in
 * affinity's co-location: calls go through the NATS server wherever the two cells run; what
 * measured trials show of one corrects it near the configurations tried, `trial-residuals.ts`.)
 */
export function busiestElu(cal: Pick<SwarmCalibration, 'elu' | 'nodes'>, policy: number): number {
  const elu = Math.min(1, Math.max(0, cal.elu));
  return Math.min(MAX_BUSIEST_ELU, policy === 1 ? elu * Math.max(1, cal.nodes) : elu);
}

/**
 * How much longer calls take under the candidate's placement policy than under the one in
 * force: the queueing on the busiest node grows as 1 / (1 − utilization) (an M/M/1 queue), so
 * a policy that concentrates the load slows the calls that wait on it. 1 when the policies load
 * the busiest node alike.
 */
export function placementStretch(cal: Pick<SwarmCalibration, 'elu' | 'nodes' | 'config'>, policy: number): number {
  const inForce = busiestElu(cal, cal.config['placement.policy'] ?? 0);
  return (1 - inForce) / (1 - busiestElu(cal, policy));
}

import type { ElectionTiming } from '../election/election-core.js';
import type { ElectionRunner } from '../election/election-runner.js';
import { majorityLeaseMs } from '../node/majority-lease.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { type Coordinator, type CoordinatorOptions, startCoordinator } from './coordinator.js';
import { createGoneNodeProbe } from './gone-node-probe.js';

/**
 * A member whose process is found gone is counted down this long after its lease and a leader's
 * check quorum would both have lapsed, in millis (timers and ticks run a little late).
 */
const GONE_MARGIN_MS = 100;

/** Options of {@link startLeaderPlacement}. */
export interface LeaderPlacementOptions extends Omit<CoordinatorOptions, 'election' | 'publish' | 'probe' | 'fence'> {
  transport: Transport;
  subjects: Subjects;
  /** This node's election (started before placement is). */
  election: ElectionRunner;
  timing: ElectionTiming;
}

/**
 * A node's coordinator wired to its election and its NATS connection: events on the swarm's
 * event subjects; a member that stops acknowledging is asked whether its process still listens
 * (GoneNodeProbe), and a dead one's cells are re-placed once its lease and a leader's check
 * quorum have surely lapsed; while they move, the election holds that node's lease lapsed.
 */
export function startLeaderPlacement(options: LeaderPlacementOptions): Coordinator {
  const { transport, subjects, election, timing, nodeId } = options;
  let coordinator: Coordinator | undefined;
  const probe = createGoneNodeProbe({
    nodeId,
    transport,
    subjects,
    clock: options.clock,
    logger: options.logger,
    intervalMs: timing.heartbeatMs,
    onGone: (node) => coordinator?.goneFound(node),
  });
  const goneAfterMs = () => {
    const downAfterMs = options.downAfterMs();
    return Math.min(downAfterMs, Math.max(majorityLeaseMs(downAfterMs), timing.electionTimeoutMaxMs) + GONE_MARGIN_MS);
  };
  const started = startCoordinator({
    ...options,
    election: () => election.view(),
    publish: (type, about, body) => transport.publish(subjects.event(type, about), type, body, { from: nodeId }),
    probe: { nodes: probe, probeAfterMs: timing.heartbeatMs * 1.5, goneAfterMs },
    fence: {
      hold: (node, heard) => election.holdEchoes(node, heard),
      release: (node) => election.releaseEchoes(node),
    },
  });
  coordinator = started;
  return {
    ...started,
    stop() {
      started.stop();
      probe.stop();
    },
  };
}

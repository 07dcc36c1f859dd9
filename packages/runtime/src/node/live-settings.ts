import type { SwarmConfig } from '../config/config-schema.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { backoffShapeOf } from '../supervision/backoff-shape.js';
import type { CellSupervisor } from '../supervision/cell-supervisor.js';
import { supervisionStrategyOf } from '../supervision/supervision-strategy.js';
import type { NodeLoadSampler } from './load-sampler.js';
import type { PeerView } from './peer-view.js';

/** The parts of a node that swarm-wide settings change live. */
export interface LiveSettingsTargets {
  peers: PeerView;
  supervisor: CellSupervisor;
  writeQueue: SnapshotWriteQueue;
  load: NodeLoadSampler;
}

/**
 * Hands a configuration version's settings to the parts of a node that read them: suspicion
 * threshold, restart intensity, backoff (and its shape) and strategy, snapshot staleness, write concurrency, overload
 * limits. (Placement and the lease read the settings themselves, at each use.)
 */
export function applyLiveSettings(c: SwarmConfig, targets: LiveSettingsTargets): void {
  targets.peers.setSuspectPhi(c['health.suspectPhi']);
  targets.supervisor.configure({
    intensity: {
      maxRestarts: c['supervision.maxRestarts'],
      periodMs: c['supervision.periodMs'],
      backoffBaseMs: c['supervision.backoffBaseMs'],
      backoffMaxMs: c['supervision.backoffMaxMs'],
      backoffShape: backoffShapeOf(c['supervision.backoffShape']),
      strategy: supervisionStrategyOf(c['supervision.strategy']),
    },
    snapshotMaxStaleMs: c['persistence.snapshotMaxStaleMs'],
  });
  targets.writeQueue.setConcurrency(c['persistence.writeConcurrency']);
  targets.load.setLimits({
    storeLatencyMs: c['overload.storeLatencyMs'],
    storeQueued: c['overload.storeQueued'],
    eventLoopLagMs: c['overload.eventLoopLagMs'],
  });
}

import type { SwarmConfig } from '../config/config-schema.js';
import { type LiveConfig, typeSetting } from '../config/scoped-settings.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { backoffShapeOf } from '../supervision/backoff-shape.js';
import type { CellSupervisor } from '../supervision/cell-supervisor.js';
import type { RestartIntensity } from '../supervision/restart-intensity.js';
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

/** The restart intensity of the cells of `type` (its `@type:` values over the swarm-wide ones); no type: swarm-wide. */
export function restartIntensityOf(live: LiveConfig, type?: string): RestartIntensity {
  const get = (key: Parameters<typeof typeSetting>[1]) =>
    type === undefined ? live.config[key] : typeSetting(live, key, type);
  return {
    maxRestarts: get('supervision.maxRestarts'),
    periodMs: get('supervision.periodMs'),
    backoffBaseMs: get('supervision.backoffBaseMs'),
    backoffMaxMs: get('supervision.backoffMaxMs'),
    backoffShape: backoffShapeOf(get('supervision.backoffShape')),
    strategy: supervisionStrategyOf(get('supervision.strategy')),
  };
}

/**
 * Hands a configuration version's settings to the parts of a node that read them: suspicion
 * threshold, restart intensity, backoff (and its shape) and strategy (per cell type where scoped), snapshot staleness, write concurrency, overload
 * limits. (Placement and the lease read the settings themselves, at each use.)
 */
export function applyLiveSettings(live: LiveConfig, targets: LiveSettingsTargets): void {
  const c: SwarmConfig = live.config;
  targets.peers.setSuspectPhi(c['health.suspectPhi']);
  const swarmWide = restartIntensityOf(live);
  const hasTypeScopes = Object.keys(live.scoped).some((k) => k.includes('@type:'));
  targets.supervisor.configure({
    intensity: swarmWide,
    // Resolved at each crash (crashes are rare); without type scopes, one object for every cell.
    intensityOf: hasTypeScopes ? (type) => restartIntensityOf(live, type) : () => swarmWide,
    snapshotMaxStaleMs: c['persistence.snapshotMaxStaleMs'],
  });
  targets.writeQueue.setConcurrency(c['persistence.writeConcurrency']);
  targets.load.setLimits({
    storeLatencyMs: c['overload.storeLatencyMs'],
    storeQueued: c['overload.storeQueued'],
    eventLoopLagMs: c['overload.eventLoopLagMs'],
  });
}

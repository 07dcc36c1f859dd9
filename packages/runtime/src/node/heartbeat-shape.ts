import { isToken } from '../transport/subjects.js';
import { HEARTBEAT_MAX_CELLS } from './heartbeat-cells.js';

/** The longest HMS version a heartbeat may carry (semver with a pre-release tag fits). */
const MAX_VERSION_LENGTH = 64;
/** The most message versions a heartbeat may list (`protocol`). */
const MAX_PROTOCOL_ENTRIES = 1000;

/**
 * Why `body` is not a {@link NodeHeartbeat}, or undefined when it is one. Heartbeats feed the
 * peer view (placement, `hms node list`), the health monitor and the metrics collector, which
 * all take their fields as typed: a heartbeat with `cells: "x"` or `node: 5` once crashed the
 * cells reading it. Subscribers pass this as `accept`, so such a message is counted malformed.
 */
export function heartbeatProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'heartbeat is not an object';
  const hb = body;
  if (!isToken(hb.node)) return 'heartbeat node is not a node id';
  if (typeof hb.host !== 'string') return 'heartbeat host is not a string';
  if (hb.version !== undefined && !(typeof hb.version === 'string' && hb.version.length <= MAX_VERSION_LENGTH)) {
    return `heartbeat version is not a string of at most ${MAX_VERSION_LENGTH} characters`;
  }
  if (
    hb.protocol !== undefined &&
    !(
      Array.isArray(hb.protocol) &&
      hb.protocol.length <= MAX_PROTOCOL_ENTRIES &&
      hb.protocol.every((p) => typeof p === 'string' && p.length <= MAX_VERSION_LENGTH * 2)
    )
  ) {
    return `heartbeat protocol is not a list of at most ${MAX_PROTOCOL_ENTRIES} versions`;
  }
  for (const key of ['pid', 'startedAt', 'ts', 'seq', 'intervalMs', 'configVersion', 'eventLoopLagMs', 'rssBytes']) {
    if (!isCount(hb[key])) return `heartbeat ${key} is not a number >= 0`;
  }
  if (!isCount(hb.malformed) || !isCount(hb.cellCount)) return 'heartbeat malformed/cellCount is not a number >= 0';
  if (typeof hb.leaving !== 'boolean' || typeof hb.truncated !== 'boolean') {
    return 'heartbeat leaving/truncated is not true or false';
  }
  if (!Array.isArray(hb.types) || !hb.types.every((t) => typeof t === 'string'))
    return 'heartbeat types is not a list of names';
  if (hb.capacity !== undefined && !(isCount(hb.capacity) && hb.capacity > 0))
    return 'heartbeat capacity is not a number > 0';
  if (hb.elu !== undefined && !isCount(hb.elu)) return 'heartbeat elu is not a number >= 0';
  for (const key of ['cellsRevision', 'pluginsRevision']) {
    if (hb[key] !== undefined && !isCount(hb[key])) return `heartbeat ${key} is not a number >= 0`;
  }
  if (hb.metricsUrl !== undefined && typeof hb.metricsUrl !== 'string') return 'heartbeat metricsUrl is not a string';
  if (!isNumbers(hb.counts)) return 'heartbeat counts is not an object of numbers';
  if (!isNumbers(hb.totals, ['handled', 'errors', 'restarts', 'mailbox'])) return 'heartbeat totals is not complete';
  if (!Array.isArray(hb.cells) || hb.cells.length > HEARTBEAT_MAX_CELLS || !hb.cells.every(isCellHealth)) {
    return 'heartbeat cells is not a list of cell health';
  }
  if (!Array.isArray(hb.busiest) || !hb.busiest.every(isCellHealth)) return 'heartbeat busiest is not a list of cells';
  const election = hb.election;
  if (
    election !== null &&
    !(
      isObject(election) &&
      typeof election.role === 'string' &&
      isCount(election.term) &&
      (election.leader === null || isToken(election.leader))
    )
  ) {
    return 'heartbeat election is not null or { role, term, leader }';
  }
  if (hb.rebalance != null && !isNumbers(hb.rebalance, ['moved', 'inFlight', 'remaining', 'startedAt'])) {
    return 'heartbeat rebalance is not null or progress';
  }
  if (hb.store !== undefined && !isNumbers(hb.store, ['latencyMs', 'queued', 'writes', 'failed'])) {
    return 'heartbeat store is not store figures';
  }
  const overload = hb.overload;
  if (
    overload != null &&
    !(
      isObject(overload) &&
      isNumbers(overload, ['since', 'storeLatencyMs', 'storeQueued', 'eventLoopLagMs'], ['reasons']) &&
      Array.isArray(overload.reasons) &&
      overload.reasons.every((r) => typeof r === 'string')
    )
  ) {
    return 'heartbeat overload is not null or an overload status';
  }
  if (
    hb.plugins !== undefined &&
    !(Array.isArray(hb.plugins) && hb.plugins.every((p) => isObject(p) && typeof p.id === 'string'))
  ) {
    return 'heartbeat plugins is not a list of plugin statuses';
  }
  if (hb.calls !== undefined && !isCallBatch(hb.calls)) return 'heartbeat calls is not a call trace batch';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A finite number >= 0. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** An object whose own values are all counts, with at least the `required` keys (except `others`). */
function isNumbers(v: unknown, required: readonly string[] = [], others: readonly string[] = []): boolean {
  if (!isObject(v)) return false;
  return required.every((k) => k in v) && Object.entries(v).every(([k, n]) => others.includes(k) || isCount(n));
}

function isCellHealth(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.status === 'string' &&
    ['handled', 'errors', 'restarts', 'mailbox'].every((k) => isCount(v[k]))
  );
}

/** Column-wise calls: call i went to `to[dep[i]]`; every column but `to` has one entry per call. */
function isCallBatch(v: unknown): boolean {
  if (!isObject(v) || !isCount(v.dropped) || !Array.isArray(v.to) || !Array.isArray(v.dep)) return false;
  const targets = v.to.length;
  const calls = v.dep.length;
  return (
    v.to.every((t) => typeof t === 'string') &&
    v.dep.every((d) => Number.isInteger(d) && d >= 0 && d < targets) &&
    ['at', 'ms', 'outcome'].every((k) => {
      const column = v[k];
      return Array.isArray(column) && column.length === calls && column.every((x) => typeof x === 'number');
    })
  );
}

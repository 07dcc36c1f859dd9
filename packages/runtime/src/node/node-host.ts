import type { CellRegistry } from '../cell/cell-registry.js';
import type { RunningCell } from '../cell/running-cell.js';
import { type Clock, systemClock } from '../clock.js';
import { CONFIG_CHANGED } from '../config/config-changed.js';
import { defaultConfig, type SwarmConfig } from '../config/config-schema.js';
import { SwarmConfigStore, type VersionedConfig } from '../config/swarm-config-store.js';
import { createControlServer } from '../control/control-server.js';
import { type Coordinator, startCoordinator } from '../coordination/coordinator.js';
import { createGoneNodeProbe } from '../coordination/gone-node-probe.js';
import { NodeDrains } from '../coordination/node-drains.js';
import { DEFAULT_NODE_CAPACITY } from '../coordination/node-load.js';
import { type ElectionTiming, ROLE } from '../election/election-core.js';
import type { ElectionRunner, ElectionView } from '../election/election-runner.js';
import { ElectionStore } from '../election/election-store.js';
import { startElectionThread } from '../election/election-thread.js';
import { PermissionDeniedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { OverloadMonitor } from '../overload/overload-monitor.js';
import { DesiredCells } from '../persistence/desired-cells.js';
import { DesiredCellsView } from '../persistence/desired-cells-view.js';
import { ALERT_LOG, EVOLUTION_LOG, EventLog, METRICS_LOG } from '../persistence/event-log.js';
import { SnapshotStore } from '../persistence/snapshot-store.js';
import { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { withStorageRetry } from '../persistence/storage-retry.js';
import { HMS_VERSION } from '../plugins/hms-version.js';
import { type NodePluginOptions, type NodePlugins, startNodePlugins } from '../plugins/node-plugins.js';
import { createPluginServices } from '../plugins/plugin-services.js';
import { CallTrace, type CallTraceBatch } from '../resilience/call-trace.js';
import { UNHEALTHY_TOPIC } from '../resilience/dependency-guard.js';
import { startControlService } from '../services/control-service.js';
import { createServiceRegistry } from '../services/service-registry.js';
import { Field } from '../stigmergy/field.js';
import { FieldView } from '../stigmergy/field-view.js';
import { createCellSupervisor } from '../supervision/cell-supervisor.js';
import type { RestartIntensity } from '../supervision/restart-intensity.js';
import { protocolVersions } from '../transport/message-versions.js';
import { assertToken, createSubjects, type Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import { pushAlertsToConsoles } from './console-alerts.js';
import { watchConsoles } from './console-view.js';
import { HeartbeatCells } from './heartbeat-cells.js';
import { heartbeatProblem } from './heartbeat-shape.js';
import { LIFECYCLE_EVENT } from './lifecycle-events.js';
import { createMajorityLease, type MajorityLease, majorityLeaseMs } from './majority-lease.js';
import { createNodeMetrics, type MetricsServer, startMetricsServer } from './metrics-server.js';
import { NODE_COMMAND, serveNodeCommands } from './node-commands.js';
import { createLoopLagMonitor, hostName, type NodeHeartbeat } from './node-heartbeat.js';
import { createOwnershipSync } from './ownership-sync.js';
import { PeerView } from './peer-view.js';
import { RequestLatency } from './request-latency.js';

/** Options of {@link createNode}. */
export interface NodeOptions {
  /** This node's id, one subject token, unique in the swarm (e.g. `node-1`). */
  nodeId: string;
  swarm: string;
  transport: Transport;
  registry: CellRegistry;
  logger: Logger;
  clock?: Clock;
  /** Heartbeat interval, in millis; default 1000. */
  heartbeatMs?: number;
  /** How often cells may crash before the node gives up on them; see {@link RestartIntensity}. */
  restartIntensity?: RestartIntensity;
  /** The longest a cell's change may wait before its snapshot is saved, in millis; default 100. */
  snapshotMaxStaleMs?: number;
  /** Leader-election timing; default 500–1000 ms timeouts, 100 ms leader heartbeats. */
  electionTiming?: ElectionTiming;
  /**
   * A directory for this node's own durable state (its election term and vote); default: the
   * vote is kept in KV, which makes elections wait for JetStream when it is slow.
   */
  dataDir?: string;
  /**
   * Whether cells stop taking messages while this node is cut off from the majority; default
   * true. (A lone-node swarm is its own majority and never fences.)
   */
  fenceMinority?: boolean;
  /** How many cells this node is sized for; placement weighs nodes by it; default 10000. */
  capacity?: number;
  /** How long a swarm-wide change (create, destroy, configure) waits for a leader, in millis; default 5000. */
  leaderWaitMs?: number;
  /** Serve Prometheus metrics on this port (0: any free port); none when omitted. */
  metricsPort?: number;
  /** The address the metrics endpoint listens on; default 127.0.0.1. */
  metricsHost?: string;
  /** Built-in plugins and the swarm's plugins (loaded live into `registry`); none when omitted. */
  plugins?: NodePluginOptions;
}

/** A node process's host of cells. */
export interface NodeHost {
  readonly nodeId: string;
  readonly subjects: Subjects;
  readonly peers: PeerView;
  readonly desired: DesiredCells;
  /** This node's view of the leader election. */
  election(): ElectionView;
  /** This node's cached reading of the stigmergy field. */
  readonly fieldView: FieldView;
  /** The Prometheus endpoint, when `metricsPort` was given. */
  readonly metrics: MetricsServer | undefined;
  /** The cells running here now. */
  cells(): RunningCell[];
  /** Stops gracefully: no new work, in-flight replies sent, a leaving heartbeat, drained. */
  stop(): Promise<void>;
}

/**
 * Election timing of nodes: timeouts of 500–1000 ms with 100 ms leader heartbeats, so a dead
 * leader is replaced in about a second (etcd: 1000 ms timeout, 100 ms heartbeat).
 */
const NODE_ELECTION_TIMING: ElectionTiming = {
  electionTimeoutMinMs: 500,
  electionTimeoutMaxMs: 1000,
  heartbeatMs: 100,
};

/**
 * A member whose process is found gone is counted down this long after its lease and a leader's
 * check quorum would both have lapsed, in millis (timers and ticks run a little late).
 */
const GONE_MARGIN_MS = 100;

/** Every this many heartbeats a node re-reads the configuration, in case it missed a change. */
const CONFIG_RECHECK_BEATS = 10;

/** Every this often a node compares its cells with the desired cells, in millis. */
const RESYNC_MS = 30_000;

function withCalls(batch: CallTraceBatch | undefined): Pick<NodeHeartbeat, 'calls'> {
  return batch ? { calls: batch } : {};
}

/**
 * Refuses to start a node whose credentials may not publish in its swarm (an observer's or an
 * operator's), saying so, instead of failing later as timeouts.
 * @throws PermissionDeniedError naming the role.
 */
async function assertNodeRights(transport: Transport, swarm: string, probe: string): Promise<void> {
  try {
    await transport.assertMayPublish(probe);
  } catch (err) {
    if (!(err instanceof PermissionDeniedError)) throw err;
    const hint =
      transport.role === 'node'
        ? `these node credentials are for another swarm than ${swarm} (check --swarm)`
        : "a node needs the node role's credentials (node.creds)";
    throw new PermissionDeniedError(`${err.message}: ${hint}`, { cause: err, data: { ...err.data, hint } });
  }
}

/**
 * Starts a node: it hosts the desired cells assigned to it (watching KV `hms-<swarm>-cells`)
 * under a {@link createCellSupervisor} (snapshots restored and saved with fencing, crashes
 * restarted or escalated), publishes heartbeats with their health, scores peers' heartbeats
 * with the native phi-accrual detector, applies the live configuration, takes part in the
 * leader election (and, while leader, re-places the cells of dead nodes), and serves the
 * control plane in a queue group with the other nodes.
 */
export async function createNode(options: NodeOptions): Promise<NodeHost> {
  const { nodeId, swarm, transport, registry } = options;
  assertToken(nodeId, 'node id');
  const clock = options.clock ?? systemClock;
  let heartbeatMs = options.heartbeatMs ?? 1000;
  let configVersion = 0;
  const subjects = createSubjects(swarm);
  const logger = options.logger.child({ node: nodeId });
  await assertNodeRights(transport, swarm, subjects.nodeCommand(nodeId, NODE_COMMAND.startProbe));
  const [desired, snapshots, config, alertLog] = await withStorageRetry(
    'open the swarm buckets',
    () =>
      Promise.all([
        DesiredCells.open(transport, swarm, logger),
        SnapshotStore.open(transport, swarm),
        SwarmConfigStore.open(transport, swarm, logger),
        // The logs' streams must exist before the first event they capture is published.
        EventLog.open(transport, swarm, ALERT_LOG, logger),
        EventLog.open(transport, swarm, METRICS_LOG, logger),
        EventLog.open(transport, swarm, EVOLUTION_LOG, logger),
      ]),
    logger,
  );
  const peers = new PeerView({ clock });
  const desiredView = new DesiredCellsView(desired);
  let settings: SwarmConfig = defaultConfig();
  const field = await withStorageRetry(
    'open the stigmergy field',
    () => Field.open(transport, swarm, { clock, by: nodeId, logger }),
    logger,
  );
  const fieldView = new FieldView(field, [UNHEALTHY_TOPIC], { clock, logger });
  await fieldView.start();
  // Built before the supervisor, which feeds its latency histogram; read at scrape time.
  const nodeMetrics =
    options.metricsPort === undefined
      ? undefined
      : createNodeMetrics({
          nodeId,
          transport: () => transport.stats,
          cells: () => supervisor.health(),
          peers: () => peers.list(),
          eventLoopLagMs: () => lastLagMs,
        });
  // A cell that starts, stops, crashes or fails is reported soon, not a heartbeat later. Bursts
  // make one early heartbeat, and early ones come at most every 250 ms — or less often on a
  // node with many cells, since a heartbeat looks at every one (1 ms per 20 cells, up to the
  // heartbeat interval): at 20,000 cells, four early beats a second while cells were created
  // took 18% of a core.
  let earlyBeat = false;
  let lastBeatAt = 0;
  const earlyGapMs = () => Math.min(heartbeatMs, Math.max(250, heartbeatCells.lastCellCount / 20));
  const reportSoon = () => {
    if (earlyBeat) return;
    earlyBeat = true;
    setTimeout(
      () => {
        earlyBeat = false;
        publishHeartbeat();
      },
      Math.max(10, lastBeatAt + earlyGapMs() - Date.now()),
    ).unref();
  };
  const calls = new CallTrace();
  const writeQueue = new SnapshotWriteQueue();
  const overload = new OverloadMonitor();
  const heartbeatCells = new HeartbeatCells();
  const requestLatency = new RequestLatency();
  let failedSaves = 0;
  /** Whether this node's cells take messages; set up with the election below. */
  let lease: MajorityLease | undefined;
  let lastElu = performance.eventLoopUtilization();
  const supervisor = createCellSupervisor({
    onStatusChange: reportSoon,
    writeQueue,
    onSaveFailed: () => {
      failedSaves++;
    },
    onRequestHandled: (cell, type, seconds) => {
      requestLatency.observe(cell, seconds);
      nodeMetrics?.observeRequest(cell, type, seconds);
    },
    guard: {
      field,
      view: fieldView,
      clock,
      settings: () => ({
        failureThreshold: settings['breaker.failureThreshold'],
        resetTimeoutMs: settings['breaker.resetTimeoutMs'],
        avoidStrength: settings['stigmergy.avoidStrength'],
        markTtlMs: settings['stigmergy.markTtlMs'],
        requestTimeoutMs: settings['request.timeoutMs'],
      }),
      trace: calls,
    },
    nodeId,
    transport,
    subjects,
    registry,
    snapshots,
    clock,
    logger,
    admits: () => lease?.admits() ?? null,
    completeHandoff: async ({ handoffTo, ...spec }, revision) => {
      const to = handoffTo as string;
      await desired.update({ ...spec, node: to, epoch: spec.epoch + 1 }, revision);
      logger.info({ cell: spec.id, to, epoch: spec.epoch + 1 }, 'cell handed over');
    },
    ...(options.restartIntensity ? { intensity: options.restartIntensity } : {}),
    ...(options.snapshotMaxStaleMs === undefined ? {} : { snapshotMaxStaleMs: options.snapshotMaxStaleMs }),
  });
  const startedAt = Date.now();
  const lag = createLoopLagMonitor();
  let lastLagMs = 0;
  let seq = 0;
  /** Started once the node is up; heartbeats before that carry no election view. */
  let election: ElectionRunner | undefined;
  const timing = options.electionTiming ?? NODE_ELECTION_TIMING;
  let stopping = false;
  let coordinator: Coordinator | undefined;
  let plugins: NodePlugins | undefined;

  const sampleElu = () => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, lastElu);
    lastElu = now;
    return Math.round(utilization * 1000) / 1000;
  };
  /** Samples the node's load; publishes `node.overloaded` / `node.recovered` when it crosses a limit. */
  const sampleOverload = () => {
    const storeLatencyMs = writeQueue.latencyP90Ms();
    const change = overload.sample(
      { storeLatencyMs, storeQueued: writeQueue.queued, eventLoopLagMs: lastLagMs },
      Date.now(),
    );
    if (change === undefined) return;
    const type = change === 'entered' ? LIFECYCLE_EVENT.overloaded : LIFECYCLE_EVENT.recovered;
    const status = overload.current();
    if (change === 'entered') logger.warn({ overload: status }, 'node overloaded');
    else logger.info('node no longer overloaded');
    transport.publish(subjects.event(type, nodeId), type, { node: nodeId, ...(status ?? {}) }, { from: nodeId });
  };
  const heartbeat = (leaving: boolean): NodeHeartbeat => {
    lastLagMs = lag.sampleMs();
    lastBeatAt = Date.now();
    sampleOverload();
    const beat: NodeHeartbeat = {
      node: nodeId,
      host: hostName,
      version: HMS_VERSION,
      protocol: protocolVersions(registry.definitions()),
      pid: process.pid,
      startedAt,
      ts: Date.now(),
      seq: seq++,
      intervalMs: heartbeatMs,
      configVersion,
      leaving,
      types: registry.list().map((t) => t.type),
      capacity: options.capacity ?? DEFAULT_NODE_CAPACITY,
      rebalance: coordinator?.progress() ?? null,
      eventLoopLagMs: lastLagMs,
      elu: sampleElu(),
      ...withCalls(calls.drain()),
      rssBytes: process.memoryUsage.rss(),
      malformed: transport.stats.malformed + (election?.malformed() ?? 0),
      election: election
        ? { role: election.view().role, term: election.view().term, leader: election.view().leader }
        : null,
      ...(metrics ? { metricsUrl: metrics.url } : {}),
      store: {
        latencyMs: writeQueue.latencyP90Ms(),
        queued: writeQueue.queued,
        writes: writeQueue.completed,
        failed: failedSaves,
      },
      overload: overload.current(),
      ...heartbeatCells.summarize(
        supervisor.pulses(),
        lastBeatAt,
        (id) => requestLatency.p90Ms(id),
        (ids) => supervisor.healthOf(ids),
      ),
      ...(plugins ? { plugins: plugins.status() } : {}),
    };
    requestLatency.reset();
    return beat;
  };

  const metrics =
    nodeMetrics === undefined
      ? undefined
      : await startMetricsServer(nodeMetrics.registry, {
          port: options.metricsPort ?? 0,
          logger,
          ...(options.metricsHost ? { host: options.metricsHost } : {}),
        });

  /** Applies a configuration version live; version 0 (never configured) keeps the options given. */
  const applyConfig = ({ version, config: c }: VersionedConfig) => {
    if (version <= configVersion || stopping) return;
    configVersion = version;
    settings = c;
    peers.setSuspectPhi(c['health.suspectPhi']);
    supervisor.configure({
      intensity: {
        maxRestarts: c['supervision.maxRestarts'],
        periodMs: c['supervision.periodMs'],
        backoffBaseMs: c['supervision.backoffBaseMs'],
        backoffMaxMs: c['supervision.backoffMaxMs'],
      },
      snapshotMaxStaleMs: c['persistence.snapshotMaxStaleMs'],
    });
    writeQueue.setConcurrency(c['persistence.writeConcurrency']);
    overload.setLimits({
      storeLatencyMs: c['overload.storeLatencyMs'],
      storeQueued: c['overload.storeQueued'],
      eventLoopLagMs: c['overload.eventLoopLagMs'],
    });
    if (c['health.heartbeatMs'] !== heartbeatMs) {
      heartbeatMs = c['health.heartbeatMs'];
      clearInterval(timer);
      timer = setInterval(publishHeartbeat, heartbeatMs);
      timer.unref();
    }
    logger.info({ version, config: c }, 'configuration applied');
    publishHeartbeat();
  };
  const refreshConfig = () =>
    config.read().then(applyConfig, (err: unknown) => logger.warn({ err }, 'configuration not readable'));
  const publishHeartbeat = () => {
    if (stopping) return;
    transport.publish(subjects.heartbeat(nodeId), 'heartbeat', heartbeat(false));
    // A node that missed a config.changed event (disconnected at the time) catches up here.
    if (seq % CONFIG_RECHECK_BEATS === 0) void refreshConfig();
  };
  const subs: TransportSubscription[] = [];
  subs.push(
    transport.subscribe(
      subjects.heartbeatPattern(),
      (msg) => {
        const hb = msg.body as NodeHeartbeat;
        // A node we have not seen (or one that restarted) learns about us at once, not one
        // heartbeat interval later: that keeps a newcomer's view of the swarm complete.
        const isNew = hb.node !== nodeId && !hb.leaving && !peers.knows(hb.node, hb.startedAt);
        peers.observe(hb);
        if (isNew) publishHeartbeat();
      },
      { accept: (m) => heartbeatProblem(m.body) },
    ),
  );
  publishHeartbeat();
  let timer = setInterval(publishHeartbeat, heartbeatMs);
  timer.unref();

  subs.push(transport.subscribe(subjects.eventPattern(CONFIG_CHANGED), () => void refreshConfig()));
  // Followers probing this node's election ask here too (PROBE_TYPE in election-runner.ts):
  // answered while this process and its main connection live, whatever its election
  // connection is doing.
  subs.push(
    transport.subscribe(subjects.raft('probe', nodeId), (msg) => {
      if (msg.isRequest) msg.respond({ from: nodeId });
    }),
  );
  subs.push(
    serveNodeCommands({
      transport,
      subjects,
      nodeId,
      cells: () => supervisor.health(),
      cellsById: (ids) => supervisor.healthOf(ids),
    }),
  );
  await refreshConfig();

  let lastLeader: string | null = null;
  const ownership = createOwnershipSync({
    nodeId,
    desired,
    view: desiredView,
    supervisor,
    stopping: () => stopping,
  });
  const resyncQuietly = (from: 'store' | 'view' = 'store') =>
    ownership.resync(from).catch((err: unknown) => logger.warn({ err }, 'desired cells not readable for a resync'));
  // Told not to fence (fenceMinority: false), the cells always take messages.
  lease =
    options.fenceMinority === false
      ? undefined
      : createMajorityLease({
          nodeId,
          clock,
          logger,
          election: () => election?.view(),
          stalledMs: () => election?.stalledMs?.() ?? 0,
          leaseMs: () => majorityLeaseMs(settings['placement.downAfterMs']),
          confirm: ownership.confirm,
        });
  const [electionStore, drains] = await withStorageRetry(
    'open the election store',
    () => Promise.all([ElectionStore.open(transport, swarm, logger), NodeDrains.open(transport, swarm, logger)]),
    logger,
  );
  election = await withStorageRetry(
    'join the election',
    () =>
      startElectionThread({
        ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
        nodeId,
        swarm,
        transport,
        logger,
        timing,
        onChange: (view) => {
          reportSoon();
          // Back in touch with a leader (after a partition, say): catch up on changes missed meanwhile.
          if (view.leader !== null && view.leader !== lastLeader) void resyncQuietly();
          lastLeader = view.leader;
        },
      }),
    logger,
  );
  // A member that stops acknowledging is asked whether its process still listens (see
  // GoneNodeProbe): a dead one's cells are re-placed once its lease has surely lapsed.
  const goneProbe = createGoneNodeProbe({
    nodeId,
    transport,
    subjects,
    clock,
    logger,
    intervalMs: timing.heartbeatMs,
    onGone: (node) => coordinator?.goneFound(node),
  });
  const goneAfterMs = () => {
    const downAfterMs = settings['placement.downAfterMs'];
    return Math.min(downAfterMs, Math.max(majorityLeaseMs(downAfterMs), timing.electionTimeoutMaxMs) + GONE_MARGIN_MS);
  };
  coordinator = startCoordinator({
    nodeId,
    desired,
    listSpecs: () => desiredView.list(),
    peers,
    election: () => (election as ElectionRunner).view(),
    clock,
    logger,
    publish: (type, about, body) => transport.publish(subjects.event(type, about), type, body, { from: nodeId }),
    rebalanceBatch: () => settings['placement.rebalanceBatch'],
    drains,
    downAfterMs: () => settings['placement.downAfterMs'],
    probe: { nodes: goneProbe, probeAfterMs: timing.heartbeatMs * 1.5, goneAfterMs },
    fence: {
      hold: (node, heard) => (election as ElectionRunner).holdEchoes(node, heard),
      release: (node) => (election as ElectionRunner).releaseEchoes(node),
    },
  });
  // Plugins' services are NATS services of this node (`nats micro ls`, `hms service list`).
  const serviceRegistry = createServiceRegistry({ transport, logger, nodeId });
  // Before the control plane answers and the desired cells are watched: every type is known then.
  plugins =
    options.plugins &&
    (await startNodePlugins(
      { services: createPluginServices(serviceRegistry, subjects), ...options.plugins },
      {
        nodeId,
        transport,
        subjects,
        registry,
        logger,
        cells: { stopType: (t) => supervisor.stopType(t), startType: (t) => supervisor.startType(t) },
        onChange: reportSoon,
      },
    ));
  // The control plane is also the NATS service `hms-control`, so `nats micro ls` finds every node.
  const controlService = await startControlService({ transport, subjects, nodeId });
  const isLeader = () => election?.view().role === ROLE.leader;
  const consoles = watchConsoles({ transport, subjects, isLeader });
  const consoleAlerts = pushAlertsToConsoles({
    transport,
    subjects,
    alerts: alertLog,
    consoles: consoles.view,
    isLeader,
    logger,
  });
  const control = createControlServer({
    consoles: consoles.view,
    transport,
    subjects,
    registry,
    desired,
    snapshots,
    config,
    peers,
    nodeId,
    clock,
    logger,
    election: () => (election as ElectionRunner).view(),
    confirmLeadership: (term) => electionStore.confirmLeadership(nodeId, term, clock.now()),
    view: desiredView,
    drains,
    ...(options.leaderWaitMs === undefined ? {} : { leaderWaitMs: options.leaderWaitMs }),
    onCommand: controlService.record,
    rebalancing: () => coordinator?.progress() ?? null,
  });
  const stopWatch = await withStorageRetry(
    'watch the desired cells',
    () =>
      desired.watch(
        (change) => {
          desiredView.apply(change);
          supervisor.reconcile(change);
        },
        () => desiredView.markSynced(),
      ),
    logger,
  );
  const resyncTimer = setInterval(() => void resyncQuietly('view'), RESYNC_MS);
  resyncTimer.unref();
  logger.info({ swarm, heartbeatMs, types: registry.list().map((t) => t.type), metrics: metrics?.url }, 'node started');

  return {
    nodeId,
    subjects,
    peers,
    desired,
    fieldView,
    metrics,
    election: () => (election as ElectionRunner).view(),
    cells: () => supervisor.cells(),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      clearInterval(resyncTimer);
      lease?.stop();
      stopWatch();
      await controlService.stop();
      await control.stop();
      consoleAlerts.stop();
      consoles.stop();
      coordinator?.stop();
      goneProbe.stop();
      await election?.stop({ leave: true });
      await supervisor.stopAll();
      await plugins?.stop();
      await serviceRegistry.stop();
      for (const s of subs) s.unsubscribe();
      transport.publish(subjects.heartbeat(nodeId), 'heartbeat', heartbeat(true));
      lag.stop();
      fieldView.stop();
      await metrics?.close();
      await transport.flush();
      logger.info('node stopped');
    },
  };
}

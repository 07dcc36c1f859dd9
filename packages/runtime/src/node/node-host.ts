import type { RunningCell } from '../cell/running-cell.js';
import { systemClock } from '../clock.js';
import { defaultConfig, type SwarmConfig } from '../config/config-schema.js';
import { callSetting, type LiveConfig } from '../config/scoped-settings.js';
import { SwarmConfigStore, type VersionedConfig } from '../config/swarm-config-store.js';
import { createControlServer } from '../control/control-server.js';
import { CallAffinity } from '../coordination/call-affinity.js';
import type { Coordinator } from '../coordination/coordinator.js';
import { startLeaderPlacement } from '../coordination/leader-placement.js';
import { NodeDrains } from '../coordination/node-drains.js';
import { placementPolicyOf } from '../coordination/placement-policy.js';
import { type ElectionTiming, ROLE } from '../election/election-core.js';
import type { ElectionRunner, ElectionView } from '../election/election-runner.js';
import { ElectionStore } from '../election/election-store.js';
import { startElectionThread } from '../election/election-thread.js';
import { DesiredCells } from '../persistence/desired-cells.js';
import { DesiredCellsView } from '../persistence/desired-cells-view.js';
import { ALERT_LOG, EVOLUTION_LOG, EventLog, METRICS_LOG } from '../persistence/event-log.js';
import type { ResumableWatch } from '../persistence/resumable-watch.js';
import { SnapshotStore } from '../persistence/snapshot-store.js';
import { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { withStorageRetry } from '../persistence/storage-retry.js';
import { type NodePlugins, startNodePlugins } from '../plugins/node-plugins.js';
import { createPluginServices } from '../plugins/plugin-services.js';
import { CallTrace } from '../resilience/call-trace.js';
import { UNHEALTHY_TOPIC } from '../resilience/dependency-guard.js';
import { startControlService } from '../services/control-service.js';
import { createServiceRegistry } from '../services/service-registry.js';
import { Field } from '../stigmergy/field.js';
import { FieldView } from '../stigmergy/field-view.js';
import { createCellSupervisor } from '../supervision/cell-supervisor.js';
import { assertToken, createSubjects, type Subjects } from '../transport/subjects.js';
import type { TransportSubscription } from '../transport/transport.js';
import { pushAlertsToConsoles } from './console-alerts.js';
import { watchConsoles } from './console-view.js';
import { HeartbeatBuilder } from './heartbeat-builder.js';
import { HeartbeatCells } from './heartbeat-cells.js';
import { heartbeatProblem } from './heartbeat-shape.js';
import { applyLiveSettings } from './live-settings.js';
import { NodeLoadSampler } from './load-sampler.js';
import { createMajorityLease, type MajorityLease, majorityLeaseMs } from './majority-lease.js';
import { createNodeMetrics, type MetricsServer, startMetricsServer } from './metrics-server.js';
import { NODE_COMMAND, serveNodeCommands } from './node-commands.js';
import type { NodeHeartbeat } from './node-heartbeat.js';
import type { NodeOptions } from './node-options.js';
import { assertNodeRights } from './node-rights.js';
import { createOwnershipSync } from './ownership-sync.js';
import { PeerView } from './peer-view.js';
import { RequestLatency } from './request-latency.js';
import { guardStoreWatches, type StoreWatchGuards } from './store-watch-guards.js';

export type { NodeOptions } from './node-options.js';

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

/** Every this often a node compares its cells with the desired cells, in millis. */
const RESYNC_MS = 30_000;

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
  /** The store watches' guards, once started. */
  let guards: StoreWatchGuards | undefined;
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
  /** The settings in force: swarm-wide and scoped. */
  let live: LiveConfig = { config: defaultConfig(), scoped: {} };
  let settings: SwarmConfig = live.config;
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
          eventLoopLagMs: () => load.lagMs,
          watchResumes: () => guards?.resumes() ?? {},
        });
  // A cell that starts, stops, crashes or fails is reported soon, not a heartbeat later. Bursts
  // make one early heartbeat, and early ones come at most every 250 ms — or less often on a
  // node with many cells, since a heartbeat looks at every one (1 ms per 20 cells, up to the
  // heartbeat interval): at 20,000 cells, four early beats a second while cells were created
  // took 18% of a core.
  let earlyBeat = false;
  const earlyGapMs = () => Math.min(heartbeatMs, Math.max(250, heartbeatCells.lastCellCount / 20));
  const reportSoon = () => {
    if (earlyBeat) return;
    earlyBeat = true;
    setTimeout(
      () => {
        earlyBeat = false;
        publishHeartbeat();
      },
      Math.max(10, beats.lastBeatAt + earlyGapMs() - Date.now()),
    ).unref();
  };
  const calls = new CallTrace();
  // Who called whom, from every node's heartbeats: where the `affinity` placement policy puts cells.
  const affinity = new CallAffinity({ clock });
  const peersOf = (cell: string) => affinity.peersOf(cell);
  const placementPolicy = () => placementPolicyOf(settings['placement.policy']);
  const writeQueue = new SnapshotWriteQueue();
  const load = new NodeLoadSampler({
    writeQueue,
    logger,
    announce: (type, body) =>
      transport.publish(subjects.event(type, nodeId), type, { node: nodeId, ...body }, { from: nodeId }),
  });
  const heartbeatCells = new HeartbeatCells();
  const requestLatency = new RequestLatency();
  let failedSaves = 0;
  /** Whether this node's cells take messages; set up with the election below. */
  let lease: MajorityLease | undefined;
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
      settings: (caller, callee) => ({
        failureThreshold: callSetting(live, 'breaker.failureThreshold', caller, callee),
        resetTimeoutMs: callSetting(live, 'breaker.resetTimeoutMs', caller, callee),
        avoidStrength: callSetting(live, 'stigmergy.avoidStrength', caller, callee),
        markTtlMs: settings['stigmergy.markTtlMs'],
        requestTimeoutMs: callSetting(live, 'request.timeoutMs', caller, callee),
      }),
      typeOf: (cellId) => desiredView.typeOf(cellId),
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
  /** Started once the node is up; heartbeats before that carry no election view. */
  let election: ElectionRunner | undefined;
  const timing = options.electionTiming ?? NODE_ELECTION_TIMING;
  let stopping = false;
  let coordinator: Coordinator | undefined;
  let plugins: NodePlugins | undefined;

  const metrics =
    nodeMetrics === undefined
      ? undefined
      : await startMetricsServer(nodeMetrics.registry, {
          port: options.metricsPort ?? 0,
          logger,
          ...(options.metricsHost ? { host: options.metricsHost } : {}),
        });

  const beats = new HeartbeatBuilder({
    nodeId,
    capacity: options.capacity,
    registry,
    transport,
    supervisor,
    writeQueue,
    load,
    heartbeatCells,
    requestLatency,
    calls,
    intervalMs: () => heartbeatMs,
    configVersion: () => configVersion,
    cellsRevision: () => desired.knownRevision(),
    failedSaves: () => failedSaves,
    rebalance: () => coordinator?.progress() ?? null,
    election: () => election,
    metricsUrl: () => metrics?.url,
    plugins: () => plugins,
  });

  /** Applies a configuration version live; version 0 (never configured) keeps the options given. */
  const applyConfig = ({ version, config: c, scoped }: VersionedConfig) => {
    if (version <= configVersion || stopping) return;
    configVersion = version;
    settings = c;
    live = { config: c, scoped };
    applyLiveSettings(live, { peers, supervisor, writeQueue, load });
    if (c['health.heartbeatMs'] !== heartbeatMs) {
      heartbeatMs = c['health.heartbeatMs'];
      clearInterval(timer);
      timer = setInterval(publishHeartbeat, heartbeatMs);
      timer.unref();
    }
    logger.info({ version, config: c, scoped }, 'configuration applied');
    publishHeartbeat();
  };
  const refreshConfig = () =>
    config.read().then(applyConfig, (err: unknown) => logger.warn({ err }, 'configuration not readable'));
  const publishHeartbeat = () => {
    if (stopping) return;
    transport.publish(subjects.heartbeat(nodeId), 'heartbeat', beats.build(false));
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
        if (hb.calls) affinity.observe(hb.calls);
        if (isNew) publishHeartbeat();
      },
      { accept: (m) => heartbeatProblem(m.body) },
    ),
  );
  publishHeartbeat();
  let timer = setInterval(publishHeartbeat, heartbeatMs);
  timer.unref();

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
  // Later versions arrive by the watch, also those written while this node was disconnected.
  const stopConfigWatch = await withStorageRetry('watch the configuration', () => config.watch(applyConfig), logger);

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
  coordinator = startLeaderPlacement({
    nodeId,
    desired,
    listSpecs: () => desiredView.list(),
    peers,
    election,
    timing,
    transport,
    subjects,
    clock,
    logger,
    rebalanceBatch: () => settings['placement.rebalanceBatch'],
    drains,
    downAfterMs: () => settings['placement.downAfterMs'],
    placementPolicy,
    peersOf,
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
    placementPolicy,
    peersOf,
  });
  const cellsWatch: ResumableWatch = await withStorageRetry(
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
  // A watch whose consumer's server was cut off stalls for a minute: resumed once peers report more.
  guards = guardStoreWatches({
    clock,
    logger,
    peers,
    plugins: () => plugins?.watch,
    cells: { watch: cellsWatch, written: () => desired.writtenRevision(), resync: () => ownership.resync('store') },
    config: {
      version: () => configVersion,
      written: () => config.writtenVersion(),
      read: () => config.read().then(applyConfig),
    },
  });
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
      guards?.stop();
      cellsWatch.stop();
      stopConfigWatch();
      await controlService.stop();
      await control.stop();
      consoleAlerts.stop();
      consoles.stop();
      coordinator?.stop();
      await election?.stop({ leave: true });
      await supervisor.stopAll();
      await plugins?.stop();
      await serviceRegistry.stop();
      for (const s of subs) s.unsubscribe();
      transport.publish(subjects.heartbeat(nodeId), 'heartbeat', beats.build(true));
      load.stop();
      fieldView.stop();
      await metrics?.close();
      await transport.flush();
      logger.info('node stopped');
    },
  };
}

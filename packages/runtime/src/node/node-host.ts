import type { CellRegistry } from '../cell/cell-registry.js';
import { CELL_STATUS } from '../cell/cell-status.js';
import { type RunningCell, startCell } from '../cell/running-cell.js';
import { type Clock, systemClock } from '../clock.js';
import { createControlServer } from '../control/control-server.js';
import type { Logger } from '../logger.js';
import { type CellSpec, type DesiredCellChange, DesiredCells } from '../persistence/desired-cells.js';
import { assertToken, createSubjects, type Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import { LIFECYCLE_EVENT } from './lifecycle-events.js';
import { createLoopLagMonitor, hostName, type NodeHeartbeat } from './node-heartbeat.js';
import { PeerView } from './peer-view.js';

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
}

/** A node process's host of cells. */
export interface NodeHost {
  readonly nodeId: string;
  readonly subjects: Subjects;
  readonly peers: PeerView;
  readonly desired: DesiredCells;
  /** The cells running here now. */
  cells(): RunningCell[];
  /** Stops gracefully: no new work, in-flight replies sent, a leaving heartbeat, drained. */
  stop(): Promise<void>;
}

const RESTART_BASE_MS = 50;
const RESTART_MAX_MS = 5000;

/**
 * Starts a node: it hosts the desired cells assigned to it (watching KV `hms-<swarm>-cells`),
 * publishes heartbeats with their health, scores peers' heartbeats with the native phi-accrual
 * detector, and serves the control plane in a queue group with the other nodes.
 */
export async function createNode(options: NodeOptions): Promise<NodeHost> {
  const { nodeId, swarm, transport, registry } = options;
  assertToken(nodeId, 'node id');
  const clock = options.clock ?? systemClock;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const subjects = createSubjects(swarm);
  const logger = options.logger.child({ node: nodeId });
  const desired = await DesiredCells.open(transport, swarm, logger);
  const peers = new PeerView({ clock });
  const running = new Map<string, { cell: RunningCell; spec: CellSpec; restartTimer?: unknown }>();
  const startedAt = Date.now();
  const lag = createLoopLagMonitor();
  let seq = 0;
  let stopping = false;

  const lifecycle = (type: string, id: string, body: Record<string, unknown>) =>
    transport.publish(subjects.event(type, id), type, { node: nodeId, ...body }, { from: nodeId });

  const launch = (spec: CellSpec, restarts: number) => {
    let definition: ReturnType<CellRegistry['get']>;
    try {
      definition = registry.get(spec.type);
    } catch (err) {
      logger.error({ err, cell: spec.id }, 'cannot host cell of unknown type');
      return;
    }
    try {
      const cell = startCell({
        definition,
        id: spec.id,
        config: spec.config,
        node: nodeId,
        transport,
        subjects,
        logger,
        clock,
        restarts,
        onCrash: (crashed, error) => onCrash(crashed, spec, restarts, error),
      });
      running.set(spec.id, { cell, spec });
      if (cell.status() === CELL_STATUS.running) {
        lifecycle(LIFECYCLE_EVENT.started, spec.id, { type: spec.type, restarts });
      }
    } catch (err) {
      logger.error({ err, cell: spec.id }, 'cell failed to start');
      lifecycle(LIFECYCLE_EVENT.crashed, spec.id, { type: spec.type, error: String(err) });
    }
  };

  const onCrash = (cell: RunningCell, spec: CellSpec, restarts: number, error: unknown) => {
    lifecycle(LIFECYCLE_EVENT.crashed, cell.id, {
      type: cell.type,
      error: error instanceof Error ? error.message : String(error),
      restarts,
    });
    if (stopping) return;
    const delay = Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** Math.min(restarts, 10));
    const entry = running.get(cell.id);
    if (!entry) return;
    entry.restartTimer = clock.setTimeout(
      () => {
        if (stopping || running.get(cell.id)?.cell !== cell) return;
        running.delete(cell.id);
        launch(spec, restarts + 1);
      },
      delay * (0.5 + Math.random() / 2),
    );
  };

  const stopLocal = async (id: string) => {
    const entry = running.get(id);
    if (!entry) return;
    running.delete(id);
    if (entry.restartTimer !== undefined) clock.clearTimeout(entry.restartTimer);
    await entry.cell.stop();
    lifecycle(LIFECYCLE_EVENT.stopped, id, { type: entry.cell.type });
  };

  const reconcile = (change: DesiredCellChange) => {
    if (stopping) return;
    if (change.op === 'delete') {
      void stopLocal(change.id);
      return;
    }
    const { spec } = change;
    const here = running.get(spec.id);
    if (spec.node !== nodeId) {
      if (here) void stopLocal(spec.id);
      return;
    }
    if (here && here.spec.epoch === spec.epoch) return;
    if (here) {
      void stopLocal(spec.id).then(() => launch(spec, 0));
      return;
    }
    launch(spec, 0);
  };

  const heartbeat = (leaving: boolean): NodeHeartbeat => ({
    node: nodeId,
    host: hostName,
    pid: process.pid,
    startedAt,
    ts: Date.now(),
    seq: seq++,
    intervalMs: heartbeatMs,
    leaving,
    types: registry.list().map((t) => t.type),
    eventLoopLagMs: lag.sampleMs(),
    rssBytes: process.memoryUsage.rss(),
    malformed: transport.stats.malformed,
    cells: [...running.values()].map((e) => e.cell.health()),
  });

  const publishHeartbeat = () => {
    if (!stopping) transport.publish(subjects.heartbeat(nodeId), 'heartbeat', heartbeat(false));
  };
  const subs: TransportSubscription[] = [];
  subs.push(
    transport.subscribe(subjects.heartbeatPattern(), (msg) => {
      const hb = msg.body as NodeHeartbeat;
      // A node we have not seen (or one that restarted) learns about us at once, not one
      // heartbeat interval later: that keeps a newcomer's view of the swarm complete.
      const isNew = hb.node !== nodeId && !hb.leaving && !peers.knows(hb.node, hb.startedAt);
      peers.observe(hb);
      if (isNew) publishHeartbeat();
    }),
  );
  publishHeartbeat();
  const timer = setInterval(publishHeartbeat, heartbeatMs);
  timer.unref();

  const control = createControlServer({ transport, subjects, registry, desired, peers, nodeId, logger });
  const stopWatch = await desired.watch(reconcile);
  logger.info({ swarm, heartbeatMs, types: registry.list().map((t) => t.type) }, 'node started');

  return {
    nodeId,
    subjects,
    peers,
    desired,
    cells: () => [...running.values()].map((e) => e.cell),
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      stopWatch();
      await control.stop();
      await Promise.all([...running.keys()].map(stopLocal));
      for (const s of subs) s.unsubscribe();
      transport.publish(subjects.heartbeat(nodeId), 'heartbeat', heartbeat(true));
      lag.stop();
      await transport.flush();
      logger.info('node stopped');
    },
  };
}

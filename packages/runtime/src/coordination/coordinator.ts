import type { Clock } from '../clock.js';
import { ROLE } from '../election/election-core.js';
import type { ElectionView } from '../election/election-runner.js';
import type { Logger } from '../logger.js';
import type { PeerView } from '../node/peer-view.js';
import type { CellSpec, DesiredCells } from '../persistence/desired-cells.js';
import { planDrain } from './drain-plan.js';
import type { GoneNodeProbe } from './gone-node-probe.js';
import { DRAIN_EVENT, type DrainRecords } from './node-drains.js';
import { DEFAULT_NODE_CAPACITY } from './node-load.js';
import type { CallPeers, PlacementOptions, PlacementPolicy } from './placement-policy.js';
import { planRebalance } from './rebalance-plan.js';
import { planReplacement } from './replacement-plan.js';

/** How often the leader looks at the whole placement when no node is down and nothing joined. */
const FULL_CHECK_MS = 10_000;

/** A handoff the old owner has not completed within this long is given up and re-placed. */
const HANDOFF_TIMEOUT_MS = 10_000;

/**
 * Rebalancing starts only once the set of live nodes has stayed the same for this long, in
 * millis (and a new leader has held office this long): a node that blinks, or a leader change,
 * must not start moving cells (Akka's split-brain resolver waits for stability the same way).
 */
const REBALANCE_STABLE_MS = 10_000;

/** A cell moved (re-placed or rebalanced) is not rebalanced again within this long, in millis. */
const MOVE_COOL_DOWN_MS = 60_000;

/** At most this many cells of dead nodes are re-placed per round (a round is `intervalMs`). */
const REPLACE_BATCH = 1000;

/** …and this many when every live node is overloaded. */
const REPLACE_BATCH_OVERLOADED = 100;

/** A round that starts this much later than planned, in millis, follows a stall of this process. */
const STALL_MS = 1000;

/** The coordination events, published on `hms.<swarm>.evt.<type>.<cellId or leaderId>`. */
export const PLACEMENT_EVENT = {
  /** A cell of a dead or departed node was assigned to a live one. */
  moved: 'placement.moved',
  /** A live cell is being handed over to another node (rebalancing). */
  handoff: 'placement.handoff',
  /** Progress of a rebalancing: moved so far, still to move. */
  rebalance: 'placement.rebalance',
} as const;

/** Rebalancing progress, as the leader reports it in its heartbeat and events. */
export interface RebalanceProgress {
  /** Cells handed over since this rebalancing began. */
  moved: number;
  /** Cells being handed over now. */
  inFlight: number;
  /** Cells still to move after those. */
  remaining: number;
  /** Epoch millis when it began. */
  startedAt: number;
}

/** Options of {@link startCoordinator}. */
export interface CoordinatorOptions {
  nodeId: string;
  desired: DesiredCells;
  /** Lists the desired cells for planning (a node's watched copy); default `desired.list()`. */
  listSpecs?: () => Promise<Array<CellSpec & { revision?: number }>>;
  peers: PeerView;
  election: () => ElectionView;
  clock: Clock;
  logger: Logger;
  /** Publishes a coordination event about `subject` (a cell id, or this node for progress). */
  publish: (type: string, subject: string, body: Record<string, unknown>) => void;
  /** How many live cells may be in handoff at once while rebalancing; read every round. */
  rebalanceBatch: () => number;
  /**
   * A voting member that has not answered the leader's heartbeats (every 100 ms) for this long,
   * in millis, counts as down, even before the phi-accrual detector on node heartbeats (every
   * second) suspects it; read every round.
   */
  downAfterMs: () => number;
  /**
   * Probes members silent for `probeAfterMs` (see GoneNodeProbe). A member whose probe met no
   * responders after it was last heard counts as down once it has been silent for
   * `goneAfterMs` (when that is shorter than `downAfterMs`): longer than its own majority lease
   * and than a leader's check quorum, so whatever it was doing, its cells take no messages by
   * then. Without a probe, only `downAfterMs` decides.
   */
  probe?: { nodes: GoneNodeProbe; probeAfterMs: number; goneAfterMs: () => number };
  /**
   * The election's hold on a node's lease while its cells are re-placed (ElectionRunner's
   * holdEchoes / releaseEchoes); without it, cells move on the plan alone.
   */
  fence?: { hold(node: string, heard: number | undefined): Promise<boolean>; release(node: string): void };
  /** The placement policy (`placement.policy`) cells are re-placed, drained and rebalanced by; read every round. Default spread. */
  placementPolicy?: () => PlacementPolicy;
  /** A cell's callers and callees by the call traces (CallAffinity), for the `affinity` policy. */
  peersOf?: (cell: string) => CallPeers;
  /** How often the leader checks placement, in millis; default 200. */
  intervalMs?: number;
  /**
   * The drained nodes (see NodeDrains): read from the store when this node takes office and on
   * every full check; `current()` is read every round (the drain command updates it here).
   * None when omitted.
   */
  drains?: { load(): Promise<DrainRecords>; current(): DrainRecords };
}

/** The coordinator of one node. */
export interface Coordinator {
  /** Rebalancing progress while this node leads one, else null. */
  progress(): RebalanceProgress | null;
  /** A probe found `node`'s process gone: its cells are re-placed as soon as it may be. */
  goneFound(node: string): void;
  stop(): void;
}

/**
 * The coordinator role of a node: while it is the leader (which needs a majority, so never in a
 * minority partition), it
 * - re-places the cells of dead or departed nodes onto live ones: a compare-and-set of the
 *   cell's spec with the next epoch; the new owner restores the cell from its snapshot, and a
 *   stale owner that comes back stops its copy when it sees the spec name another node;
 * - rebalances gradually when a node joins or returns: at most `rebalanceBatch` live cells at a
 *   time are marked for handoff; each owner saves and stops its copy and assigns it to the new
 *   node (next epoch), so the new copy starts from the final state. The next batch starts once
 *   the previous one is done; progress goes out as `placement.rebalance` events and in the
 *   leader's heartbeat.
 */
export function startCoordinator(options: CoordinatorOptions): Coordinator {
  const { desired, peers, clock, logger, nodeId } = options;
  const log = logger.child({ component: 'coordinator' });
  let officeSince: number | null = null;
  let officeTerm = -1;
  let busy = false;
  let lastFullCheck = Number.NEGATIVE_INFINITY;
  let lastShape = '';
  let moving = false;
  let progress: RebalanceProgress | null = null;
  const handoffSince = new Map<string, number>();
  /** When each recently moved cell moved (pruned after the cool-down). */
  const movedAt = new Map<string, number>();
  let shapeSince = Number.NEGATIVE_INFINITY;
  let lastRound = Number.NEGATIVE_INFINITY;
  /** The term in which the drained nodes were last read from the store. */
  let drainsTerm = -1;
  let lastDrainKey = '';
  /** Drained nodes already announced empty (`node.drained`), with the drain they belong to. */
  const announced = new Map<string, number>();
  const drained = (): DrainRecords => options.drains?.current() ?? {};

  const leading = () => options.election().role === ROLE.leader;
  const placement = (): PlacementOptions => ({
    policy: options.placementPolicy?.() ?? 'spread',
    ...(options.peersOf ? { peersOf: options.peersOf } : {}),
  });

  /**
   * Compare-and-set of one spec; false when it changed meanwhile (the next round decides again).
   * With the revision the plan saw, one write; else (or if that write loses) a read first.
   */
  const rewrite = async (
    seen: CellSpec & { revision?: number },
    change: (s: CellSpec) => CellSpec,
  ): Promise<boolean> => {
    const { revision: seenRevision, ...seenSpec } = seen;
    if (seenRevision !== undefined && leading()) {
      try {
        await desired.update(change(seenSpec), seenRevision);
        return true;
      } catch {
        // Changed since the plan was made: decide again on what is stored now.
      }
    }
    const id = seen.id;
    const from = seen.node;
    const current = await desired.get(id);
    if (!current || current.node !== from || !leading()) return false;
    const { revision, ...rest } = current;
    try {
      await desired.update(change(rest), revision);
      return true;
    } catch (err) {
      log.debug({ err, cell: id }, 'spec changed meanwhile; next round decides again');
      return false;
    }
  };

  const replace = async (
    specs: CellSpec[],
    nodes: ReturnType<typeof nodeList>,
    heardAt: Readonly<Record<string, number>>,
  ) => {
    // Onto nodes with headroom: overloaded ones take none while another can (the plan knows).
    const allOverloaded = !nodes.some((n) => n.status === 'alive' && !n.overloaded);
    const planned = planReplacement(specs, nodes, {
      sinceOfficeMs: clock.now() - (officeSince ?? clock.now()),
      ...placement(),
    });
    const batch = planned.slice(0, allOverloaded ? REPLACE_BATCH_OVERLOADED : REPLACE_BATCH);
    // Each source node's lease is held lapsed (its acks not echoed) while its cells move, if the
    // election has not heard it since the view the plan was made on; else they stay this round.
    const sources = [...new Set(batch.map((m) => m.spec.node))];
    const held = new Set<string>();
    await Promise.all(
      sources.map(async (node) => {
        if (!options.fence || (await options.fence.hold(node, heardAt[node]))) held.add(node);
        else log.info({ member: node }, 'heard again before its cells moved: they stay');
      }),
    );
    const moves = batch.filter((m) => held.has(m.spec.node));
    const now = clock.now();
    try {
      await moveAll(moves, now);
    } finally {
      for (const node of held) options.fence?.release(node);
    }
    return planned.length;
  };

  const moveAll = async (moves: ReturnType<typeof planReplacement>, now: number) => {
    await Promise.all(
      moves.map(async ({ spec, to }) => {
        const epoch = spec.epoch + 1;
        const ok = await rewrite(spec, ({ handoffTo: _, ...s }) => ({ ...s, node: to, epoch }));
        if (!ok) return;
        movedAt.set(spec.id, now);
        log.info({ cell: spec.id, from: spec.node, to, epoch, term: officeTerm }, 'cell re-placed');
        const body = { cell: spec.id, from: spec.node, to, epoch, term: officeTerm, by: nodeId };
        options.publish(PLACEMENT_EVENT.moved, spec.id, body);
      }),
    );
  };

  const rebalance = async (specs: CellSpec[], nodes: ReturnType<typeof nodeList>) => {
    const now = clock.now();
    const inFlight = specs.filter((s) => s.handoffTo !== undefined);
    const inFlightIds = new Set(inFlight.map((s) => s.id));
    let completed = 0;
    for (const id of handoffSince.keys()) {
      if (inFlightIds.has(id)) continue;
      handoffSince.delete(id);
      completed++;
    }
    // A handoff not completed in time: an owner still alive could not save the final state, so
    // the handoff is called off and it keeps the cell; a dead owner loses it to the target (its
    // state is what it last saved, as after any crash).
    for (const s of inFlight) {
      const since = handoffSince.get(s.id) ?? now;
      handoffSince.set(s.id, since);
      if (now - since < HANDOFF_TIMEOUT_MS) continue;
      const to = s.handoffTo as string;
      if (nodes.some((n) => n.node === s.node && n.status === 'alive')) {
        if (await rewrite(s, ({ handoffTo: _, ...rest }) => rest)) {
          log.warn({ cell: s.id, owner: s.node, to }, 'handoff not completed in time; called off');
        }
        continue;
      }
      const epoch = s.epoch + 1;
      if (await rewrite(s, ({ handoffTo: _, ...rest }) => ({ ...rest, node: to, epoch }))) {
        log.warn({ cell: s.id, from: s.node, to, epoch }, 'handoff owner gone; cell re-placed');
      }
    }
    const live = nodes.filter((n) => n.status === 'alive');
    const schedulable = live.filter((n) => !n.drained);
    const batch = Math.max(1, options.rebalanceBatch());
    announceDrained(specs, nodes);
    for (const [id, at] of movedAt) if (now - at >= MOVE_COOL_DOWN_MS) movedAt.delete(id);
    // No new moves while the membership is settling, while a node is overloaded (a handoff is
    // one more write for it), or for cells that moved a moment ago (no back and forth).
    const settled =
      now - shapeSince >= REBALANCE_STABLE_MS &&
      now - (officeSince ?? now) >= REBALANCE_STABLE_MS &&
      !live.some((n) => n.overloaded);
    // Drained nodes are emptied first, in the same batches, without waiting for the membership
    // to settle: an operator asked for it. Rebalancing proper only evens out schedulable nodes.
    const maxMoves = Math.max(0, batch - inFlight.length);
    const policy = placement();
    const drain = planDrain(specs, nodes, { maxMoves, ...policy });
    const draining = drain.moves.length + drain.remaining > 0;
    const plan = draining
      ? drain
      : settled
        ? planRebalance(specs, schedulable, { maxMoves, frozen: new Set(movedAt.keys()), ...policy })
        : { moves: [], remaining: 0 };
    if (!settled && !draining && inFlight.length === 0 && progress === null) return;
    if (plan.moves.length === 0 && inFlight.length === 0) {
      if (progress) {
        progress = { ...progress, moved: progress.moved + completed, inFlight: 0, remaining: 0 };
        log.info({ moved: progress.moved, ms: Math.round(now - progress.startedAt) }, 'rebalancing done');
        options.publish(PLACEMENT_EVENT.rebalance, nodeId, { ...progress, done: true, term: officeTerm });
      }
      progress = null;
      return;
    }
    progress ??= { moved: 0, inFlight: 0, remaining: 0, startedAt: now };
    let started = 0;
    await Promise.all(
      plan.moves.map(async ({ spec, to }) => {
        if (await rewrite(spec, (s) => ({ ...s, handoffTo: to }))) {
          started++;
          movedAt.set(spec.id, now);
          handoffSince.set(spec.id, now);
          options.publish(PLACEMENT_EVENT.handoff, spec.id, { cell: spec.id, from: spec.node, to, term: officeTerm });
        }
      }),
    );
    progress = {
      ...progress,
      moved: progress.moved + completed,
      inFlight: inFlight.length + started,
      remaining: plan.remaining + (plan.moves.length - started),
    };
    options.publish(PLACEMENT_EVENT.rebalance, nodeId, { ...progress, done: false, term: officeTerm });
  };

  /** Publishes `node.drained` once for each drained node that no desired cell names any more. */
  const announceDrained = (specs: CellSpec[], nodes: ReturnType<typeof nodeList>) => {
    const records = drained();
    for (const node of announced.keys()) if (!(node in records)) announced.delete(node);
    const busy = new Set<string>();
    for (const s of specs) busy.add(s.node);
    for (const n of nodes) {
      const record = records[n.node];
      if (!record || busy.has(n.node) || announced.get(n.node) === record.since) continue;
      announced.set(n.node, record.since);
      log.info({ drained: n.node, ms: Math.round(Date.now() - record.since) }, 'node drained');
      options.publish(DRAIN_EVENT.drained, n.node, {
        node: n.node,
        ms: Math.max(0, Date.now() - record.since),
        term: officeTerm,
      });
    }
  };

  /**
   * How the leader sees each node. A voting member is down only when it stopped answering the
   * leader's heartbeats for `downAfterMs`: those are answered by the member's election thread,
   * which keeps its timing while the member's cells are busy, so a slow node whose node
   * heartbeats come late (phi over the threshold) is not taken for a dead one. A node that is no
   * voting member falls back to phi. A graceful leave counts at once.
   */
  const nodeList = (judged: ElectionView) => {
    // Silence is judged as of the view (taken by the election thread, read here by message): a
    // view that reached this thread late must not add its delay to every member's silence — a
    // member whose acks the election thread had just echoed (renewing its lease) was counted
    // down on a stale view, and its cells ran twice (chaos seed 6012).
    const { heardAt, at } = judged;
    const silentSince = at - options.downAfterMs();
    const goneSilentSince = at - (options.probe?.goneAfterMs() ?? Number.POSITIVE_INFINITY);
    const records = drained();
    return peers.list().map((p) => {
      // The leader's own entry is the time it won, never refreshed: it is not silent.
      const heard = p.node === nodeId ? at : heardAt[p.node];
      let status = p.status;
      if (p.status !== 'left' && heard !== undefined) {
        const goneAt = options.probe?.nodes.goneAt(p.node);
        const gone = goneAt !== undefined && goneAt > heard && heard < goneSilentSince;
        status = heard < silentSince || gone ? 'suspect' : 'alive';
      }
      return {
        node: p.node,
        status,
        capacity: p.heartbeat.capacity ?? DEFAULT_NODE_CAPACITY,
        overloaded: Boolean(p.heartbeat.overload),
        drained: p.node in records,
      };
    });
  };

  const check = async () => {
    const view = options.election();
    if (view.role !== ROLE.leader) {
      officeSince = null;
      progress = null;
      return;
    }
    if (officeSince === null || view.term !== officeTerm) {
      officeSince = clock.now();
      officeTerm = view.term;
    }
    // Right after this process stalled, the heartbeats and acks that came meanwhile may not have
    // been read yet: judging now would take every node for dead. Next round decides.
    const now = clock.now();
    const late = now - lastRound > (options.intervalMs ?? 200) + STALL_MS;
    lastRound = now;
    // A leader's view lists every member it heard from (all of them when its term began); an
    // empty one is the follower's view that the election thread has not replaced yet.
    if (late || Object.keys(view.heardAt).length === 0) return;
    if (options.probe) {
      const silent = view.at - options.probe.probeAfterMs;
      const { heardAt } = view;
      options.probe.nodes.probe(Object.keys(heardAt).filter((n) => n !== nodeId && (heardAt[n] ?? view.at) < silent));
    }
    const due = clock.now() - lastFullCheck >= FULL_CHECK_MS;
    // A new leader knows the drained nodes before it places anything; every full check re-reads
    // them (a change made through an earlier leader, say).
    if (options.drains && (drainsTerm !== officeTerm || due)) {
      try {
        await options.drains.load();
        drainsTerm = officeTerm;
      } catch (err) {
        log.warn({ err }, 'drained nodes not readable; placement waits');
        return;
      }
    }
    const drainKey = Object.keys(drained()).sort().join();
    const judged = options.election();
    const nodes = nodeList(judged);
    // Listing every desired cell is the expensive part: do it when the set of live or down nodes
    // changed, while cells are still moving, and every 10 s (for cells of nodes never seen, whose
    // grace ends 10 s into the term).
    const shape = ['alive', 'suspect', 'left']
      .map((st) =>
        nodes
          .filter((n) => n.status === st)
          .map((n) => n.node)
          .join(),
      )
      .join('|');
    if (shape !== lastShape) {
      shapeSince = now;
      // Why each member counts as it does, as of which view: what a post-mortem needs.
      const { heardAt, at } = view;
      const silentMs = Object.fromEntries(nodes.map((n) => [n.node, Math.round(at - (heardAt[n.node] ?? at))]));
      log.info(
        { placement: shape, silentMs, viewAgeMs: Math.round(clock.now() - at), term: officeTerm },
        'node liveness changed',
      );
    }
    const settling = now - shapeSince < REBALANCE_STABLE_MS + 1000;
    if (shape === lastShape && drainKey === lastDrainKey && !moving && progress === null && !due && !settling) return;
    lastShape = shape;
    lastDrainKey = drainKey;
    lastFullCheck = clock.now();
    const specs = await (options.listSpecs ?? (() => desired.list()))();
    // Dead nodes' cells first; rebalance only a swarm where every cell has a live node.
    const moved = await replace(specs, nodes, judged.heardAt);
    moving = moved > 0;
    if (!moving) await rebalance(specs, nodes);
  };

  let stopped = false;
  const round = () => {
    if (busy || stopped) return;
    busy = true;
    check()
      .catch((err: unknown) => log.warn({ err }, 'placement check failed'))
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(round, options.intervalMs ?? 200);
  timer.unref();
  return {
    progress: () => (leading() ? progress : null),
    goneFound: (node) => {
      // Look again the moment the member has been silent long enough, not up to a round later.
      const { heardAt, at } = options.election();
      const heard = heardAt[node];
      if (heard === undefined || options.probe === undefined) return;
      // Judged on views: the first one taken once the member has been silent long enough.
      const wait = Math.max(0, heard + options.probe.goneAfterMs() - at + 1);
      clock.setTimeout(round, wait);
    },
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

import { randomBytes } from 'node:crypto';
import type { CellRegistry } from '../cell/cell-registry.js';
import type { NodeDrains } from '../coordination/node-drains.js';
import { DEFAULT_NODE_CAPACITY, type NodeLoad } from '../coordination/node-load.js';
import { type CallPeers, callsByNode, chooseNode, type PlacementPolicy } from '../coordination/placement-policy.js';
import { NotFoundError, OverloadedError, ValidationError } from '../errors.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import type { Peer, PeerView } from '../node/peer-view.js';
import type { DesiredCells } from '../persistence/desired-cells.js';
import type { DesiredCellsView } from '../persistence/desired-cells-view.js';
import type { SnapshotStore } from '../persistence/snapshot-store.js';
import type { IncomingMessage } from '../transport/message.js';
import { assertToken } from '../transport/subjects.js';
import { bodyField } from './body-field.js';
import type { CreateAgentRequest } from './control-commands.js';
import type { Settle } from './lifecycle-settle.js';

/** What {@link createAgentLifecycle} needs. */
export interface AgentLifecycleOptions {
  registry: CellRegistry;
  desired: DesiredCells;
  snapshots: SnapshotStore;
  peers: PeerView;
  view: DesiredCellsView;
  drains: NodeDrains;
  settle: Settle;
  /** The placement policy in force (`placement.policy`), read at each create; default spread. */
  placementPolicy?: () => PlacementPolicy;
  /** A cell's callers and callees by the call traces (CallAffinity), for the `affinity` policy. */
  peersOf?: (cell: string) => CallPeers;
}

/**
 * `agent.create` and `agent.destroy` (carried out on the leader): placement of a cell created
 * without `--node` on the live, schedulable node the placement policy chooses (spread: the
 * lowest fill; fill: the fullest with room; affinity: where its traced callers and callees run),
 * and the wait for the cell to start or stop.
 */
export function createAgentLifecycle(options: AgentLifecycleOptions) {
  const { registry, desired, snapshots, peers, view, drains, settle } = options;
  /** Cells picked for a node whose creation the watch has not delivered yet, per node. */
  const placing = new Map<string, number>();

  /** The live node the placement policy chooses for cell `id`; overloaded and drained nodes take none. */
  const pickNode = (id: string): string => {
    const drained = drains.current();
    const alive = peers.alive().filter((p) => !(p.node in drained));
    const open = alive.filter((p) => !p.heartbeat.overload);
    if (open.length === 0) {
      if (alive.length === 0) {
        throw new NotFoundError(
          Object.keys(drained).length
            ? `no schedulable live node to place the cell on (drained: ${Object.keys(drained).sort().join(', ')})`
            : 'no live node to place the cell on',
        );
      }
      throw overloaded(alive);
    }
    const policy = options.placementPolicy?.() ?? 'spread';
    const loads = open.map(
      (p): NodeLoad => ({
        node: p.node,
        cells: view.assignedTo(p.node) + (placing.get(p.node) ?? 0),
        capacity: p.heartbeat.capacity ?? DEFAULT_NODE_CAPACITY,
      }),
    );
    const near =
      policy === 'affinity' && options.peersOf
        ? callsByNode(options.peersOf(id), (peer) => view.nodeOf(peer))
        : undefined;
    return (chooseNode(loads, policy, near) as NodeLoad).node;
  };

  const create = async (msg: IncomingMessage) => {
    const req = (msg.body ?? {}) as CreateAgentRequest;
    if (typeof req.type !== 'string') {
      throw new ValidationError('agent.create needs a type', { data: { field: 'type' } });
    }
    const definition = registry.get(req.type);
    definition.config(req.config);
    const id = req.id ?? `${req.type}-${randomBytes(3).toString('hex')}`;
    assertToken(id, 'cell id');
    // A list: a string would be taken letter by letter as cell ids, a number would throw a TypeError.
    if (req.dependsOn !== undefined && !Array.isArray(req.dependsOn)) {
      throw new ValidationError('dependsOn must be a list of cell ids', { data: { field: 'dependsOn' } });
    }
    for (const dep of req.dependsOn ?? []) assertToken(dep, 'dependsOn cell id');
    if (req.node !== undefined) {
      assertToken(req.node, 'node');
      const target = peers.alive().find((p) => p.node === req.node);
      if (!target) throw new NotFoundError(`no live node ${req.node}`, { data: { field: 'node' } });
      if (req.node in drains.current()) {
        throw new ValidationError(`node ${req.node} is drained: it takes no new cells (hms node undrain ${req.node})`, {
          data: { field: 'node' },
        });
      }
      if (target.heartbeat.overload) throw overloaded([target]);
    }
    const node = req.node ?? pickNode(id);
    placing.set(node, (placing.get(node) ?? 0) + 1);
    try {
      await settle(LIFECYCLE_EVENT.started, id, () =>
        desired.create({
          id,
          type: req.type,
          config: req.config ?? {},
          node,
          epoch: 1,
          createdAt: Date.now(),
          ...(req.dependsOn?.length ? { dependsOn: req.dependsOn } : {}),
          ...(req.node === undefined ? {} : { pin: req.node }),
        }),
      );
    } finally {
      const n = (placing.get(node) ?? 1) - 1;
      if (n <= 0) placing.delete(node);
      else placing.set(node, n);
    }
    return { id, type: req.type, node };
  };

  /** Removes a desired cell: a live owner stops it (also one it gave up on) and discards its snapshot. */
  const remove = async (spec: { id: string; node: string }) => {
    if (peers.alive().some((p) => p.node === spec.node)) {
      await settle(LIFECYCLE_EVENT.stopped, spec.id, () => desired.remove(spec.id));
    } else {
      // No live owner to discard its snapshot: do it here.
      await desired.remove(spec.id);
      await snapshots.remove(spec.id);
    }
  };

  const destroy = async (msg: IncomingMessage) => {
    const id = bodyField(msg.body, 'id');
    assertToken(id, 'cell id');
    const spec = await desired.get(id);
    if (!spec) throw new NotFoundError(`unknown cell id ${id}`, { data: { id } });
    await remove(spec);
    return { id, destroyed: true };
  };

  return { create, destroy, remove };
}

/** The refusal of a create while `nodes` are over their limits. */
function overloaded(nodes: Peer[]): OverloadedError {
  const why = nodes.map((p) => `${p.node} (${p.heartbeat.overload?.reasons.join(', ') ?? 'overloaded'})`).join(', ');
  return new OverloadedError(`overloaded: no node can take a new cell now: ${why}; try again shortly`, {
    data: { nodes: nodes.map((p) => p.node) },
  });
}

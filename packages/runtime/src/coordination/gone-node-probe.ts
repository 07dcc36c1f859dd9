import type { Clock } from '../clock.js';
import { PROBE_TYPE } from '../election/election-runner.js';
import { NoRespondersError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';

/** Options of {@link createGoneNodeProbe}. */
export interface GoneNodeProbeOptions {
  /** This node (the leader), named in the probe's body. */
  nodeId: string;
  transport: Transport;
  subjects: Subjects;
  clock: Clock;
  logger: Logger;
  /** A node is probed again at most this often, and a probe waits twice this long; millis. */
  intervalMs: number;
  /** Called when a probe finds a node gone (to look at the placement without waiting a round). */
  onGone?: (node: string) => void;
}

/** The leader's probe of silent members (see {@link createGoneNodeProbe}). */
export interface GoneNodeProbe {
  /** Probes each of `nodes` not probed within `intervalMs` and not being probed now. */
  probe(nodes: readonly string[]): void;
  /** When a probe of `node` last met no responders (epoch millis), or undefined. */
  goneAt(node: string): number | undefined;
  stop(): void;
}

/**
 * The leader asks a member that stopped acknowledging its heartbeats whether its process still
 * listens: the probe subject (`raft.probe.<node>`) is answered by both of the member's NATS
 * connections (its election thread's and its main thread's). "No responders" comes back at once
 * when both are closed — the process died (kill -9, a crash, an OOM kill): the server saw its
 * sockets close. A paused, starved or cut-off member keeps its subscriptions (the probe times
 * out, or is answered), so for it nothing is learned and the usual silence (`downAfterMs`)
 * decides. An answer forgets an earlier "gone".
 */
export function createGoneNodeProbe(options: GoneNodeProbeOptions): GoneNodeProbe {
  const { transport, subjects, clock, intervalMs } = options;
  const log = options.logger.child({ component: 'gone-node-probe' });
  const inFlight = new Set<string>();
  const lastProbe = new Map<string, number>();
  const gone = new Map<string, number>();
  let stopped = false;

  const probeOne = (node: string, now: number) => {
    inFlight.add(node);
    lastProbe.set(node, now);
    transport
      .request(subjects.raft('probe', node), PROBE_TYPE, { from: options.nodeId }, { timeout: intervalMs * 2 })
      .then(
        () => gone.delete(node),
        (err: unknown) => {
          if (stopped || !(err instanceof NoRespondersError)) return;
          const first = !gone.has(node);
          gone.set(node, clock.now());
          if (first) log.info({ member: node }, 'a silent member’s probe has no responders: its process is gone');
          options.onGone?.(node);
        },
      )
      .finally(() => inFlight.delete(node));
  };

  return {
    probe(nodes) {
      if (stopped) return;
      const now = clock.now();
      for (const node of nodes) {
        if (inFlight.has(node) || now - (lastProbe.get(node) ?? Number.NEGATIVE_INFINITY) < intervalMs) continue;
        probeOne(node, now);
      }
      // Forget members no longer silent (an answer or a heartbeat came back).
      for (const node of lastProbe.keys()) {
        if (!nodes.includes(node) && !inFlight.has(node)) {
          lastProbe.delete(node);
          gone.delete(node);
        }
      }
    },
    goneAt: (node) => gone.get(node),
    stop() {
      stopped = true;
    },
  };
}

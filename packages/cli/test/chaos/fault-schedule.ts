import { createSeededRandom } from './seeded-random.js';

/** The kinds of fault the scheduler draws from. */
export const FAULT_KIND = {
  /** kill -9 of a node process; restarted (same name and data directory) at the heal. */
  killNode: 'kill-node',
  /** kill -9 of a nats-server; restarted (same store) at the heal. */
  killServer: 'kill-server',
  /** SIGSTOP of a node process, SIGCONT at the heal: longer than the leases. */
  pauseNode: 'pause-node',
  /** The servers split 2 | 1; each node is on the side of the server it connects to. */
  partitionMajority: 'partition-majority',
  /** One node cut off from every server. */
  isolateNode: 'isolate-node',
  /** Servers a–b and b–c connected, a–c cut (Jepsen's bridge). */
  partitionBridge: 'partition-bridge',
  /** A share of a node's packets dropped both ways (iptables statistic match). */
  loss: 'loss',
  /** Every byte between a node and the servers held back (the userspace proxy). */
  delay: 'delay',
} as const;

export type FaultKind = (typeof FAULT_KIND)[keyof typeof FAULT_KIND];

/** One fault of a schedule: applied at `at`, healed at `at + durationMs` (millis from the start). */
export interface Fault {
  kind: FaultKind;
  /** Millis after the start of the fault phase. */
  at: number;
  /** Millis until the heal. */
  durationMs: number;
  /** Node index (1-based) for node faults; server index for kill-server. */
  target?: number;
  /** Servers (1-based) on the small side of a partition; for a bridge, [a, c] (the cut pair). */
  servers?: number[];
  /** For loss: the share of packets dropped (0–1). */
  probability?: number;
  /** For delay: millis added each way. */
  delayMs?: number;
}

/** What {@link createFaultSchedule} needs. */
export interface FaultScheduleOptions {
  seed: number;
  /** Length of the fault phase, millis: the last heal is at or before it. */
  durationMs: number;
  nodes: number;
  servers: number;
  /** Kinds to draw from; default all. */
  kinds?: readonly FaultKind[];
}

/**
 * Turns a seed into a list of timed faults, one at a time with a gap of 0.5–3 s between the heal
 * of one and the start of the next, each lasting 2–10 s. Only the seed and the options decide it,
 * so a seed replays exactly. At most one server is ever down and every fault heals before the end.
 */
export function createFaultSchedule(options: FaultScheduleOptions): Fault[] {
  const random = createSeededRandom(options.seed);
  const kinds = options.kinds ?? Object.values(FAULT_KIND);
  const faults: Fault[] = [];
  let at = random.int(1000, 3000);
  for (;;) {
    const durationMs = random.int(2000, 10_000);
    if (at + durationMs > options.durationMs) break;
    const kind = random.pick(kinds);
    const fault: Fault = { kind, at, durationMs };
    const node = random.int(1, options.nodes);
    const server = random.int(1, options.servers);
    switch (kind) {
      case FAULT_KIND.killNode:
      case FAULT_KIND.pauseNode:
      case FAULT_KIND.isolateNode:
        fault.target = node;
        break;
      case FAULT_KIND.killServer:
        fault.target = server;
        break;
      case FAULT_KIND.partitionMajority:
        fault.servers = [server];
        break;
      case FAULT_KIND.partitionBridge:
        fault.servers = [server, (server % options.servers) + 1];
        break;
      case FAULT_KIND.loss:
        fault.target = node;
        fault.probability = random.int(10, 40) / 100;
        break;
      case FAULT_KIND.delay:
        fault.target = node;
        fault.delayMs = random.int(50, 800);
        break;
    }
    faults.push(fault);
    at += durationMs + random.int(500, 3000);
  }
  return faults;
}

/** One line per fault, for logs and RESULTS.md. */
export function describeFault(f: Fault): string {
  const when = `+${(f.at / 1000).toFixed(1)}s for ${(f.durationMs / 1000).toFixed(1)}s`;
  const what =
    f.kind === FAULT_KIND.killServer
      ? `s${f.target}`
      : f.servers
        ? `servers ${f.servers.map((s) => `s${s}`).join(f.kind === FAULT_KIND.partitionBridge ? '/' : ',')}`
        : `n${f.target}`;
  const extra = f.probability !== undefined ? ` p=${f.probability}` : f.delayMs !== undefined ? ` ${f.delayMs} ms` : '';
  return `${when} ${f.kind} ${what}${extra}`;
}

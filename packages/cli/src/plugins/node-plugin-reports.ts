import {
  createControlClient,
  createSubjects,
  type NodeHeartbeat,
  type PluginStatus,
  type Transport,
} from '@hms/runtime';

/** What one node reports about its plugins. */
export interface NodePluginReport {
  node: string;
  plugins: PluginStatus[];
}

/**
 * Listens to the heartbeats of the swarm's live nodes until every one of them has sent one for
 * which `done` holds (or `timeoutMs` passed: then the latest heartbeat of each is used).
 * Resolves with each live node's plugin statuses, by node.
 */
export async function collectPluginReports(
  transport: Transport,
  swarm: string,
  options: { timeoutMs?: number; done?: (plugins: PluginStatus[]) => boolean } = {},
): Promise<NodePluginReport[]> {
  const subjects = createSubjects(swarm);
  const latest = new Map<string, PluginStatus[]>();
  const satisfied = new Set<string>();
  const done = options.done ?? (() => true);
  let wake = () => {};
  const sub = transport.subscribe(subjects.heartbeatPattern(), (msg) => {
    const hb = msg.body as NodeHeartbeat;
    if (hb.leaving) return;
    const plugins = hb.plugins ?? [];
    latest.set(hb.node, plugins);
    if (done(plugins)) satisfied.add(hb.node);
    else satisfied.delete(hb.node);
    wake();
  });
  try {
    const alive = (await createControlClient(transport, swarm).listNodes())
      .filter((n) => n.status === 'alive')
      .map((n) => n.node);
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    while (!alive.every((n) => satisfied.has(n)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
      });
    }
    return alive.sort().map((node) => ({ node, plugins: latest.get(node) ?? [] }));
  } finally {
    sub.unsubscribe();
  }
}

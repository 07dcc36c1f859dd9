import type { NetnsSwarm, NodeHost, ServerHost } from '../fixtures/netns-swarm.js';
import { FAULT_KIND, type Fault } from './fault-schedule.js';

/**
 * Applies one fault to the swarm and returns what heals it. A killed process is started again
 * at the heal (same name, data directory or store); a paused one continued.
 */
export async function injectFault(swarm: NetnsSwarm, fault: Fault): Promise<() => Promise<void>> {
  const node = () => swarm.nodes[(fault.target ?? 1) - 1] as NodeHost;
  const server = (i: number) => swarm.servers[i - 1] as ServerHost;
  switch (fault.kind) {
    case FAULT_KIND.killNode: {
      const n = node();
      await swarm.kill(n);
      return async () => swarm.startNode(n);
    }
    case FAULT_KIND.killServer: {
      const s = server(fault.target ?? 1);
      await swarm.kill(s);
      return async () => swarm.startServer(s);
    }
    case FAULT_KIND.pauseNode: {
      const n = node();
      swarm.signal(n, 'SIGSTOP');
      return async () => swarm.signal(n, 'SIGCONT');
    }
    case FAULT_KIND.partitionMajority: {
      const small = (fault.servers ?? [1]).map(server);
      const pairs = small.flatMap((a) => swarm.servers.filter((b) => !small.includes(b)).map((b) => [a, b] as const));
      for (const [a, b] of pairs) swarm.cutServers(a, b, true);
      return async () => {
        for (const [a, b] of pairs) swarm.cutServers(a, b, false);
      };
    }
    case FAULT_KIND.partitionBridge: {
      const [a, c] = (fault.servers ?? [1, 2]).map(server) as [ServerHost, ServerHost];
      swarm.cutServers(a, c, true);
      return async () => swarm.cutServers(a, c, false);
    }
    case FAULT_KIND.isolateNode: {
      const n = node();
      swarm.isolate(n, true);
      return async () => swarm.isolate(n, false);
    }
    case FAULT_KIND.loss: {
      const n = node();
      swarm.loss(n, fault.probability ?? 0.2);
      return async () => swarm.loss(n, 0);
    }
    case FAULT_KIND.delay: {
      const n = node();
      swarm.delay(n, fault.delayMs ?? 200);
      return async () => swarm.delay(n, 0);
    }
  }
}

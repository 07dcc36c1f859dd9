import { CONTROL_COMMAND } from '../control/control-commands.js';
import { CONTROL_QUEUE, type Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { createEndpointStats } from './endpoint-stats.js';
import { type DescribedEndpoint, startServiceInstance } from './service-instance.js';
import type { ServiceIdentity } from './service-protocol.js';

/** The NATS Services name of every node's control plane (`nats micro info hms-control`). */
export const CONTROL_SERVICE_NAME = 'hms-control';

/** The version the control service reports: the control protocol's, which this build speaks. */
export const CONTROL_SERVICE_VERSION = '0.1.0';

/** A node's control plane as a discoverable service. */
export interface ControlService {
  readonly identity: ServiceIdentity;
  /**
   * Counts one control command this node served: `elapsedNs` nanoseconds, failed when `error`
   * is given. Commands this build does not list are not counted.
   */
  record(command: string, elapsedNs: number, error?: unknown): void;
  /** Leaves discovery. */
  stop(): Promise<void>;
}

/** The endpoint name of a control command: `agent.list` → `agent-list` (ADR-32 names have no dots). */
export function controlEndpointName(command: string): string {
  return command.replaceAll('.', '-');
}

/**
 * Makes a node's control plane discoverable as the NATS service `hms-control` (metadata `swarm`
 * and `node`), one endpoint per control command on `hms.<swarm>.ctl.<command>` in the `hms-ctl`
 * queue group. The control server serves the commands; it feeds the counters through
 * {@link ControlService.record}, so STATS shows what this node answered.
 */
export async function startControlService(options: {
  transport: Transport;
  subjects: Subjects;
  nodeId: string;
}): Promise<ControlService> {
  const { transport, subjects, nodeId } = options;
  const byCommand = new Map<string, DescribedEndpoint>();
  for (const command of Object.values(CONTROL_COMMAND)) {
    byCommand.set(command, {
      name: controlEndpointName(command),
      subject: subjects.control(command),
      queue_group: CONTROL_QUEUE,
      metadata: { command },
      stats: createEndpointStats(),
    });
  }
  const instance = startServiceInstance(transport, {
    name: CONTROL_SERVICE_NAME,
    version: CONTROL_SERVICE_VERSION,
    description: `HMS control plane of node ${nodeId} in swarm ${subjects.swarm}`,
    metadata: { swarm: subjects.swarm, node: nodeId },
    endpoints: [...byCommand.values()],
  });
  await transport.flush();
  return {
    identity: instance.identity,
    record: (command, elapsedNs, error) => byCommand.get(command)?.stats.record(elapsedNs, error),
    stop: instance.stop,
  };
}

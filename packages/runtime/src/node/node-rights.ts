import { PermissionDeniedError } from '../errors.js';
import type { Transport } from '../transport/transport.js';

/**
 * Refuses to start a node whose credentials may not publish in its swarm (an observer's or an
 * operator's), saying so, instead of failing later as timeouts.
 * @throws PermissionDeniedError naming the role.
 */
export async function assertNodeRights(transport: Transport, swarm: string, probe: string): Promise<void> {
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

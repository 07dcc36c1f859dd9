import type { Transport } from '../transport/transport.js';

/**
 * How many replicas the swarm's KV buckets and streams get when they are created: 3 when the
 * NATS server we are connected to is in a cluster of 3 or more (so losing one server loses
 * nothing, and a minority side cannot write), 1 on a single server. The cluster size is the
 * number of client URLs the server advertises (`connect_urls` of its INFO). `HMS_REPLICAS`
 * (1..5) overrides it. A bucket that exists already keeps its replicas.
 */
export function storageReplicas(transport: Transport): number {
  const forced = Number(process.env.HMS_REPLICAS);
  if (Number.isInteger(forced) && forced >= 1 && forced <= 5) return forced;
  const urls = transport.nc.info?.connect_urls?.length ?? 0;
  return urls >= 3 ? 3 : 1;
}

import { gatherJson } from '../transport/json-gather.js';
import { SERVICE_VERB, serviceApiSubject } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { isServiceResponse, type ServiceResponses } from './service-protocol.js';

/** Options of discovery. */
export interface DiscoverOptions {
  /** How long to collect replies, in millis; default 1000. Every instance answers once. */
  timeoutMs?: number;
  /** Only the instance with this id (needs a name). */
  id?: string;
  /** Stop once this many instances answered; default: wait the whole timeout. */
  max?: number;
}

/** Default time discovery collects replies, in millis. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 1000;

const VERB_OF = { ping: SERVICE_VERB.ping, info: SERVICE_VERB.info, stats: SERVICE_VERB.stats } as const;

/**
 * Asks every service (or every instance of `name`) on `$SRV.<verb>[.<name>[.<id>]]` and
 * gathers the replies until the timeout, sorted by name then id. Replies that are not of the
 * expected type are skipped; a missing `metadata` (some clients send null) reads as `{}`.
 */
export async function gatherServices<K extends keyof ServiceResponses>(
  transport: Transport,
  kind: K,
  name?: string,
  options: DiscoverOptions = {},
): Promise<Array<ServiceResponses[K]>> {
  const subject = serviceApiSubject(VERB_OF[kind], name, options.id);
  const replies = await gatherJson(transport, subject, {
    timeoutMs: options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS,
    ...(options.max === undefined ? {} : { max: options.max }),
  });
  const byId = new Map<string, ServiceResponses[K]>();
  for (const r of replies) {
    if (!isServiceResponse(kind, r)) continue;
    const metadata = r.metadata !== null && typeof r.metadata === 'object' ? r.metadata : {};
    byId.set(r.id, { ...r, metadata });
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The INFO of every service (or of every instance of `name`). */
export function discoverServices(transport: Transport, name?: string, options?: DiscoverOptions) {
  return gatherServices(transport, 'info', name, options);
}

/** The STATS of every service (or of every instance of `name`). */
export function serviceStats(transport: Transport, name?: string, options?: DiscoverOptions) {
  return gatherServices(transport, 'stats', name, options);
}

/** Who answers a PING: every service (or every instance of `name`). */
export function pingServices(transport: Transport, name?: string, options?: DiscoverOptions) {
  return gatherServices(transport, 'ping', name, options);
}

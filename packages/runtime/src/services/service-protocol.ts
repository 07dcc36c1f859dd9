/**
 * The JSON shapes of the NATS Services protocol (ADR-32, what `nats micro` speaks), field by
 * field as on the wire (snake_case). The CLI validates replies against the `io.nats.micro.v1`
 * JSON schemas, so every required field is always present.
 */

/** The `type` of each discovery reply. */
export const SERVICE_RESPONSE_TYPE = {
  ping: 'io.nats.micro.v1.ping_response',
  info: 'io.nats.micro.v1.info_response',
  stats: 'io.nats.micro.v1.stats_response',
} as const;

/** Who a service instance is: the fields every discovery reply carries. */
export interface ServiceIdentity {
  /** The kind of service, shared by all its instances: `A-Z a-z 0-9 _ -`. */
  name: string;
  /** This instance's unique id. */
  id: string;
  /** A semantic version (semver.org). */
  version: string;
  /** Free-form strings about the instance (HMS puts `swarm` and `node` here). */
  metadata: Record<string, string>;
}

/** The reply to `$SRV.PING…`: who answered (clients time it for RTT). */
export interface PingResponse extends ServiceIdentity {
  type: typeof SERVICE_RESPONSE_TYPE.ping;
}

/** One endpoint, as INFO describes it. */
export interface EndpointInfo {
  /** `A-Z a-z 0-9 _ -`. */
  name: string;
  /** The subject the endpoint listens on. */
  subject: string;
  /** The queue group it listens in (one member answers each request). */
  queue_group: string;
  metadata: Record<string, string>;
}

/** The reply to `$SRV.INFO…`: what the instance serves. Also what discovery returns. */
export interface ServiceInfo extends ServiceIdentity {
  type: typeof SERVICE_RESPONSE_TYPE.info;
  /** Empty when the service has none. */
  description: string;
  endpoints: EndpointInfo[];
}

/** One endpoint's counters, as STATS reports them. */
export interface EndpointStatsResponse {
  name: string;
  subject: string;
  queue_group: string;
  /** Requests received since the service started. */
  num_requests: number;
  /** Requests that failed. */
  num_errors: number;
  /** The message of the last failure; empty when none. */
  last_error: string;
  /** Total handling time, in nanoseconds (a whole number). */
  processing_time: number;
  /** `processing_time / num_requests`, in nanoseconds (a whole number; 0 before any request). */
  average_processing_time: number;
  /** Extra figures the endpoint reports, if any. */
  data?: unknown;
}

/** The reply to `$SRV.STATS…`. */
export interface ServiceStats extends ServiceIdentity {
  type: typeof SERVICE_RESPONSE_TYPE.stats;
  /** When the instance started, RFC 3339 in UTC (e.g. `2026-11-30T03:46:17.123Z`). */
  started: string;
  endpoints: EndpointStatsResponse[];
}

/** Any discovery reply, by verb. */
export interface ServiceResponses {
  ping: PingResponse;
  info: ServiceInfo;
  stats: ServiceStats;
}

/** An endpoint's counters as a service keeps them (see {@link createEndpointStats}). */
export interface EndpointCounters {
  requests: number;
  errors: number;
  lastError: string;
  /** Total handling time, in nanoseconds. */
  processingNs: number;
}

function identityOf(identity: ServiceIdentity): ServiceIdentity {
  return { name: identity.name, id: identity.id, version: identity.version, metadata: { ...identity.metadata } };
}

/** The PING reply of `identity`. */
export function pingResponse(identity: ServiceIdentity): PingResponse {
  return { type: SERVICE_RESPONSE_TYPE.ping, ...identityOf(identity) };
}

/** The INFO reply of `identity`. */
export function infoResponse(identity: ServiceIdentity, description: string, endpoints: EndpointInfo[]): ServiceInfo {
  return {
    type: SERVICE_RESPONSE_TYPE.info,
    ...identityOf(identity),
    description,
    endpoints: endpoints.map((e) => ({ ...e, metadata: { ...e.metadata } })),
  };
}

/** The STATS reply of `identity`, started at `startedMs` (epoch millis). */
export function statsResponse(
  identity: ServiceIdentity,
  startedMs: number,
  endpoints: Array<EndpointInfo & { counters: EndpointCounters; data?: unknown }>,
): ServiceStats {
  return {
    type: SERVICE_RESPONSE_TYPE.stats,
    ...identityOf(identity),
    started: new Date(startedMs).toISOString(),
    endpoints: endpoints.map(({ name, subject, queue_group, counters: c, data }) => ({
      name,
      subject,
      queue_group,
      num_requests: c.requests,
      num_errors: c.errors,
      last_error: c.lastError,
      processing_time: Math.round(c.processingNs),
      average_processing_time: c.requests === 0 ? 0 : Math.round(c.processingNs / c.requests),
      ...(data === undefined ? {} : { data }),
    })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/**
 * Whether `value` is a discovery reply of `kind` with its identity fields: replies from other
 * responders on `$SRV` subjects are skipped, not trusted.
 */
export function isServiceResponse<K extends keyof ServiceResponses>(
  kind: K,
  value: unknown,
): value is ServiceResponses[K] {
  if (!isObject(value) || value.type !== SERVICE_RESPONSE_TYPE[kind]) return false;
  if (typeof value.name !== 'string' || typeof value.id !== 'string' || typeof value.version !== 'string') return false;
  if (kind === 'ping') return true;
  return Array.isArray(value.endpoints) && value.endpoints.every(isObject);
}

import { randomBytes } from 'node:crypto';
import { serveJson } from '../transport/json-responder.js';
import { SERVICE_VERB, serviceApiSubject } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import type { EndpointStats } from './endpoint-stats.js';
import {
  type EndpointInfo,
  infoResponse,
  pingResponse,
  type ServiceIdentity,
  type ServiceInfo,
  type ServiceStats,
  statsResponse,
} from './service-protocol.js';

/** An endpoint as an instance describes it, with its counters. */
export interface DescribedEndpoint extends EndpointInfo {
  stats: EndpointStats;
}

/** What a service instance answers discovery with. */
export interface ServiceDescription {
  name: string;
  version: string;
  description: string;
  metadata: Record<string, string>;
  endpoints: DescribedEndpoint[];
}

/** One running instance, answering `$SRV.PING|INFO|STATS` (all, by name, by name and id). */
export interface ServiceInstance {
  readonly identity: ServiceIdentity;
  /** Its INFO reply. */
  info(): ServiceInfo;
  /** Its STATS reply. */
  stats(): ServiceStats;
  /** Zeroes every endpoint's counters. */
  reset(): void;
  /** Stops answering discovery (what is in flight is answered first). */
  stop(): Promise<void>;
}

/** A fresh instance id: 20 hex characters (one subject token, as `$SRV.<verb>.<name>.<id>` needs). */
export function newServiceId(): string {
  return randomBytes(10).toString('hex');
}

/**
 * Makes `description` discoverable: subscribes the nine discovery subjects of ADR-32 (PING,
 * INFO and STATS, each for all services, for its name, and for its name and id) and answers
 * them in JSON. Serving the endpoints themselves is the caller's job; the control plane, for
 * one, serves its own and feeds the counters.
 */
export function startServiceInstance(
  transport: Transport,
  description: ServiceDescription,
  options: { id?: string; startedMs?: number } = {},
): ServiceInstance {
  const identity: ServiceIdentity = {
    name: description.name,
    id: options.id ?? newServiceId(),
    version: description.version,
    metadata: description.metadata,
  };
  const startedMs = options.startedMs ?? Date.now();
  const subs: TransportSubscription[] = [];
  const endpointInfo = (): EndpointInfo[] =>
    description.endpoints.map(({ name, subject, queue_group, metadata }) => ({ name, subject, queue_group, metadata }));
  const instance: ServiceInstance = {
    identity,
    info: () => infoResponse(identity, description.description, endpointInfo()),
    stats: () =>
      statsResponse(
        identity,
        startedMs,
        description.endpoints.map((e) => ({ ...e, counters: e.stats.read() })),
      ),
    reset: () => {
      for (const e of description.endpoints) e.stats.reset();
    },
    stop: async () => {
      await Promise.all(subs.map((s) => s.drain()));
    },
  };
  const answers = {
    [SERVICE_VERB.ping]: () => pingResponse(identity),
    [SERVICE_VERB.info]: instance.info,
    [SERVICE_VERB.stats]: instance.stats,
  };
  for (const [verb, answer] of Object.entries(answers) as Array<[keyof typeof answers, () => unknown]>) {
    subs.push(
      serveJson(transport, serviceApiSubject(verb), answer),
      serveJson(transport, serviceApiSubject(verb, identity.name), answer),
      serveJson(transport, serviceApiSubject(verb, identity.name, identity.id), answer),
    );
  }
  return instance;
}

import type { Logger } from '../logger.js';
import { serveServiceEndpoint } from '../transport/service-endpoint-responder.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import { createEndpointStats } from './endpoint-stats.js';
import type { ResolvedService } from './service-definition.js';
import { type DescribedEndpoint, type ServiceInstance, startServiceInstance } from './service-instance.js';
import type { ServiceIdentity, ServiceInfo, ServiceStats } from './service-protocol.js';

/** A service running in this process: its endpoints served, itself discoverable. */
export interface RegisteredService {
  readonly identity: ServiceIdentity;
  /** Its INFO reply. */
  info(): ServiceInfo;
  /** Its STATS reply: per endpoint, requests, errors and processing time (nanoseconds). */
  stats(): ServiceStats;
  /** Zeroes the counters. */
  reset(): void;
  /** Leaves discovery at once, then answers the requests in flight and stops its endpoints. */
  stop(): Promise<void>;
}

/** Serves the endpoints of a checked definition and answers discovery for it. */
export function startRegisteredService(
  transport: Transport,
  service: ResolvedService,
  options: { from: string; logger: Logger },
): RegisteredService {
  const logger = options.logger.child({ service: service.name });
  const described: DescribedEndpoint[] = [];
  const subs: TransportSubscription[] = [];
  for (const e of service.endpoints) {
    const stats = createEndpointStats();
    described.push({ name: e.name, subject: e.subject, queue_group: e.queueGroup, metadata: e.metadata, stats });
    subs.push(
      serveServiceEndpoint(transport, {
        subject: e.subject,
        queue: e.queueGroup,
        from: options.from,
        handler: e.handler,
        onHandled: stats.record,
        logger,
      }),
    );
  }
  const instance: ServiceInstance = startServiceInstance(transport, { ...service, endpoints: described });
  logger.info({ id: instance.identity.id, endpoints: described.map((e) => e.subject) }, 'service registered');
  let stopped: Promise<void> | undefined;
  return {
    identity: instance.identity,
    info: instance.info,
    stats: instance.stats,
    reset: instance.reset,
    stop() {
      stopped ??= (async () => {
        await instance.stop();
        await Promise.all(subs.map((s) => s.drain()));
        logger.info({ id: instance.identity.id }, 'service stopped');
      })();
      return stopped;
    },
  };
}

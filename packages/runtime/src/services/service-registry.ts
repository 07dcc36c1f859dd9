import type { Logger } from '../logger.js';
import type { Transport } from '../transport/transport.js';
import { type RegisteredService, startRegisteredService } from './registered-service.js';
import { createServiceClient, type ServiceClient, type ServiceClientOptions } from './service-client.js';
import { resolveServiceDefinition, type ServiceDefinition } from './service-definition.js';
import { type DiscoverOptions, discoverServices, pingServices, serviceStats } from './service-discovery.js';
import type { PingResponse, ServiceInfo, ServiceStats } from './service-protocol.js';

/** Options of {@link createServiceRegistry}. */
export interface ServiceRegistryOptions {
  transport: Transport;
  logger: Logger;
  /** This process's node id: the `node` metadata of the services it registers, and their replies' `hms-from`. */
  nodeId: string;
}

/** Registers services on the NATS Services protocol (ADR-32) and finds them anywhere. */
export interface ServiceRegistry {
  /**
   * Serves `definition`'s endpoints and makes the service discoverable; resolves once the server
   * has its subscriptions.
   * @throws ValidationError naming the bad field of the definition.
   */
  register(definition: ServiceDefinition): Promise<RegisteredService>;
  /** The INFO of every service (or every instance of `name`), gathered until the timeout. */
  discover(name?: string, options?: DiscoverOptions): Promise<ServiceInfo[]>;
  /** The STATS of every service (or every instance of `name`), gathered until the timeout. */
  stats(name?: string, options?: DiscoverOptions): Promise<ServiceStats[]>;
  /** Who answers a PING (every service, or every instance of `name`). */
  ping(name?: string, options?: DiscoverOptions): Promise<PingResponse[]>;
  /** A client of the service `name`, wherever it runs. */
  client(name: string, options?: ServiceClientOptions): ServiceClient;
  /** Stops every service registered here and every client's watches. */
  stop(): Promise<void>;
}

/** Creates a service registry on `transport`. */
export function createServiceRegistry(options: ServiceRegistryOptions): ServiceRegistry {
  const { transport, nodeId } = options;
  const logger = options.logger.child({ component: 'services' });
  const services = new Set<RegisteredService>();
  const clients = new Set<ServiceClient>();
  return {
    async register(definition) {
      const resolved = resolveServiceDefinition(definition);
      const service = startRegisteredService(
        transport,
        { ...resolved, metadata: { node: nodeId, ...resolved.metadata } },
        { from: nodeId, logger },
      );
      const stop = service.stop;
      const tracked: RegisteredService = {
        ...service,
        stop: async () => {
          services.delete(tracked);
          await stop();
        },
      };
      services.add(tracked);
      await transport.flush();
      return tracked;
    },
    discover: (name, o) => discoverServices(transport, name, o),
    stats: (name, o) => serviceStats(transport, name, o),
    ping: (name, o) => pingServices(transport, name, o),
    client(name, o) {
      const client = createServiceClient(transport, name, o);
      clients.add(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.close();
      clients.clear();
      await Promise.all([...services].map((s) => s.stop()));
    },
  };
}

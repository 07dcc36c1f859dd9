import type { RegisteredService } from '../services/registered-service.js';
import type { ServiceRegistry } from '../services/service-registry.js';
import type { Subjects } from '../transport/subjects.js';
import type { PluginServiceRegistry } from './hms-context.js';

/**
 * Plugins' services on the NATS Services registry: each is a real ADR-32 service (with the
 * plugin's id in its metadata), so `nats micro ls` finds it, and a plugin's services stop with it.
 */
export function createPluginServices(registry: ServiceRegistry, subjects: Subjects): PluginServiceRegistry {
  const byOwner = new Map<string, Set<RegisteredService>>();
  return {
    async register(owner, definition) {
      // Scoped to the swarm: two swarms on one server running the same plugin never answer
      // each other's requests.
      const service = await registry.register({
        ...definition,
        metadata: { ...definition.metadata, plugin: owner, swarm: subjects.swarm },
        endpoints: definition.endpoints.map((e) => ({
          ...e,
          subject: e.subject ?? subjects.service(definition.name, e.name),
        })),
      });
      const owned = byOwner.get(owner) ?? new Set<RegisteredService>();
      owned.add(service);
      byOwner.set(owner, owned);
      return service;
    },
    client: (name) => registry.client(name),
    async stopOwner(owner) {
      const owned = byOwner.get(owner);
      byOwner.delete(owner);
      await Promise.all([...(owned ?? [])].map((s) => s.stop()));
    },
  };
}

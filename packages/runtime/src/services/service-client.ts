import { NoRespondersError, NotFoundError } from '../errors.js';
import { assertToken, SERVICE_VERB, serviceApiSubject } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import { DEFAULT_DISCOVERY_TIMEOUT_MS, discoverServices, pingServices } from './service-discovery.js';
import type { PingResponse, ServiceInfo } from './service-protocol.js';

/** Options of {@link createServiceClient}. */
export interface ServiceClientOptions {
  /** How long finding an instance (INFO) may take, in millis; default 1000. */
  discoverTimeoutMs?: number;
}

/** Options of a request to a service. */
export interface ServiceRequestOptions {
  /** How long to wait for the reply, in millis; default 5000. */
  timeoutMs?: number;
}

/**
 * Options of {@link ServiceClient.watch}. An instance that stops answering is noticed within
 * `intervalMs + timeoutMs` (1.5 s by default); when no instance is left NATS says so at once,
 * so the last one's going is noticed within `intervalMs` plus a round trip.
 */
export interface WatchOptions {
  /** Pause between PINGs, in millis; default 1000. */
  intervalMs?: number;
  /** How long each PING collects replies, in millis; default 500. */
  timeoutMs?: number;
}

/** What changed among a service's instances since the last PING. */
export interface ServiceChange {
  /** Every instance that answered this time. */
  instances: PingResponse[];
  appeared: PingResponse[];
  gone: PingResponse[];
}

/** Reaches a service by name, wherever its instances run. */
export interface ServiceClient {
  readonly name: string;
  /**
   * Sends `body` to `endpoint` of the service and resolves with the reply. The endpoint's
   * subject comes from an instance's INFO; when nobody answers there any more (the instance
   * left, or moved) the service is found again and the request sent once more.
   * @throws NoRespondersError when no instance answers; NotFoundError for an unknown endpoint;
   *   the error the endpoint failed with, rebuilt by class.
   */
  request(endpoint: string, body?: unknown, options?: ServiceRequestOptions): Promise<unknown>;
  /** Whether some instance answers a PING within `timeoutMs` millis (default 500). */
  alive(timeoutMs?: number): Promise<boolean>;
  /** PINGs the service periodically and calls `listener` when instances appear or go. Returns a stop function. */
  watch(listener: (change: ServiceChange) => void, options?: WatchOptions): () => void;
  /** Calls `listener` each time the last instance goes. Returns a stop function. */
  onGone(listener: () => void, options?: WatchOptions): () => void;
  /** Stops every watch. */
  close(): void;
}

/** Creates a client of the service `name`. */
export function createServiceClient(
  transport: Transport,
  name: string,
  options: ServiceClientOptions = {},
): ServiceClient {
  assertToken(name, 'service name');
  const discoverTimeoutMs = options.discoverTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS;
  let found: ServiceInfo | undefined;
  const watches = new Set<() => void>();

  const locate = async (again: boolean): Promise<ServiceInfo> => {
    if (found && !again) return found;
    const [first] = await discoverServices(transport, name, { timeoutMs: discoverTimeoutMs, max: 1 });
    if (!first) {
      found = undefined;
      throw new NoRespondersError(
        `no instance of service ${name} answers on ${serviceApiSubject(SERVICE_VERB.info, name)}`,
        { data: { service: name } },
      );
    }
    found = first;
    return first;
  };

  const client: ServiceClient = {
    name,
    async request(endpoint, body, requestOptions = {}) {
      assertToken(endpoint, 'endpoint name');
      for (const again of [false, true]) {
        const service = await locate(again);
        const target = service.endpoints.find((e) => e.name === endpoint);
        if (!target) {
          if (!again) continue;
          throw new NotFoundError(
            `service ${name} has no endpoint ${endpoint} (it has: ${service.endpoints.map((e) => e.name).join(', ')})`,
            { data: { field: 'endpoint' } },
          );
        }
        try {
          return await transport.request(target.subject, endpoint, body, { timeout: requestOptions.timeoutMs ?? 5000 });
        } catch (err) {
          if (!(err instanceof NoRespondersError) || again) throw err;
        }
      }
      throw new NoRespondersError(`no instance of service ${name} answers`);
    },

    async alive(timeoutMs = 500) {
      return (await pingServices(transport, name, { timeoutMs, max: 1 })).length > 0;
    },

    watch(listener, watchOptions = {}) {
      const intervalMs = watchOptions.intervalMs ?? 1000;
      const timeoutMs = watchOptions.timeoutMs ?? 500;
      let known = new Map<string, PingResponse>();
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const poll = async () => {
        let now: PingResponse[] | undefined;
        try {
          now = await pingServices(transport, name, { timeoutMs });
        } catch {
          // The connection is down: that says nothing about the service; try again later.
        }
        if (stopped) return;
        if (now) {
          const current = new Map(now.map((p) => [p.id, p]));
          const appeared = now.filter((p) => !known.has(p.id));
          const gone = [...known.values()].filter((p) => !current.has(p.id));
          known = current;
          if (found && gone.some((p) => p.id === found?.id)) found = undefined;
          if (appeared.length || gone.length) listener({ instances: now, appeared, gone });
        }
        timer = setTimeout(poll, intervalMs);
        timer.unref();
      };
      void poll();
      const stop = () => {
        stopped = true;
        clearTimeout(timer);
        watches.delete(stop);
      };
      watches.add(stop);
      return stop;
    },

    onGone(listener, watchOptions) {
      return client.watch((change) => {
        if (change.gone.length > 0 && change.instances.length === 0) listener();
      }, watchOptions);
    },

    close() {
      for (const stop of [...watches]) stop();
    },
  };
  return client;
}

import type { Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import type { PluginEvent } from './hms-plugin.js';

/** Publishes and subscribes to swarm events (`hms.<swarm>.evt.<type>.<cellId>`). */
export interface PluginEventBus {
  /** Publishes `body` as event `type` about `about` (a cell id; default the plugin's id). */
  publish(type: string, body?: unknown, about?: string): void;
  /**
   * Calls `handler` with every event matching `pattern` (`health.changed`, `circuit.*`,
   * `cell.>`); with `queue`, one subscriber of the group gets each event. Returns a stop function.
   */
  subscribe(
    pattern: string,
    handler: (event: PluginEvent) => void | Promise<void>,
    options?: { queue?: string },
  ): () => void;
}

/** Options of {@link createPluginEventBus}. */
export interface PluginEventBusOptions {
  /** The connection; a function for a connection opened on first use (the CLI). */
  transport: Transport | (() => Promise<Transport>);
  subjects: Subjects;
  /** `hms-from` and the default `about` of what is published (the plugin's id). */
  from: string;
}

/** Creates the event bus of one plugin. */
export function createPluginEventBus(options: PluginEventBusOptions): PluginEventBus {
  const { subjects, from } = options;
  const transport = (): Promise<Transport> =>
    typeof options.transport === 'function' ? options.transport() : Promise.resolve(options.transport);
  return {
    publish(type, body, about = from) {
      const subject = subjects.event(type, about);
      void transport().then((t) => t.publish(subject, type, body, { from }));
    },
    subscribe(pattern, handler, subscribeOptions = {}) {
      const subject = subjects.eventTypePattern(pattern);
      let sub: TransportSubscription | undefined;
      let stopped = false;
      const start = (t: Transport) => {
        if (stopped) return;
        sub = t.subscribe(
          subject,
          async (msg) => {
            const parsed = subjects.parseEvent(msg.subject);
            if (!parsed) return;
            await handler({ type: parsed.eventType, cellId: parsed.cellId, from: msg.from, body: msg.body });
          },
          subscribeOptions.queue ? { queue: subscribeOptions.queue } : {},
        );
      };
      // A node's connection is there already: subscribe at once, so no event is missed.
      if (typeof options.transport === 'function') void options.transport().then(start);
      else start(options.transport);
      return () => {
        stopped = true;
        sub?.unsubscribe();
      };
    },
  };
}

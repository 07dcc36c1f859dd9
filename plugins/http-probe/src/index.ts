import type { HMSContext, HMSPlugin, PluginEvent } from '@hms/runtime';
import { createProbeCommands } from './commands.js';
import { createProbeCell, PROBE_EVENT } from './probe.cell.js';
import { listProbes } from './probe-status.js';

/** The plugin's settings (plugin.json `config`): defaults of the probes' configs. */
export interface HttpProbeSettings {
  /** Between probes, in millis; default 5000. */
  intervalMs: number;
  /** A probe fails without an answer by then, in millis; default 2000. */
  timeoutMs: number;
}

let context: HMSContext<HttpProbeSettings> | undefined;

const current = (): HMSContext<HttpProbeSettings> => {
  if (!context) throw new Error('the http-probe plugin is not initialized');
  return context;
};

/** How long a failure mark lasts: three probe intervals, in millis. */
const markTtl = (ctx: HMSContext<HttpProbeSettings>) => 3 * (ctx.config.intervalMs ?? 5000);

/**
 * http-probe: `http-probe` cells probe a URL on a schedule and record latency and status. A
 * failing probe marks `unhealthy.<cellId>` in the stigmergy field (so cells avoid it as a
 * dependency) and reports the endpoint degraded to the health monitor, which raises an alert.
 */
const plugin: HMSPlugin<HttpProbeSettings> = {
  id: 'http-probe',
  name: 'HTTP probe',
  version: '0.1.0',
  async initialize(ctx) {
    context = ctx;
    // On every node, the probes' status is a NATS service: `nats micro ls` finds it, and any
    // plugin reaches it with context.getService('http-probe').
    if (ctx.host === 'node') {
      await ctx.registerService({
        name: 'http-probe',
        version: '0.1.0',
        description: 'the http-probe cells of the swarm and what they last measured',
        endpoints: [{ name: 'status', handler: () => listProbes(ctx as unknown as HMSContext) }],
      });
    }
  },
  shutdown() {
    context = undefined;
  },
  getCommands: () => createProbeCommands(() => current() as unknown as HMSContext),
  getAgentTypes: () => {
    const { intervalMs = 5000, timeoutMs = 2000 } = context?.config ?? {};
    return [createProbeCell({ intervalMs, timeoutMs })];
  },
  getEventHandlers: () => [
    {
      eventType: PROBE_EVENT.failed,
      handler: async (event: PluginEvent, ctx) => {
        const typed = ctx as unknown as HMSContext<HttpProbeSettings>;
        await typed.field.deposit('unhealthy', event.cellId, 1, markTtl(typed));
      },
    },
    {
      eventType: 'health.changed',
      handler: (event: PluginEvent, ctx) => {
        const change = event.body as { kind?: string; id?: string; from?: string; to?: string };
        if (change.kind !== 'probe') return;
        ctx.logger.warn({ probe: change.id, from: change.from, to: change.to }, 'probed endpoint health changed');
      },
    },
  ],
};

export default plugin;

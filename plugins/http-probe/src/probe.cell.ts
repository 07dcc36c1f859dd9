import { type CellDefinition, defineCell, ValidationError } from '@hms/runtime';
import { type AnyStateMachine, enqueueActions, fromCallback, fromPromise, setup } from 'xstate';
import { type ProbeResult, probeUrl } from './probe-url.js';

/** The cell type this plugin provides. */
export const PROBE_TYPE = 'http-probe';

/** Events a probe publishes (on `hms.<swarm>.evt.<type>.<cellId>`). */
export const PROBE_EVENT = {
  /** Every failed probe: `{ url, status, error, latencyMs }`. */
  failed: 'http-probe.failed',
  /** The health monitor's topics: the endpoint went down / came back. */
  degraded: 'health.degraded',
  recovered: 'health.recovered',
} as const;

/** A probe cell's settings. */
export interface ProbeConfig {
  /** An http(s) URL. */
  url: string;
  /** Between probes, in millis. */
  intervalMs: number;
  /** A probe without an answer by then fails, in millis. */
  timeoutMs: number;
}

/** How many recent probes a cell keeps. */
const RECENT = 20;

/** A probe cell's state (kept in its snapshot). */
export interface ProbeContext {
  url: string;
  checks: number;
  failures: number;
  /** Null until the first probe. */
  healthy: boolean | null;
  last: ProbeResult | null;
  recent: ProbeResult[];
}

/** Checks a probe's config, filling `intervalMs`/`timeoutMs` from `defaults`. */
export function parseProbeConfig(raw: unknown, defaults: { intervalMs: number; timeoutMs: number }): ProbeConfig {
  const c = (raw ?? {}) as Partial<ProbeConfig>;
  let url: URL | undefined;
  try {
    url = new URL(String(c.url));
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ValidationError(`http-probe config.url must be an http(s) URL, got ${JSON.stringify(c.url)}`, {
      data: { field: 'url' },
    });
  }
  const intervalMs = c.intervalMs ?? defaults.intervalMs;
  const timeoutMs = c.timeoutMs ?? defaults.timeoutMs;
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    throw new ValidationError('http-probe config.intervalMs must be a whole number of millis >= 100', {
      data: { field: 'intervalMs' },
    });
  }
  if (!Number.isInteger(timeoutMs) || timeoutMs < 10 || timeoutMs > intervalMs) {
    throw new ValidationError('http-probe config.timeoutMs must be whole millis from 10 to intervalMs', {
      data: { field: 'timeoutMs' },
    });
  }
  return { url: url.href, intervalMs, timeoutMs };
}

/** The probe machine: probe every `intervalMs`; a `probe` message probes at once. */
export function createProbeMachine(config: ProbeConfig) {
  return setup({
    types: {
      context: {} as ProbeContext,
      events: {} as { type: 'probe' } | { type: 'status' },
    },
    actors: {
      check: fromPromise(({ input }: { input: ProbeConfig }) => probeUrl(input.url, input.timeoutMs)),
      // An invoked timer, not an `after` delay: a cell restored from its snapshot starts it again.
      schedule: fromCallback(({ sendBack }) => {
        const timer = setInterval(() => sendBack({ type: 'probe' }), config.intervalMs);
        return () => clearInterval(timer);
      }),
    },
    actions: {
      record: enqueueActions(({ context, event, enqueue }) => {
        const result = (event as unknown as { output: ProbeResult }).output;
        const wasHealthy = context.healthy;
        enqueue.assign({
          checks: context.checks + 1,
          failures: context.failures + (result.ok ? 0 : 1),
          healthy: result.ok,
          last: result,
          recent: [...context.recent, result].slice(-RECENT),
        });
        if (!result.ok) {
          enqueue.emit({
            type: PROBE_EVENT.failed,
            url: context.url,
            status: result.status,
            error: result.error,
            latencyMs: result.latencyMs,
          } as never);
          if (wasHealthy !== false) {
            enqueue.emit({ type: PROBE_EVENT.degraded, reason: `${context.url}: ${result.error}` } as never);
          }
        } else if (wasHealthy === false) {
          enqueue.emit({ type: PROBE_EVENT.recovered } as never);
        }
      }),
    },
  }).createMachine({
    id: PROBE_TYPE,
    context: { url: config.url, checks: 0, failures: 0, healthy: null, last: null, recent: [] },
    invoke: { src: 'schedule' },
    initial: 'probing',
    states: {
      waiting: { on: { probe: 'probing' } },
      probing: {
        invoke: { src: 'check', input: () => config, onDone: { target: 'waiting', actions: 'record' } },
      },
    },
  });
}

/** What a probe answers to any request (`status`, `probe`). */
export function probeReply(context: ProbeContext) {
  const { recent, ...rest } = context;
  const latencies = recent.filter((r) => r.status !== null).map((r) => r.latencyMs);
  return {
    ...rest,
    avgLatencyMs: latencies.length
      ? Math.round((latencies.reduce((a, b) => a + b, 0) / latencies.length) * 100) / 100
      : null,
  };
}

/** The `http-probe` cell type, with `defaults` for configs that leave out interval or timeout. */
export function createProbeCell(defaults: {
  intervalMs: number;
  timeoutMs: number;
}): CellDefinition<ProbeConfig, AnyStateMachine> {
  return defineCell<ProbeConfig, AnyStateMachine>({
    type: PROBE_TYPE,
    queries: ['status'],
    description: 'probes a URL on a schedule: latency, status; degraded and marked in the field when it fails',
    config: (raw) => parseProbeConfig(raw, defaults),
    machine: (cell) => createProbeMachine(cell.config),
    reply: (snapshot) => probeReply(snapshot.context as ProbeContext),
  });
}

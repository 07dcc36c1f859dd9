import type { HMSContext } from '@hms/runtime';
import { Command, InvalidArgumentError } from 'commander';
import { PROBE_TYPE } from './probe.cell.js';
import { listProbes, type ProbeRow } from './probe-status.js';

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // reported below
  }
  throw new InvalidArgumentError('must be an http(s) URL, e.g. http://localhost:8080/health');
}

function parseMillis(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10) throw new InvalidArgumentError('must be whole millis >= 10');
  return n;
}

function describeRow(r: ProbeRow): string {
  if (r.unreachable !== undefined) return `${r.id}  unreachable: ${r.unreachable}  (${r.node})`;
  const state = r.healthy === null ? 'unknown' : r.healthy ? 'healthy' : 'DOWN';
  const last = r.last ? `  last ${r.last.status ?? r.last.error} in ${r.last.latencyMs} ms` : '';
  return `${r.id}  ${r.url}  ${state}  checks ${r.checks} failures ${r.failures}${last}  (${r.node})`;
}

const json = (command: Command) => Boolean((command.optsWithGlobals() as { json?: boolean }).json);

/** `hms http-probe add <url>` and `hms http-probe status`. */
export function createProbeCommands(context: () => HMSContext): Command[] {
  const add = new Command('add')
    .description('create an http-probe cell that probes <url> on a schedule')
    .argument('<url>', 'the http(s) URL to probe', parseUrl)
    .option('--id <id>', 'cell id (default http-probe-<random>)')
    .option('--interval-ms <ms>', 'between probes (default: the plugin setting, 5000)', parseMillis)
    .option('--timeout-ms <ms>', 'a probe fails without an answer by then (default 2000)', parseMillis)
    .action(async (url: string, opts: { id?: string; intervalMs?: number; timeoutMs?: number }, command: Command) => {
      const config = {
        url,
        ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      };
      const created = await context().control.createAgent({
        type: PROBE_TYPE,
        config,
        ...(opts.id === undefined ? {} : { id: opts.id }),
      });
      console.log(json(command) ? JSON.stringify(created) : `created ${created.id} probing ${url} on ${created.node}`);
    });

  const status = new Command('status')
    .description('every http-probe cell: URL, healthy, checks, failures, last status and latency')
    .action(async (_opts, command: Command) => {
      const rows = await listProbes(context());
      if (json(command)) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      if (rows.length === 0) {
        console.log('no http-probe cells (create one: hms http-probe add <url>)');
        return;
      }
      for (const r of rows) console.log(describeRow(r));
    });
  return [add, status];
}

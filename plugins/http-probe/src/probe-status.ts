import type { HMSContext } from '@hms/runtime';
import { PROBE_TYPE } from './probe.cell.js';

/** One probe as `status` shows it. */
export interface ProbeRow {
  id: string;
  node: string;
  url?: string;
  healthy?: boolean | null;
  checks?: number;
  failures?: number;
  avgLatencyMs?: number | null;
  last?: { status: number | null; latencyMs: number; error?: string } | null;
  unreachable?: string;
}

/** Every http-probe cell of the swarm with what it last measured (asked of each cell). */
export async function listProbes(ctx: HMSContext): Promise<ProbeRow[]> {
  const probes = (await ctx.control.listAgents()).filter((a) => a.type === PROBE_TYPE);
  return Promise.all(
    probes.map(async (p): Promise<ProbeRow> => {
      try {
        return { id: p.id, node: p.node, ...((await ctx.request(p.id, 'status', undefined, 3000)) as object) };
      } catch (err) {
        return { id: p.id, node: p.node, unreachable: (err as Error).message };
      }
    }),
  );
}

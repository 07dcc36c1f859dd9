import type { CreateAgentRequest } from '@hms/runtime';

/**
 * The cells `hms up` creates for nodes `node-1..node-N`: a `health-monitor` on the first node
 * a `recovery-manager` on the second, a `metrics-collector` on the last and an `adaptive-config`
 * on the first;
 * and, as a demo, on every node a `ponger` and a `pinger` that pings the next node's ponger (so
 * requests cross processes), a `ticker` on the first node and a `counter` on the last that
 * counts its ticks.
 */
export function demoCellPlan(nodes: readonly string[]): CreateAgentRequest[] {
  const plan: CreateAgentRequest[] = [];
  if (nodes[0]) plan.push({ type: 'health-monitor', id: 'health-monitor-1', node: nodes[0] });
  const second = nodes[1] ?? nodes[0];
  if (second) plan.push({ type: 'recovery-manager', id: 'recovery-manager-1', node: second });
  const last = nodes[nodes.length - 1];
  if (last) plan.push({ type: 'metrics-collector', id: 'metrics-collector-1', node: last });
  if (nodes[0]) plan.push({ type: 'adaptive-config', id: 'adaptive-config-1', node: nodes[0] });
  nodes.forEach((node, i) => {
    const next = (i + 1) % nodes.length;
    plan.push({ type: 'ponger', id: `ponger-${i + 1}`, node });
    plan.push({ type: 'pinger', id: `pinger-${i + 1}`, node, config: { target: `ponger-${next + 1}` } });
  });
  const first = nodes[0];
  if (first) plan.push({ type: 'ticker', id: 'ticker-1', node: first });
  if (last) plan.push({ type: 'counter', id: 'counter-1', node: last });
  return plan;
}

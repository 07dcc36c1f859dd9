import { formatTable } from '../output.js';
import { activityLine } from './health-feed.js';
import { type HealthSnapshot, mib, overallHealth, phiLabel } from './health-model.js';

/** One plain-text frame of the health view (for `--once` and terminals that are not TTYs). */
export function formatHealthText(s: HealthSnapshot): string {
  const overall = overallHealth(s);
  const cells = Object.entries(s.cellsByStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  return [
    `HMS swarm ${s.swarm}: ${overall.level.toUpperCase()} — ${overall.reason}`,
    `leader ${s.leader ?? '(none)'} · term ${s.term} · ${s.nodes.length} nodes · ${s.totalCells} cells${cells ? ` (${cells})` : ''}`,
    '',
    s.nodes.length
      ? formatTable(
          s.nodes.map((n) => ({
            node: n.node,
            status: n.state,
            phi: phiLabel(n.phi),
            role: n.role,
            cells: n.state === 'down' || n.state === 'left' ? '-' : n.cells,
            lag: `${n.lagMs.toFixed(1)}ms`,
            rss: mib(n.rssBytes),
            version: n.version ?? '-',
            overload: n.overload ?? '-',
          })),
          ['node', 'status', 'phi', 'role', 'cells', 'lag', 'rss', 'version', 'overload'],
        )
      : 'no nodes heard',
    '',
    `healing: ${s.rebalance ? `rebalancing ${s.rebalance.moved} moved, ${s.rebalance.inFlight} in flight, ${s.rebalance.remaining} to go` : s.healing.length ? '' : 'none'}`,
    ...s.healing.slice(0, 5).map((r) => `  ${activityLine(r)}`),
    `alerts: ${s.alerts.length ? '' : 'none'}`,
    ...s.alerts.slice(0, 5).map((r) => `  ${activityLine(r)}`),
    `consoles: ${s.consoles.map((c) => c.id).join(', ') || 'none'}`,
  ].join('\n');
}

import type { AgentGraph, CallEdge } from './agent-graph.js';

/** The formats of `hms agent graph`. */
export const GRAPH_FORMATS = ['dot', 'mermaid', 'json'] as const;

/** One of {@link GRAPH_FORMATS}. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** A call edge's label: count, failures, latency, circuit. */
function callLabel(e: CallEdge): string {
  const bad = e.failed + e.timeouts + e.rejected;
  return [
    `${e.calls} calls`,
    ...(bad ? [`${bad} failed (${Math.round((bad / e.calls) * 100)}%)`] : []),
    `p50 ${e.p50Ms.toFixed(1)} ms`,
    ...(e.circuit && e.circuit !== 'closed' ? [`circuit ${e.circuit}`] : []),
  ].join(', ');
}

const dotId = (id: string) => JSON.stringify(id);

/** Graphviz DOT: cells as boxes by node, calls solid (red when failing), event subscriptions dashed. */
export function graphToDot(g: AgentGraph): string {
  const lines = ['digraph hms {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  const byNode = new Map<string, AgentGraph['cells']>();
  for (const c of g.cells) byNode.set(c.node, [...(byNode.get(c.node) ?? []), c]);
  for (const [node, cells] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph ${dotId(`cluster_${node}`)} {`, `    label=${dotId(node)};`);
    for (const c of cells) {
      const color = c.status === 'running' ? 'black' : 'red';
      lines.push(`    ${dotId(c.id)} [label=${dotId(`${c.id}\n${c.type}`)}, color=${color}];`);
    }
    lines.push('  }');
  }
  if (g.events.some((e) => e.from === '*')) lines.push('  "*" [shape=ellipse, label="any cell"];');
  for (const e of g.calls) {
    const failing = e.failed + e.timeouts + e.rejected > 0 || (e.circuit !== undefined && e.circuit !== 'closed');
    lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)} [label=${dotId(callLabel(e))}${failing ? ', color=red' : ''}];`);
  }
  for (const e of g.events) lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)} [label=${dotId(e.event)}, style=dashed];`);
  lines.push('}');
  return lines.join('\n');
}

/** Mermaid flowchart: calls `-->` with their label, event subscriptions `-.->`. */
export function graphToMermaid(g: AgentGraph): string {
  const ids = new Map<string, string>();
  const id = (cell: string) => {
    let v = ids.get(cell);
    if (v === undefined) {
      v = `n${ids.size}`;
      ids.set(cell, v);
    }
    return v;
  };
  const lines = ['flowchart LR'];
  for (const c of g.cells) lines.push(`  ${id(c.id)}["${c.id}<br/>${c.type} @ ${c.node}"]`);
  if (g.events.some((e) => e.from === '*')) lines.push(`  ${id('*')}(("any cell"))`);
  for (const e of g.calls) lines.push(`  ${id(e.from)} -->|"${callLabel(e)}"| ${id(e.to)}`);
  for (const e of g.events) lines.push(`  ${id(e.from)} -.->|"${e.event}"| ${id(e.to)}`);
  return lines.join('\n');
}

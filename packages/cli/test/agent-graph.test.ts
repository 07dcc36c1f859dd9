import type { CellHealth } from '@hms/runtime';
import { describe, expect, it } from 'vitest';
import { addCalls, type CallEdge, eventEdges } from '../src/agent-graph.js';
import { graphToDot, graphToMermaid } from '../src/agent-graph-format.js';

const cell = (id: string, topics?: string[]): CellHealth => ({
  id,
  type: 't',
  node: 'node-1',
  status: 'running',
  state: 'idle',
  mailbox: 0,
  handled: 0,
  errors: 0,
  restarts: 0,
  startedAt: 0,
  ...(topics ? { topics } : {}),
});

describe('addCalls', () => {
  it('counts calls per caller and callee, by outcome, keeping the answered latencies', () => {
    const into = new Map<string, { edge: CallEdge; ms: number[] }>();
    addCalls(into, {
      to: ['b', 'c'],
      dep: [0, 0, 1, 0],
      from: ['a'],
      src: [0, 0, 0, 0],
      at: [1, 2, 3, 4],
      ms: [2, 4, 100, 0],
      outcome: [0, 0, 1, 3],
      dropped: 0,
    });
    expect(into.get('a\u0000b')?.edge).toMatchObject({ calls: 3, rejected: 1, failed: 0, timeouts: 0 });
    expect(into.get('a\u0000b')?.ms).toEqual([2, 4]);
    expect(into.get('a\u0000c')?.edge).toMatchObject({ calls: 1, timeouts: 1 });
  });

  it('names the caller ? when an older node sent no callers', () => {
    const into = new Map<string, { edge: CallEdge; ms: number[] }>();
    addCalls(into, { to: ['b'], dep: [0], at: [1], ms: [1], outcome: [0], dropped: 0 });
    expect([...into.values()][0]?.edge.from).toBe('?');
  });
});

describe('eventEdges', () => {
  it('makes an edge per event topic, from a named cell or from any cell, and leaves heartbeats and migrants out', () => {
    expect(eventEdges([cell('c', ['tick@ticker-1', 'health.changed', 'heartbeats', 'migrants']), cell('d')])).toEqual([
      { from: 'ticker-1', to: 'c', event: 'tick' },
      { from: '*', to: 'c', event: 'health.changed' },
    ]);
  });
});

describe('graph formats', () => {
  const graph = {
    windowMs: 3000,
    cells: [
      { id: 'a', type: 'pinger', node: 'node-1', status: 'running' as const },
      { id: 'b', type: 'ponger', node: 'node-2', status: 'crashed' as const },
    ],
    calls: [{ from: 'a', to: 'b', calls: 4, failed: 1, timeouts: 0, rejected: 0, p50Ms: 2, p99Ms: 3, circuit: 'open' }],
    events: [{ from: '*', to: 'b', event: 'tick' }],
  };

  it('writes DOT with a cluster per node, failing calls in red and event subscriptions dashed', () => {
    const dot = graphToDot(graph);
    expect(dot).toMatch(/^digraph hms \{/);
    expect(dot).toContain('subgraph "cluster_node-2"');
    expect(dot).toContain('"b" [label="b\\nponger", color=red];');
    expect(dot).toContain('"a" -> "b" [label="4 calls, 1 failed (25%), p50 2.0 ms, circuit open", color=red];');
    expect(dot).toContain('"*" -> "b" [label="tick", style=dashed];');
  });

  it('writes a Mermaid flowchart', () => {
    const m = graphToMermaid(graph);
    expect(m.split('\n')[0]).toBe('flowchart LR');
    expect(m).toContain('n0 -->|"4 calls, 1 failed (25%), p50 2.0 ms, circuit open"| n1');
    expect(m).toContain('n2 -.->|"tick"| n1');
  });
});

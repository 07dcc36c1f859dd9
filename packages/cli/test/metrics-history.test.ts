import { describe, expect, it } from 'vitest';
import { formatMetricsHistory, type HistorySample } from '../src/metrics-history.js';

const at = Date.UTC(2026, 0, 1);
const node = (name: string, rate: number) => ({
  node: name,
  cells: 5000,
  counts: { running: 4990, crashed: 10 },
  rate,
  errorRate: 0,
  eventLoopLagMs: 3,
  rssBytes: 300 * 2 ** 20,
  ...(name === 'n2' ? { overload: ['store-latency', 'event-loop'] } : {}),
});
const busy = { id: 'c7', type: 'counter', node: 'n1', rate: 12.5, handled: 300, errors: 0, mailbox: 1, restarts: 0 };

describe('formatMetricsHistory', () => {
  it('prints a row per node and sample, then the busiest cells of the latest sample', () => {
    const samples: HistorySample[] = [
      { at, nodes: [node('n1', 0), node('n2', 0)], cells: [] },
      { at: at + 5000, nodes: [node('n1', 120.5), node('n2', 80)], cells: [busy] },
    ];
    const lines = formatMetricsHistory(samples).split('\n');
    expect(lines[0]).toMatch(/^AT\s+NODE\s+CELLS\s+NOTRUNNING\s+RATE\s+ERRORRATE\s+LAGMS\s+RSSMIB\s+OVERLOAD$/);
    expect(lines[3]).toMatch(/^2026-01-01T00:00:05.000Z\s+n1\s+5000\s+10\s+120.5\s+0\s+3\s+300\s+-$/);
    expect(lines[4]).toMatch(/n2 .* store-latency,event-loop$/);
    expect(lines).toContain('busiest cells at 2026-01-01T00:00:05.000Z');
    expect(lines.at(-1)).toMatch(/^c7\s+counter\s+n1\s+12.5\s+300\s+0\s+1$/);
  });

  it('prints the samples of the previous shape (no counts or rates) with dashes', () => {
    const old = {
      at,
      nodes: [{ node: 'n1', cells: 3, eventLoopLagMs: 1, rssBytes: 2 ** 20, malformed: 0 }],
      cells: [],
    };
    expect(formatMetricsHistory([old]).split('\n')[1]).toMatch(/n1\s+3\s+-\s+-\s+-\s+1\s+1\s+-$/);
  });

  it('prints one cell rows with --cell, or says it was not among the busiest', () => {
    expect(formatMetricsHistory([{ at, nodes: [], cells: [busy] }], 'c7')).toMatch(/c7\s+n1\s+300\s+12.5/);
    expect(formatMetricsHistory([{ at, nodes: [], cells: [] }], 'c8')).toBe(
      'c8 was not among the busiest cells in these samples (its figures now: hms agent status c8)',
    );
  });

  it('says when there are no samples', () => {
    expect(formatMetricsHistory([])).toMatch(/no samples yet/);
  });
});

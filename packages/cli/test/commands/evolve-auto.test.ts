import type { AutoEvolutionStatus } from '@hms/agents';
import { describe, expect, it } from 'vitest';
import { renderAutoStatus } from '../../src/commands/evolve-auto.js';

const STATUS: AutoEvolutionStatus = {
  enabled: true,
  baseline: 0.9,
  fitness: 0.6,
  checkedAt: 1_000_000,
  dropPct: 10,
  scheduleMs: 0,
  baselineMs: 120_000,
  cooldownMs: 60_000,
  quietUntil: 0,
  nextScheduledAt: null,
  held: 'rebalancing',
  last: null,
  run: null,
};

describe('renderAutoStatus', () => {
  it('shows on/off, fitness, baseline, threshold, schedule and what holds a run back', () => {
    const text = renderAutoStatus(STATUS, 1_000_000);
    expect(text).toContain('auto evolution: on');
    expect(text).toContain('fitness 0.600, baseline 0.900 over 120000 ms; a run starts below 0.810 (10% drop)');
    expect(text).toContain('schedule: off; cool-down 60000 ms');
    expect(text).toContain('held: rebalancing');
    expect(text).toContain('last self-started run: none');
  });

  it('shows the last self-started run with why and how it ended', () => {
    const text = renderAutoStatus({
      ...STATUS,
      held: null,
      last: {
        at: 0,
        reason: 'drop: fitness 0.600 is 33% below baseline 0.900',
        run: 'r1',
        since: 0,
        outcome: 'kept',
        baseline: 0.9,
        fitness: 0.6,
      },
    });
    expect(text).toContain('last self-started run: r1 at 1970-01-01T00:00:00.000Z, kept; why: drop: fitness 0.600');
  });

  it('says so when the swarm has no adaptive-config cell', () => {
    expect(renderAutoStatus(null)).toMatch(/no adaptive-config cell/);
  });
});

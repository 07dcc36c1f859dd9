import { describe, expect, it } from 'vitest';
import { LEADER_SILENT_MS, LeaderWatch } from '../../src/election/leader-watch.js';

describe('LeaderWatch', () => {
  it('shows the sender of the latest leader heartbeat with its term', () => {
    const w = new LeaderWatch();
    expect(w.current(0)).toEqual({ leader: null, term: 0, lastSeen: 0 });
    w.observe({ term: 3, from: 'node-1' }, 1000);
    expect(w.current(1050)).toMatchObject({ leader: 'node-1', term: 3 });
  });

  it('switches to a new leader at once when it heartbeats in a higher term', () => {
    const w = new LeaderWatch();
    w.observe({ term: 3, from: 'node-1' }, 1000);
    w.observe({ term: 4, from: 'node-2' }, 1100);
    expect(w.current(1100)).toMatchObject({ leader: 'node-2', term: 4 });
  });

  it('ignores a stale leader heartbeating in an older term', () => {
    const w = new LeaderWatch();
    w.observe({ term: 4, from: 'node-2' }, 1000);
    w.observe({ term: 3, from: 'node-1' }, 1010);
    expect(w.current(1010)).toMatchObject({ leader: 'node-2', term: 4 });
  });

  it('shows no leader once the leader has been silent too long, keeping the term', () => {
    const w = new LeaderWatch();
    w.observe({ term: 4, from: 'node-2' }, 1000);
    expect(w.current(1000 + LEADER_SILENT_MS + 1)).toMatchObject({ leader: null, term: 4 });
  });

  it('ignores malformed heartbeats', () => {
    const w = new LeaderWatch();
    for (const bad of [{}, { term: '5', from: 'x' }, { term: 5 }, { from: 'x' }]) {
      w.observe(bad as unknown as { term: number; from: string }, 1000);
    }
    expect(w.current(1000).leader).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ElectionSharedState } from '../../src/election/election-shared-state.js';

describe('ElectionSharedState', () => {
  it('keeps the longest gap between the election thread’s runs until the main thread takes it', () => {
    const shared = ElectionSharedState.create();
    const thread = ElectionSharedState.attach(shared.buffer);
    expect(shared.takeThreadStallMs(1000)).toBe(0);
    thread.markThreadAlive(1000);
    thread.markThreadAlive(1050);
    // Stopped for 5.2 s, then it runs again before the main thread looks.
    thread.markThreadAlive(6250);
    thread.markThreadAlive(6300);
    expect(shared.takeThreadStallMs(6310)).toBe(5200);
    expect(shared.takeThreadStallMs(6320)).toBe(20);
  });

  it('counts the silence up to now when the election thread has not run again yet', () => {
    const shared = ElectionSharedState.create();
    shared.markThreadAlive(1000);
    expect(shared.takeThreadStallMs(4000)).toBe(3000);
  });

  it('keeps the fencing numbers beside it', () => {
    const shared = ElectionSharedState.create();
    shared.write({ role: 'leader', term: 7, lastLeaderContact: 123, leaseContact: 120 });
    shared.markThreadAlive(500);
    expect([shared.role, shared.term, shared.lastLeaderContact, shared.leaseContact]).toEqual(['leader', 7, 123, 120]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createElectionState, step } from '../../src/election/election-core.js';
import { isElectionMessage } from '../../src/election/election-runner.js';

const timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 };
const members = ['a', 'b', 'c'];
const random = () => 0.5;

describe('election messages', () => {
  it('never leave a node a term it cannot raise, whatever a member sends (regression: a term of 2^53 was accepted, and term + 1 === term)', () => {
    const message = fc.record({
      type: fc.constantFrom('pre-vote', 'pre-vote-reply', 'request-vote', 'vote', 'heartbeat', 'heartbeat-ack', 'x'),
      term: fc.oneof(
        fc.nat(),
        fc.constantFrom(2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e300, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.5),
        fc.double(),
      ),
      from: fc.constantFrom('b', 'c', 'z', '', 'a.b'),
      granted: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 20 }), (messages) => {
        let state = createElectionState({ id: 'a', members, now: 0, random, timing });
        let now = 0;
        for (const m of messages) {
          if (!isElectionMessage(m)) continue;
          now += 10;
          state = step(state, { type: 'message', now, message: m }, random, timing).state;
          expect(state.term + 1).toBeGreaterThan(state.term);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

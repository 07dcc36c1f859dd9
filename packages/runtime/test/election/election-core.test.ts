import { describe, expect, it } from 'vitest';
import {
  createElectionState,
  type ElectionState,
  holdEchoes,
  ROLE,
  releaseEchoes,
  step,
  transferLeadership,
  withMembers,
} from '../../src/election/election-core.js';
import type { ElectionMessage, Outgoing } from '../../src/election/election-messages.js';
import { seededRandom } from './election-simulator.js';

const timing = { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300, heartbeatMs: 50 };
const members = ['a', 'b', 'c'];

/** Delivers every message instantly between the given live nodes until nothing is left. */
function settle(
  states: Map<string, ElectionState>,
  out: Array<{ from: string; o: Outgoing }>,
  now: number,
  random: () => number,
) {
  while (out.length) {
    const { from, o } = out.shift() as { from: string; o: Outgoing };
    for (const to of o.to ? [o.to] : members.filter((m) => m !== from)) {
      const s = states.get(to);
      if (!s) continue;
      const r = step(s, { type: 'message', now, message: o.message }, random, timing);
      states.set(to, r.state);
      for (const x of r.out) out.push({ from: to, o: x });
    }
  }
}

function cluster(random = seededRandom(1)) {
  const states = new Map(members.map((id) => [id, createElectionState({ id, members, now: 0, random, timing })]));
  return { states, random };
}

function tick(states: Map<string, ElectionState>, id: string, now: number, random: () => number) {
  const r = step(states.get(id) as ElectionState, { type: 'tick', now }, random, timing);
  states.set(id, r.state);
  settle(
    states,
    r.out.map((o) => ({ from: id, o })),
    now,
    random,
  );
}

describe('election core', () => {
  it('elects the first node whose timeout fires, in term 1, with every node following it', () => {
    const { states, random } = cluster();
    tick(states, 'b', 400, random);
    expect(states.get('b')).toMatchObject({ role: ROLE.leader, term: 1, leader: 'b' });
    for (const id of ['a', 'c'])
      expect(states.get(id)).toMatchObject({ role: ROLE.follower, term: 1, leader: 'b', votedFor: 'b' });
  });

  it('lets a cut-off node collect no pre-votes, so it cannot raise terms and depose a healthy leader', () => {
    const { states, random } = cluster();
    // a is elected while c is cut off: c hears nothing.
    const c = states.get('c') as ElectionState;
    states.delete('c');
    tick(states, 'a', 400, random);
    states.set('c', c);
    // c times out and asks for pre-votes: a leads and b heard a 50 ms ago, so both refuse.
    const r = step(c, { type: 'tick', now: 450 }, random, timing);
    expect(r.state.role).toBe(ROLE.preCandidate);
    states.set('c', r.state);
    settle(
      states,
      r.out.map((o) => ({ from: 'c', o })),
      450,
      random,
    );
    expect(states.get('a')).toMatchObject({ role: ROLE.leader, term: 1 });
    expect(states.get('b')).toMatchObject({ term: 1, leader: 'a' });
    expect(states.get('c')).toMatchObject({ role: ROLE.preCandidate, term: 0 });
  });

  it('makes a leader that hears no majority step down (check quorum)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const lonely = step(states.get('a') as ElectionState, { type: 'tick', now: 400 + 301 }, random, timing);
    expect(lonely.state.role).toBe(ROLE.follower);
  });

  it('votes at most once per term, also after a restart with its durable state', () => {
    const random = seededRandom(3);
    let b = createElectionState({ id: 'b', members, now: 0, random, timing });
    const ask = (from: string): ElectionMessage => ({ type: 'request-vote', term: 1, from });
    const first = step(b, { type: 'message', now: 1, message: ask('a') }, random, timing);
    expect(first.out[0]?.message).toMatchObject({ type: 'vote', granted: true });
    b = createElectionState({
      id: 'b',
      members,
      now: 2,
      random,
      timing,
      durable: { term: first.state.term, votedFor: first.state.votedFor },
    });
    const second = step(b, { type: 'message', now: 3, message: ask('c') }, random, timing);
    expect(second.out[0]?.message).toMatchObject({ type: 'vote', granted: false });
  });

  it('ignores messages from non-members and from itself', () => {
    const { states, random } = cluster();
    const a = states.get('a') as ElectionState;
    for (const from of ['zz', 'a']) {
      const r = step(a, { type: 'message', now: 1, message: { type: 'heartbeat', term: 9, from } }, random, timing);
      expect(r.state).toBe(a);
      expect(r.out).toEqual([]);
    }
  });

  it('elects a single-member swarm at once', () => {
    const random = seededRandom(4);
    const solo = createElectionState({ id: 'x', members: ['x'], now: 0, random, timing });
    expect(step(solo, { type: 'tick', now: 1000 }, random, timing).state).toMatchObject({ role: ROLE.leader, term: 1 });
  });

  it('keeps a lone leader in office when members join (regression: it stepped down at once, having ignored their acks)', () => {
    const random = seededRandom(3);
    let alone = createElectionState({ id: 'a', members: ['a'], now: 0, random, timing });
    alone = step(alone, { type: 'tick', now: 1000 }, random, timing).state;
    expect(alone.role).toBe(ROLE.leader);
    const grown = withMembers(alone, ['a', 'b', 'c'], 1010);
    expect(step(grown, { type: 'tick', now: 1020 }, random, timing).state.role).toBe(ROLE.leader);
    // Members that then stay silent for an election timeout do depose it (check quorum).
    expect(step(grown, { type: 'tick', now: 1010 + timing.electionTimeoutMaxMs + 1 }, random, timing).state.role).toBe(
      ROLE.follower,
    );
  });

  it('hands a leaving leader’s office to the follower that acknowledged it last, at once, in the next term', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    // b and c acknowledge the next heartbeat; c's ack arrives last.
    tick(states, 'a', 460, random);
    const leader = states.get('a') as ElectionState;
    const acks = { ...leader.acks, b: 461, c: 462 };
    const handed = transferLeadership({ ...leader, acks }, 470, random, timing);
    expect(handed.state).toMatchObject({ role: ROLE.follower, leader: null, term: 1 });
    expect(handed.out).toEqual([{ to: 'c', message: { type: 'timeout-now', term: 1, from: 'a' } }]);
    states.set('a', handed.state);
    // No election timeout waited for: c campaigns on the spot and every member votes for it.
    settle(
      states,
      handed.out.map((o) => ({ from: 'a', o })),
      471,
      random,
    );
    expect(states.get('c')).toMatchObject({ role: ROLE.leader, term: 2, leader: 'c' });
    for (const id of ['a', 'b']) expect(states.get(id)).toMatchObject({ role: ROLE.follower, term: 2, leader: 'c' });
  });

  it('ignores a timeout-now from anyone but its current leader, and a transfer by a non-leader', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const b = states.get('b') as ElectionState;
    const forged = step(
      b,
      { type: 'message', now: 410, message: { type: 'timeout-now', term: 1, from: 'c' } },
      random,
      timing,
    );
    expect(forged.state).toBe(b);
    expect(forged.out).toEqual([]);
    const stale = step(
      b,
      { type: 'message', now: 410, message: { type: 'timeout-now', term: 0, from: 'a' } },
      random,
      timing,
    );
    expect(stale.out).toEqual([]);
    expect(transferLeadership(b, 410, random, timing)).toEqual({ state: b, out: [] });
  });

  it('campaigns a fraction of a heartbeat after learning its leader’s process is gone, and the others grant pre-votes at once', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    // a dies at 410; b and c last heard it at 400 and probe its subject at 480: no responders.
    states.delete('a');
    for (const id of ['b', 'c']) {
      const r = step(
        states.get(id) as ElectionState,
        { type: 'leader-gone', now: 480, leader: 'a', term: 1 },
        random,
        timing,
      );
      expect(r.state.leaderGone).toBe(true);
      expect(r.state.electionDeadline).toBeLessThanOrEqual(480 + timing.heartbeatMs);
      states.set(id, r.state);
    }
    // Well before an election timeout (150–300 ms after 400) a new leader is in office.
    const first = ['b', 'c'].sort(
      (x, y) => (states.get(x)?.electionDeadline ?? 0) - (states.get(y)?.electionDeadline ?? 0),
    )[0] as string;
    tick(states, first, 531, random);
    expect(states.get(first)).toMatchObject({ role: ROLE.leader, term: 2 });
  });

  it('ignores a report that its leader is gone when it is stale: another leader, another term, or not a follower', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const b = states.get('b') as ElectionState;
    for (const report of [
      { leader: 'c', term: 1 },
      { leader: 'a', term: 0 },
    ]) {
      expect(step(b, { type: 'leader-gone', now: 480, ...report }, random, timing).state).toBe(b);
    }
    const a = states.get('a') as ElectionState;
    expect(step(a, { type: 'leader-gone', now: 480, leader: 'a', term: 1 }, random, timing).state).toBe(a);
    // A heartbeat after a (wrong) report makes the leader fresh again: pre-votes are refused.
    const gone = step(b, { type: 'leader-gone', now: 480, leader: 'a', term: 1 }, random, timing).state;
    const heard = step(
      gone,
      { type: 'message', now: 490, message: { type: 'heartbeat', term: 1, from: 'a' } },
      random,
      timing,
    ).state;
    expect(heard.leaderGone).toBe(false);
    const reply = step(
      heard,
      { type: 'message', now: 495, message: { type: 'pre-vote', term: 2, from: 'c' } },
      random,
      timing,
    );
    expect(reply.out[0]?.message).toMatchObject({ type: 'pre-vote-reply', granted: false });
  });

  it('dates a follower’s lease from the sending of its newest ack the leader confirmed, not from a heartbeat’s arrival', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    // 750 ms of delay each way: a heartbeat the leader sends at 1000 arrives at 1750; b acks it
    // (seq n) at once; the ack reaches the leader at 2500; the leader's next heartbeat, sent at
    // 2500 with acked { b: n }, arrives at 3250.
    const hb = (acked?: Record<string, number>) => ({
      type: 'heartbeat' as const,
      term: 1,
      from: 'a',
      ...(acked ? { acked } : {}),
    });
    let b = states.get('b') as ElectionState;
    const first = step(b, { type: 'message', now: 1750, message: hb({}) }, random, timing);
    b = first.state;
    const seq = (first.out[0] as { message: { seq: number } }).message.seq;
    expect(first.out[0]?.message).toMatchObject({ type: 'heartbeat-ack', seq });
    let a = states.get('a') as ElectionState;
    a = step(
      a,
      { type: 'message', now: 2500, message: first.out[0]?.message as ElectionMessage },
      random,
      timing,
    ).state;
    expect(a.ackSeqs.b).toBe(seq);
    const beat = step(a, { type: 'tick', now: 2500 }, random, timing).out[0]?.message;
    expect(beat).toMatchObject({ type: 'heartbeat', acked: { b: seq } });
    b = step(b, { type: 'message', now: 3250, message: beat as ElectionMessage }, random, timing).state;
    // Heard at 3250, but the lease counts from 1750: the leader last heard b at 2500 (its own
    // clock), so b's lease ends no later than the leader could count it down.
    expect(b.lastLeaderContact).toBe(3250);
    expect(b.leaseContact).toBe(1750);
  });

  it('renews the lease of a follower restarted under the same name within a term (a rolling upgrade)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const hb = (acked: Record<string, number>) => ({ type: 'heartbeat' as const, term: 1, from: 'a', acked });
    // b's first process acks many heartbeats; the leader keeps the newest seq.
    let a = states.get('a') as ElectionState;
    let old = states.get('b') as ElectionState;
    for (let now = 500; now <= 5000; now += 50) {
      const r = step(old, { type: 'message', now, message: hb({}) }, random, timing);
      old = r.state;
      a = step(a, { type: 'message', now, message: r.out[0]?.message as ElectionMessage }, random, timing).state;
    }
    // b restarts at 6000 and acks the leader's heartbeat; the leader's echo must renew its lease.
    let b = createElectionState({ id: 'b', members, now: 6000, random, timing });
    const first = step(b, { type: 'message', now: 6000, message: hb({ b: a.ackSeqs.b as number }) }, random, timing);
    b = first.state;
    a = step(
      a,
      { type: 'message', now: 6010, message: first.out[0]?.message as ElectionMessage },
      random,
      timing,
    ).state;
    const second = step(b, { type: 'message', now: 6050, message: hb({ ...a.ackSeqs }) }, random, timing);
    b = second.state;
    a = step(
      a,
      { type: 'message', now: 6060, message: second.out[0]?.message as ElectionMessage },
      random,
      timing,
    ).state;
    b = step(b, { type: 'message', now: 7000, message: hb({ ...a.ackSeqs }) }, random, timing).state;
    expect(b.leaseContact).toBe(6050);
  });

  it('takes a heartbeat’s arrival for the lease from a leader of an older build (no acked)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const b = step(
      states.get('b') as ElectionState,
      { type: 'message', now: 900, message: { type: 'heartbeat', term: 1, from: 'a' } },
      random,
      timing,
    ).state;
    expect(b.leaseContact).toBe(900);
  });

  it('starts the lease of a term by its first heartbeat’s arrival; later heartbeats of the term renew it only by echoing an ack', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const beat = (acked: Record<string, number>) => ({ type: 'heartbeat' as const, term: 2, from: 'c', acked });
    // A new leader (term 2): its first heartbeat counts at once, though it echoes nothing yet.
    let b = step(
      states.get('b') as ElectionState,
      { type: 'message', now: 1000, message: beat({}) },
      random,
      timing,
    ).state;
    expect(b.leaseContact).toBe(1000);
    // Heartbeats that do not echo any of b's acks (they never reached c) renew nothing.
    b = step(b, { type: 'message', now: 1100, message: beat({}) }, random, timing).state;
    b = step(b, { type: 'message', now: 1200, message: beat({ a: 7 }) }, random, timing).state;
    expect(b.lastLeaderContact).toBe(1200);
    expect(b.leaseContact).toBe(1000);
  });
  it('renews the lease of a restarted follower, whose acks the leader must not take for old ones (regression: refused for 47 s)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    const ackOf = (r: { out: Outgoing[] }) => r.out[0]?.message as ElectionMessage & { seq: number };
    let a = states.get('a') as ElectionState;
    // b's first process acks for a minute.
    let b = states.get('b') as ElectionState;
    for (let t = 500; t < 60_500; t += 100) {
      const r = step(
        b,
        { type: 'message', now: t, message: { type: 'heartbeat', term: 1, from: 'a', acked: {} } },
        random,
        timing,
      );
      b = r.state;
      a = step(a, { type: 'message', now: t, message: ackOf(r) }, random, timing).state;
    }
    // b restarts (kill -9): a new process, numbering its acks afresh. Its first heartbeat of the
    // term starts its lease by arrival; from then on only the leader's echo of its acks renews it.
    let b2 = createElectionState({
      id: 'b',
      members,
      now: 60_420,
      random,
      timing,
      durable: { term: 1, votedFor: null },
    });
    for (const t of [60_450, 60_500]) {
      const beat = step(a, { type: 'tick', now: t }, random, timing).out[0]?.message as ElectionMessage;
      const r = step(b2, { type: 'message', now: t, message: beat }, random, timing);
      b2 = r.state;
      a = step(a, { type: 'message', now: t, message: ackOf(r) }, random, timing).state;
      expect(a.ackSeqs.b).toBe(ackOf(r).seq);
    }
    const echo = step(a, { type: 'tick', now: 60_550 }, random, timing).out[0]?.message as ElectionMessage;
    b2 = step(b2, { type: 'message', now: 60_550, message: echo }, random, timing).state;
    expect(b2.leaseContact).toBe(60_500);
  });
  it('counts a node whose acks it echoes as heard, also when its membership view lacks that node (regression: cells re-placed under a valid lease)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    // A stale membership read leaves c out of the leader's view.
    let a = withMembers(states.get('a') as ElectionState, ['a', 'b'], 410);
    let c = states.get('c') as ElectionState;
    const r = step(
      c,
      { type: 'message', now: 420, message: { type: 'heartbeat', term: 1, from: 'a', acked: {} } },
      random,
      timing,
    );
    c = r.state;
    const ack = r.out[0]?.message as ElectionMessage & { seq: number };
    a = step(a, { type: 'message', now: 430, message: ack }, random, timing).state;
    const beat = step(a, { type: 'tick', now: 460 }, random, timing).out[0]?.message;
    expect(beat).toMatchObject({ type: 'heartbeat', acked: { c: ack.seq } });
    expect(a.acks.c).toBe(430);
  });
  it('holds a node’s lease lapsed while its cells move, only if unheard since the judgement (regression: a node back meanwhile confirmed its cells beside their new copies)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    let a = states.get('a') as ElectionState;
    let b = states.get('b') as ElectionState;
    const beatAt = (now: number) => {
      const r = step(a, { type: 'tick', now }, random, timing);
      a = r.state;
      return r.out[0]?.message as ElectionMessage & { acked: Record<string, number> };
    };
    const ackAt = (now: number, beat: ElectionMessage) => {
      const r = step(b, { type: 'message', now, message: beat }, random, timing);
      b = r.state;
      a = step(a, { type: 'message', now, message: r.out[0]?.message as ElectionMessage }, random, timing).state;
    };
    ackAt(430, beatAt(450));
    const judgedHeard = a.acks.b;
    // Heard since the judgement: refused, nothing may move.
    ackAt(470, beatAt(500));
    expect(holdEchoes(a, 'b', judgedHeard).ok).toBe(false);
    // Unheard since: held. Its acks still count as heard, but are not echoed.
    const held = holdEchoes(a, 'b', a.acks.b);
    expect(held.ok).toBe(true);
    a = held.state;
    const during = beatAt(550);
    expect(during.acked).not.toHaveProperty('b');
    ackAt(560, during);
    expect(beatAt(600).acked).not.toHaveProperty('b');
    expect(b.leaseContact).toBeLessThan(500);
    // Released once the moves are written: echoed again, and its lease renews.
    a = releaseEchoes(a, 'b');
    const after = beatAt(650);
    expect(after.acked.b).toBe(a.ackSeqs.b);
    ackAt(660, after);
    b = step(b, { type: 'message', now: 700, message: beatAt(700) }, random, timing).state;
    expect(b.leaseContact).toBe(660);
  });
  it('starts no lease on the first heartbeat of a term that holds the node (regression: a node back from a minority confirmed its cells before they moved)', () => {
    const { states, random } = cluster();
    tick(states, 'a', 400, random);
    // b followed term 1; a new leader c (term 2) is re-placing b's cells and holds it.
    let b = states.get('b') as ElectionState;
    const contactBefore = b.leaseContact;
    const held = { type: 'heartbeat' as const, term: 2, from: 'c', acked: {}, held: ['b'] };
    const r = step(b, { type: 'message', now: 5000, message: held }, random, timing);
    b = r.state;
    expect(b.leaseContact).toBe(contactBefore);
    // It still acknowledges, so the leader hears it.
    expect(r.out[0]?.message).toMatchObject({ type: 'heartbeat-ack', term: 2 });
    // Released: the next heartbeat of the term starts the lease by its arrival.
    b = step(
      b,
      { type: 'message', now: 5100, message: { type: 'heartbeat', term: 2, from: 'c', acked: {} } },
      random,
      timing,
    ).state;
    expect(b.leaseContact).toBe(5100);
  });
});

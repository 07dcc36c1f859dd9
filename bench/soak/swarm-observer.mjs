// What a soak run watches from outside the nodes, over NATS only: node heartbeats (size,
// RSS, event-loop lag, overload, election view), election traffic (terms), re-placements, and
// the latency of a JetStream KV write made every second by the bench itself.
import { createSubjects, SnapshotStore } from '@hms/runtime';
import { percentile } from '../stats.mjs';

/** The key the write probe uses in the snapshot bucket (no cell has this id). */
const PROBE_KEY = 'soak-write-probe';

/**
 * Starts watching `swarm` through `client` (a runtime Transport). Samples are tagged with the
 * current phase (`setPhase`), so creates, the hold and the time after a kill are told apart.
 */
export async function observeSwarm(client, swarm) {
  const subjects = createSubjects(swarm);
  let phase = 'start';
  /** Per phase: heartbeat bytes, heartbeats, first and last arrival. */
  const beats = new Map();
  /** node → { pid, rss: [], lag: [], overload: number, cellCount, counts, role, term } */
  const nodes = new Map();
  /** term → the phase it was first seen in */
  const terms = new Map();
  const preVotes = [];
  let firstLeaderTerm = null;
  let leader = null;
  const moved = [];
  const writes = [];

  const phaseBeats = () => {
    let b = beats.get(phase);
    if (!b) {
      b = { bytes: 0, count: 0, from: Date.now(), to: Date.now() };
      beats.set(phase, b);
    }
    return b;
  };
  // Sizes as sent: the raw payloads, before decoding.
  const raw = client.nc.subscribe(subjects.heartbeatPattern(), {
    callback: (_err, msg) => {
      const b = phaseBeats();
      b.bytes += msg.data.length;
      b.count++;
      b.to = Date.now();
    },
  });
  const subs = [
    client.subscribe(subjects.heartbeatPattern(), (m) => {
      const hb = m.body;
      let n = nodes.get(hb.node);
      if (!n) {
        n = { pid: hb.pid, samples: new Map(), overloads: 0, leaving: false };
        nodes.set(hb.node, n);
      }
      Object.assign(n, { pid: hb.pid, cellCount: hb.cellCount, counts: hb.counts, rss: hb.rssBytes, at: Date.now() });
      n.leaving = hb.leaving;
      let s = n.samples.get(phase);
      if (!s) {
        s = { rss: [], lag: [], cells: 0 };
        n.samples.set(phase, s);
      }
      s.cells = hb.cellCount;
      s.rss.push(hb.rssBytes);
      s.lag.push(hb.eventLoopLagMs);
      if (hb.overload) n.overloads++;
      if (hb.election) {
        n.role = hb.election.role;
        n.term = hb.election.term;
        seeTerm(hb.election.term);
        if (hb.election.role === 'leader') seeLeader(hb.node, hb.election.term);
      }
    }),
    client.subscribe(subjects.raftPattern(), (m) => {
      const term = m.body?.term;
      if (typeof term !== 'number') return;
      // A pre-vote proposes a term without starting an election: counted apart.
      if (m.subject === subjects.raft('pre-vote')) preVotes.push({ phase, term });
      if (m.subject === subjects.raft('request-vote')) seeTerm(term);
      if (m.subject === subjects.raft('heartbeat') && typeof m.body?.from === 'string') {
        seeTerm(term);
        seeLeader(m.body.from, term);
      }
    }),
    client.subscribe(subjects.eventPattern('placement.moved'), (m) => {
      moved.push({ at: Date.now(), phase, cell: m.body.cell, from: m.body.from, to: m.body.to });
    }),
  ];
  function seeTerm(term) {
    if (!terms.has(term)) terms.set(term, phase);
  }
  function seeLeader(node, term) {
    if (firstLeaderTerm === null) firstLeaderTerm = term;
    leader = node;
  }

  // One KV write a second on the snapshot bucket, which the cells' saves also go through.
  const store = await SnapshotStore.open(client, swarm);
  let revision = null;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      try {
        revision = await store.save(PROBE_KEY, { n: writes.length }, { epoch: 0, revision });
        writes.push({ phase, ms: performance.now() - started, ok: true });
      } catch {
        writes.push({ phase, ms: performance.now() - started, ok: false });
        revision = (await store.load(PROBE_KEY).catch(() => undefined))?.revision ?? null;
      }
      const wait = Math.max(0, 1000 - (performance.now() - started));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  return {
    setPhase(name) {
      phase = name;
    },
    get leader() {
      return leader;
    },
    nodes,
    /** Terms that began after the first leader's (each one an election). */
    electionsAfterFirst: () => [...terms.keys()].filter((t) => firstLeaderTerm !== null && t > firstLeaderTerm).length,
    /** Pre-votes sent (a node that stopped hearing the leader), by phase. */
    preVotesByPhase: () => countBy(preVotes, (p) => p.phase),
    /** Those elections by the phase they began in. */
    electionsByPhase: () =>
      countBy(
        [...terms].filter(([t]) => firstLeaderTerm !== null && t > firstLeaderTerm),
        ([, p]) => p,
      ),
    /** Re-placements, split by whether the cell came from `killed`. */
    moves(killed) {
      const ofKilled = moved.filter((m) => m.from === killed).length;
      return { ofKilled, ofLive: moved.length - ofKilled, byPhase: countBy(moved, (m) => m.phase) };
    },
    /** Heartbeat bytes/s and heartbeats/s in `name`. */
    heartbeatRate(name) {
      const b = beats.get(name);
      if (!b || b.to <= b.from) return { bytesPerSecond: 0, perSecond: 0, meanBytes: 0 };
      const s = (b.to - b.from) / 1000;
      return { bytesPerSecond: b.bytes / s, perSecond: b.count / s, meanBytes: b.bytes / b.count };
    },
    /** Per node that sent heartbeats in `name`: cells, RSS (last, max), event-loop lag p50/p99. */
    nodeStats(name) {
      const byName = [...nodes].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
      return byName.flatMap(([node, n]) => {
        const s = n.samples.get(name);
        if (!s) return [];
        return {
          node,
          cells: s.cells,
          rssLast: s.rss.at(-1) ?? 0,
          rssMax: s.rss.length ? Math.max(...s.rss) : 0,
          lagP50: s.lag.length ? percentile([...s.lag], 0.5) : 0,
          lagP99: s.lag.length ? percentile([...s.lag], 0.99) : 0,
          overloads: n.overloads,
        };
      });
    },
    /** KV write latency in `names` (p50, p99, failures). */
    writeLatency(names) {
      const w = writes.filter((x) => names.includes(x.phase));
      const ms = w.filter((x) => x.ok).map((x) => x.ms);
      return {
        p50: ms.length ? percentile([...ms], 0.5) : 0,
        p99: ms.length ? percentile([...ms], 0.99) : 0,
        max: ms.length ? Math.max(...ms) : 0,
        failed: w.length - ms.length,
      };
    },
    async stop() {
      probing = false;
      // A write stuck on a saturated server is not waited for.
      await Promise.race([probe, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      await store.remove(PROBE_KEY).catch(() => undefined);
      raw.unsubscribe();
      for (const s of subs) s.unsubscribe();
    },
  };
}

function countBy(items, key) {
  const out = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

// The soak proper: create the cells with N requests in flight, wait until they all run, hold,
// kill -9 a non-leader node mid-hold (HMS_SOAK_KILL), and report what the swarm did.
import { createSubjects } from '@hms/runtime';
import { timeAgentList } from './agent-list.mjs';
import { cellsPlacedOn, measureRecovery } from './cell-recovery.mjs';
import { createRateAt, failureSummary } from './create-cells.mjs';
import { holdUntil, ms, nodeRows, round } from './soak-report.mjs';

/** Runs the soak on a started swarm (see soak.bench.mjs); resolves with the tables to print. */
export async function runSoak(ctx) {
  const { control, client, swarm, specs, expected, observer, procs, params, log, until, hostedCells } = ctx;
  observer.setPhase('create');
  const started = Date.now();
  const created = await ctx.createCells(control, specs, {
    inFlight: params.inFlight,
    deadline: ctx.deadline,
    onCreated: (n) => {
      if (n % 1000 === 0) log(`${n} cells created (${round(n / ((Date.now() - started) / 1000))}/s)`);
    },
  });
  const createdIn = (Date.now() - started) / 1000;
  log(`${created.done.length} creates in ${round(createdIn)} s; waiting until all ${expected} cells run`);
  await until(`${expected} cells running`, () => hostedCells() >= expected - created.failed.length, 10 * 60_000);

  observer.setPhase('hold');
  const holdStart = Date.now();
  const holdEnd = holdStart + params.holdMs;
  let victim = null;
  let recovery = null;
  if (params.kill) {
    await holdUntil(holdStart + params.holdMs / 2, observer, log);
    victim = params.victim ?? ctx.names.find((n) => n !== observer.leader);
    const ids = await cellsPlacedOn(client, swarm, ctx.allIds, victim);
    log(`kill -9 ${victim} (${ids.length} cells; leader ${observer.leader})`);
    observer.setPhase('after-kill');
    recovery = await measureRecovery(client, swarm, {
      victim,
      ids,
      kill: () => procs.kill(victim),
      timeoutMs: Math.max(60_000, holdEnd - Date.now()),
    });
    log(`${recovery.answered} of ${recovery.cells} answering elsewhere; all in ${ms(recovery.all)}`);
  }
  await holdUntil(holdEnd, observer, log);
  observer.setPhase('end');
  // The load is real: a counter created first has counted about one tick a second since.
  const firstCounter = specs.find((s) => s.type === 'counter');
  const ask = (id, pick) =>
    client.request(createSubjects(swarm).cellInbox(id), 'get', undefined, { timeout: 5000 }).then(pick, (err) => {
      return `no answer (${err.code ?? err.message})`;
    });
  const ticks = firstCounter ? await ask(firstCounter.id, (r) => r.ticks) : '-';
  const ticked = await ask('ticker-1', (r) => r.n);

  const list = await timeAgentList(procs.url, swarm);
  const moves = observer.moves(victim);
  const beat = (phase) => observer.heartbeatRate(phase);
  const write = (phases) => observer.writeLatency(phases);
  const retries = Object.entries(created.retries).map(([code, n]) => `${code} ${n}`);
  const rows = [
    ['cells', `${specs.length} (${params.ticking} ticking counters) + ${expected - specs.length} built-in`],
    ['creates', `${created.done.length} in ${round(createdIn)} s, ${params.inFlight} in flight`],
    ['creates/s at 1,000 cells', round(createRateAt(created.done, 1000))],
    [
      `creates/s at ${created.done.length.toLocaleString('en')} cells (the last)`,
      round(createRateAt(created.done, created.done.length)),
    ],
    ['retried creates (retryable errors)', retries.length ? retries.join(', ') : 0],
    [
      'failed creates',
      created.failed.length ? `${created.failed.length}: ${failureSummary(created.failed).slice(0, 3).join('; ')}` : 0,
    ],
    ['elections after the first', `${observer.electionsAfterFirst()} ${JSON.stringify(observer.electionsByPhase())}`],
    ['pre-votes (a node no longer hearing the leader)', JSON.stringify(observer.preVotesByPhase())],
    ['re-placements of live nodes', `${moves.ofLive} (${JSON.stringify(moves.byPhase)})`],
    ['re-placements of the killed node', victim ? `${moves.ofKilled} (${victim})` : '-'],
    ['failed snapshot saves (node logs)', procs.countInLogs('snapshot save failed')],
    ['overload reports (heartbeats with overload)', [...observer.nodes.values()].reduce((s, n) => s + n.overloads, 0)],
    ['heartbeat bytes/s while creating', round(beat('create').bytesPerSecond)],
    ['heartbeat bytes/s holding', `${round(beat('hold').bytesPerSecond)} (${round(beat('hold').meanBytes)} B each)`],
    ['JetStream KV write while creating p50/p99', latency(write(['create']))],
    ['JetStream KV write holding p50/p99', latency(write(['hold', 'after-kill']))],
  ];
  rows.push([
    'hms agent list --json at the end',
    `${ms(list.ms)} (${list.agents.length} cells, exit ${list.code}${list.error ? `: ${list.error}` : ''})`,
  ]);
  const tickRow = `${ticks} (${firstCounter?.id ?? '-'}, created ${round((Date.now() - created.done[0]) / 1000)} s ago)`;
  rows.push(['ticks counted by the first counter', tickRow], ['ticks sent by ticker-1', ticked]);
  if (recovery) {
    rows.push(
      ['kill -9 → all its cells answering elsewhere', `${ms(recovery.all)} (${recovery.cells} cells)`],
      ['per-cell recovery p50/p99', `${ms(recovery.p50)} / ${ms(recovery.p99)}`],
      ['cells still silent at the end', recovery.silent.length],
      ['heartbeat bytes/s after the kill', round(beat('after-kill').bytesPerSecond)],
    );
  }
  const hold = `held ${round(params.holdMs / 60_000)} min${victim ? `, ${victim} kill -9'd mid-way` : ''}`;
  return [
    [hold, rows.map(([measure, value]) => ({ measure, value }))],
    ['per node while holding (before the kill)', nodeRows(observer, 'hold')],
    ...(victim ? [['per node after the kill', nodeRows(observer, 'after-kill')]] : []),
  ];
}

function latency({ p50, p99, max, failed }) {
  return `${round(p50)} / ${round(p99)} ms (max ${round(max)}${failed ? `, ${failed} failed` : ''})`;
}

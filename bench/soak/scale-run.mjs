// The scale run: many echo cells over several node processes; start time, memory per node,
// heartbeat bytes/s, the leader's CPU, `hms agent list` time, and a kill -9 of one node.
import { timeAgentList } from './agent-list.mjs';
import { cellsPlacedOn, measureRecovery } from './cell-recovery.mjs';
import { createRateAt, failureSummary } from './create-cells.mjs';
import { holdUntil, ms, nodeRows, round } from './soak-report.mjs';
import { cpuSeconds } from './swarm-processes.mjs';

/** Runs the scale measurements on a started swarm (see soak.bench.mjs); resolves with tables. */
export async function runScale(ctx) {
  const { control, client, swarm, specs, expected, observer, procs, params, log, until, hostedCells } = ctx;
  observer.setPhase('create');
  const started = Date.now();
  const created = await ctx.createCells(control, specs, {
    inFlight: params.inFlight,
    deadline: ctx.deadline,
    onCreated: (n) => {
      if (n % 10_000 === 0) log(`${n} cells created (${round(n / ((Date.now() - started) / 1000))}/s)`);
    },
  });
  await until(`${expected} cells running`, () => hostedCells() >= expected - created.failed.length, 20 * 60_000);
  const startSeconds = (Date.now() - started) / 1000;
  log(`${expected} cells running after ${round(startSeconds)} s`);

  observer.setPhase('steady');
  const leader = observer.leader;
  const leaderPid = procs.nodes.get(leader)?.pid;
  const cpuFrom = cpuSeconds(leaderPid);
  const steadyFrom = Date.now();
  await holdUntil(steadyFrom + params.steadyMs, observer, log);
  const leaderCpu = (cpuSeconds(leaderPid) - cpuFrom) / ((Date.now() - steadyFrom) / 1000);

  const list = await timeAgentList(procs.url, swarm);
  log(`hms agent list: ${list.agents.length} cells in ${ms(list.ms)}`);
  const victim = params.victim ?? ctx.names.find((n) => n !== observer.leader);
  const ids = await cellsPlacedOn(client, swarm, ctx.allIds, victim);
  log(`kill -9 ${victim} (${ids.length} cells)`);
  observer.setPhase('after-kill');
  const recovery = await measureRecovery(client, swarm, {
    victim,
    ids,
    kill: () => procs.kill(victim),
    timeoutMs: 10 * 60_000,
  });
  const beat = observer.heartbeatRate('steady');
  const rows = [
    ['cells', `${specs.length} echo + ${expected - specs.length} built-in, ${params.inFlight} creates in flight`],
    ['start time (first create → all running)', `${round(startSeconds)} s`],
    [
      'creates/s at 1,000 / 10,000 / the last cells',
      [1000, 10_000, created.done.length].map((n) => round(createRateAt(created.done, n))).join(' / '),
    ],
    ['retried creates (retryable errors)', JSON.stringify(created.retries)],
    [
      'failed creates',
      created.failed.length ? `${created.failed.length}: ${failureSummary(created.failed).slice(0, 3).join('; ')}` : 0,
    ],
    ['heartbeat bytes/s (steady)', `${round(beat.bytesPerSecond)} (${round(beat.meanBytes)} B each)`],
    [`leader CPU (${leader}, steady)`, `${round(leaderCpu * 100)} %`],
    [
      'hms agent list --json',
      `${ms(list.ms)} (${list.agents.length} cells, exit ${list.code}${list.error ? `: ${list.error}` : ''})`,
    ],
    ['elections after the first', `${observer.electionsAfterFirst()} ${JSON.stringify(observer.electionsByPhase())}`],
    ['pre-votes (a node no longer hearing the leader)', JSON.stringify(observer.preVotesByPhase())],
    [
      're-placements of live nodes / of the killed node',
      `${observer.moves(victim).ofLive} / ${observer.moves(victim).ofKilled}`,
    ],
    ['failed snapshot saves (node logs)', procs.countInLogs('snapshot save failed')],
    [`kill -9 ${victim} → all ${recovery.cells} cells answering elsewhere`, ms(recovery.all)],
    ['per-cell recovery p50 / p99', `${ms(recovery.p50)} / ${ms(recovery.p99)}`],
    ['cells still silent at the end', recovery.silent.length],
  ];
  return [
    [`${round(params.steadyMs / 1000)} s steady window`, rows.map(([measure, value]) => ({ measure, value }))],
    ['per node (steady)', nodeRows(observer, 'steady')],
  ];
}

import type { EvolutionStatus, IslandStatus } from '@hms/runtime/client';
import {
  backoffShapeOf,
  createControlClient,
  placementPolicyOf,
  supervisionStrategyOf,
  ValidationError,
  validateChanges,
} from '@hms/runtime/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { UsageError } from '../errors.js';
import { type GlobalOptions, globalOptions, withConnection } from '../global-options.js';
import { formatJson, formatTable } from '../output.js';
import { createProgressBar } from '../progress-bar.js';
import { sparkline } from '../sparkline.js';
import { createEvolveAutoCommand } from './evolve-auto.js';

const OBJECTIVES = ['sphere', 'rastrigin', 'rosenbrock', 'ackley', 'griewank', 'schwefel', 'swarm'];
const TOPOLOGIES = ['ring', 'full', 'random'];

/** Commander parser of a whole number from `min` to `max`. */
function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`use a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Collects repeated `--set key=value` options. */
function collectSet(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('use key=value');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** A setting as shown: an enumerated strategy by its name. */
function settingText(key: string, value: number): string {
  if (key === 'supervision.backoffShape') return `${key}=${backoffShapeOf(value)}`;
  if (key === 'supervision.strategy') return `${key}=${supervisionStrategyOf(value)}`;
  if (key === 'placement.policy') return `${key}=${placementPolicyOf(value)}`;
  return `${key}=${value}`;
}

function formatNumber(v: number | null): string {
  if (v === null || v === undefined) return '-';
  if (v === 0) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : String(Math.round(v * 10_000) / 10_000);
}

function islandRows(islands: IslandStatus[]) {
  return islands.map((i) => ({
    island: i.id,
    node: i.node,
    state: i.state,
    generation: `${i.generation}/${i.generations}`,
    evaluations: i.evaluations,
    best: formatNumber(i.best),
    mean: formatNumber(i.mean),
    diversity: formatNumber(i.diversity),
    migrants: `${i.migrantsIn} in, ${i.migrantsOut} out`,
    trend: sparkline(i.history),
  }));
}

export interface TuningStatus {
  current?: Record<string, unknown> | null;
  trials?: Array<Record<string, unknown>>;
  model?: {
    error: { mae: number | null; bias: number | null; pairs: number };
    /** Measured trials whose residual corrects the model near the configuration tried. */
    learned?: number;
  };
}

const learnedText = (n: number | undefined) => `corrected near ${n ?? 0} configuration${n === 1 ? '' : 's'} tried live`;

/** The adaptive-config cell's live trials, predicted next to measured, and the model's recent error. */
export function renderTuning(tuning: TuningStatus | null): string[] {
  const lines: string[] = [];
  if (tuning?.trials?.length || tuning?.current) {
    lines.push('', 'live trials:');
    const rows = [...(tuning.trials ?? []), ...(tuning.current ? [tuning.current] : [])].map((t) => ({
      trial: t.id,
      by: t.by,
      outcome: t.outcome,
      before: formatNumber((t.baseline as { fitness: number } | undefined)?.fitness ?? null),
      predicted: formatNumber((t.predicted as { fitness: number } | null | undefined)?.fitness ?? null),
      after: formatNumber((t.measured as { fitness: number } | null | undefined)?.fitness ?? null),
      candidate: Object.entries((t.candidate as Record<string, number>) ?? {})
        .map(([k, v]) => settingText(k, v))
        .join(' '),
      reason: (t.reason as string | undefined) ?? '',
    }));
    lines.push(formatTable(rows, ['trial', 'by', 'outcome', 'before', 'predicted', 'after', 'candidate', 'reason']));
  }
  const model = tuning?.model;
  if (model) {
    const { mae, bias, pairs } = model.error;
    lines.push(
      '',
      mae === null
        ? `model: prediction error not known yet (${pairs} measured trials, needs 2); ${learnedText(model.learned)}`
        : `model: prediction error ${formatNumber(mae)} (mean |measured − predicted| fitness over ${pairs} trials, bias ${formatNumber(bias)}); ${learnedText(model.learned)}`,
    );
  }
  return lines;
}

function renderStatus(status: EvolutionStatus): string {
  const tuning = renderTuning(status.tuning as TuningStatus | null);
  if (status.islands.length === 0) {
    return ['no evolution run: start one with hms evolve start', ...tuning].join('\n');
  }
  const best = status.islands.reduce<IslandStatus | null>(
    (a, b) => (b.best !== null && (a === null || a.best === null || b.best < a.best) ? b : a),
    null,
  );
  const lines = [
    `run ${status.run}: ${status.islands.length} islands, objective ${status.islands[0]?.objective}`,
    '',
    formatTable(islandRows(status.islands), [
      'island',
      'node',
      'state',
      'generation',
      'evaluations',
      'best',
      'mean',
      'diversity',
      'migrants',
      'trend',
    ]),
  ];
  if (best?.bestGenome && !Array.isArray(best.bestGenome)) {
    lines.push(
      '',
      `best configuration (${best.id}): ${Object.entries(best.bestGenome)
        .map(([k, v]) => settingText(k, v))
        .join(' ')}`,
    );
  }
  lines.push(...tuning);
  return lines.join('\n');
}

async function waitForRun(g: GlobalOptions): Promise<EvolutionStatus> {
  const bar = createProgressBar();
  try {
    return await withConnection(g, async (t) => {
      const control = createControlClient(t, g.swarm);
      for (;;) {
        const status = await control.evolveStatus();
        const total = status.islands.reduce((s, i) => s + i.generations, 0);
        const done = status.islands.reduce((s, i) => s + Math.min(i.generation, i.generations), 0);
        const best = Math.min(...status.islands.map((i) => i.best ?? Number.POSITIVE_INFINITY));
        bar.update(
          done,
          total,
          `generation ${done}/${total}, best ${formatNumber(Number.isFinite(best) ? best : null)}`,
        );
        if (status.islands.length > 0 && status.islands.every((i) => i.state !== 'evolving')) return status;
        await new Promise((r) => setTimeout(r, 250));
      }
    });
  } finally {
    bar.end();
  }
}

/** `hms evolve start|status|stop|configure|apply`: the swarm's genetic algorithm. */
export function createEvolveCommand(deps: CommandDeps): Command {
  const { output } = deps;
  const evolve = new Command('evolve').description(
    'island-model genetic algorithm: benchmark functions or the swarm itself',
  );

  evolve
    .command('start')
    .description("start a run through the leader (a previous run's islands are removed)")
    .addOption(new Option('--objective <name>', 'what to minimise').choices(OBJECTIVES).default('rastrigin'))
    .option('--dim <D>', 'genes (benchmark functions)', wholeNumber(1, 10_000), 30)
    .option('--rotate', 'rotate the benchmark function (not separable)')
    .option('--islands <N>', 'islands, spread over the nodes', wholeNumber(1, 64), 4)
    .option('--population <P>', 'individuals per island', wholeNumber(4, 100_000), 100)
    .option('--generations <G>', 'generations per island', wholeNumber(1, 100_000_000), 500)
    .addOption(new Option('--topology <t>', 'migration topology').choices(TOPOLOGIES).default('ring'))
    .option('--migration-interval <k>', 'generations between migrations', wholeNumber(1, 1_000_000), 25)
    .option('--migrants <m>', 'best individuals sent to each neighbour', wholeNumber(0, 10_000), 2)
    .option('--seed <S>', 'seed of the run (problem instance and draws)', wholeNumber(0, 2 ** 32 - 1), 1)
    .option('--wait', 'wait for the run to finish, with a progress bar')
    .action(async (opts, command: Command) => {
      const g = globalOptions(command);
      const island = {
        objective: opts.objective,
        ...(opts.objective === 'swarm' ? {} : { dim: opts.dim, rotate: opts.rotate === true }),
        population: opts.population,
        generations: opts.generations,
        topology: opts.topology,
        migrationInterval: opts.migrationInterval,
        migrants: opts.migrants,
        seed: opts.seed,
      };
      const started = await withConnection(g, (t) =>
        createControlClient(t, g.swarm, { timeoutMs: 30_000 }).evolveStart({ islands: opts.islands, island }),
      ).catch(refusedAsUsage);
      if (!opts.wait) {
        output.out(
          g.json
            ? formatJson(started)
            : `run ${started.run} started: ${started.islands.map((i) => `${i.id}@${i.node}`).join(', ')}\nwatch it: hms evolve status`,
        );
        return;
      }
      const status = await waitForRun(g);
      output.out(g.json ? formatJson(status) : renderStatus(status));
    });

  evolve
    .command('status')
    .description('per island: generation, best, mean, diversity, migrants and a sparkline of the best')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const status = await withConnection(g, (t) => createControlClient(t, g.swarm).evolveStatus());
      output.out(g.json ? formatJson(status) : renderStatus(status));
    });

  evolve
    .command('stop')
    .description('stop every island of the run (through the leader); their results stay')
    .action(async (_opts, command: Command) => {
      const g = globalOptions(command);
      const r = await withConnection(g, (t) => createControlClient(t, g.swarm).evolveStop());
      output.out(g.json ? formatJson(r) : r.run ? `run ${r.run}: ${r.stopped} islands stopped` : 'no evolution run');
    });

  evolve
    .command('configure')
    .description('change the running islands live: generations, topology, migrationInterval, migrants, mutationRate, …')
    .requiredOption('--set <key=value>', 'a setting (repeatable)', collectSet)
    .action(async (opts: { set: Record<string, string> }, command: Command) => {
      const g = globalOptions(command);
      const set = Object.fromEntries(
        Object.entries(opts.set).map(([k, v]) => [k, k === 'topology' || Number.isNaN(Number(v)) ? v : Number(v)]),
      );
      const r = await withConnection(g, (t) => createControlClient(t, g.swarm).evolveConfigure(set)).catch(
        refusedAsUsage,
      );
      output.out(g.json ? formatJson(r) : `run ${r.run}: ${r.islands} islands reconfigured`);
    });

  evolve
    .command('apply')
    .description('try swarm settings live: kept only if the measured fitness improves, else rolled back')
    .requiredOption('--set <key=value>', 'a swarm setting (repeatable)', collectSet)
    .action(async (opts: { set: Record<string, string> }, command: Command) => {
      const g = globalOptions(command);
      try {
        validateChanges(opts.set);
      } catch (err) {
        if (err instanceof ValidationError) throw new UsageError(`refused: ${err.message}`);
        throw err;
      }
      const trial = (await withConnection(g, (t) => createControlClient(t, g.swarm).evolveApply(opts.set))) as {
        id: number;
      };
      output.out(g.json ? formatJson(trial) : `trial ${trial.id} started: see hms evolve status`);
    });

  evolve.addCommand(createEvolveAutoCommand(deps));

  return evolve;
}

/** A refused setting is a bad argument (exit 2). */
function refusedAsUsage(err: unknown): never {
  if (err instanceof ValidationError) throw new UsageError(`refused: ${err.message}`);
  throw err;
}

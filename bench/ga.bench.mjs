#!/usr/bin/env node
// The native GA (`Population`, native/ga) side by side in one run with the baselines of issue 5:
// (a) speed: generations/s against a pure-TypeScript GA with the same operators and PRNG
//     (bench/ga/pure-ts-ga.ts), evaluations/s against DEAP;
// (b) quality: median best fitness over seeds on issue 5's island protocol
//     (4 islands × 100, ring migration of the best 2 every 25 generations, 200,000 evaluations),
//     HMS with and without migration, DEAP, pygmo archipelagos (sga, de, sade), every engine on
//     the same problem instances (describeObjective's shift and rotation, handed to Python).
// GA_BENCH_SEEDS=3 for a quick run (default 10: seeds 1..10); GA_BENCH_ONLY=speed or =quality
// for one of the two tables; GA_BENCH_HMS_ONLY=1 without DEAP and pygmo; GA_BENCH_BEFORE=<an
// older hms-native .node> adds that build's speed, side by side.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { preparePythonEnv } from './ga/python-env.mjs';
import { printTable } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SEEDS = Array.from({ length: Number(process.env.GA_BENCH_SEEDS ?? 10) }, (_, i) => i + 1);
const ONLY = process.env.GA_BENCH_ONLY ?? '';
if (!['', 'speed', 'quality'].includes(ONLY)) throw new Error(`GA_BENCH_ONLY must be speed or quality, got ${ONLY}`);
const LANES = Math.max(1, Math.min(2, cpus().length));
const DIM = 30;
// No __pycache__ left in bench/ga.
const pythonEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const say = (line) => process.stderr.write(`ga bench: ${line}\n`);

/** The island protocol (and the operator settings the Python GAs copy from the contract). */
const PROTOCOL = {
  islands: 4,
  size: 100,
  interval: 25,
  migrants: 2,
  evaluations: 200_000,
  migrate: true,
  elitism: 2,
  tournamentSize: 2,
  crossoverRate: 0.9,
  sbxEta: 15,
  mutationEta: 20,
};

const PROBLEMS = [
  { key: 'rastrigin-shifted', label: 'Rastrigin 30-D, shifted', name: 'rastrigin', rotate: false },
  { key: 'rastrigin-rotated', label: 'Rastrigin 30-D, shifted + rotated', name: 'rastrigin', rotate: true },
  { key: 'rosenbrock-shifted', label: 'Rosenbrock 30-D, shifted', name: 'rosenbrock', rotate: false },
  { key: 'ackley-shifted', label: 'Ackley 30-D, shifted', name: 'ackley', rotate: false },
];

// ---------------------------------------------------------------------------------------------
// The engines under test.

function compilePureTs() {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const r = spawnSync(tsc, ['-p', join(here, 'ga', 'tsconfig.json')], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error('tsc failed on bench/ga');
  }
  writeFileSync(join(here, 'ga', 'dist', 'package.json'), '{ "type": "module" }\n');
}

compilePureTs();
const { PureTsGa } = await import('./ga/dist/pure-ts-ga.js');
const { createObjective, drawInstance } = await import('./ga/dist/objectives.js');

let runtime = null;
try {
  runtime = await import(pathToFileURL(join(root, 'packages/runtime/dist/index.js')).href);
  if (typeof runtime.createPopulation !== 'function') throw new Error('createPopulation is not exported');
  runtime.describeObjective('rastrigin', 2, 1);
} catch (err) {
  say(`the native GA is not usable (${err.message}): HMS rows are skipped`);
  runtime = null;
}

/** An instance (shift, rotation) for every engine: the native one, or the TS twin without it. */
function describe(name, seed, rotate) {
  if (runtime) {
    const d = runtime.describeObjective(name, DIM, seed, { shift: true, rotate });
    return { name, dim: DIM, lower: d.lower, upper: d.upper, shift: d.shift, rotation: d.rotation };
  }
  return drawInstance(name, DIM, seed, { shift: true, rotate });
}

/** Fitness of `genomes` (count × DIM) on an instance, by the native evaluator when there is one. */
function evaluate(instance, seed, rotate, genomes) {
  if (runtime) return runtime.evaluateObjective(instance.name, DIM, seed, { shift: true, rotate }, genomes);
  const out = new Float64Array(genomes.length / DIM);
  createObjective(instance)(genomes, 0, out.length, out);
  return out;
}

/** Each speed trial: a fresh population (seed = trial), this many generations from the start. */
const SPEED_RUNS = { small: 3000, large: 300, trials: 5 };
const LOCAL_SEARCH_OFF = { every: 0, elites: 1, budget: 2 };

// ---------------------------------------------------------------------------------------------
// (a) speed. Run first and alone: nothing else is started until it is done.

/** CPU seconds of this thread so far (user + system): load from other jobs does not count. */
const threadCpu = () => {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1e6;
};

/**
 * Best generations/s of each engine over `trials` fresh runs of `generations` generations, by
 * the wall clock and by this thread's CPU time (every engine here runs on the main thread:
 * the native one evaluates on one thread at population 100). The engines take turns trial by
 * trial, and the best trial is kept: on this shared machine load from elsewhere only ever
 * slows a trial down; CPU time discounts the time the thread waited for a core, not the
 * caches other jobs share.
 */
function generationsPerSecond(makers, generations, trials) {
  const rates = makers.map(() => ({ wall: [], cpu: [] }));
  // JIT warm-up / page-in: a second of each engine at least. V8 optimises on a background
  // thread, which a loaded machine can starve for a while: with a short warm-up some runs timed
  // the TypeScript GA before its optimised code was in (8,300 instead of 11,600 generations per
  // CPU-second), which flattered the native engine.
  for (const make of makers) {
    const ga = make(1);
    const until = Date.now() + 1000;
    do ga.step(Math.ceil(generations / 20));
    while (Date.now() < until);
  }
  for (let t = 1; t <= trials; t++)
    for (const [i, make] of makers.entries()) {
      const ga = make(t);
      const c0 = threadCpu();
      const t0 = process.hrtime.bigint();
      ga.step(generations);
      rates[i].wall.push(generations / (Number(process.hrtime.bigint() - t0) / 1e9));
      rates[i].cpu.push(generations / Math.max(threadCpu() - c0, 1e-6));
    }
  return rates.map((r) => ({ wall: Math.max(...r.wall), cpu: Math.max(...r.cpu) }));
}

function pureTs(size) {
  const instance = describe('rastrigin', 1, false);
  return (seed) =>
    new PureTsGa({
      dim: DIM,
      size,
      seed,
      lower: instance.lower,
      upper: instance.upper,
      objective: createObjective(instance),
    });
}

/**
 * GA_BENCH_BEFORE=<path of an older hms-native .node>: that build too, side by side in the same
 * run (the raw napi class, constructed as the TypeScript wrapper does).
 */
const before = process.env.GA_BENCH_BEFORE ? createRequire(import.meta.url)(process.env.GA_BENCH_BEFORE) : null;
function nativeBefore(size) {
  return (seed) => {
    const options = {
      dim: DIM,
      size,
      seed,
      objective: 'rastrigin',
      problemSeed: 1,
      shift: true,
      adaptiveMutation: false,
      localSearch: LOCAL_SEARCH_OFF,
      parallel: 'auto',
    };
    return new before.Population(options, options, undefined);
  };
}

/** The native GA stepped one generation per call: what crossing the napi boundary costs. */
function nativePerCall(size) {
  return (seed) => {
    const pop = native(size, 'auto')(seed);
    return {
      step(generations) {
        for (let g = 0; g < generations; g++) pop.step(1);
      },
    };
  };
}

function native(size, parallel) {
  return (seed) =>
    runtime.createPopulation({
      dim: DIM,
      size,
      seed,
      objective: 'rastrigin',
      problemSeed: 1,
      shift: true,
      adaptiveMutation: false,
      localSearch: LOCAL_SEARCH_OFF,
      parallel,
    });
}

function deapSpeed(py) {
  const r = spawnSync(
    py.python,
    [join(here, 'ga', 'deap_islands.py'), instancesPath, '--speed', 'rastrigin-shifted:1', '--generations', '300'],
    { encoding: 'utf8', cwd: join(here, 'ga'), env: pythonEnv },
  );
  if (r.status !== 0) {
    say(`DEAP speed run failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---------------------------------------------------------------------------------------------
// (b) quality.

/**
 * One HMS island run: best fitness and evaluations spent. Each island stops before a generation
 * that would take it over its share (200,000 / 4); a generation with a local search costs up to
 * `elites × budget` more, so when only a plain generation still fits, the local search is turned
 * off for the rest of the run rather than leaving the share unspent.
 */
function hmsIslands(problem, seed, migrate) {
  const { islands, size, interval, migrants, evaluations } = PROTOCOL;
  const share = Math.floor(evaluations / islands);
  const pops = Array.from({ length: islands }, (_, k) =>
    runtime.createPopulation({
      dim: DIM,
      size,
      seed: seed * 1000 + k,
      objective: problem.name,
      problemSeed: seed,
      shift: true,
      rotate: problem.rotate,
    }),
  );
  const { elitism, localSearch } = pops[0].exportState().parameters;
  const plain = size - elitism;
  const states = pops.map((p) => ({ stats: p.stats(), ls: localSearch, running: true }));
  const cost = (st) => {
    const withLs = st.ls.every > 0 && (st.stats.generation + 1) % st.ls.every === 0;
    return plain + (withLs ? st.ls.elites * st.ls.budget : 0);
  };
  for (let generation = 1; states.some((st) => st.running); generation++) {
    for (const [k, p] of pops.entries()) {
      const st = states[k];
      if (!st.running) continue;
      if (st.stats.evaluations + cost(st) > share && st.ls.every > 0 && st.stats.evaluations + plain <= share) {
        st.ls = LOCAL_SEARCH_OFF;
        p.setParameters({ localSearch: LOCAL_SEARCH_OFF });
      }
      if (st.stats.evaluations + cost(st) > share) {
        st.running = false;
        continue;
      }
      st.stats = p.step(1);
    }
    if (migrate && generation % interval === 0) {
      const outgoing = pops.map((p) => p.exportMigrants(migrants));
      for (const [k, p] of pops.entries()) p.importMigrants(outgoing[(k + islands - 1) % islands]);
    }
  }
  return {
    best: Math.min(...pops.map((p) => p.best().fitness)),
    evaluations: states.reduce((a, st) => a + st.stats.evaluations, 0),
  };
}

/** Python jobs as lanes of sequential processes; results arrive as JSON lines. */
async function runPython(py, engines, onResult) {
  const jobs = [];
  for (const engine of engines)
    for (const seed of SEEDS) for (const p of PROBLEMS) jobs.push({ engine, job: `${p.key}:${seed}` });
  const lanes = Array.from({ length: LANES }, () => []);
  for (const [i, j] of jobs.entries()) lanes[i % LANES].push(j);
  const laneRun = async (laneJobs) => {
    for (const engine of engines) {
      const mine = laneJobs.filter((j) => j.engine === engine).map((j) => j.job);
      if (!mine.length) continue;
      const [script, extra] =
        engine === 'deap' ? ['deap_islands.py', []] : ['pygmo_islands.py', ['--algo', engine.replace('pygmo-', '')]];
      await new Promise((resolve) => {
        const child = spawn(py.python, [join(here, 'ga', script), instancesPath, ...extra, '--jobs', mine.join(',')], {
          cwd: join(here, 'ga'),
          env: pythonEnv,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        createInterface({ input: child.stdout }).on('line', (line) => onResult(JSON.parse(line)));
        child.on('close', (code) => {
          if (code !== 0) say(`${engine} exited with ${code}: ${stderr.trim().split('\n').slice(-4).join(' | ')}`);
          resolve();
        });
      });
    }
  };
  await Promise.all(lanes.map(laneRun));
}

// ---------------------------------------------------------------------------------------------

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const num = (v) => Math.round(v).toLocaleString('en-US');
const fit = (v) => {
  if (v === undefined) return '—';
  if (v === 0) return '0';
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toPrecision(3);
};
const ratio = (a, b) => {
  if (a === undefined || b === undefined) return '—';
  if (b === 0) return a === 0 ? '1×' : '∞';
  const r = a / b;
  return r >= 1000 || r < 0.01 ? `${r.toExponential(1)}×` : `${r.toPrecision(3)}×`;
};

const started = Date.now();
const workDir = mkdtempSync(join(tmpdir(), 'hms-ga-bench-'));
const instancesPath = join(workDir, 'instances.json');

// Instances for Python, with a few genomes and their fitness here, which Python must reproduce.
{
  const instances = [];
  for (const p of PROBLEMS)
    for (const seed of SEEDS) {
      const inst = describe(p.name, seed, p.rotate);
      const genomes = new Float64Array(4 * DIM);
      for (let i = 0; i < genomes.length; i++) genomes[i] = inst.lower + Math.random() * (inst.upper - inst.lower);
      genomes.set(inst.shift, 0); // the optimum itself: f = 0 (up to rounding)
      const values = evaluate(inst, seed, p.rotate, genomes);
      instances.push({
        key: p.key,
        name: p.name,
        dim: DIM,
        seed,
        lower: inst.lower,
        upper: inst.upper,
        shift: [...inst.shift],
        rotation: inst.rotation ? [...inst.rotation] : null,
        check: {
          genomes: Array.from({ length: 4 }, (_, k) => [...genomes.subarray(k * DIM, (k + 1) * DIM)]),
          values: [...values],
        },
      });
    }
  writeFileSync(instancesPath, JSON.stringify({ protocol: PROTOCOL, instances }));
}

// The pure-TS PRNG and instance drawing must be the native ones: compare one rotated instance.
let samePrng = null;
if (runtime) {
  const a = drawInstance('rastrigin', DIM, 7, { shift: true, rotate: true });
  const b = runtime.describeObjective('rastrigin', DIM, 7, { shift: true, rotate: true });
  const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  samePrng = maxDiff(a.shift, b.shift) === 0 && maxDiff(a.rotation, b.rotation) < 1e-12;
  if (!samePrng) say('warning: the pure-TS PRNG does not draw the native instance (shift or rotation differ)');
}

const py = preparePythonEnv(root, say);
if (py.reason) say(py.reason);

// (a) speed, alone.
const speed = {};
let deap = null;
if (ONLY !== 'quality') {
  say('speed: pure TS and native, then DEAP');
  const { small, large, trials } = SPEED_RUNS;
  if (runtime) {
    [speed.ts100, speed.native100, speed.native100perCall, speed.before100] = generationsPerSecond(
      [pureTs(100), native(100, 'auto'), nativePerCall(100), ...(before ? [nativeBefore(100)] : [])],
      small,
      trials,
    );
    [speed.ts1000, speed.native1000, speed.native1000serial, speed.native1000parallel] = generationsPerSecond(
      [pureTs(1000), native(1000, 'auto'), native(1000, 'off'), native(1000, 'on')],
      large,
      trials,
    );
  } else {
    [speed.ts100] = generationsPerSecond([pureTs(100)], small, trials);
    [speed.ts1000] = generationsPerSecond([pureTs(1000)], large, trials);
  }
  deap = py.deap ? deapSpeed(py) : null;
}

// (b) quality: the Python lanes in the background, HMS here (neither is timed).
if (ONLY !== 'speed') say(`quality: ${SEEDS.length} seeds × ${PROBLEMS.length} problems (${LANES} Python lanes)`);
const results = new Map(); // `${engine}|${key}` → [{ seed, best, evaluations }]
const record = (r) => {
  const k = `${r.engine}|${r.key}`;
  if (!results.has(k)) results.set(k, []);
  results.get(k).push(r);
};
// GA_BENCH_HMS_ONLY=1: the HMS rows alone (the Python engines take an hour on a loaded machine).
const HMS_ONLY = process.env.GA_BENCH_HMS_ONLY === '1';
const pythonEngines =
  ONLY === 'speed' || HMS_ONLY
    ? []
    : [...(py.deap ? ['deap'] : []), ...(py.pygmo ? ['pygmo-sga', 'pygmo-de', 'pygmo-sade'] : [])];
const pythonDone = runPython(py, pythonEngines, (r) => {
  record(r);
  say(
    `${r.engine} ${r.key} seed ${r.seed}: ${fit(r.best)} (${num(r.evaluations)} evaluations, ${r.seconds.toFixed(1)} s)`,
  );
});
if (runtime && ONLY !== 'speed') {
  for (const p of PROBLEMS)
    for (const seed of SEEDS)
      for (const migrate of [true, false]) {
        const r = hmsIslands(p, seed, migrate);
        record({ engine: migrate ? 'hms' : 'hms-no-migration', key: p.key, seed, ...r });
        // Let the Python lanes' output be read between runs.
        await new Promise((res) => setImmediate(res));
      }
}
await pythonDone;
rmSync(workDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// The tables.

const versions = py.versions ?? {};
const machine = `${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.versions.node}${
  versions.python
    ? `, Python ${versions.python}, DEAP ${versions.deap}, pygmo ${versions.pygmo}, numpy ${versions.numpy}`
    : ''
}`;
console.log(`\nga — ${new Date().toISOString().slice(0, 10)} — ${machine}`);

const nativeEvals = speed.native100 ? speed.native100.wall * (PROTOCOL.size - PROTOCOL.elitism) : undefined;
const rowOf = (measure, nativeRate, baseRate, engine = 'pure TypeScript') => ({
  measure,
  'HMS native': nativeRate ? num(nativeRate) : '—',
  baseline: baseRate ? num(baseRate) : '—',
  'baseline engine': engine,
  'native / baseline': ratio(nativeRate, baseRate),
});
const speedRows = [
  rowOf('generations/s, population 100 (wall clock)', speed.native100?.wall, speed.ts100?.wall),
  rowOf('generations per CPU-second of the thread, population 100', speed.native100?.cpu, speed.ts100?.cpu),
  ...(before
    ? [
        rowOf('before (GA_BENCH_BEFORE), population 100 (wall clock)', speed.before100?.wall, speed.ts100?.wall),
        rowOf('before (GA_BENCH_BEFORE), population 100 (CPU-second)', speed.before100?.cpu, speed.ts100?.cpu),
      ]
    : []),
  rowOf(
    'generations per CPU-second, population 100, one napi call per generation',
    speed.native100perCall?.cpu,
    speed.ts100?.cpu,
  ),
  rowOf("generations/s, population 1,000, parallel 'auto' (default; wall)", speed.native1000?.wall, speed.ts1000?.wall),
  rowOf('generations/s, population 1,000, parallel off (wall)', speed.native1000serial?.wall, speed.ts1000?.wall),
  rowOf('generations/s, population 1,000, parallel on (wall)', speed.native1000parallel?.wall, speed.ts1000?.wall),
  rowOf(
    'evaluations/s, population 100 (wall)',
    nativeEvals,
    deap ? deap.evaluations / deap.seconds : undefined,
    'DEAP (numpy batch evaluation)',
  ),
];
if (ONLY !== 'quality')
  printTable(
    `(a) speed — Rastrigin 30-D shifted, SBX eta 15 + polynomial eta 20 at 1/30, tournament 2, elitism 2, local search and adaptive mutation off, one process (best of ${SPEED_RUNS.trials} fresh runs of ${num(SPEED_RUNS.small)} generations at 100, of ${SPEED_RUNS.large} at 1,000; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} at the end)`,
    speedRows,
  );

const ENGINES = [
  ['hms', 'HMS islands'],
  ['hms-no-migration', 'HMS, no migration'],
  ['deap', 'DEAP'],
  ['pygmo-sga', 'pygmo sga'],
  ['pygmo-de', 'pygmo de'],
  ['pygmo-sade', 'pygmo sade'],
];
const medians = new Map();
for (const [k, rs] of results) medians.set(k, median(rs.map((r) => r.best)));
const med = (engine, key) => medians.get(`${engine}|${key}`);
if (ONLY !== 'speed')
  printTable(
    `(b) quality — median best fitness over seeds ${SEEDS[0]}..${SEEDS.at(-1)}; ${PROTOCOL.islands} islands × ${PROTOCOL.size}, ring migration of the best ${PROTOCOL.migrants} every ${PROTOCOL.interval} generations, ${num(PROTOCOL.evaluations)} evaluations; HMS with its default parameters; ratios = other median / HMS median (> 1: HMS better)`,
    PROBLEMS.map((p) => {
      const row = { problem: p.label };
      for (const [e, label] of ENGINES) row[label] = fit(med(e, p.key));
      const h = med('hms', p.key);
      row['no-mig / HMS'] = ratio(med('hms-no-migration', p.key), h);
      row['DEAP / HMS'] = ratio(med('deap', p.key), h);
      row['sga / HMS'] = ratio(med('pygmo-sga', p.key), h);
      row['de / HMS'] = ratio(med('pygmo-de', p.key), h);
      row['sade / HMS'] = ratio(med('pygmo-sade', p.key), h);
      return row;
    }),
  );
const spentRows = ENGINES.filter(([e]) => PROBLEMS.some((p) => results.has(`${e}|${p.key}`))).map(([e, label]) => {
  const all = PROBLEMS.flatMap((p) => results.get(`${e}|${p.key}`) ?? []);
  return {
    engine: label,
    runs: all.length,
    evaluations: num(all.reduce((a, r) => a + r.evaluations, 0) / all.length),
  };
});
if (spentRows.length) printTable('evaluations spent per run (mean over the runs of the table above)', spentRows);
const h = (key) => med('hms', key);
// A win is a median at least 1% lower: two medians equal but for rounding are a tie.
const wins = PROBLEMS.filter((p) => h(p.key) !== undefined && h(p.key) < 0.99 * med('hms-no-migration', p.key)).length;
if (runtime && !ONLY)
  console.log(
    `\ntargets: native ≥ 5× pure TS at 100: ${ratio(speed.native100?.wall, speed.ts100?.wall)} (wall), ${ratio(speed.native100?.cpu, speed.ts100?.cpu)} (CPU); shifted Rastrigin ≤ 0.05: ${fit(h('rastrigin-shifted'))}; rotated ≤ 25: ${fit(h('rastrigin-rotated'))}; migration beats no migration (median ≥ 1% lower) on ${wins} of ${PROBLEMS.length} problems`,
  );
if (samePrng !== null)
  console.log(
    `pure-TS PRNG draws the same instance as the native one (shift and rotation): ${samePrng ? 'yes' : 'NO'}`,
  );
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.exit(0);

#!/usr/bin/env node
// Anomaly detection (native/detect's AnomalySet through @hms/native), on generated, seeded traces
// of 1 s heartbeat metrics (what the health monitor feeds it):
// (a) false alarms per series-hour on steady traces (noise, GC blips, slow daily drift);
// (b) detection delay on faulty traces (a step, a ramp, a sustained event-loop stall), and how
//     many faults are missed; both next to an EWMA control-limit detector on the same traces;
// (c) the cost per series per observation through napi, next to the phi detector's phiAll.
// ANOMALY_BENCH_SERIES (default 200) and ANOMALY_BENCH_HOURS (default 6) size the traces.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { percentile, printTable } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createAnomalyDetector, createPhiDetector } = await import(
  pathToFileURL(join(root, 'packages/runtime/dist/index.js')).href
);
const SERIES = Number(process.env.ANOMALY_BENCH_SERIES ?? 200);
const HOURS = Number(process.env.ANOMALY_BENCH_HOURS ?? 6);
const SEED = 42;

/** mulberry32: a small seeded PRNG, so every trace replays exactly. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

/**
 * A steady 1 Hz trace of `n` samples: a latency-like level (lognormal noise, sigma 0.25) that
 * drifts ±30% over a day, with a one-sample GC blip (×2–4) in 1% of samples.
 */
function steadyTrace(r, n, level) {
  const phase = r() * 2 * Math.PI;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const drift = 1 + 0.3 * Math.sin(phase + (2 * Math.PI * t) / 86_400);
    let v = level * drift * Math.exp(0.25 * gauss(r));
    if (r() < 0.01) v *= 2 + 2 * r();
    out[t] = v;
  }
  return out;
}

/** The faults injected: each multiplies the trace from `at` for `length` samples. */
const FAULTS = {
  step: () => 5,
  ramp: (k, length) => 1 + (4 * k) / length,
  stall: () => 20,
};

/** A faulty trace: a steady one with one fault of `kind`, 60 samples long, at a random time. */
function faultyTrace(r, n, level, kind) {
  const trace = steadyTrace(r, n, level);
  const length = 60;
  const at = Math.floor(n / 4 + r() * (n / 2));
  for (let k = 0; k < length; k++) trace[at + k] *= FAULTS[kind](k, length);
  return { trace, at, length };
}

/** An EWMA control-limit detector (mean and variance by EWMA, alpha 0.05; same warm-up, confirm, floors). */
function createEwma({ threshold = 6, confirm = 3, warmUp = 10, minMad = 1, minRelativeMad = 0.1 } = {}) {
  const state = new Map();
  return {
    observe(keys, values) {
      const found = [];
      keys.forEach((key, i) => {
        const x = values[i];
        let s = state.get(key);
        if (!s) {
          s = { n: 0, mean: x, variance: 0, over: 0, on: false };
          state.set(key, s);
        }
        if (s.n >= warmUp) {
          const spread = Math.max(Math.sqrt(s.variance), 1.4826 * minMad, 1.4826 * minRelativeMad * Math.abs(s.mean));
          const score = (x - s.mean) / spread;
          s.over = score >= threshold ? s.over + 1 : 0;
          s.on = s.on ? score >= threshold / 2 : s.over >= confirm;
          if (s.on) found.push({ key });
        }
        const d = x - s.mean;
        s.mean += 0.05 * d;
        s.variance = 0.95 * (s.variance + 0.05 * d * d);
        s.n++;
      });
      return found;
    },
  };
}

/** The health monitor's settings for latency (its floors: minMad 2 ms there; these traces are unitless). */
const robust = (options = {}) =>
  createAnomalyDetector({ minMad: 1, minRelativeMad: 0.1, maxSeries: SERIES, ...options });
const DETECTORS = [
  ['robust z (median/MAD, window 60), threshold 6, confirm 3 (default)', () => robust()],
  ['robust z, threshold 6, confirm 2', () => robust({ confirm: 2 })],
  ['robust z, threshold 4, confirm 3', () => robust({ threshold: 4, clearThreshold: 2, confirm: 3 })],
  ['EWMA control limits (alpha 0.05), threshold 6, confirm 3', () => createEwma()],
  ['EWMA control limits, threshold 4, confirm 3', () => createEwma({ threshold: 4 })],
];

/** Feeds every series' trace one tick at a time, one batch per tick; returns each series' onsets (sample indexes). */
function run(detector, traces) {
  const keys = traces.map((_, i) => `s${i}`);
  const onsets = traces.map(() => []);
  const on = new Set();
  const values = new Float64Array(traces.length);
  const n = traces[0].length;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < traces.length; i++) values[i] = traces[i][t];
    const now = new Set();
    for (const f of detector.observe(keys, values, t * 1000)) now.add(f.key);
    for (const key of now) if (!on.has(key)) onsets[Number(key.slice(1))].push(t);
    on.clear();
    for (const key of now) on.add(key);
  }
  return onsets;
}

const samples = HOURS * 3600;
const r = rng(SEED);
const levels = Array.from({ length: SERIES }, () => 1 + r() * 50);
const steady = levels.map((level) => steadyTrace(r, samples, level));
const kinds = Object.keys(FAULTS);
const faulty = levels.map((level, i) => ({
  kind: kinds[i % kinds.length],
  ...faultyTrace(r, samples, level, kinds[i % kinds.length]),
}));

const rows = [];
for (const [name, make] of DETECTORS) {
  const falseAlarms = run(make(), steady).reduce((sum, o) => sum + o.length, 0);
  const onsets = run(
    make(),
    faulty.map((f) => f.trace),
  );
  const delays = Object.fromEntries(kinds.map((k) => [k, []]));
  const missed = Object.fromEntries(kinds.map((k) => [k, 0]));
  let outside = 0;
  faulty.forEach((f, i) => {
    const hit = onsets[i].find((t) => t >= f.at && t < f.at + f.length);
    if (hit === undefined) missed[f.kind]++;
    else delays[f.kind].push(hit - f.at + 1);
    outside += onsets[i].filter((t) => t < f.at || t >= f.at + f.length).length;
  });
  const p = (k, q) => (delays[k].length ? percentile(delays[k], q) : '-');
  rows.push({
    detector: name,
    'false alarms / series-hour (steady)': (falseAlarms / (SERIES * HOURS)).toFixed(4),
    'delay step p50/p90 s': `${p('step', 0.5)} / ${p('step', 0.9)}`,
    'delay ramp p50/p90 s': `${p('ramp', 0.5)} / ${p('ramp', 0.9)}`,
    'delay stall p50/p90 s': `${p('stall', 0.5)} / ${p('stall', 0.9)}`,
    'missed step/ramp/stall': kinds.map((k) => missed[k]).join(' / '),
    'other alarms / series-hour (faulty)': (outside / (SERIES * HOURS)).toFixed(4),
  });
}
printTable(
  `anomaly — ${SERIES} series × ${HOURS} h of 1 Hz samples (seed ${SEED}); one 60 s fault per faulty series ` +
    `(${(SERIES / kinds.length) | 0}+ each): step ×5, ramp to ×5, stall ×20`,
  rows,
);

/** ns per series per call of `f` over `series` keys, median of 7 runs of `rounds` calls. */
function cost(series, rounds, setup, call) {
  const state = setup(series);
  const runs = [];
  for (let run = 0; run <= 7; run++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < rounds; k++) call(state, run * rounds + k);
    if (run > 0) runs.push(Number(process.hrtime.bigint() - start) / (rounds * series));
  }
  return percentile(runs, 0.5);
}
const N = 10_000;
const anomalyNs = cost(
  N,
  50,
  (n) => {
    const d = createAnomalyDetector({ maxSeries: n });
    const keys = Array.from({ length: n }, (_, i) => `cell-${i}`);
    const values = new Float64Array(n);
    for (let t = 0; t < 60; t++) {
      for (let i = 0; i < n; i++) values[i] = 10 + ((i * 7919 + t * 31) % 61) / 10;
      d.observe(keys, values, t * 1000);
    }
    return { d, keys, values };
  },
  ({ d, keys, values }, k) => {
    for (let i = 0; i < keys.length; i++) values[i] = 10 + ((i * 7919 + k * 31) % 61) / 10;
    d.observe(keys, values, 60_000 + k * 1000);
  },
);
const phiNs = cost(
  N,
  500,
  (n) => {
    const d = createPhiDetector();
    const keys = Array.from({ length: n }, (_, i) => `node-${i}`);
    for (let t = 0; t < 100; t++) d.heartbeatMany(keys, t * 1000);
    return d;
  },
  (d, k) => d.phiAll(100_000 + k * 10),
);
printTable(`cost through napi — ${N.toLocaleString('en')} series in one call (median of 7 runs)`, [
  { kernel: 'anomaly observe (window 60, full)', 'ns per series': anomalyNs.toFixed(1) },
  { kernel: 'phi phiAll', 'ns per series': phiNs.toFixed(1) },
]);

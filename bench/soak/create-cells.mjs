// Creates cells through the control plane as a user program would: `createAgent` with a fixed
// number of requests in flight; a retryable refusal (overloaded, no leader, timeout) is retried
// after a backoff and counted.

/**
 * Creates `specs` (CreateAgentRequest objects, each with an id) through `control`, `inFlight`
 * at a time. Resolves with the completion time (epoch millis) of each create in completion
 * order, the retries by error code, and the creates that failed for good. Gives up (rejects)
 * at `deadline` (epoch millis).
 */
export async function createCells(control, specs, { inFlight, deadline, onCreated = () => {} }) {
  // `done` holds successful creates only: a refusal is quick and would flatter the rate.
  const done = [];
  const retries = {};
  const failed = [];
  /** Creates one cell, retrying retryable errors; false when it was refused for good. */
  const createOne = async (spec) => {
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > deadline) throw new Error(`creates ran out of time after ${done.length} of ${specs.length}`);
      try {
        await control.createAgent(spec);
        return true;
      } catch (err) {
        // A retried create whose first attempt went through (its reply was lost) is done.
        if (attempt > 0 && err?.code === 'ALREADY_EXISTS') return true;
        if (err?.retryable !== true) {
          failed.push({ id: spec.id, code: err?.code ?? 'ERROR', message: String(err?.message ?? err) });
          return false;
        }
        const code = err.code ?? 'RETRYABLE';
        retries[code] = (retries[code] ?? 0) + 1;
        const backoff = Math.min(5000, 50 * 2 ** Math.min(attempt + 1, 7)) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      if (!(await createOne(specs[next++]))) continue;
      done.push(Date.now());
      onCreated(done.length);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { done, retries, failed };
}

/** The failed creates by error code and message, most frequent first: `"CODE message" ×n`. */
export function failureSummary(failed) {
  const counts = new Map();
  for (const f of failed) {
    const key = `${f.code} ${f.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ×${n}`);
}

/**
 * Creates per second around the `n`th create: over the `window` creates that end there (or the
 * first ones when `n` is smaller than the window). Undefined when fewer than `n` were made.
 */
export function createRateAt(done, n, window = 200) {
  if (done.length < n || n < 2) return undefined;
  const to = n - 1;
  const from = Math.max(0, to - window);
  const seconds = (done[to] - done[from]) / 1000;
  return seconds > 0 ? (to - from) / seconds : undefined;
}

/**
 * The soak's cells: `total` cells `soak-<i>`, of which `ticking` are `counter` cells (spread
 * evenly through the sequence, so the write load grows with the swarm) and the rest `echo`.
 */
export function soakSpecs(total, ticking) {
  const specs = [];
  for (let i = 0; i < total; i++) {
    const counter = Math.floor(((i + 1) * ticking) / total) > Math.floor((i * ticking) / total);
    specs.push({ type: counter ? 'counter' : 'echo', id: `soak-${i}` });
  }
  return specs;
}

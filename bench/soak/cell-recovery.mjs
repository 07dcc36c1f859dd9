// After a node's kill -9: the time until each of its cells answers again from another node.
import { createSilentLogger, createSubjects, DesiredCells, HOST_MESSAGE } from '@hms/runtime';
import { percentile } from '../stats.mjs';

/** How many requests a sweep over the unanswered cells keeps in flight. */
const SWEEP_IN_FLIGHT = 128;
/** A sweep starts at most this often, in millis (a dead cell's request fails at once). */
const SWEEP_EVERY_MS = 250;

/**
 * Kills `victim` with `kill()` and asks each of `ids` (cells that ran there) until it answers:
 * at once when the cell announces its start on another node (`cell.started`), and in sweeps
 * over the cells that have not answered yet. Resolves with per-cell recovery times (millis
 * from the kill) and the ids still silent at `timeoutMs`.
 */
export async function measureRecovery(client, swarm, { victim, ids, kill, timeoutMs }) {
  const subjects = createSubjects(swarm);
  const waiting = new Set(ids);
  if (ids.length === 0) throw new Error(`${victim} hosts no cells to recover`);
  const answered = new Map();
  let killedAt = 0;
  let allAnswered;
  const everyone = new Promise((resolve) => {
    allAnswered = resolve;
  });
  const ask = async (id) => {
    // Answering is a running copy on another node answering its host's status question (every
    // cell does, whatever requests its machine takes).
    try {
      const health = await client.request(subjects.cellInbox(id), HOST_MESSAGE.status, undefined, { timeout: 3000 });
      if (health?.status !== 'running' || health?.node === victim) return;
    } catch {
      return;
    }
    if (!waiting.delete(id)) return;
    answered.set(id, Date.now() - killedAt);
    if (waiting.size === 0) allAnswered();
  };
  const started = client.subscribe(subjects.eventPattern('cell.started'), (m) => {
    const id = subjects.parseEvent(m.subject)?.cellId;
    if (id && killedAt > 0 && m.body?.node !== victim && waiting.has(id)) void ask(id);
  });
  await client.flush();
  killedAt = Date.now();
  await kill();
  const deadline = killedAt + timeoutMs;
  const sweeps = (async () => {
    while (waiting.size > 0 && Date.now() < deadline) {
      const began = Date.now();
      const queue = [...waiting];
      await Promise.all(
        Array.from({ length: SWEEP_IN_FLIGHT }, async () => {
          while (queue.length > 0 && Date.now() < deadline) await ask(queue.pop());
        }),
      );
      const wait = SWEEP_EVERY_MS - (Date.now() - began);
      if (wait > 0 && waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    allAnswered();
  })();
  await everyone;
  await sweeps;
  started.unsubscribe();
  const times = [...answered.values()];
  return {
    cells: ids.length,
    answered: times.length,
    silent: [...waiting],
    all: times.length === ids.length ? Math.max(...times, 0) : undefined,
    p50: times.length ? percentile([...times], 0.5) : undefined,
    p99: times.length ? percentile([...times], 0.99) : undefined,
  };
}

/**
 * The ids among `ids` whose desired spec places them on `node`, read key by key from the
 * desired-cells bucket (no listing: it must work whatever the control plane's state).
 */
export async function cellsPlacedOn(client, swarm, ids, node) {
  const desired = await DesiredCells.open(client, swarm, createSilentLogger());
  const queue = [...ids];
  const found = [];
  await Promise.all(
    Array.from({ length: SWEEP_IN_FLIGHT }, async () => {
      while (queue.length > 0) {
        const id = queue.pop();
        if ((await desired.get(id))?.node === node) found.push(id);
      }
    }),
  );
  return found;
}

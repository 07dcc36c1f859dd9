import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { systemClock } from '../clock.js';
import { createSubjects } from '../transport/subjects.js';
import { Transport, type TransportOptions } from '../transport/transport.js';
import type { ElectionTiming } from './election-core.js';
import { type ElectionView, startElectionRunner } from './election-runner.js';
import { ElectionSharedState } from './election-shared-state.js';
import { ElectionStore } from './election-store.js';
import { createVoteFile } from './vote-file.js';

/** What the main thread hands the election thread. */
export interface ElectionWorkerData {
  nodeId: string;
  swarm: string;
  connection: Omit<TransportOptions, 'logger'>;
  timing: ElectionTiming;
  dataDir?: string;
  shared: SharedArrayBuffer;
  /** A main thread silent for longer than this, in millis, makes the node stop taking part. */
  mainStallMs: number;
  logLevel: string;
}

/** Messages from the election thread. */
export type ElectionWorkerMessage =
  | { kind: 'view'; view: ElectionView }
  | { kind: 'ready' }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string }
  /** The answer to a `hold` command. */
  | { kind: 'held'; id: number; ok: boolean };

/** Messages to the election thread. */
export type ElectionWorkerCommand =
  | { kind: 'stop'; leave: boolean }
  /** See ElectionRunner.holdEchoes; answered with `held` and the same id. */
  | { kind: 'hold'; id: number; node: string; heard: number | undefined }
  | { kind: 'release'; node: string };

/** How often the leader's view (who answered its heartbeats when) goes to the main thread, in millis. */
const VIEW_EVERY_MS = 100;

/** How often this thread marks itself alive in shared memory, in millis (see markThreadAlive). */
const ALIVE_EVERY_MS = 50;

const data = workerData as ElectionWorkerData;
if (!parentPort) throw new Error('election-worker runs as a worker thread');
const port = parentPort;
// Written straight to the file descriptor: a worker's process.stdout goes through the main
// thread, whose event loop is the one that may be busy.
const logger = pino(
  { level: data.logLevel, base: { pid: process.pid, node: data.nodeId, thread: 'election' } },
  pino.destination({ dest: 1, sync: true }),
);
const shared = ElectionSharedState.attach(data.shared);

async function main(): Promise<void> {
  const transport = await Transport.connect({
    ...data.connection,
    name: `${data.connection.name ?? data.nodeId}-election`,
    reconnect: true,
    logger,
  });
  const store = await ElectionStore.open(transport, data.swarm, logger);
  // A node whose main thread stopped running (an endless loop in a cell, say) is not merely
  // busy, and one whose main connection is down cannot be reached by its cells' callers: either
  // way it takes no part in the election, so the majority treats it as down.
  const mainStalled = () => {
    const alive = shared.mainAliveAt;
    return !shared.mainConnected || (alive > 0 && systemClock.now() - alive > data.mainStallMs);
  };
  const runner = await startElectionRunner({
    nodeId: data.nodeId,
    transport,
    subjects: createSubjects(data.swarm),
    store,
    clock: systemClock,
    logger,
    timing: data.timing,
    ...(data.dataDir === undefined ? {} : { votes: createVoteFile(data.dataDir, data.nodeId) }),
    paused: mainStalled,
    onChange: (view) => {
      shared.write(view);
      port.postMessage({ kind: 'view', view } satisfies ElectionWorkerMessage);
    },
    onStep: (view) => shared.write(view),
  });
  shared.markThreadAlive(systemClock.now());
  const aliveTimer = setInterval(() => shared.markThreadAlive(systemClock.now()), ALIVE_EVERY_MS);
  let lastSent = 0;
  let lastMembers = '';
  const viewTimer = setInterval(() => {
    // Undecodable messages are counted by this thread's transport, wrong shapes by the runner.
    shared.malformed = transport.stats.malformed + runner.malformed();
    const view = runner.view();
    // A follower's view changes with onChange, or when the voting membership does (regression:
    // a follower reported the members as they were when it joined); the leader's `heardAt`
    // moves all the time.
    const members = view.members.join();
    if (view.role !== 'leader' && lastSent > 0 && members === lastMembers) return;
    lastSent = systemClock.now();
    lastMembers = members;
    port.postMessage({ kind: 'view', view } satisfies ElectionWorkerMessage);
  }, VIEW_EVERY_MS);
  port.on('message', (command: ElectionWorkerCommand) => {
    if (command.kind === 'hold') {
      void runner
        .holdEchoes(command.node, command.heard)
        .then((ok) => port.postMessage({ kind: 'held', id: command.id, ok } satisfies ElectionWorkerMessage));
      return;
    }
    if (command.kind === 'release') {
      runner.releaseEchoes(command.node);
      return;
    }
    clearInterval(viewTimer);
    clearInterval(aliveTimer);
    void runner
      .stop({ leave: command.leave })
      .then(() => transport.close())
      .finally(() => port.postMessage({ kind: 'stopped' } satisfies ElectionWorkerMessage));
  });
  port.postMessage({ kind: 'view', view: runner.view() } satisfies ElectionWorkerMessage);
  port.postMessage({ kind: 'ready' } satisfies ElectionWorkerMessage);
}

main().catch((err: unknown) => {
  logger.error({ err }, 'election thread failed');
  port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
});

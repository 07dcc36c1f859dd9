import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { Transport } from '../transport/transport.js';
import { type ElectionTiming, ROLE } from './election-core.js';
import type { ElectionRunner, ElectionView } from './election-runner.js';
import { ElectionSharedState } from './election-shared-state.js';
import type { ElectionWorkerCommand, ElectionWorkerData, ElectionWorkerMessage } from './election-worker.js';

/** Options of {@link startElectionThread}. */
export interface ElectionThreadOptions {
  nodeId: string;
  swarm: string;
  /** The main connection; the election thread opens its own with the same options. */
  transport: Transport;
  timing: ElectionTiming;
  /** Where the vote is kept durably; default KV. */
  dataDir?: string;
  logger: Logger;
  /** Called (on the main thread) when this node's role, term or leader changes. */
  onChange?: (view: ElectionView) => void;
  /**
   * A main thread that has not run for this long, in millis, is stuck rather than busy: the
   * node then takes no part in the election (the majority counts it down); default 20000. So
   * does a node whose main connection is down: its cells cannot be reached.
   */
  mainStallMs?: number;
}

/** How often the main thread tells the election thread it runs, in millis. */
const MAIN_ALIVE_EVERY_MS = 100;

/** How long a stop waits for the election thread to leave cleanly, in millis. */
const STOP_WAIT_MS = 5000;

/**
 * The election's own thread. Cells' work shares the main event loop; elections and leader
 * heartbeats must not (a busy node is not a dead one, and a leader whose heartbeats queue behind
 * a burst of snapshot writes gets deposed). The election runs in a worker thread with its own
 * NATS connection; the main thread reads the numbers fencing needs (role, term, last contact
 * with the leader) from shared memory, fresh even when its own loop is behind, and the rest
 * (leader, members, who answered the leader when) from messages.
 */
export async function startElectionThread(options: ElectionThreadOptions): Promise<ElectionRunner> {
  const shared = ElectionSharedState.create();
  const data: ElectionWorkerData = {
    nodeId: options.nodeId,
    swarm: options.swarm,
    connection: options.transport.connectionOptions,
    timing: options.timing,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    shared: shared.buffer,
    mainStallMs: options.mainStallMs ?? 20_000,
    logLevel: options.logger.level,
  };
  let mirror: ElectionView = {
    role: ROLE.follower,
    term: 0,
    leader: null,
    members: [],
    heardAt: {},
    at: Date.now(),
    lastLeaderContact: Number.NEGATIVE_INFINITY,
    leaseContact: Number.NEGATIVE_INFINITY,
  };
  let stopping = false;
  let stopped: (() => void) | undefined;
  /** Hold commands waiting for the thread's answer, by id. */
  const holds = new Map<number, (ok: boolean) => void>();
  let nextHold = 0;
  const { transport, logger } = options;
  const alive = setInterval(() => shared.markMainAlive(Date.now(), transport.isConnected), MAIN_ALIVE_EVERY_MS);
  alive.unref();
  shared.markMainAlive(Date.now(), transport.isConnected);

  /**
   * Starts the election thread; resolves once it has joined. One that dies later is started
   * again after a second: meanwhile this node answers no leader, so the majority counts it down
   * and its cells refuse messages (the lease), as for any node that stopped answering.
   */
  const spawn = (): { worker: Worker; ready: Promise<void> } => {
    const worker = new Worker(workerScript(), { workerData: data });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: ElectionWorkerMessage) => {
        if (msg.kind === 'view') {
          const changed =
            msg.view.role !== mirror.role || msg.view.term !== mirror.term || msg.view.leader !== mirror.leader;
          mirror = msg.view;
          if (changed) options.onChange?.(msg.view);
        } else if (msg.kind === 'held') {
          holds.get(msg.id)?.(msg.ok);
          holds.delete(msg.id);
        } else if (msg.kind === 'ready') resolve();
        else if (msg.kind === 'stopped') stopped?.();
        else if (msg.kind === 'failed') reject(new Error(`election thread failed: ${msg.message}`));
      });
      worker.on('error', (err) => {
        logger.error({ err }, 'election thread crashed');
        reject(err);
      });
      worker.on('exit', (code) => {
        reject(new Error(`election thread exited with code ${code}`));
        // A hold the dead thread never answered moves nothing.
        for (const answer of holds.values()) answer(false);
        holds.clear();
        if (stopping) return;
        // Whatever the dead thread last wrote is no longer true: no role, no leader heard.
        shared.write({
          role: ROLE.follower,
          term: shared.term,
          lastLeaderContact: Number.NEGATIVE_INFINITY,
          leaseContact: Number.NEGATIVE_INFINITY,
        });
        mirror = { ...mirror, role: ROLE.follower, leader: null, heardAt: {} };
        options.onChange?.(mirror);
        logger.error({ code }, 'election thread exited; starting it again in 1 s');
        setTimeout(() => {
          if (stopping) return;
          current = spawn();
          current.ready.catch((err: unknown) => logger.error({ err }, 'election thread did not start again'));
        }, 1000).unref();
      });
    });
    return { worker, ready };
  };
  let current = spawn();
  try {
    await current.ready;
  } catch (err) {
    stopping = true;
    clearInterval(alive);
    await current.worker.terminate();
    throw err;
  }

  return {
    view: () => ({
      ...mirror,
      role: shared.role,
      term: shared.term,
      lastLeaderContact: shared.lastLeaderContact,
      leaseContact: shared.leaseContact,
    }),
    malformed: () => shared.malformed,
    holdEchoes: (node, heard) =>
      new Promise<boolean>((resolve) => {
        if (stopping) return resolve(false);
        const id = nextHold++;
        holds.set(id, resolve);
        current.worker.postMessage({ kind: 'hold', id, node, heard } satisfies ElectionWorkerCommand);
      }),
    releaseEchoes(node) {
      if (!stopping) current.worker.postMessage({ kind: 'release', node } satisfies ElectionWorkerCommand);
    },
    // The thread keeps the system clock's time, whatever clock the caller was given.
    stalledMs: () => shared.takeThreadStallMs(Date.now()),
    async stop(stopOptions = {}) {
      stopping = true;
      clearInterval(alive);
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
        setTimeout(resolve, STOP_WAIT_MS).unref();
      });
      current.worker.postMessage({ kind: 'stop', leave: stopOptions.leave ?? false } satisfies ElectionWorkerCommand);
      await done;
      await current.worker.terminate();
    },
  };
}

/**
 * The worker's compiled file. Under a TypeScript test runner this module is `src/…/*.ts`, which a
 * worker cannot load: the build's `dist/` twin is used (the build runs before the tests).
 */
function workerScript(): string {
  const url = new URL('./election-worker.js', import.meta.url);
  const path = fileURLToPath(url);
  return import.meta.url.endsWith('.ts') ? path.replace(/([\\/])src([\\/])/, '$1dist$2') : path;
}

import { type AnyActorRef, type AnyStateMachine, createActor, type Snapshot } from 'xstate';
import type { Clock } from '../clock.js';
import {
  CellFailedError,
  CellFencedError,
  SnapshotNotSavedError,
  type SnapshotTooLargeError,
  UnhandledEventError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { heartbeatProblem } from '../node/heartbeat-shape.js';
import { LIFECYCLE_EVENT } from '../node/lifecycle-events.js';
import type { SnapshotFence, SnapshotStore } from '../persistence/snapshot-store.js';
import type { SnapshotWriteQueue } from '../persistence/snapshot-write-queue.js';
import { createDependencyGuard, type DependencyGuard, type GuardEnvironment } from '../resilience/dependency-guard.js';
import type { IncomingMessage } from '../transport/message.js';
import { messageVersion } from '../transport/message-versions.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport, TransportSubscription } from '../transport/transport.js';
import type { CellContext } from './cell-context.js';
import { CellEventRing, type CellInspection, plainValue, stateTree, valueHasPath } from './cell-inspection.js';
import { CELL_STATUS, type CellHealth, type CellPulse, type CellStatus } from './cell-status.js';
import { type AnyCellDefinition, MIGRANTS_EVENT } from './define-cell.js';
import { HOST_MESSAGE } from './host-message.js';
import { LiveCellContext } from './live-cell-context.js';
import { rearmDelays } from './rearm-delays.js';
import { createSnapshotSaver } from './snapshot-saver.js';
import { eventTypeProblem, toEvent } from './to-event.js';

// In its own module so that clients (the CLI) can name the messages without loading a cell.
export { HOST_MESSAGE } from './host-message.js';

/** What {@link startCell} needs. */
export interface StartCellOptions {
  definition: AnyCellDefinition;
  id: string;
  /** Raw configuration, validated by the definition. */
  config: unknown;
  node: string;
  transport: Transport;
  subjects: Subjects;
  logger: Logger;
  clock: Clock;
  /** A persisted snapshot to restore from. */
  snapshot?: Snapshot<unknown>;
  /** How often this cell was restarted before. */
  restarts?: number;
  /** Called with the time each request took, from receipt to reply, in seconds. */
  onRequestHandled?: (cellId: string, type: string, seconds: number) => void;
  /** Circuit breakers and stigmergy on this cell's calls to other cells; none when omitted. */
  guard?: GuardEnvironment;
  /** Where the snapshot is saved after each change; no persistence when omitted. */
  snapshots?: {
    store: SnapshotStore;
    /** The node's write gate (bounded writes in flight, harder coalescing under load). */
    queue: SnapshotWriteQueue;
    maxStaleMs?: number;
    /** See SnapshotSaverOptions.onTooLarge. */
    onTooLarge?: (err: SnapshotTooLargeError) => void;
    /** See SnapshotSaverOptions.onFailed. */
    onFailed?: (err: unknown) => void;
    /** This owner's epoch and the revision it restored from; writes are fenced by it. */
    fence: SnapshotFence;
    /** Another writer was found: see SnapshotSaverOptions.onFenced. */
    onFenced: (reason: 'newer-owner' | 'older-writer') => void;
  };
  /**
   * Called once when the machine fails (a thrown action or guard, a failed invoked actor), with
   * the last good snapshot: the state before the event that failed.
   */
  onCrash: (cell: RunningCell, error: unknown, lastGood: Snapshot<unknown>) => void;
  /**
   * Asked before each inbox message or topic event: null admits it; a reason refuses it (a
   * request fails with CellFencedError). Host status requests are always answered.
   */
  admits?: () => string | null;
}

/** A cell hosted by this process: its actor plus its NATS subscriptions. */
export interface RunningCell {
  readonly id: string;
  readonly type: string;
  readonly actor: AnyActorRef;
  status(): CellStatus;
  health(): CellHealth;
  /** Its counters only, for the heartbeat's sums (cheaper than {@link health}). */
  pulse(): CellPulse;
  /**
   * Unsubscribes (draining what was received), saves the snapshot, then stops the actor.
   * With `discard`, nothing is saved (the cell is being destroyed, or lives on elsewhere), and
   * what the draining subscriptions still deliver is refused (CellFencedError).
   */
  stop(options?: { discard?: boolean }): Promise<void>;
  /** Saves every change so far; resolves false when the store refused or could not be reached. */
  flush(): Promise<boolean>;
  /** The snapshot revision this cell last wrote or restored from (null: none). */
  snapshotRevision(): number | null;
}

/** Refuses an inbox message or event whose type is not a valid event type (one closure for every cell). */
const acceptType = (m: IncomingMessage) => eventTypeProblem(m.type);

/**
 * True when `fn` declares no parameter at all: not `(cell)`, and not `(cell = …)` or `(...args)`
 * either, which also report a length of 0 but may still read the context.
 */
function takesNoArguments(fn: (...args: never[]) => unknown): boolean {
  return fn.length === 0 && /^[^(]*\(\s*\)/.test(Function.prototype.toString.call(fn));
}

/** Machines of definitions whose factory takes no cell context, built once per definition. */
const sharedMachines = new WeakMap<AnyCellDefinition, AnyStateMachine>();

/**
 * The machine of a new copy of a cell. A factory that takes no argument cannot tell cells apart,
 * so its machine (a definition: states, transitions, implementations; the state lives in the
 * actor) is built once per cell type and shared, as XState intends: a machine of its own cost
 * each idle cell ~3 KB of heap, as much as its actor. A factory that takes the cell context is
 * called for every copy.
 */
function machineOf(definition: AnyCellDefinition, ctx: CellContext): AnyStateMachine {
  let machine = sharedMachines.get(definition);
  if (!machine && !takesNoArguments(definition.machine)) return definition.machine(ctx);
  if (!machine) {
    machine = definition.machine(ctx);
    sharedMachines.set(definition, machine);
  }
  return machine;
}

/**
 * Starts a cell: creates its actor, subscribes its inbox and topics, and publishes what its
 * machine emits on the cell's event subjects.
 */
export function startCell(options: StartCellOptions): RunningCell {
  const { definition, id, node, transport, subjects } = options;
  const config = definition.config(options.config);
  // Made on first use: most idle cells never log, and a pino child is ~350 bytes of heap.
  // The node's logger already carries `node`; pino would repeat a binding given twice.
  let cellLogger: Logger | undefined;
  const log = (): Logger => {
    cellLogger ??= options.logger.child({ cell: id, type: definition.type });
    return cellLogger;
  };
  /** Memoized event subjects, made on the first event (an idle cell publishes none). */
  let eventSubjects: Map<string, string> | undefined;
  /** The (validated, then memoized) subject of this cell's events of `type`. */
  const eventSubject = (type: string): string => {
    eventSubjects ??= new Map();
    let subject = eventSubjects.get(type);
    if (subject === undefined) {
      subject = subjects.event(type, id);
      if (eventSubjects.size < 1000) eventSubjects.set(type, subject);
    }
    return subject;
  };
  /** The last events in and out, for `hms.inspect`. */
  const recent = new CellEventRing();
  /** What this cell sends a message of `type` with: its id, and its type's version of the message. */
  const sendAs = (type: string) => ({ from: id, version: messageVersion(type, definition.messages) });
  /** The breakers of this cell's calls: made by its first request (most cells never call out). */
  let guard: DependencyGuard | undefined;
  const guardFor = (): DependencyGuard | undefined => {
    if (guard || !options.guard || status === CELL_STATUS.stopped || status === CELL_STATUS.crashed) return guard;
    guard = createDependencyGuard({
      cellId: id,
      cellType: definition.type,
      env: options.guard,
      logger: log(),
      publish: (type, body) => transport.publish(eventSubject(type), type, body, { from: id }),
    });
    return guard;
  };
  const ctx: CellContext = new LiveCellContext({
    id,
    type: definition.type,
    node,
    config,
    clock: options.clock,
    transport,
    subjects,
    recent,
    eventSubject,
    log,
    guardFor,
    guard: options.guard,
    sendAs,
  });

  let status: CellStatus = CELL_STATUS.starting;
  /** A stop is under way (its subscriptions are draining). */
  let closing = false;
  /** Stopping without saving: refuses what the draining subscriptions still deliver. */
  let discarding = false;
  let handled = 0;
  /** Messages and events refused while its node was cut off from the majority. */
  let refused = 0;
  let errors = 0;
  let unhandled = 0;
  let lastError: string | undefined;
  const startedAt = Date.now();
  const subscriptions: TransportSubscription[] = [];

  const machineLog = (...args: unknown[]) => log().info({ args }, 'machine log');
  const actor = createActor(machineOf(definition, ctx), {
    id,
    clock: options.clock,
    logger: machineLog,
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });

  const saver = options.snapshots
    ? createSnapshotSaver({
        cellId: id,
        actor,
        store: options.snapshots.store,
        queue: options.snapshots.queue,
        clock: options.clock,
        logger: log,
        fence: options.snapshots.fence,
        version: definition.version,
        onFenced: options.snapshots.onFenced,
        ...(options.snapshots.onTooLarge ? { onTooLarge: options.snapshots.onTooLarge } : {}),
        ...(options.snapshots.onFailed ? { onFailed: options.snapshots.onFailed } : {}),
        ...(options.snapshots.maxStaleMs === undefined ? {} : { maxStaleMs: options.snapshots.maxStaleMs }),
      })
    : undefined;

  const crash = (error: unknown) => {
    if (status === CELL_STATUS.crashed || status === CELL_STATUS.stopped) return;
    status = CELL_STATUS.crashed;
    errors++;
    lastError = error instanceof Error ? error.message : String(error);
    log().error({ err: error }, 'cell crashed');
    for (const s of subscriptions) s.unsubscribe();
    saver?.stop();
    guard?.stop();
    // A failed transition leaves the context as it was before the failing event.
    const failed = actor.getPersistedSnapshot() as Snapshot<unknown> & { error?: unknown };
    const lastGood = { ...failed, status: 'active', error: undefined } as Snapshot<unknown>;
    options.onCrash(cell, error, lastGood);
  };

  actor.subscribe({ next: saver ? () => saver.changed() : undefined, error: crash });
  // What the machine emits goes out as the context's own publish would send it.
  actor.on('*', ({ type, ...body }: { type: string }) => ctx.publish(type, body));

  const onInbox = (msg: IncomingMessage): void | Promise<void> => {
    if (msg.type === HOST_MESSAGE.status) {
      msg.respond(cell.health());
      return;
    }
    if (msg.type === HOST_MESSAGE.inspect) {
      msg.respond(inspect());
      return;
    }
    if (status !== CELL_STATUS.running) {
      msg.fail(new CellFailedError(`cell ${id} is ${status}`));
      return;
    }
    const refusal = discarding
      ? `this copy is being stopped without saving (the cell was moved to another node or destroyed)`
      : options.admits?.();
    if (refusal) {
      refused++;
      msg.fail(new CellFencedError(`cell ${id} takes no messages: ${refusal}`, { data: { cell: id } }));
      return;
    }
    const started = performance.now();
    // The copy's own record of taking a message (debug only): the chaos checker lines these up
    // across nodes to prove that no two copies of a cell ever accepted at the same time.
    if (options.logger.isLevelEnabled('debug'))
      log().debug({ epoch: options.snapshots?.fence.epoch, event: msg.type }, 'cell accepted');
    recent.record('in', msg.type, msg.from);
    const event = toEvent(msg.type, msg.from, msg.body);
    const before = actor.getSnapshot();
    if (!definition.queries.includes(msg.type) && !before.can(event)) {
      unhandled++;
      const state = before.value;
      if (unhandled % 100 === 1) log().warn({ event: msg.type, state, from: msg.from, unhandled }, 'dead letter');
      transport.publish(
        eventSubject(LIFECYCLE_EVENT.deadLetter),
        LIFECYCLE_EVENT.deadLetter,
        { type: msg.type, state, from: msg.from },
        { from: id },
      );
      msg.fail(
        new UnhandledEventError(
          `cell ${id} (${definition.type}) cannot take ${msg.type} in state ${JSON.stringify(state)}`,
          {
            data: { cell: id, type: msg.type, state },
          },
        ),
      );
      return;
    }
    if (definition.queries.includes(msg.type)) {
      handled++;
      if (!msg.isRequest) return;
      // No dirty reads: a change not yet saved may still be lost (its own request unanswered),
      // so the state is shown only once it is saved (chaos seed 1000 read a count that then went back).
      if (definition.saveBeforeReply && saver) return afterSave(msg, before, event, started);
      return answer(msg, before, event, started);
    }
    actor.send(event);
    handled++;
    const snapshot = actor.getSnapshot();
    if (snapshot.status === 'error') {
      errors++;
      msg.fail(new CellFailedError(`cell ${id} failed on ${msg.type}`, { cause: snapshot.error }));
      return;
    }
    if (!msg.isRequest) return;
    if (definition.saveBeforeReply && saver && snapshot !== before) return afterSave(msg, snapshot, event, started);
    return answer(msg, snapshot, event, started);
  };
  /** Answers once everything up to now is saved, or fails when this copy can no longer save. */
  const afterSave = (
    msg: IncomingMessage,
    snapshot: ReturnType<typeof actor.getSnapshot>,
    event: ReturnType<typeof toEvent>,
    started: number,
  ): Promise<void> =>
    (saver as NonNullable<typeof saver>).saved().then((ok) => {
      if (ok) return answer(msg, snapshot, event, started);
      msg.fail(
        new SnapshotNotSavedError(`cell ${id} could not save its state for ${msg.type}: another copy owns it now`, {
          data: { cell: id },
        }),
      );
    });
  /** Replies to a request with what `reply` makes of the snapshot. */
  const answer = (
    msg: IncomingMessage,
    snapshot: ReturnType<typeof actor.getSnapshot>,
    event: ReturnType<typeof toEvent>,
    started: number,
  ): void | Promise<void> => {
    let value: unknown;
    try {
      value = definition.reply(snapshot, event, ctx);
    } catch (err) {
      errors++;
      msg.fail(err);
      return;
    }
    if (value instanceof Promise) {
      return value.then(
        (v) => {
          msg.respond(v);
          timed(started);
        },
        (err: unknown) => {
          errors++;
          msg.fail(err);
        },
      );
    }
    msg.respond(value);
    timed(started);
  };
  const timed = (started: number) =>
    options.onRequestHandled?.(id, definition.type, (performance.now() - started) / 1000);

  const onTopic = (as: string | undefined) => (msg: IncomingMessage) => {
    if (status !== CELL_STATUS.running) return;
    if (options.admits?.()) {
      refused++;
      return;
    }
    // The subject names the publishing cell; hms-from says the same unless someone else sent it.
    const from = subjects.parseEvent(msg.subject)?.cellId ?? msg.from;
    recent.record('in', as ?? msg.type, from);
    actor.send(toEvent(as ?? msg.type, from, msg.body));
    handled++;
  };

  const onHeartbeat = (as: string | undefined) => (msg: IncomingMessage) => {
    if (status !== CELL_STATUS.running) return;
    actor.send(toEvent(as ?? 'heartbeat', msg.from, msg.body));
    handled++;
  };

  /** Its health, context, state tree (active states marked) and last events. */
  const inspect = (): CellInspection => {
    const snapshot = actor.getSnapshot();
    return {
      ...cell.health(),
      context: plainValue(snapshot.context),
      tree: stateTree(actor.logic.root, (path) => valueHasPath(snapshot.value, path)),
      events: recent.list(),
    };
  };

  const onMalformed = () => {
    errors++;
  };

  /** Its topics as `hms agent graph` shows them; computed once. */
  const topicNames = definition
    .topics(config)
    .map((t) =>
      'heartbeats' in t ? 'heartbeats' : 'migrants' in t ? 'migrants' : t.from ? `${t.event}@${t.from}` : t.event,
    );

  const cell: RunningCell = {
    id,
    type: definition.type,
    actor,
    status: () => status,
    health: () => ({
      id,
      type: definition.type,
      node,
      status,
      state: actor.getSnapshot().value,
      mailbox: subscriptions[0]?.pending() ?? 0,
      handled,
      errors,
      ...(unhandled ? { unhandled } : {}),
      ...(refused ? { refused } : {}),
      restarts: options.restarts ?? 0,
      startedAt,
      ...(lastError ? { lastError } : {}),
      ...(guard && Object.keys(guard.states()).length ? { circuits: guard.states() } : {}),
      ...(topicNames.length ? { topics: topicNames } : {}),
    }),
    pulse: () => ({
      id,
      type: definition.type,
      status,
      handled,
      errors,
      restarts: options.restarts ?? 0,
      mailbox: subscriptions[0]?.pending() ?? 0,
    }),
    async stop(stopOptions = {}) {
      if (status === CELL_STATUS.stopped || closing) return;
      closing = true;
      const wasRunning = status === CELL_STATUS.running;
      // Messages delivered before the unsubscribe are handled, not refused: a request is either
      // answered here or never delivered here (no responders while a cell moves), so a caller
      // can always tell whether it may send again (see README, "Drain and rolling upgrades").
      // Not so for a discarded copy: one stopped because the cell now lives on another node (this
      // node was cut off meanwhile) must take nothing more while the unsubscribe drains — the
      // drain waits a round trip, which took 1.4 s after a partition healed, and the copy took a
      // message beside the live one (chaos seed 5014). Its callers are refused and ask again.
      discarding = stopOptions.discard === true;
      if (wasRunning) await Promise.all(subscriptions.map((s) => s.drain().catch(() => undefined)));
      status = CELL_STATUS.stopped;
      if (wasRunning && !stopOptions.discard) await saver?.flush();
      saver?.stop();
      guard?.stop();
      actor.stop();
      if (options.logger.isLevelEnabled('debug')) log().debug('cell stopped');
    },
    flush: async () => (saver ? saver.flush() : true),
    snapshotRevision: () => saver?.revision ?? null,
  };

  actor.start();
  if (actor.getSnapshot().status === 'error') {
    crash(actor.getSnapshot().error);
    return cell;
  }
  // A restored machine waiting on an `after` delay would otherwise wait forever.
  if (options.snapshot) rearmDelays(actor);
  const { messages } = definition;
  subscriptions.push(
    transport.subscribe(subjects.cellInbox(id), onInbox, { onMalformed, accept: acceptType, messages }),
  );
  for (const topic of definition.topics(config)) {
    if ('heartbeats' in topic) {
      subscriptions.push(
        transport.subscribe(subjects.heartbeatPattern(), onHeartbeat(topic.as), {
          onMalformed,
          accept: (m) => heartbeatProblem(m.body),
        }),
      );
      continue;
    }
    if ('migrants' in topic) {
      subscriptions.push(
        transport.subscribe(subjects.gaMigrants(id), onTopic(topic.as ?? MIGRANTS_EVENT), { onMalformed }),
      );
      continue;
    }
    const subject = topic.from ? subjects.event(topic.event, topic.from) : subjects.eventPattern(topic.event);
    subscriptions.push(
      transport.subscribe(subject, onTopic(topic.as), {
        onMalformed,
        messages,
        ...(topic.as ? {} : { accept: acceptType }),
      }),
    );
  }
  status = CELL_STATUS.running;
  if (options.logger.isLevelEnabled('debug')) log().debug('cell started');
  return cell;
}

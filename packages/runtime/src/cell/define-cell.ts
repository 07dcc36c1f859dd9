import type { AnyStateMachine, Snapshot, SnapshotFrom } from 'xstate';
import { ValidationError } from '../errors.js';
import { checkMessageSchemas, type MessageSchemas, type MessageUpcast } from '../transport/message-versions.js';
import { assertDottedName, assertToken } from '../transport/subjects.js';
import type { CellContext } from './cell-context.js';

/**
 * What a cell listens to besides its inbox: events of `event` from `from` (any cell when
 * omitted), or with `heartbeats: true` every node's heartbeat (as `heartbeat` events, or `as`).
 */
export type TopicSpec =
  | {
      /** The event type, e.g. `tick` or `health.changed`. */
      event: string;
      /** Only events from this cell id. */
      from?: string;
      /** The event type the machine receives; default `event`. */
      as?: string;
    }
  | { heartbeats: true; as?: string }
  /**
   * Migrants sent to this cell as a GA island (`hms.<swarm>.ga.<cellId>.migrants`), as
   * {@link MIGRANTS_EVENT} events (or `as`).
   */
  | { migrants: true; as?: string };

/** The event type of GA migrants, on the wire and in the receiving machine. */
export const MIGRANTS_EVENT = 'ga.migrants';

/** How a cell type maps NATS onto an XState machine. Create with {@link defineCell}. */
export interface CellDefinition<TConfig = unknown, TMachine extends AnyStateMachine = AnyStateMachine> {
  /** The cell type, one subject token (e.g. `counter`). */
  readonly type: string;
  /** One line for `hms agent list` and docs. */
  readonly description: string;
  /** Validates and defaults a cell's configuration; throws ValidationError naming the field. */
  readonly config: (raw: unknown) => TConfig;
  /**
   * Builds the machine. A factory that takes the cell context is called on every start; one that
   * takes no argument is called once per type and its machine shared by every cell of the type
   * (a machine is a definition: each cell's state lives in its own actor), which halves an idle
   * cell's heap. Keep no per-cell mutable state in a context-free factory's closure.
   */
  readonly machine: (cell: CellContext<TConfig>) => TMachine;
  /** Event topics that become events of the machine (`{ ...body, type, from }`). */
  readonly topics: (config: TConfig) => readonly TopicSpec[];
  /**
   * The answer to a request, read after the machine has taken the request's event.
   * Default: `{ state, context }` of the snapshot. May return a promise (e.g. `waitFor`); may
   * throw (the requester gets the error). `cell` is the cell's own context (id, node, config).
   */
  readonly reply: (snapshot: SnapshotFrom<TMachine>, event: { type: string }, cell: CellContext<TConfig>) => unknown;
  /**
   * Request types answered from the cell's state by `reply` without the machine taking them as
   * an event (e.g. `get`, `status`). Any other inbox message the machine cannot take in its
   * current state is a dead letter: refused with UnhandledEventError, counted and published on
   * `hms.<swarm>.evt.dead-letter.<cellId>`.
   */
  readonly queries: readonly string[];
  /**
   * The version of the cell's state (its persisted snapshot's shape), a whole number from 1;
   * default 1. Every saved snapshot records it; a snapshot saved without one counts as version 1.
   */
  readonly version: number;
  /**
   * Upgrades a persisted snapshot by one version: given the snapshot of `fromVersion`, returns
   * it as of `fromVersion + 1`. A node restoring a snapshot of version k < `version` calls it
   * for k, k+1, …, `version` − 1 in turn and saves the result before the cell starts. Required
   * when `version` > 1. A snapshot newer than `version` is never started on: the cell is left
   * `failed` (see SnapshotVersionError).
   */
  readonly migrate: CellMigration | undefined;
  /**
   * The schema versions of the message types this cell type speaks — inbox requests and topic
   * events it takes, events it publishes — each `{ version, upcast(body, fromVersion) }`, as
   * `version` and `migrate` are for its state. It writes `version` in `hms-v`; a body of an older
   * version goes through `upcast` once per step (k → k+1 → … → `version`) before the machine
   * sees it; a newer one is refused with MessageVersionError (one line naming the message type
   * and both versions), counted and dropped. A type not listed is version 1. Default none.
   */
  readonly messages: MessageSchemas;
  /**
   * When true, a request that changed the cell is answered only once JetStream has acknowledged
   * a snapshot with the change (saved at once, not after `snapshotMaxStaleMs`; requests arriving
   * meanwhile share the next save). An answer then survives a kill -9 of the node, and a copy
   * that lost ownership answers SnapshotNotSavedError instead. Queries are answered once the
   * state they show is saved (no dirty reads). Default false: answered at once,
   * saved within `snapshotMaxStaleMs`.
   */
  readonly saveBeforeReply: boolean;
}

/** A persisted snapshot as stored: XState's fields, `value` and `context` among them. */
// biome-ignore lint/suspicious/noExplicitAny: each state version of a context has its own shape
export type PersistedCellSnapshot = Snapshot<unknown> & { value?: unknown; context?: any };

/** One migration step of a cell's persisted snapshot: version `fromVersion` in, `fromVersion + 1` out. */
export type CellMigration = (snapshot: PersistedCellSnapshot, fromVersion: number) => PersistedCellSnapshot;

/** What {@link defineCell} takes: `type`, `description` and `machine` are required. */
export interface CellDefinitionInput<TConfig, TMachine extends AnyStateMachine> {
  type: string;
  description: string;
  machine: (cell: CellContext<TConfig>) => TMachine;
  config?: (raw: unknown) => TConfig;
  topics?: (config: TConfig) => readonly TopicSpec[];
  reply?: (snapshot: SnapshotFrom<TMachine>, event: { type: string }, cell: CellContext<TConfig>) => unknown;
  /** See {@link CellDefinition.queries}; default none. */
  queries?: readonly string[];
  /** See {@link CellDefinition.version}; default 1. */
  version?: number;
  /** See {@link CellDefinition.migrate}; required when `version` > 1. */
  migrate?: CellMigration;
  /** See {@link CellDefinition.saveBeforeReply}; default false. */
  saveBeforeReply?: boolean;
  /** See {@link CellDefinition.messages}; default none (every type version 1). */
  messages?: Record<string, { version: number; upcast?: MessageUpcast }>;
}

/** Any cell definition, whatever its config and machine. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every config type
export type AnyCellDefinition = CellDefinition<any, AnyStateMachine>;

function defaultConfig(raw: unknown): never {
  if (raw === undefined || raw === null) return {} as never;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('cell config must be an object', { data: { field: 'config' } });
  }
  return raw as never;
}

function defaultReply(snapshot: { value: unknown; context: unknown }): unknown {
  return { state: snapshot.value, context: snapshot.context };
}

/** Declares a cell type: an XState v5 machine plus how NATS maps onto it. */
export function defineCell<TConfig = Record<string, unknown>, TMachine extends AnyStateMachine = AnyStateMachine>(
  input: CellDefinitionInput<TConfig, TMachine>,
): CellDefinition<TConfig, TMachine> {
  assertToken(input.type, 'cell type');
  const version = input.version ?? 1;
  if (!Number.isInteger(version) || version < 1) {
    throw new ValidationError(`cell type ${input.type}: version must be a whole number from 1, not ${version}`, {
      data: { field: 'version' },
    });
  }
  if (version > 1 && typeof input.migrate !== 'function') {
    throw new ValidationError(
      `cell type ${input.type}: version ${version} needs migrate(snapshot, fromVersion) for older snapshots`,
      { data: { field: 'migrate' } },
    );
  }
  return Object.freeze({
    type: input.type,
    description: input.description,
    machine: input.machine,
    config: input.config ?? (defaultConfig as (raw: unknown) => TConfig),
    topics: (config: TConfig) => {
      const topics = input.topics?.(config) ?? [];
      for (const t of topics) {
        if ('heartbeats' in t || 'migrants' in t) continue;
        assertDottedName(t.event, 'topic event');
        if (t.from !== undefined) assertToken(t.from, 'topic source cell id');
      }
      return topics;
    },
    reply: input.reply ?? (defaultReply as CellDefinition<TConfig, TMachine>['reply']),
    queries: Object.freeze([...(input.queries ?? [])]),
    version,
    migrate: input.migrate,
    messages: checkMessageSchemas(`cell type ${input.type}`, input.messages),
    saveBeforeReply: input.saveBeforeReply ?? false,
  });
}

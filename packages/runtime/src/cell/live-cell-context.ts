import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { CALL_OUTCOME, callOutcome } from '../resilience/call-trace.js';
import type { DependencyGuard, GuardEnvironment } from '../resilience/dependency-guard.js';
import type { RequestOptions } from '../transport/message.js';
import type { Subjects } from '../transport/subjects.js';
import type { Transport } from '../transport/transport.js';
import type { CellContext } from './cell-context.js';
import type { CellEventRing } from './cell-inspection.js';
import { MIGRANTS_EVENT } from './define-cell.js';

/** What a {@link LiveCellContext} needs of its running cell. */
export interface LiveCellParts<TConfig> {
  id: string;
  type: string;
  node: string;
  config: TConfig;
  clock: Clock;
  transport: Transport;
  subjects: Subjects;
  /** The cell's record of its last events in and out. */
  recent: CellEventRing;
  /** The subject of this cell's events of `type`. */
  eventSubject: (type: string) => string;
  /** The cell's logger, made on first use. */
  log: () => Logger;
  /** The breakers of the cell's calls, made on its first request; undefined without a guard. */
  guardFor: () => DependencyGuard | undefined;
  /** The node's guard environment (trace, settings); undefined without one. */
  guard: GuardEnvironment | undefined;
  /** What the cell sends a message of `type` with: its id, and its type's version of the message. */
  sendAs: (type: string) => { from: string; version: number };
}

/**
 * The {@link CellContext} of a running cell. One per cell, so its code is on the prototype and its
 * state is a handful of fields: as an object literal of closures (with a getter, which made V8
 * keep it as a dictionary) it cost ~1.3 KB of heap per cell.
 */
export class LiveCellContext<TConfig> implements CellContext<TConfig> {
  readonly id: string;
  readonly type: string;
  readonly swarm: string;
  readonly node: string;
  readonly config: TConfig;
  readonly clock: Clock;
  private readonly parts: LiveCellParts<TConfig>;

  constructor(parts: LiveCellParts<TConfig>) {
    this.id = parts.id;
    this.type = parts.type;
    this.swarm = parts.subjects.swarm;
    this.node = parts.node;
    this.config = parts.config;
    this.clock = parts.clock;
    this.parts = parts;
  }

  get logger(): Logger {
    return this.parts.log();
  }

  send(to: string, type: string, body?: unknown): void {
    const { recent, transport, subjects } = this.parts;
    recent.record('out', type, to);
    transport.publish(subjects.cellInbox(to), type, body, this.parts.sendAs(type));
  }

  async request(to: string, type: string, body?: unknown, requestOptions?: RequestOptions): Promise<unknown> {
    const { recent, transport, subjects, id } = this.parts;
    recent.record('out', type, to);
    const startedAt = Date.now();
    const began = performance.now();
    const env = this.parts.guard;
    const trace = env?.trace;
    const guard = this.parts.guardFor();
    /** The callee's type: it picks the edge's scoped settings, and the trace records it. */
    const toType = env?.typeOf?.(to);
    const edge = [id, this.type, toType ?? ''] as const;
    try {
      guard?.before(to);
    } catch (err) {
      trace?.record(to, startedAt, 0, CALL_OUTCOME.rejected, ...edge);
      throw err;
    }
    try {
      // The caller's own timeout wins; the edge's, the callee type's or the swarm's applies to calls that set none.
      const timeout = requestOptions?.timeout ?? env?.settings(this.type, toType).requestTimeoutMs;
      const reply = await transport.request(subjects.cellInbox(to), type, body, {
        ...this.parts.sendAs(type),
        ...requestOptions,
        ...(timeout === undefined ? {} : { timeout }),
      });
      guard?.success(to);
      trace?.record(to, startedAt, performance.now() - began, CALL_OUTCOME.ok, ...edge);
      return reply;
    } catch (err) {
      guard?.failure(to, err);
      trace?.record(to, startedAt, performance.now() - began, callOutcome(err), ...edge);
      throw err;
    }
  }

  publish(type: string, body?: unknown): void {
    this.parts.recent.record('out', type);
    this.parts.transport.publish(this.parts.eventSubject(type), type, body, this.parts.sendAs(type));
  }

  sendMigrants(islandId: string, body: unknown): void {
    const { transport, subjects } = this.parts;
    transport.publish(subjects.gaMigrants(islandId), MIGRANTS_EVENT, body, { from: this.id });
  }

  control(command: string, body?: unknown, requestOptions?: RequestOptions): Promise<unknown> {
    const { transport, subjects } = this.parts;
    return transport.request(subjects.control(command), command, body, {
      from: this.id,
      timeout: 20_000,
      ...requestOptions,
    });
  }
}

import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { RequestOptions } from '../transport/message.js';

/**
 * What a cell's machine may use of the world. It is passed to the machine factory, never
 * imported, so the same machine runs on NATS, in tests and in simulators. Every way out of a
 * cell goes through NATS: `send` and `request` address another cell's inbox even when that
 * cell lives in the same process.
 */
export interface CellContext<TConfig = unknown> {
  /** This cell's id, unique in the swarm. */
  readonly id: string;
  /** This cell's type (its definition's `type`). */
  readonly type: string;
  readonly swarm: string;
  /** The node process hosting this cell now. */
  readonly node: string;
  /** The cell's validated configuration. */
  readonly config: TConfig;
  /** `logger.child({ cell, type, node })`. */
  readonly logger: Logger;
  /** The clock delayed transitions run on. */
  readonly clock: Clock;
  /** Sends a one-way message of `type` to cell `to`'s inbox. */
  send(to: string, type: string, body?: unknown): void;
  /**
   * Sends a request to cell `to` and resolves with its reply (errors rebuilt by class). The
   * timeout defaults to the swarm's live `request.timeoutMs`.
   */
  request(to: string, type: string, body?: unknown, options?: RequestOptions): Promise<unknown>;
  /** Publishes an event of this cell (what `emit` in the machine also does). */
  publish(type: string, body?: unknown): void;
  /** Sends GA migrants to island cell `islandId` (`hms.<swarm>.ga.<islandId>.migrants`). */
  sendMigrants(islandId: string, body: unknown): void;
  /**
   * Sends a control-plane command (`hms.<swarm>.ctl.<command>`, as the CLI does) and resolves
   * with its answer; swarm-wide changes are carried out by the leader. Default timeout 20 s.
   */
  control(command: string, body?: unknown, options?: RequestOptions): Promise<unknown>;
}

import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Field } from './field.js';

/**
 * A node's cached reading of some topics of the field, refreshed in the background, so cells
 * can sense synchronously on their request path.
 */
export class FieldView {
  private readonly readings = new Map<string, Map<string, number>>();
  private timer: unknown;
  private refreshing = false;

  constructor(
    private readonly field: Field,
    private readonly topics: readonly string[],
    private readonly options: { clock: Clock; logger: Logger; refreshMs?: number },
  ) {}

  /** Starts refreshing every `refreshMs` (default 250). */
  async start(): Promise<void> {
    await this.refresh();
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.timer !== undefined) this.timer = this.options.clock.setTimeout(tick, this.options.refreshMs ?? 250);
      });
    };
    this.timer = this.options.clock.setTimeout(tick, this.options.refreshMs ?? 250);
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Re-reads every topic now. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      for (const topic of this.topics) this.readings.set(topic, await this.field.sense(topic));
    } catch (err) {
      this.options.logger.warn({ err }, 'field not readable; keeping the last reading');
    } finally {
      this.refreshing = false;
    }
  }

  /** The last known strength of `topic`/`key` (0 when unmarked). */
  strength(topic: string, key: string): number {
    return this.readings.get(topic)?.get(key) ?? 0;
  }

  /** Notes a deposit made here at once, without waiting for the next refresh. */
  note(topic: string, key: string, strength: number): void {
    const reading = this.readings.get(topic) ?? new Map<string, number>();
    reading.set(key, strength);
    this.readings.set(topic, reading);
  }
}

import type { Msg } from '@nats-io/transport-node';
import { HEADER, PROTOCOL_VERSION } from './headers.js';
import type { IncomingMessage } from './message.js';

/** What a received message needs to answer its sender. */
export interface ReplySender {
  reply(msg: Msg, value: unknown): void;
  replyError(msg: Msg, error: unknown): void;
}

/**
 * A decoded message. One small object per message on the hot path: the rarely read headers
 * (`hms-v`, `hms-term`) are parsed only when asked for.
 */
export class ReceivedMessage implements IncomingMessage {
  private answered = false;

  constructor(
    private readonly sender: ReplySender,
    private readonly msg: Msg,
    readonly type: string,
    readonly from: string,
    readonly body: unknown,
  ) {}

  get subject(): string {
    return this.msg.subject;
  }

  get isRequest(): boolean {
    return Boolean(this.msg.reply);
  }

  get version(): number {
    return Number(this.msg.headers?.get(HEADER.version)) || PROTOCOL_VERSION;
  }

  get term(): number | undefined {
    const term = this.msg.headers?.get(HEADER.term);
    return term ? Number(term) : undefined;
  }

  respond(value: unknown): void {
    if (!this.msg.reply || this.answered) return;
    this.answered = true;
    this.sender.reply(this.msg, value);
  }

  fail(error: unknown): void {
    if (!this.msg.reply || this.answered) return;
    this.answered = true;
    this.sender.replyError(this.msg, error);
  }
}

import type { Msg } from '@nats-io/transport-node';
import type { HmsHeaders } from './header-reader.js';
import type { IncomingMessage } from './message.js';

/** What a received message needs to answer its sender. */
export interface ReplySender {
  reply(msg: Msg, value: unknown): void;
  replyError(msg: Msg, error: unknown): void;
}

/**
 * A decoded message: one small object per message on the hot path, its headers read once (see
 * readHmsHeaders) and its body already upcast to the version its subscriber reads.
 */
export class ReceivedMessage implements IncomingMessage {
  private answered = false;
  readonly type: string;
  readonly from: string;
  readonly version: number;
  readonly term: number | undefined;

  constructor(
    private readonly sender: ReplySender,
    private readonly msg: Msg,
    headers: HmsHeaders,
    readonly body: unknown,
  ) {
    this.type = headers.type;
    this.from = headers.from;
    this.version = headers.version;
    this.term = headers.term;
  }

  get subject(): string {
    return this.msg.subject;
  }

  get isRequest(): boolean {
    return Boolean(this.msg.reply);
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

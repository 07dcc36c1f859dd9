import { createInbox } from '@nats-io/transport-node';
import type { Transport } from './transport.js';

/** Options of {@link gatherJson}. */
export interface GatherOptions {
  /** How long to collect replies, in millis. */
  timeoutMs: number;
  /** Stop as soon as this many replies came; default: collect until the timeout. */
  max?: number;
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/**
 * Sends one empty request to `subject` and collects every JSON reply that arrives within
 * `timeoutMs` (the scatter-gather that NATS Services discovery uses: every instance answers).
 * Replies that are not JSON are skipped. Resolves early with what it has when NATS reports that
 * nobody listens, or when `max` replies came.
 */
export function gatherJson(transport: Transport, subject: string, options: GatherOptions): Promise<unknown[]> {
  const { nc } = transport;
  const inbox = createInbox();
  const replies: unknown[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      if (!sub.isClosed()) sub.unsubscribe();
      resolve(replies);
    };
    const sub = nc.subscribe(inbox, {
      callback: (err, msg) => {
        // A status reply (503: no responders) ends the gathering; it carries no body.
        if (err || msg.headers?.code) {
          done();
          return;
        }
        try {
          replies.push(JSON.parse(decoder.decode(msg.data)));
        } catch {
          return;
        }
        if (replies.length >= max) done();
      },
    });
    timer = setTimeout(done, options.timeoutMs);
    try {
      nc.publish(subject, EMPTY, { reply: inbox });
    } catch {
      done();
    }
  });
}

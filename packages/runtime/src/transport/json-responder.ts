import type { Transport, TransportSubscription } from './transport.js';

const encoder = new TextEncoder();

/**
 * Answers every request on `subject` with `answer()` as plain JSON, with no HMS headers: the
 * replies of the NATS Services discovery subjects (`$SRV.…`), which `nats micro` parses as JSON.
 * Not in a queue group: every instance answers.
 */
export function serveJson(transport: Transport, subject: string, answer: () => unknown): TransportSubscription {
  const sub = transport.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      msg.respond(encoder.encode(JSON.stringify(answer())));
    },
  });
  return {
    subject,
    pending: () => sub.getPending(),
    unsubscribe: () => sub.unsubscribe(),
    drain: async () => {
      if (!sub.isClosed()) await sub.drain();
    },
  };
}

/** An event as a machine receives it from NATS. */
export interface CellEvent {
  type: string;
  /** The sending cell or node id. */
  from: string;
  [key: string]: unknown;
}

/**
 * Turns a decoded message body into a machine event: an object body becomes the event itself
 * (`{ type: 'increment', by: 2, from }`); any other body becomes `value`. The body is freshly
 * decoded and owned by the caller, so it is reused rather than copied (this is the hot path).
 */
export function toEvent(type: string, from: string, body: unknown): CellEvent {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !(body instanceof Uint8Array)) {
    const event = body as CellEvent;
    event.type = type;
    event.from = from;
    return event;
  }
  return body === undefined ? { type, from } : { type, from, value: body };
}

/**
 * Why `type` (a message's `hms-type`) cannot be a machine event, or undefined when it can. XState
 * throws on `*` (the cell crashed), and `xstate.*` types are its own: a message of type
 * `xstate.done.actor.<id>` would pose as an invoked actor's completion.
 */
export function eventTypeProblem(type: string): string | undefined {
  if (type === '*' || type.startsWith('xstate.')) return `event type ${JSON.stringify(type)} is reserved by XState`;
  return undefined;
}

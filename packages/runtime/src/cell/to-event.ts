/** An event as a machine receives it from NATS. */
export interface CellEvent {
  type: string;
  /** The sending cell or node id. */
  from: string;
  [key: string]: unknown;
}

/**
 * Turns a message into a machine event: an object body is spread into the event
 * (`{ type: 'increment', by: 2 }`); any other body becomes `value`.
 */
export function toEvent(type: string, from: string, body: unknown): CellEvent {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && !(body instanceof Uint8Array)) {
    return { ...(body as Record<string, unknown>), type, from };
  }
  return body === undefined ? { type, from } : { type, from, value: body };
}

/**
 * How long a create from the CLI keeps asking while the swarm refuses new cells as overloaded,
 * in millis: a node that just started, or a burst of writes, passes within seconds, and the
 * operator should not have to retry by hand. Past it, the refusal is printed.
 */
export const OVERLOAD_WAIT_MS = 15_000;

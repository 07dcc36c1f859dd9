import type { AnyActorRef } from 'xstate';

/** What XState keeps of a delayed (`after`) transition, as far as re-arming needs it. */
interface DelayedTransition {
  eventType: string;
  delay: number | string | ((args: unknown, params: unknown) => number);
}

/** The internals of a machine snapshot and actor used here (XState v5). */
interface RestoredSnapshot {
  context: unknown;
  _nodes?: Array<{ after?: DelayedTransition[] }>;
  machine?: { implementations?: { delays?: Record<string, number | ((args: unknown, params: unknown) => number)> } };
}
interface SchedulingActor {
  system: {
    scheduler: { schedule(source: unknown, target: unknown, event: unknown, delay: number, id: string): void };
  };
}

/**
 * Re-arms the delayed transitions (`after`) of the states a restored actor is in. XState (5.33)
 * schedules them when a state is entered, and a persisted snapshot does not carry the timers, so
 * a machine restored in a waiting state would wait forever: a ticker would never tick again
 * after its node restarted it. Each is scheduled with its full delay, under the id XState gives
 * it, so leaving the state cancels it as usual. Returns how many were re-armed.
 */
export function rearmDelays(actor: AnyActorRef): number {
  const snapshot = actor.getSnapshot() as RestoredSnapshot;
  const delays = snapshot.machine?.implementations?.delays ?? {};
  const scheduler = (actor as unknown as SchedulingActor).system.scheduler;
  const args = { context: snapshot.context, event: { type: 'xstate.init' }, self: actor, system: actor.system };
  const armed = new Set<string>();
  for (const node of snapshot._nodes ?? []) {
    for (const t of node.after ?? []) {
      if (armed.has(t.eventType)) continue;
      const ref = typeof t.delay === 'string' ? delays[t.delay] : t.delay;
      const ms = typeof ref === 'function' ? ref(args, undefined) : ref;
      if (typeof ms !== 'number' || !Number.isFinite(ms)) continue;
      scheduler.schedule(actor, actor, { type: t.eventType }, ms, t.eventType);
      armed.add(t.eventType);
    }
  }
  return armed.size;
}

import {
  type AcceptRecord,
  type ChaosRecords,
  type LeaderRecord,
  type Operation,
  VIOLATION,
  type Violation,
} from './chaos-records.js';

/**
 * Judges one run from its records alone (no runtime code): at most one leader per term; per
 * counter, no acknowledged increment lost, none applied twice, and the replies fit one
 * sequential history; never two copies of a cell accepting messages at the same time; every
 * cell answering within the bound after the last heal. Returns every violation found.
 */
export function checkHistory(records: ChaosRecords): Violation[] {
  const out: Violation[] = [];
  out.push(...checkLeaders(records.leaders));
  const counters = new Set([...records.operations.map((o) => o.counter), ...records.finals.map((f) => f.counter)]);
  for (const counter of [...counters].sort()) {
    const ops = records.operations.filter((o) => o.counter === counter);
    const final = records.finals.find((f) => f.counter === counter);
    out.push(...checkCounter(counter, ops, final?.count ?? null));
  }
  out.push(...checkCopies(records.accepts));
  for (const f of records.finals) {
    if (f.count === null || f.answeredAt === undefined) {
      out.push({
        kind: VIOLATION.notRecovered,
        subject: f.counter,
        detail: `no answer within ${records.recoveryBoundMs} ms of the last heal`,
      });
    } else if (f.answeredAt - records.lastHealAt > records.recoveryBoundMs) {
      out.push({
        kind: VIOLATION.notRecovered,
        subject: f.counter,
        detail: `answered ${f.answeredAt - records.lastHealAt} ms after the last heal (bound ${records.recoveryBoundMs} ms)`,
      });
    }
  }
  return collapse(out);
}

/**
 * The first violation of each kind for each subject, saying how many more there were: one lost
 * increment makes every later answer of its counter look short, and the first one is the news.
 */
function collapse(all: Violation[]): Violation[] {
  const first = new Map<string, { v: Violation; more: number }>();
  for (const v of all) {
    const key = `${v.kind} ${v.subject}`;
    const seen = first.get(key);
    if (seen) seen.more++;
    else first.set(key, { v, more: 0 });
  }
  return [...first.values()].map(({ v, more }) =>
    more === 0 ? v : { ...v, detail: `${v.detail} (and ${more} more like it)` },
  );
}

/** At most one node leads any term. */
export function checkLeaders(leaders: LeaderRecord[]): Violation[] {
  const byTerm = new Map<number, Set<string>>();
  for (const l of leaders) {
    const nodes = byTerm.get(l.term) ?? new Set<string>();
    nodes.add(l.node);
    byTerm.set(l.term, nodes);
  }
  return [...byTerm]
    .filter(([, nodes]) => nodes.size > 1)
    .map(([term, nodes]) => ({
      kind: VIOLATION.twoLeaders,
      subject: `term ${term}`,
      detail: `leaders: ${[...nodes].sort().join(', ')}`,
    }));
}

/**
 * One counter's operations against a sequential history of increments by 1. With `final` the
 * count read after the heal (null: none): acknowledged ≤ final ≤ acknowledged + unknown, and
 * every acknowledged count ≤ final. Each answer must fit real time: an operation that began after
 * another ended sees at least its count (more, if it is an increment); no two increments are
 * acknowledged with the same count; no answer counts more increments than had been sent by then,
 * nor fewer than had been acknowledged before it was sent.
 */
export function checkCounter(counter: string, ops: Operation[], final: number | null): Violation[] {
  const out: Violation[] = [];
  const v = (kind: Violation['kind'], detail: string) => out.push({ kind, subject: counter, detail });
  const incs = ops.filter((o) => o.type === 'increment');
  const acked = incs.filter((o) => o.outcome === 'ok');
  const unknown = incs.filter((o) => o.outcome === 'info').length;
  const answered = ops.filter((o): o is Operation & { count: number } => o.outcome === 'ok' && o.count !== undefined);

  if (final !== null) {
    if (final < acked.length) v(VIOLATION.lostAck, `final count ${final} < ${acked.length} acknowledged increments`);
    if (final > acked.length + unknown)
      v(VIOLATION.doubleApply, `final count ${final} > ${acked.length} acknowledged + ${unknown} unknown increments`);
    const above = answered.filter((o) => o.count > final);
    if (above.length > 0) {
      const top = above.reduce((a, b) => (b.count > a.count ? b : a));
      v(VIOLATION.lostAck, `${top.client} was answered ${top.count} at ${iso(top.end)}, the final count is ${final}`);
    }
  }

  const seen = new Map<number, Operation>();
  for (const o of answered.filter((x) => x.type === 'increment')) {
    const twin = seen.get(o.count);
    if (twin) {
      v(
        VIOLATION.notSequential,
        `two increments acknowledged with count ${o.count}: ${twin.client} at ${iso(twin.end)} and ${o.client} at ${iso(o.end)}`,
      );
    } else seen.set(o.count, o);
  }

  // Real time: the largest count answered by an operation that ended before `o` began.
  const byEnd = [...answered].sort((a, b) => a.end - b.end);
  const byStart = [...answered].sort((a, b) => a.start - b.start);
  let i = 0;
  let before: (Operation & { count: number }) | undefined;
  for (const o of byStart) {
    while (i < byEnd.length && (byEnd[i] as Operation).end < o.start) {
      const e = byEnd[i] as Operation & { count: number };
      if (before === undefined || e.count > before.count) before = e;
      i++;
    }
    if (before === undefined) continue;
    if (o.count < before.count || (o.type === 'increment' && o.count === before.count))
      v(
        VIOLATION.notSequential,
        `${o.client}'s ${o.type} sent at ${iso(o.start)} answered ${o.count}, after ${before.client}'s ${before.type} had been answered ${before.count} at ${iso(before.end)}`,
      );
  }

  // Counting bounds: at most the increments sent before the answer, at least those acknowledged
  // before the call.
  const starts = incs
    .filter((o) => o.outcome !== 'fail')
    .map((o) => o.start)
    .sort((a, b) => a - b);
  const ackEnds = acked.map((o) => o.end).sort((a, b) => a - b);
  for (const o of answered) {
    const sent = countBefore(starts, o.end, true);
    if (o.count > sent)
      v(
        VIOLATION.doubleApply,
        `${o.client}'s ${o.type} answered ${o.count} at ${iso(o.end)} when only ${sent} increments had been sent`,
      );
    const least = countBefore(ackEnds, o.start, false) + (o.type === 'increment' ? 1 : 0);
    if (o.count < least)
      v(
        VIOLATION.lostAck,
        `${o.client}'s ${o.type} sent at ${iso(o.start)} answered ${o.count}, but ${least - (o.type === 'increment' ? 1 : 0)} increments had been acknowledged before`,
      );
  }
  return out;
}

/**
 * Never two copies of a cell accepting at once: each copy (cell, node, process, epoch) accepts
 * from its first accepted message to its last; two copies' spans must not overlap.
 */
export function checkCopies(accepts: AcceptRecord[]): Violation[] {
  const spans = new Map<string, { cell: string; copy: string; from: number; until: number; n: number }>();
  for (const a of accepts) {
    const copy = `${a.node}/pid ${a.pid}/epoch ${a.epoch}`;
    const key = `${a.cell} ${copy}`;
    const s = spans.get(key);
    if (s) {
      s.from = Math.min(s.from, a.at);
      s.until = Math.max(s.until, a.at);
      s.n++;
    } else spans.set(key, { cell: a.cell, copy, from: a.at, until: a.at, n: 1 });
  }
  const out: Violation[] = [];
  const byCell = new Map<string, Array<{ copy: string; from: number; until: number; n: number }>>();
  for (const s of spans.values()) byCell.set(s.cell, [...(byCell.get(s.cell) ?? []), s]);
  for (const [cell, list] of [...byCell].sort(([a], [b]) => a.localeCompare(b))) {
    list.sort((a, b) => a.from - b.from);
    // Each span against the one that reached furthest so far: overlaps show without n².
    let reach: (typeof list)[number] | undefined;
    for (const s of list) {
      if (reach && s.from < reach.until)
        out.push({
          kind: VIOLATION.overlappingCopies,
          subject: cell,
          detail: `${reach.copy} accepted ${iso(reach.from)}–${iso(reach.until)} (${reach.n} messages), ${s.copy} accepted ${iso(s.from)}–${iso(s.until)} (${s.n} messages)`,
        });
      if (!reach || s.until > reach.until) reach = s;
    }
  }
  return out;
}

/** How many sorted values are below `t` (or at it, when `inclusive`). */
function countBefore(sorted: number[], t: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = sorted[mid] as number;
    if (x < t || (inclusive && x === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const iso = (t: number) => new Date(t).toISOString().slice(11, 23);

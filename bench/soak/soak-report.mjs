// Small pieces shared by the soak and scale runs: holding for a time with progress lines, and
// formatting numbers for the tables.

/** Waits until `at` (epoch millis), printing a progress line a minute: terms, moves, overloads. */
export async function holdUntil(at, observer, log) {
  while (Date.now() < at) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(60_000, at - Date.now())));
    const moves = observer.moves(null);
    const overloads = [...observer.nodes.values()].reduce((s, n) => s + n.overloads, 0);
    const left = Math.max(0, Math.round((at - Date.now()) / 1000));
    log(
      `holding (${left} s to go): leader ${observer.leader}, ${observer.electionsAfterFirst()} elections, ${moves.ofLive} re-placements, ${overloads} overload heartbeats`,
    );
  }
}

/** Per-node rows for a phase: hosted cells, RSS, event-loop lag percentiles, overload reports. */
export function nodeRows(observer, phase) {
  return observer.nodeStats(phase).map((s) => ({
    node: s.node,
    'cells (last)': s.cells,
    'rss MiB (last / max)': `${mib(s.rssLast)} / ${mib(s.rssMax)}`,
    'lag p50 ms': round(s.lagP50),
    'lag p99 ms': round(s.lagP99),
    overloads: s.overloads,
  }));
}

/** `value` with at most one decimal ('-' when undefined). */
export function round(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  return Math.round(value * 10) / 10;
}

/** Millis as `1234 ms` ('-' when undefined). */
export function ms(value) {
  return value === undefined ? '-' : `${Math.round(value)} ms`;
}

function mib(bytes) {
  return Math.round(bytes / 2 ** 20);
}

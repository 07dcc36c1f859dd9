import type { NodeHeartbeat, SystemStatus } from '@hms/runtime';

/** A leader heartbeat older than this many of its intervals (and at least {@link MIN_STALE_MS}) names no leader. */
const STALE_INTERVALS = 5;
const MIN_STALE_MS = 3000;

/**
 * What self-started evolution needs to know of the swarm, from node heartbeats: who leads (a
 * node that says so in a recent heartbeat), whether it rebalances, and which configuration
 * version is the newest (so the live settings are read again only when they changed).
 */
export class SwarmWatch {
  private leaderHb: { node: string; ts: number; staleMs: number; rebalancing: boolean; term: number } | null = null;
  /** The newest configuration version a heartbeat reported. */
  private newestVersion = 0;
  /** The live settings last read, and their version; null until read. */
  config: Record<string, number> | null = null;
  configVersion = -1;

  /** Takes one node heartbeat. */
  add(hb: NodeHeartbeat): void {
    this.newestVersion = Math.max(this.newestVersion, hb.configVersion);
    if (hb.leaving) {
      if (this.leaderHb?.node === hb.node) this.leaderHb = null;
      return;
    }
    const e = hb.election;
    if (e?.role === 'leader' && e.term >= (this.leaderHb?.term ?? 0)) {
      this.leaderHb = {
        node: hb.node,
        ts: hb.ts,
        staleMs: Math.max(MIN_STALE_MS, STALE_INTERVALS * hb.intervalMs),
        rebalancing: hb.rebalance != null,
        term: e.term,
      };
    } else if (e && this.leaderHb?.node === hb.node) {
      // The leader stepped down (it says so itself).
      this.leaderHb = null;
    }
  }

  /** The leader heard from recently, and whether it rebalances; null: none (an election, a minority). */
  leader(now: number): { node: string; rebalancing: boolean } | null {
    const l = this.leaderHb;
    if (!l || now - l.ts > l.staleMs) return null;
    return { node: l.node, rebalancing: l.rebalancing };
  }

  /** Whether the live settings must be read (never read, or a heartbeat runs a newer version). */
  stale(): boolean {
    return this.config === null || this.newestVersion > this.configVersion;
  }

  private reading = false;

  /**
   * Reads the live settings again through `status` (a `system.status` call) when a heartbeat
   * showed a newer version; one read at a time, a failed one tried at the next call.
   */
  refresh(status: () => Promise<SystemStatus>): void {
    if (this.reading || !this.stale()) return;
    this.reading = true;
    status()
      .then((st) => {
        this.config = st.config;
        this.configVersion = st.configVersion;
      })
      .catch(() => undefined)
      .finally(() => {
        this.reading = false;
      });
  }
}

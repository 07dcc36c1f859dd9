import { connectCli, type GlobalOptions } from '../global-options.js';
import { createHealthFeed } from './health-feed.js';
import { formatHealthText } from './health-text.js';

/** The longest `--once` listens before printing what it heard, in millis. */
const ONCE_MAX_MS = 3000;

/**
 * One plain-text frame of the health view: listens until every node has sent a heartbeat (one
 * heartbeat interval after the first) and the leader was heard, at most {@link ONCE_MAX_MS}.
 */
export async function printHealthFrame(g: GlobalOptions): Promise<string> {
  const transport = await connectCli(g, 'hms-dashboard');
  const feed = createHealthFeed(transport, g.swarm);
  try {
    const started = Date.now();
    let firstNodeAt = 0;
    await new Promise<void>((resolve) => {
      const check = () => {
        const s = feed.snapshot();
        const now = Date.now();
        if (s.nodes.length > 0 && firstNodeAt === 0) firstNodeAt = now;
        const interval = Math.max(...s.nodes.map((n) => n.intervalMs));
        const heardAll = firstNodeAt > 0 && now - firstNodeAt >= interval + 250;
        if ((heardAll && s.leader !== null) || now - started >= ONCE_MAX_MS) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 50);
    });
    return formatHealthText(feed.snapshot());
  } finally {
    feed.stop();
    await transport.close();
  }
}

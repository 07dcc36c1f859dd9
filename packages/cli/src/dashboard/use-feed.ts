import { useEffect, useState } from 'react';
import type { Feed } from './feed.js';

/**
 * The feed's current snapshot, re-read when it changes — at once when the change is urgent,
 * otherwise at most every `minIntervalMs` (bursts of heartbeats make one redraw) — and, when `tickMs` is given, that often anyway (for what
 * grows in silence, such as a dead node's phi). Each re-read redraws: keep them rare.
 */
export function useFeed<T>(feed: Feed<T>, minIntervalMs = 250, tickMs?: number): T {
  const [value, setValue] = useState(() => feed.snapshot());
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    const read = () => {
      timer = undefined;
      last = Date.now();
      setValue(feed.snapshot());
    };
    const changed = (urgent?: boolean) => {
      if (urgent) {
        clearTimeout(timer);
        read();
        return;
      }
      if (timer) return;
      timer = setTimeout(read, Math.max(0, last + minIntervalMs - Date.now()));
    };
    const unsubscribe = feed.subscribe(changed);
    const tick = tickMs === undefined ? undefined : setInterval(() => changed(), tickMs);
    read();
    return () => {
      unsubscribe();
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, [feed, minIntervalMs, tickMs]);
  return value;
}

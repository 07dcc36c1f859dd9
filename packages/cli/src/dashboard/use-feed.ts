import { useEffect, useState } from 'react';
import type { Feed } from './feed.js';

/**
 * The feed's current snapshot, re-read when it changes — at most every `minIntervalMs` (bursts
 * of heartbeats make one redraw) — and every `tickMs` (ages and suspicion grow in silence).
 */
export function useFeed<T>(feed: Feed<T>, minIntervalMs = 200, tickMs = 1000): T {
  const [value, setValue] = useState(() => feed.snapshot());
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    const read = () => {
      timer = undefined;
      last = Date.now();
      setValue(feed.snapshot());
    };
    const changed = () => {
      if (timer) return;
      timer = setTimeout(read, Math.max(0, last + minIntervalMs - Date.now()));
    };
    const unsubscribe = feed.subscribe(changed);
    const tick = setInterval(changed, tickMs);
    read();
    return () => {
      unsubscribe();
      clearInterval(tick);
      clearTimeout(timer);
    };
  }, [feed, minIntervalMs, tickMs]);
  return value;
}

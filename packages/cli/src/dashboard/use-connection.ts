import { useEffect, useState } from 'react';

/** Whether the NATS connection is up, read locally every `everyMs` (no network traffic). */
export function useConnection(isConnected: () => boolean, everyMs = 250): boolean {
  const [connected, setConnected] = useState(isConnected);
  useEffect(() => {
    const timer = setInterval(() => setConnected(isConnected()), everyMs);
    return () => clearInterval(timer);
  }, [isConnected, everyMs]);
  return connected;
}

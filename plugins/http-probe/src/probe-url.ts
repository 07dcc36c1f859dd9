/** The outcome of one probe. */
export interface ProbeResult {
  /** True for an HTTP status from 200 to 399. */
  ok: boolean;
  /** The HTTP status, or null when no response came. */
  status: number | null;
  /** From sending the request to the end of the response headers, in millis. */
  latencyMs: number;
  /** Why it failed, when it did (one line). */
  error?: string;
  /** Epoch millis when the probe started. */
  at: number;
}

/** GETs `url` once, giving up after `timeoutMs` millis; never rejects. */
export async function probeUrl(url: string, timeoutMs: number): Promise<ProbeResult> {
  const at = Date.now();
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 400;
    return { ok, status: res.status, latencyMs: latency(), at, ...(ok ? {} : { error: `HTTP ${res.status}` }) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { ok: false, status: null, latencyMs: latency(), at, error: why };
  }
}

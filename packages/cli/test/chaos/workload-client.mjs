#!/usr/bin/env node
// One chaos client: increments (and now and then reads) counter cells, one call at a time,
// until SIGTERM, and appends every call with its outcome to a JSONL file as it ends.
// Usage: workload-client.mjs <id> <swarm> <servers,comma-separated> <counters,comma-separated> <out.jsonl> <seed>
import { appendFileSync } from 'node:fs';
import { connectTransport, createSilentLogger, createSubjects } from '@hms/runtime';

const [id, swarm, servers, counterList, out, seedArg] = process.argv.slice(2);
const counters = counterList.split(',');
const subjects = createSubjects(swarm);
// Errors after which the increment certainly was not applied: nobody received it. Everything
// else leaves it unknown — timeouts, and also refusals (CELL_FENCED, CELL_FAILED): the inbox is a
// subject, a refusing copy (cut off, or confirming after a heal) and the owner may both receive
// the request, and the first answer wins; seed 1 showed 573 refused increments applied.
const NOT_APPLIED = new Set(['NO_RESPONDERS']);
const TIMEOUT_MS = 1500;

let a = Number(seedArg) >>> 0;
const random = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

const transport = await connectTransport({
  servers: servers.split(','),
  from: `chaos-${id}`,
  logger: createSilentLogger(),
  reconnect: true,
});
while (!stopping) {
  const counter = counters[Math.floor(random() * counters.length)];
  const type = random() < 0.2 ? 'get' : 'increment';
  const start = Date.now();
  const record = { client: id, counter, type, start };
  try {
    const reply = await transport.request(subjects.cellInbox(counter), type, type === 'increment' ? { by: 1 } : {}, {
      timeout: TIMEOUT_MS,
    });
    Object.assign(record, { end: Date.now(), outcome: 'ok', count: reply.count });
  } catch (err) {
    const code = err?.code ?? 'ERROR';
    Object.assign(record, {
      end: Date.now(),
      outcome: NOT_APPLIED.has(code) ? 'fail' : 'info',
      error: `${code}: ${String(err?.message ?? err).slice(0, 160)}`,
    });
    // Refusals come back at once: do not spin on them.
    if (Date.now() - start < 50) await new Promise((r) => setTimeout(r, 50));
  }
  appendFileSync(out, `${JSON.stringify(record)}\n`);
}
await transport.close();

// Steady client load for a rolling upgrade: creates counters, increments each in turn every few
// millis until SIGINT/SIGTERM, then checks every count. A request that met no responder reached
// no copy (its cell was between nodes) and is sent again; any other error is a failure.
// Usage: node scripts/upgrade-load.mjs <natsUrl> <swarm> [cells=6]
import {
  connectTransport,
  createControlClient,
  createSilentLogger,
  createSubjects,
  NoRespondersError,
} from '@hms/runtime';

const [url = 'nats://127.0.0.1:4222', swarm = 'default', n = '6'] = process.argv.slice(2);
const transport = await connectTransport({ servers: url, from: 'upgrade-load', logger: createSilentLogger() });
const control = createControlClient(transport, swarm);
const subjects = createSubjects(swarm);
const ids = Array.from({ length: Number(n) }, (_, i) => `load-${i}`);
for (const id of ids) await control.createAgent({ type: 'counter', id });
const sent = new Map(ids.map((id) => [id, 0]));
let failed = 0;
let resent = 0;
let running = true;
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => (running = false));
while (running) {
  for (const id of ids) {
    for (;;) {
      try {
        await transport.request(subjects.cellInbox(id), 'increment', { by: 1 }, { timeout: 3000 });
        sent.set(id, sent.get(id) + 1);
        break;
      } catch (err) {
        if (!(err instanceof NoRespondersError)) {
          failed++;
          console.error(`${id}: ${err.message}`);
          break;
        }
        resent++;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  }
  await new Promise((r) => setTimeout(r, 3));
}
let intact = 0;
for (const id of ids) {
  const { count } = await transport.request(subjects.cellInbox(id), 'get', undefined, { timeout: 3000 });
  if (count === sent.get(id)) intact++;
  else console.error(`${id}: count ${count}, sent ${sent.get(id)}`);
}
const total = [...sent.values()].reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ requests: total, failed, resent, intact: `${intact}/${ids.length}` }));
await transport.close();

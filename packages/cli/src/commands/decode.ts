import { decodeBody, toJsonSafe } from '@hms/runtime/client';
import { Command } from 'commander';
import type { CommandDeps } from '../command-deps.js';
import { formatJson } from '../output.js';

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `hms decode`: a message body on stdin (msgpack, else JSON, else text) as one JSON line.
 * Made for `nats sub --translate 'hms decode' 'hms.default.>'`.
 */
export function createDecodeCommand({ output }: CommandDeps): Command {
  return new Command('decode')
    .description("decode a message body from stdin to JSON (nats sub --translate 'hms decode')")
    .action(async () => {
      const data = await readStdin();
      try {
        output.out(formatJson(toJsonSafe(decodeBody(undefined, data)), true));
      } catch {
        output.out(formatJson({ error: 'undecodable body', raw: Buffer.from(data).toString('base64') }, true));
      }
    });
}

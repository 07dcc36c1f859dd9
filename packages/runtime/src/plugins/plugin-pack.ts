import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { create, extract } from 'tar';

/** Directory names never packed: dependencies and VCS data (peers come from the host). */
const SKIPPED = new Set(['node_modules', '.git', '.hms']);

/** A packed plugin directory. */
export interface PluginPack {
  /** A gzipped tarball of the directory. */
  data: Uint8Array;
  /** sha256 of `data`, hex. */
  digest: string;
}

/** The sha256 of `data`, hex. */
export function packDigest(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Packs a plugin directory (without node_modules and .git) as a gzipped tarball. */
export async function packPluginDir(dir: string): Promise<PluginPack> {
  const entries = readdirSync(dir).filter((name) => !SKIPPED.has(name));
  const chunks: Buffer[] = [];
  const stream = create(
    {
      gzip: true,
      cwd: dir,
      portable: true,
      filter: (path) => !path.split('/').some((part) => SKIPPED.has(part)),
    },
    entries,
  );
  for await (const chunk of stream as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  const data = new Uint8Array(Buffer.concat(chunks));
  return { data, digest: packDigest(data) };
}

/** Unpacks a packed plugin into `dir` (emptied first). */
export async function unpackPlugin(data: Uint8Array, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const sink = extract({ cwd: dir, strict: true });
    sink.on('error', reject);
    sink.on('close', () => resolve());
    Readable.from([Buffer.from(data)]).pipe(sink as unknown as NodeJS.WritableStream);
  });
}

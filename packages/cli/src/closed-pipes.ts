/**
 * Keeps a reader that went away (`hms up | tee log`, and Ctrl-C ends tee first) from ending this
 * process before it has stopped what it started: writes to a closed pipe are dropped.
 */
export function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}

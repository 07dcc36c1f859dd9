/** Draws a progress bar on a terminal line, or prints a line at every tenth when not on a terminal. */
export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  end(): void;
}

/** A progress bar on `stream` (stderr by default), `width` characters wide. */
export function createProgressBar(stream: NodeJS.WriteStream = process.stderr, width = 30): ProgressBar {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total, label) {
      const share = total > 0 ? Math.min(1, done / total) : 0;
      if (stream.isTTY) {
        const filled = Math.round(share * width);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${label}\x1b[K`,
        );
        drawn = true;
        return;
      }
      const tenth = Math.floor(share * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${tenth * 10}% ${label}\n`);
      }
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}

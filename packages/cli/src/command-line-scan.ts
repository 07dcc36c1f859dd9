/** Global options that take a value (skipped when looking for the command in argv). */
const VALUED = new Set(['--nats', '--swarm', '--creds', '--tls-ca', '--tls-cert', '--tls-key', '--codec']);

/** What {@link scanCommandLine} finds before commander parses. */
export interface CommandLineScan {
  /** The first command word (`agent` in `hms --json agent list`). */
  word: string | undefined;
  /** The word after it (`agent` in `hms help agent`). */
  next: string | undefined;
  /** The --swarm given before the command word, if any. */
  swarm: string | undefined;
}

/**
 * The command words and --swarm of `args` (argv without node and script), found before the
 * program exists, so that only the command named is loaded.
 */
export function scanCommandLine(args: readonly string[]): CommandLineScan {
  let swarm: string | undefined;
  const words: string[] = [];
  for (let i = 0; i < args.length && words.length < 2; i++) {
    const a = args[i] as string;
    const global = words.length === 0;
    if (a.startsWith('--swarm=')) {
      if (global) swarm = a.slice('--swarm='.length);
    } else if (VALUED.has(a)) {
      if (a === '--swarm' && global) swarm = args[i + 1];
      i++;
    } else if (!a.startsWith('-')) words.push(a);
  }
  return { word: words[0], next: words[1], swarm };
}

/** The top-level commands `args` needs built: the one it names (for `help <command>`, that one). */
export function commandsNamed(args: readonly string[]): string[] {
  const { word, next } = scanCommandLine(args);
  if (word === 'help') return next === undefined ? [] : [next];
  return word === undefined ? [] : [word];
}

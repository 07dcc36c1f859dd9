import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the conformance client needs from PyPI (exact versions: the test is about our side). */
export const PYTHON_PACKAGES = ['nats-py==2.16.0', 'msgpack==1.1.2'] as const;

/** Runs `cmd args`; throws one line naming the step and the last lines of its output. */
async function step(what: string, cmd: string, args: string[], timeoutMs: number): Promise<void> {
  try {
    await run(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const tail = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ') || e.message;
    throw new Error(`conformance: cannot make the Python venv: ${what} failed: ${tail}`);
  }
}

/**
 * The venv of the Python conformance client, `<root>/.hms/py-venv` (git-ignored), made on first
 * use with nats-py and msgpack from PyPI. Returns its python.
 * @throws Error with one clear line when python3, venv or pip (e.g. no network) fails: the
 *   conformance test then fails, it is not skipped.
 */
export async function preparePythonEnv(root: string): Promise<string> {
  const venv = join(root, '.hms', 'py-venv');
  const python = join(venv, 'bin', 'python');
  const probe = ['-c', 'import nats, msgpack'];
  if (
    existsSync(python) &&
    (await run(python, probe).then(
      () => true,
      () => false,
    ))
  )
    return python;
  await step('python3 -m venv', 'python3', ['-m', 'venv', venv], 60_000);
  await step(
    `pip install ${PYTHON_PACKAGES.join(' ')} (needs PyPI)`,
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PYTHON_PACKAGES],
    240_000,
  );
  await step('import nats, msgpack', python, probe, 30_000);
  return python;
}

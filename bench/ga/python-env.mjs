// The Python side of the GA benchmark: a venv under .hms/bench-venv with DEAP, pygmo and numpy,
// made on first use. Missing Python or pip is not an error: the Python rows are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// networkx: pygmo's free_form topology (the one-way ring) is built from a networkx graph.
const PACKAGES = ['deap', 'pygmo', 'numpy', 'networkx'];

const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 900_000 });

/** Which of deap / pygmo import in `python` (numpy is needed by both), with versions. */
function probe(python) {
  const code =
    'import importlib, json\nout = {}\nfor m in ("numpy", "deap", "pygmo", "networkx"):\n' +
    '    try:\n        out[m] = getattr(importlib.import_module(m), "__version__", "?")\n' +
    '    except Exception as e:\n        out[m] = None\n' +
    'import sys\nout["python"] = sys.version.split()[0]\nprint(json.dumps(out))';
  const r = run(python, ['-c', code]);
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return null;
  }
}

/**
 * Makes (once) and checks the venv. Returns `{ python, versions, deap, pygmo }` where `deap` and
 * `pygmo` say whether those rows can run, and `reason` why not when they cannot.
 */
export function preparePythonEnv(root, say) {
  const venv = join(root, '.hms', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  let versions = existsSync(python) ? probe(python) : null;
  if (!versions?.numpy || !versions?.deap || !versions?.pygmo || !versions?.networkx) {
    if (run('python3', ['--version']).status !== 0)
      return { deap: false, pygmo: false, reason: 'python3 not found: the DEAP and pygmo rows are skipped' };
    if (!existsSync(python)) {
      say(`creating ${venv} (python3 -m venv)`);
      const r = run('python3', ['-m', 'venv', venv]);
      if (r.status !== 0)
        return {
          deap: false,
          pygmo: false,
          reason: `python3 -m venv failed (${r.stderr.trim().split('\n').pop()}): the DEAP and pygmo rows are skipped`,
        };
    }
    say(`pip install ${PACKAGES.join(' ')} into ${venv}`);
    const r = run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PACKAGES]);
    if (r.status !== 0) say(`pip install failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
    versions = probe(python);
  }
  if (!versions?.numpy)
    return {
      deap: false,
      pygmo: false,
      reason: 'numpy does not import in the bench venv: the DEAP and pygmo rows are skipped',
    };
  const missing = ['deap', 'pygmo', 'networkx'].filter((m) => !versions[m]);
  return {
    python,
    versions,
    deap: Boolean(versions.deap),
    pygmo: Boolean(versions.pygmo && versions.networkx),
    reason: missing.length ? `${missing.join(' and ')} not importable: those rows are skipped` : undefined,
  };
}

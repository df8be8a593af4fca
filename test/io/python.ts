/**
 * Runs Debian's python3 with ASE for peer checks. Tests skip (with a printed
 * reason) when /usr/bin/python3 or its ase module is missing; CI installs
 * python3-ase.
 */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

function probe(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import ase, numpy; print(ase.__version__)'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not available (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} has no ase module (install Debian's python3-ase)`;
  return null;
}

/** Null when ASE is usable, else why the ASE tests are skipped. */
export const aseMissing: string | null = probe();
if (aseMissing) console.warn(`skipping ASE round-trip tests: ${aseMissing}`);

/** Runs a Python script in `cwd` and parses the JSON it prints on its last stdout line. */
export function runPython<T = unknown>(script: string, cwd: string): T {
  const r = spawnSync(PYTHON, ['-c', script], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Python source of `dump(images)`: prints ASE's view of a list of Atoms as JSON. */
export const DUMP_ATOMS = String.raw`
import json, numpy as np
def _plain(v):
    if isinstance(v, np.ndarray): return v.tolist()
    if isinstance(v, (np.bool_,)): return bool(v)
    if isinstance(v, (np.integer,)): return int(v)
    if isinstance(v, (np.floating,)): return float(v)
    if isinstance(v, list): return [_plain(x) for x in v]
    return v
def atoms_dict(a):
    d = {
        'positions': a.get_positions().tolist(),
        'cell': a.cell.array.tolist(),
        'pbc': [bool(x) for x in a.pbc],
        'symbols': a.get_chemical_symbols(),
        'info': {k: _plain(v) for k, v in a.info.items()},
        'arrays': {k: _plain(v) for k, v in a.arrays.items() if k not in ('positions', 'numbers')},
    }
    if a.calc is not None:
        d['results'] = {k: _plain(v) for k, v in a.calc.results.items()}
    return d
def dump(images):
    print(json.dumps([atoms_dict(a) for a in images]))
`;

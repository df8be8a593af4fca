/**
 * Runs a Python interpreter with ASE and numpy for peer checks (see `test/support/python.ts`: it probes
 * /usr/bin/python3, then python3 on PATH). Tests skip with the printed reason when none has ASE; CI
 * installs python3-ase and fails instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { findPython } from '../support/python.js';

const probe = findPython(['ase', 'numpy']);

/** The interpreter with ASE (when {@link aseMissing} is null). */
export const PYTHON: string = probe.python ?? '/usr/bin/python3';

/** Null when ASE is usable, else why the ASE tests are skipped. */
export const aseMissing: string | null = probe.missing;

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

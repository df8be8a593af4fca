/** Runs a Python peer (a python3 with ASE and numpy, see `test/support/python.ts`) on JSON input. */
import { spawnSync } from 'node:child_process';
import { findPython } from '../support/python.js';

const probe = findPython(['ase', 'numpy']);

/** The interpreter with ASE and numpy (when {@link aseMissing} is null). */
export const PYTHON: string = probe.python ?? '/usr/bin/python3';

/** Null when ASE and numpy are usable, else why the peer tests are skipped (printed once). */
export const aseMissing: string | null = probe.missing;

/** Runs `script` with `input` as JSON on stdin; returns the JSON it prints. */
export function python<T>(script: string, input: unknown): T {
  const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`python peer failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout) as T;
}

export { rng } from '../support/rng.js';

/**
 * ASE's neighbour list (all periodic images, self-images included, i == j at
 * zero shift excluded): ordered pairs i, j and distance d per frame.
 */
export const ASE_NEIGHBORS = `
import json, sys
import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list
q = json.load(sys.stdin)
out = []
for pos in q["frames"]:
    atoms = Atoms(symbols=q["species"], positions=np.array(pos).reshape(-1, 3), cell=q["cell"], pbc=q["pbc"])
    i, j, d, D = neighbor_list("ijdD", atoms, q["cutoff"], self_interaction=False)
    out.append({"i": i.tolist(), "j": j.tolist(), "d": d.tolist(), "D": D.tolist()})
print(json.dumps(out))
`;

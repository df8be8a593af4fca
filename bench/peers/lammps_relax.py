#!/usr/bin/python3
"""LAMMPS peer for bench/relax.ts and scripts/relax-glasses.ts: fixed-cell minimisation
and single-point energies+forces of many frames in one `lmp` process.

stdin: JSON {"mode": "minimize"|"rerun", "positions": file of float64 (nFrames, nAtoms, 3),
             "nFrames", "nAtoms", "cell": 9 numbers (lower-triangular rows), "fmax", "maxiter",
             "minStyle": "fire" (default), "repeats": rerun passes}
stdout: JSON {"energies": [...], "iterations": [...], "cpu": child CPU seconds,
              "loop": LAMMPS's own loop seconds, "wall": seconds}

minimize: per frame `read_dump` + `minimize 0 FMAX MAXITER 10*MAXITER` with `min_modify norm max`
(largest per-atom force norm, ASE's fmax). rerun: `rerun` of a dump (the pair style computes energy and forces every frame; no force output).
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

q = json.load(sys.stdin)
n, nf = q['nAtoms'], q['nFrames']
pos = np.fromfile(q['positions'], dtype='<f8').reshape(nf, n, 3)
cell = np.array(q['cell']).reshape(3, 3)
pot = q.get('pair', ['pair_style sw', 'pair_coeff * * /usr/share/lammps/potentials/Si.sw Si'])
types = q.get('types', ['Si'])
species = q.get('species', ['Si'] * n)
mass = {'Si': 28.0855, 'O': 15.9994}

with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, 'first.data')
    with open(data, 'w') as fh:
        fh.write(f'first\n\n{n} atoms\n{len(types)} atom types\n\n0 {cell[0,0]!r} xlo xhi\n0 {cell[1,1]!r} ylo yhi\n0 {cell[2,2]!r} zlo zhi\n')
        fh.write(f'{cell[1,0]!r} {cell[2,0]!r} {cell[2,1]!r} xy xz yz\n\nMasses\n\n')
        for t, el in enumerate(types):
            fh.write(f'{t + 1} {mass[el]}\n')
        fh.write('\nAtoms # atomic\n\n')
        for i in range(n):
            fh.write(f'{i + 1} {types.index(species[i]) + 1} {pos[0, i, 0]!r} {pos[0, i, 1]!r} {pos[0, i, 2]!r}\n')
    dump = os.path.join(tmp, 'frames.dump')
    xy, xz, yz = cell[1, 0], cell[2, 0], cell[2, 1]
    lo = [min(0, xy, xz, xy + xz), min(0, yz)]
    hi = [max(0, xy, xz, xy + xz), max(0, yz)]
    with open(dump, 'w') as fh:
        for f in range(nf):
            fh.write(f'ITEM: TIMESTEP\n{f + 1}\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS xy xz yz pp pp pp\n')
            fh.write(f'{lo[0]!r} {cell[0,0] + hi[0]!r} {xy!r}\n{lo[1]!r} {cell[1,1] + hi[1]!r} {xz!r}\n0 {cell[2,2]!r} {yz!r}\n')
            fh.write('ITEM: ATOMS id type x y z\n')
            for i in range(n):
                fh.write(f'{i + 1} {types.index(species[i]) + 1} {pos[f, i, 0]!r} {pos[f, i, 1]!r} {pos[f, i, 2]!r}\n')
    inp = os.path.join(tmp, 'in.lmp')
    head = 'units metal\natom_style atomic\nboundary p p p\nbox tilt large\n' + f'read_data {data}\n' + ''.join(l + '\n' for l in pot)
    if q['mode'] == 'minimize':
        body = (f'min_style {q.get("minStyle", "fire")}\nmin_modify norm max\nthermo_style custom step pe fmax\nthermo 1000000\n'
                f'variable i loop {nf}\nlabel loop\n'
                f'read_dump {dump} $i x y z box no replace yes\n'
                'variable s0 equal $(step)\n'
                f'minimize 0 {q["fmax"]} {q["maxiter"]} {10 * q["maxiter"]}\n'
                'print "RELAX $i $(pe:%.12f) $(step-v_s0) $(fmax:%.3e)"\n'
                'next i\njump SELF loop\n')
    else:
        body = ('thermo_style custom step pe\nthermo 1000000\n'
                'compute pe all pe\nvariable e equal c_pe\nfix pr all print 1 "PE ${e}" screen yes\n'
                + ''.join(f'rerun {dump} dump x y z box no\n' for _ in range(q.get('repeats', 1))))
    with open(inp, 'w') as fh:
        fh.write(head + body)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(['lmp', '-in', inp, '-log', os.path.join(tmp, 'log'), '-screen', os.path.join(tmp, 'screen')],
                         capture_output=True, text=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    screen = open(os.path.join(tmp, 'screen')).read()
    if res.returncode != 0:
        sys.stderr.write(screen[-3000:])
        sys.exit(1)
    loop = sum(float(l.split()[3]) for l in screen.splitlines() if l.startswith('Loop time of'))
    out = {'cpu': (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), 'wall': wall, 'loop': loop}
    if q['mode'] == 'minimize':
        rows = [l.split() for l in screen.splitlines() if l.startswith('RELAX ')]
        out['energies'] = [float(r[2]) for r in rows]
        out['iterations'] = [int(float(r[3])) for r in rows]
        out['fmax'] = [float(r[4]) for r in rows]
    else:
        out['energies'] = [float(l.split()[1]) for l in screen.splitlines() if l.startswith('PE ')]
    print(json.dumps(out))

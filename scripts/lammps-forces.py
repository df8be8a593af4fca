#!/usr/bin/python3
"""Reference energies and forces from LAMMPS for the potential tests.

Runs LAMMPS (`lmp`, `run 0`) on a handful of frames of ../shared/data and on
triclinic cells made here, and writes a small JSON fixture with positions,
cell, energy and forces at full precision (Python repr of doubles).

    /usr/bin/python3 scripts/lammps-forces.py sw         -> test/fixtures/lammps-sw-forces.json
    /usr/bin/python3 scripts/lammps-forces.py vashishta  -> test/fixtures/lammps-vashishta-forces.json

Needs `lmp` (Debian's lammps package, 29 Sep 2021) and numpy; potentials from
/usr/share/lammps/potentials (Si.sw, SiO.1990.vashishta).
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(ROOT, '..', 'shared', 'data')
POT = '/usr/share/lammps/potentials'
MASS = {'Si': 28.0855, 'O': 15.9994}


def read_frames(name, wanted):
    """Frames of an extxyz.gz selected by a predicate on (index, info line); returns list of dicts."""
    out = []
    with gzip.open(os.path.join(DATA, name), 'rt') as fh:
        idx = 0
        while True:
            line = fh.readline()
            if not line:
                break
            n = int(line)
            comment = fh.readline()
            atoms = [fh.readline() for _ in range(n)]
            if wanted(idx, comment):
                lat = comment.split('Lattice="')[1].split('"')[0].split()
                cell = [float(x) for x in lat]
                species = [a.split()[0] for a in atoms]
                pos = [float(x) for a in atoms for x in a.split()[1:4]]
                tag = ' '.join(w for w in comment.split() if w.startswith(('frame=', 'glass=')))
                out.append({'source': f'{name} index {idx} ({tag})', 'cell': cell, 'species': species, 'positions': pos})
            idx += 1
    return out


def run_lammps(frame, pair_lines, types, minimize=False):
    """Energy (eV) and forces (eV/Å, id order) of one frame from LAMMPS `run 0`; with `minimize`,
    the energy after `min_style fire`, `min_modify norm max`, `minimize 0 1e-3` (fixed cell)."""
    cell = np.array(frame['cell']).reshape(3, 3)
    # LAMMPS wants a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz); the cells here are built that way.
    assert abs(cell[0, 1]) < 1e-14 and abs(cell[0, 2]) < 1e-14 and abs(cell[1, 2]) < 1e-14, 'cell must be lower triangular'
    pos = np.array(frame['positions']).reshape(-1, 3)
    n = len(pos)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, 'frame.data')
        with open(data, 'w') as fh:
            fh.write(f'frame\n\n{n} atoms\n{len(types)} atom types\n\n')
            fh.write(f'0 {cell[0,0]!r} xlo xhi\n0 {cell[1,1]!r} ylo yhi\n0 {cell[2,2]!r} zlo zhi\n')
            fh.write(f'{cell[1,0]!r} {cell[2,0]!r} {cell[2,1]!r} xy xz yz\n\nMasses\n\n')
            for t, el in enumerate(types):
                fh.write(f'{t + 1} {MASS[el]}\n')
            fh.write('\nAtoms # atomic\n\n')
            for i in range(n):
                fh.write(f'{i + 1} {types.index(frame["species"][i]) + 1} {pos[i,0]!r} {pos[i,1]!r} {pos[i,2]!r}\n')
        dump = os.path.join(tmp, 'forces.dump')
        inp = os.path.join(tmp, 'in.lmp')
        with open(inp, 'w') as fh:
            fh.write('units metal\natom_style atomic\nboundary p p p\nbox tilt large\n')
            fh.write(f'read_data {data}\n')
            fh.write(''.join(l + '\n' for l in pair_lines))
            fh.write('thermo_style custom step pe\n')
            fh.write(f'dump d all custom 1 {dump} id fx fy fz\n')
            fh.write('dump_modify d sort id format float %.17g\n')
            if minimize:
                fh.write('undump d\nmin_style fire\nmin_modify norm max\nminimize 0 1e-3 10000 100000\n')
            else:
                fh.write('run 0\n')
            fh.write('print "PE $(pe:%.17g)"\n')
        res = subprocess.run(['lmp', '-in', inp, '-log', 'none', '-screen', os.path.join(tmp, 'screen')],
                             capture_output=True, text=True)
        screen = open(os.path.join(tmp, 'screen')).read()
        if res.returncode != 0:
            raise RuntimeError(screen[-2000:])
        pe = float([l for l in screen.splitlines() if l.startswith('PE ')][-1].split()[1])
        if minimize:
            return pe, None
        lines = open(dump).read().splitlines()
        k = lines.index('ITEM: ATOMS id fx fy fz')
        f = np.array([[float(x) for x in l.split()[1:4]] for l in lines[k + 1:k + 1 + n]])
    return pe, f


def triclinic(frame, b_tilt, c_tilt, note):
    """The frame's fractional coordinates placed in a sheared (lower-triangular) cell."""
    cell = np.array(frame['cell']).reshape(3, 3)
    new = cell.copy()
    new[1, 0] = b_tilt[0]
    new[2, 0], new[2, 1] = c_tilt
    frac = np.array(frame['positions']).reshape(-1, 3) @ np.linalg.inv(cell)
    pos = frac @ new
    return {'source': note, 'cell': new.flatten().tolist(), 'species': frame['species'], 'positions': pos.flatten().tolist()}


def diamond_triclinic(rng):
    """8-atom diamond silicon, perturbed, in a sheared cell smaller than twice the cutoff (many images)."""
    a = 5.431
    basis = np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0],
                      [.25, .25, .25], [.25, .75, .75], [.75, .25, .75], [.75, .75, .25]])
    cell = np.array([[a, 0, 0], [0.6, a, 0], [-0.4, 0.5, a]])
    pos = basis @ cell + rng.normal(0, 0.08, size=(8, 3))
    return {'source': 'diamond Si (a = 5.431 Å, 8 atoms) in a sheared cell, displaced by N(0, 0.08 Å), seed 7',
            'cell': cell.flatten().tolist(), 'species': ['Si'] * 8, 'positions': pos.flatten().tolist()}


def main():
    which = sys.argv[1] if len(sys.argv) > 1 else 'sw'
    rng = np.random.default_rng(7)
    if which == 'sw':
        frames = read_frames('a-si-30-sw-300K.extxyz.gz', lambda i, c: i in (0, 20000, 39999))
        frames += read_frames('a-si-30-sw-300K-glasses.extxyz.gz', lambda i, c: i in (0, 8750, 31999))
        frames += read_frames('a-si-216-sw-300K.extxyz.gz', lambda i, c: i == 500)
        frames.append(triclinic(frames[0], (1.3, 0), (-0.9, 0.7),
                                'a-si-30-sw-300K.extxyz.gz index 0, fractional coordinates in a sheared cell (b += 1.3 x, c += -0.9 x + 0.7 y)'))
        frames.append(diamond_triclinic(rng))
        pair = ['pair_style sw', f'pair_coeff * * {POT}/Si.sw Si']
        types = ['Si']
        potential = f'pair_style sw, {POT}/Si.sw'
    elif which == 'vashishta':
        frames = read_frames('a-sio2-72-vashishta-300K-glasses.extxyz.gz', lambda i, c: i in (0, 1250, 2600, 4999))
        frames.append(triclinic(frames[0], (1.1, 0), (-0.8, 0.6),
                                'a-sio2-72-vashishta-300K-glasses.extxyz.gz index 0, fractional coordinates in a sheared cell (b += 1.1 x, c += -0.8 x + 0.6 y)'))
        pair = ['pair_style vashishta', f'pair_coeff * * {POT}/SiO.1990.vashishta Si O']
        types = ['Si', 'O']
        potential = f'pair_style vashishta, {POT}/SiO.1990.vashishta'
    else:
        raise SystemExit(f'unknown potential {which!r}; expected sw or vashishta')
    version = subprocess.run(['lmp', '-h'], capture_output=True, text=True).stdout.split('\n')[2].strip()
    out = {'generator': 'scripts/lammps-forces.py ' + which, 'lammps': version, 'potential': potential,
           'units': 'metal: Å, eV, eV/Å; cell rows are a, b, c', 'frames': []}
    for fr in frames:
        pe, f = run_lammps(fr, pair, types)
        rec = {**fr, 'pbc': [True, True, True], 'energy': pe, 'forces': f.flatten().tolist()}
        if which == 'vashishta' and 'sheared' not in fr['source']:
            # The FIRE minimum (fmax 1e-3 eV/Å, fixed cell) for the relaxation test.
            rec['minimizedEnergy'] = run_lammps(fr, pair, types, minimize=True)[0]
        out['frames'].append(rec)
        print(f"{fr['source']}: {len(fr['species'])} atoms, E = {pe:.10f} eV, |F|max = {np.abs(f).max():.4f}")
    path = os.path.join(ROOT, 'test', 'fixtures', f'lammps-{which}-forces.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
        fh.write('\n')
    os.replace(path + '.tmp', path)
    print('wrote', path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()

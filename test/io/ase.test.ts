/**
 * Peer checks against ASE (Debian python3-ase): files ASE writes, repap reads
 * to the same numbers; files repap writes, ASE reads back to the same numbers.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExtxyz, writeExtxyz, readPoscar, writePoscar, readLammpsDump } from '../../src/io/index.js';
import { trajectoryFromArrays } from '../../src/structure/index.js';
import type { Trajectory } from '../../src/structure/index.js';
import { aseMissing, runPython, DUMP_ATOMS } from './python.js';

interface AseAtoms {
  positions: number[][];
  cell: number[][];
  pbc: boolean[];
  symbols: string[];
  info: Record<string, unknown>;
  arrays: Record<string, unknown[]>;
  results?: Record<string, unknown>;
}

function framePositions(t: Trajectory, f: number): number[][] {
  const out: number[][] = [];
  for (let a = 0; a < t.nAtoms; a++) {
    const o = (f * t.nAtoms + a) * 3;
    out.push([t.positions[o], t.positions[o + 1], t.positions[o + 2]]);
  }
  return out;
}

function frameColumn(t: Trajectory, name: string, f: number): unknown[] {
  const arr = t.arrays![name];
  const out: unknown[] = [];
  for (let a = 0; a < t.nAtoms; a++) {
    const row: unknown[] = [];
    for (let c = 0; c < arr.nCols; c++) {
      const v = arr.data[(f * t.nAtoms + a) * arr.nCols + c];
      row.push(arr.type === 'L' ? v === 1 : v);
    }
    out.push(arr.nCols === 1 ? row[0] : row);
  }
  return out;
}

/** A seeded linear congruential generator (tests only need repeatable numbers). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe.skipIf(aseMissing !== null)('extxyz written by ASE', () => {
  let dir: string;
  let ase: Record<string, AseAtoms[]>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'repap-ase-'));
    ase = runPython(
      DUMP_ATOMS +
        String.raw`
from ase import Atoms
from ase.io import read, write
from ase.calculators.singlepoint import SinglePointCalculator
rng = np.random.default_rng(7)
cell = [[5.1, 0.0, 0.0], [1.3, 4.7, 0.0], [0.8, -0.6, 6.2]]
images = []
for f in range(3):
    a = Atoms('Si2O4Ge', positions=rng.uniform(-1, 6, (7, 3)), cell=cell, pbc=True)
    a.set_tags(np.arange(7) % 3)
    a.new_array('spin', rng.normal(size=7))
    a.new_array('vel3', rng.normal(size=(7, 3)))
    a.new_array('fixed', np.array([True, False] * 3 + [True]))
    a.info.update({'step': 10 * f, 'temperature': 300.5 + f, 'label': 'hello world', 'flag': f == 1,
                   'vec': np.array([1.5, 2.5, -3.0]), 'ints': np.array([1, 2, 3]), 'name': 'aSi'})
    a.calc = SinglePointCalculator(a, energy=-10.0 - f * 0.123456789012, forces=rng.normal(size=(7, 3)))
    images.append(a)
write('tri.extxyz', images)
mol = Atoms('OH2', positions=[[0, 0, 0.119], [0, 0.763, -0.477], [0, -0.763, -0.477]])
write('mol.extxyz', mol)
slab = Atoms('Cu4', positions=rng.uniform(0, 3, (4, 3)), cell=[3.6, 3.6, 20.0], pbc=[True, True, False])
write('slab.extxyz', [slab, slab])
out = {}
for name in ['tri', 'mol', 'slab']:
    out[name] = [atoms_dict(a) for a in read(name + '.extxyz', index=':')]
print(json.dumps(out))
`,
      dir,
    );
  });

  it('a triclinic multi-species trajectory with extra columns reads as ASE reads it', () => {
    const t = readExtxyz(readFileSync(join(dir, 'tri.extxyz'), 'utf8'), { source: 'tri.extxyz' });
    const ref = ase.tri;
    expect(t.nFrames).toBe(3);
    expect(t.nAtoms).toBe(7);
    expect(t.cell).toEqual(ref[0].cell);
    expect(t.pbc).toEqual(ref[0].pbc);
    expect(t.species).toEqual(ref[0].symbols);
    for (let f = 0; f < 3; f++) {
      expect(framePositions(t, f)).toEqual(ref[f].positions);
      // ASE 3.22 keeps energy both in info and in the calculator results
      expect(t.info[f].energy).toBe(ref[f].results!.energy);
      expect(t.info[f]).toEqual(ref[f].info);
      expect(frameColumn(t, 'forces', f)).toEqual(ref[f].results!.forces);
      for (const name of ['tags', 'spin', 'vel3', 'fixed']) expect(frameColumn(t, name, f)).toEqual(ref[f].arrays[name]);
    }
    expect(t.arrays!.tags.type).toBe('I');
    expect(t.arrays!.fixed.type).toBe('L');
  });

  it('a molecule without Lattice has no cell and no periodicity', () => {
    const t = readExtxyz(readFileSync(join(dir, 'mol.extxyz'), 'utf8'));
    expect(t.cell).toBeNull();
    expect(t.pbc).toEqual([false, false, false]);
    expect(t.species).toEqual(ase.mol[0].symbols);
    expect(framePositions(t, 0)).toEqual(ase.mol[0].positions);
  });

  it('mixed periodicity (a slab) is kept', () => {
    const t = readExtxyz(readFileSync(join(dir, 'slab.extxyz'), 'utf8'));
    expect(t.pbc).toEqual([true, true, false]);
    expect(t.cell).toEqual(ase.slab[0].cell);
    expect(framePositions(t, 1)).toEqual(ase.slab[1].positions);
  });
});

describe.skipIf(aseMissing !== null)('extxyz written by repap, read by ASE', () => {
  const rnd = lcg(42);
  const nAtoms = 5;
  const nFrames = 3;
  const positions: number[][][] = [];
  for (let f = 0; f < nFrames; f++) positions.push(Array.from({ length: nAtoms }, () => [rnd() * 9 - 1, rnd() * 9, rnd() * 1e-3 + 1e-7]));
  const forces = new Float64Array(nFrames * nAtoms * 3).map(() => rnd() - 0.5);
  const tags = new Int32Array(nFrames * nAtoms).map((_, i) => i % 4);
  const mask = new Uint8Array(nFrames * nAtoms).map((_, i) => i % 2);
  const labels = Array.from({ length: nFrames * nAtoms }, (_, i) => `L${i}`);

  function roundTrip(t: Trajectory): AseAtoms[] {
    const dir = mkdtempSync(join(tmpdir(), 'repap-ase-'));
    writeFileSync(join(dir, 'out.extxyz'), writeExtxyz(t));
    return runPython<AseAtoms[]>(DUMP_ATOMS + `\nfrom ase.io import read\ndump(read('out.extxyz', index=':'))\n`, dir);
  }

  it('ASE reads back the same float64 numbers, info, columns and cell', () => {
    const t = trajectoryFromArrays({
      positions,
      cell: [[8.1 + 1e-13, 0, 0], [0.7 / 3, 7.9, 0], [-0.3, 0.2, 9.123456789012345]],
      species: ['Si', 'O', 'O', 'Ge', 'Si'],
      info: [0, 1, 2].map((f) => ({ energy: -12.345678901234567 - f, step: f * 10, note: 'a b "c"', ok: f === 0, v: [1.25, -2, 3e-9] })),
      arrays: {
        forces: { type: 'R', nCols: 3, data: forces },
        tags: { type: 'I', nCols: 1, data: tags },
        mask: { type: 'L', nCols: 1, data: mask },
        label: { type: 'S', nCols: 1, data: labels },
      },
    });
    const ref = roundTrip(t);
    expect(ref.length).toBe(nFrames);
    for (let f = 0; f < nFrames; f++) {
      expect(ref[f].positions).toEqual(framePositions(t, f));
      expect(ref[f].cell).toEqual(t.cell);
      expect(ref[f].pbc).toEqual([true, true, true]);
      expect(ref[f].symbols).toEqual(t.species);
      expect(ref[f].results!.energy).toBe(t.info[f].energy);
      expect(ref[f].info).toEqual(t.info[f]);
      expect(ref[f].results!.forces).toEqual(frameColumn(t, 'forces', f));
      expect(ref[f].arrays.tags).toEqual(frameColumn(t, 'tags', f));
      expect(ref[f].arrays.mask).toEqual(frameColumn(t, 'mask', f));
      expect(ref[f].arrays.label).toEqual(frameColumn(t, 'label', f));
    }
    // and repap reads its own output back exactly
    const back = readExtxyz(writeExtxyz(t));
    expect(Array.from(back.positions)).toEqual(Array.from(t.positions));
    expect(back.info).toEqual(t.info);
    expect(back.arrays).toEqual(t.arrays);
  });

  it('float32 positions are written so that they read back to the same float32 values', () => {
    const t = trajectoryFromArrays({ positions, species: 'Si', dtype: 'float32', cell: [[9, 0, 0], [0, 9, 0], [0, 0, 9]] });
    const ref = roundTrip(t);
    for (let f = 0; f < nFrames; f++) {
      const got = ref[f].positions.flat().map(Math.fround);
      expect(got).toEqual(framePositions(t, f).flat());
    }
  });

  it('a molecule (no cell) is written without Lattice and with pbc F F F', () => {
    const t = trajectoryFromArrays({ positions: positions[0], species: 'C' });
    const text = writeExtxyz(t);
    expect(text).not.toContain('Lattice');
    expect(text).toContain('pbc="F F F"');
    const ref = roundTrip(t);
    expect(ref[0].pbc).toEqual([false, false, false]);
    expect(ref[0].cell).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(ref[0].positions).toEqual(positions[0]);
  });
});

describe.skipIf(aseMissing !== null)('POSCAR with ASE', () => {
  let dir: string;
  let ase: Record<string, AseAtoms[]>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'repap-ase-'));
    ase = runPython(
      DUMP_ATOMS +
        String.raw`
from ase import Atoms
from ase.io import read, write
rng = np.random.default_rng(3)
a = Atoms('Si3O2Ge', positions=rng.uniform(0, 5, (6, 3)), cell=[[5.1, 0.0, 0.0], [1.3, 4.7, 0.0], [0.8, -0.6, 6.2]], pbc=True)
write('POSCAR_direct', a, format='vasp', direct=True, vasp5=True)
write('POSCAR_cart', a, format='vasp', direct=False, vasp5=True)
out = {n: [atoms_dict(read(n, format='vasp'))] for n in ['POSCAR_direct', 'POSCAR_cart']}
print(json.dumps(out))
`,
      dir,
    );
  });

  it('reads Direct and Cartesian POSCARs written by ASE to the numbers ASE reads', () => {
    for (const name of ['POSCAR_direct', 'POSCAR_cart']) {
      const t = readPoscar(readFileSync(join(dir, name), 'utf8'), { source: name });
      const ref = ase[name][0];
      expect(t.species).toEqual(ref.symbols);
      expect(t.cell).toEqual(ref.cell);
      const got = framePositions(t, 0).flat();
      const want = ref.positions.flat();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
    }
  });

  it('ASE reads the POSCARs repap writes (Cartesian exactly, Direct to 1e-12)', () => {
    const t = readPoscar(readFileSync(join(dir, 'POSCAR_cart'), 'utf8'));
    for (const coordinates of ['cartesian', 'direct'] as const) {
      const d = mkdtempSync(join(tmpdir(), 'repap-ase-'));
      writeFileSync(join(d, 'POSCAR'), writePoscar(t, { coordinates }));
      const [ref] = runPython<AseAtoms[]>(DUMP_ATOMS + `\nfrom ase.io import read\ndump([read('POSCAR', format='vasp')])\n`, d);
      expect(ref.symbols).toEqual(t.species);
      expect(ref.cell).toEqual(t.cell);
      const got = ref.positions.flat();
      const want = framePositions(t, 0).flat();
      if (coordinates === 'cartesian') expect(got).toEqual(want);
      else for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
    }
  });
});

describe.skipIf(aseMissing !== null)('LAMMPS dump compared with ase.io.read(format="lammps-dump-text")', () => {
  it('reads a shuffled triclinic dump with x and xs columns like ASE (positions relative to the box origin)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'repap-ase-'));
    const rnd = lcg(5);
    const n = 6;
    const [xlo, ylo, zlo] = [-1.5, 0.25, 2];
    const [lx, ly, lz, xy, xz, yz] = [7.5, 6.25, 8, 0.5, 0.75, 0.375];
    let text = '';
    for (const step of [0, 100]) {
      const ids = [3, 1, 6, 2, 5, 4];
      text += `ITEM: TIMESTEP\n${step}\nITEM: NUMBER OF ATOMS\n${n}\nITEM: BOX BOUNDS xy xz yz pp pp pp\n`;
      text += `${xlo + Math.min(0, xy, xz, xy + xz)} ${xlo + lx + Math.max(0, xy, xz, xy + xz)} ${xy}\n`;
      text += `${ylo + Math.min(0, yz)} ${ylo + ly + Math.max(0, yz)} ${xz}\n${zlo} ${zlo + lz} ${yz}\n`;
      text += `ITEM: ATOMS type x id z y\n`;
      for (const id of ids) {
        text += `${id % 2 === 0 ? 2 : 1} ${(xlo + rnd() * lx).toFixed(6)} ${id} ${(zlo + rnd() * lz).toFixed(6)} ${(ylo + rnd() * ly).toFixed(6)}\n`;
      }
    }
    writeFileSync(join(dir, 'run.lammpstrj'), text);
    const ref = runPython<AseAtoms[]>(
      DUMP_ATOMS +
        `\nfrom ase.io import read\nimgs = read('run.lammpstrj', index=':', format='lammps-dump-text', specorder=['Si', 'O'])\n` +
        `for a in imgs: a.positions -= a.get_celldisp().reshape(3)\ndump(imgs)\n`,
      dir,
    );
    const t = readLammpsDump(text, { typeToSpecies: { 1: 'Si', 2: 'O' }, source: 'run.lammpstrj' });
    expect(t.nFrames).toBe(2);
    expect(t.species).toEqual(ref[0].symbols);
    expect(t.pbc).toEqual(ref[0].pbc);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(t.cell![i][j] - ref[0].cell[i][j])).toBeLessThan(1e-12);
    for (let f = 0; f < 2; f++) {
      const got = framePositions(t, f).flat();
      const want = ref[f].positions.flat();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
    }
    // scaled columns give the same Cartesian positions as ASE
    const scaledText = text.replace(/ITEM: ATOMS type x id z y\n([\s\S]*?)(?=ITEM: TIMESTEP|$)/g, (_m, body: string) => {
      const rows = body.trim().split('\n').map((r) => r.split(' ').map(Number));
      const out = rows.map(([type, x, id, z, y]) => {
        // fractional coordinates of (x, y, z) - origin in this triclinic cell
        const cz = (z - zlo) / lz;
        const cy = (y - ylo - cz * yz) / ly;
        const cx = (x - xlo - cy * xy - cz * xz) / lx;
        return `${id} ${type} ${cx} ${cy} ${cz}`;
      });
      return `ITEM: ATOMS id type xs ys zs\n${out.join('\n')}\n`;
    });
    writeFileSync(join(dir, 'scaled.lammpstrj'), scaledText);
    const refS = runPython<AseAtoms[]>(
      DUMP_ATOMS + `\nfrom ase.io import read\ndump(read('scaled.lammpstrj', index=':', format='lammps-dump-text', specorder=['Si', 'O']))\n`,
      dir,
    );
    const s = readLammpsDump(scaledText, { typeToSpecies: ['Si', 'O'] });
    for (let f = 0; f < 2; f++) {
      const got = framePositions(s, f).flat();
      const want = refS[f].positions.flat();
      const orig = framePositions(t, f).flat();
      for (let i = 0; i < want.length; i++) {
        expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
        expect(Math.abs(got[i] - orig[i])).toBeLessThan(1e-9);
      }
    }
  });
});

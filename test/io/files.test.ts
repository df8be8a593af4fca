import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrajectory, saveTrajectory, formatFromPath } from '../../src/node/trajectory-files.js';
import { readRawFrames, writeRawFrames, readExtxyz } from '../../src/io/index.js';
import { trajectoryFromArrays } from '../../src/structure/index.js';
import { dataFile, sharedDataFull, sharedDataMissing } from '../support/shared-data.js';

// ../shared/data when present (all 40,000 frames), else the first 5 frames in test/fixtures/shared-head
const FRAMES = sharedDataFull('a-si-30-sw-300K.positions.f32') ? 40000 : 5;
const tmp = () => mkdtempSync(join(tmpdir(), 'repap-files-'));

const traj = trajectoryFromArrays({
  positions: [[[0.1, 0.2, 0.3], [1.5, 1.25, 1 / 3]], [[0.2, 0.2, 0.3], [1.5, 1.5, 2 / 3]]],
  cell: [[3, 0, 0], [0, 3, 0], [0, 0, 3]],
  species: ['Si', 'O'],
  info: [{ energy: -1 }, { energy: -2 }],
});

describe('readRawFrames', () => {
  it('views the shared float32 frames with the sidecar and matches the extxyz text to 1e-6', () => {
    const sidecar = readFileSync(dataFile('a-si-30-sw-300K.json'), 'utf8');
    const buf = readFileSync(dataFile('a-si-30-sw-300K.positions.f32'));
    const t = readRawFrames(buf, sidecar);
    expect(t.nFrames).toBe(FRAMES);
    expect(t.nAtoms).toBe(30);
    expect(t.positions).toBeInstanceOf(Float32Array);
    expect(t.species[29]).toBe('Si');
    expect(t.cell![1][1]).toBe(8.43656254268594);
    expect(t.pbc).toEqual([true, true, true]);
    const text = gunzipSync(readFileSync(dataFile('a-si-30-sw-300K.extxyz.gz'))).toString('utf8');
    const head = text.slice(0, text.split('\n', 32 * Math.min(20, FRAMES)).join('\n').length + 1);
    const x = readExtxyz(head);
    expect(x.nFrames).toBe(Math.min(20, FRAMES));
    for (let i = 0; i < x.positions.length; i++) expect(Math.abs(x.positions[i] - t.positions[i])).toBeLessThanOrEqual(1e-6);
  });

  it('round-trips through writeRawFrames, and converts dtype on request', () => {
    const { bytes, sidecar } = writeRawFrames(traj, { dtype: 'float64' });
    const back = readRawFrames(bytes, JSON.stringify(sidecar));
    expect(Array.from(back.positions)).toEqual(Array.from(traj.positions));
    expect(back.cell).toEqual(traj.cell);
    expect(back.species).toEqual(traj.species);
    expect(readRawFrames(bytes, sidecar, { dtype: 'float32' }).positions).toBeInstanceOf(Float32Array);
  });

  it('rejects a wrong byte length, a bad sidecar and NaN values', () => {
    const { bytes, sidecar } = writeRawFrames(traj, { dtype: 'float32' });
    expect(() => readRawFrames(bytes.subarray(0, 20), sidecar, { source: 'x.f32' })).toThrow(/x\.f32: holds 20 bytes but the sidecar shape \[2, 2, 3\] of float32 needs 48/);
    expect(() => readRawFrames(bytes, { ...sidecar, shape: [2, 2] }, { source: 'x.f32' })).toThrow(/shape is \[2,2\]; expected \[nFrames, nAtoms, 3\]/);
    expect(() => readRawFrames(bytes, '{not json', { source: 'x.f32' })).toThrow(/x\.f32: the sidecar is not valid JSON/);
    expect(() => readRawFrames(bytes, { ...sidecar, species: ['Si'] }, { source: 'x.f32' })).toThrow(/expected one chemical symbol for all atoms or an array of 2/);
    const nan = new Float32Array(12);
    nan[7] = NaN;
    expect(() => readRawFrames(nan, sidecar, { source: 'x.f32' })).toThrow(/x\.f32: value 7 \(frame 1, atom 0, axis y\) is NaN; expected a finite coordinate/);
  });
});

describe('loadTrajectory / saveTrajectory', () => {
  it('picks formats from names', () => {
    expect(formatFromPath('a/b.extxyz.gz')).toBe('extxyz');
    expect(formatFromPath('run.xyz')).toBe('extxyz');
    expect(formatFromPath('x/CONTCAR')).toBe('poscar');
    expect(formatFromPath('POSCAR_relaxed')).toBe('poscar');
    expect(formatFromPath('si.vasp')).toBe('poscar');
    expect(formatFromPath('dump.melt')).toBe('lammps-dump');
    expect(formatFromPath('a.lammpstrj.gz')).toBe('lammps-dump');
    expect(formatFromPath('a.positions.f32')).toBe('raw');
    expect(formatFromPath('a.pdb')).toBeNull();
  });

  it('saves and loads extxyz, .gz, POSCAR and raw frames', async () => {
    const dir = tmp();
    for (const name of ['t.extxyz', 't.extxyz.gz', 't.f64']) {
      await saveTrajectory(join(dir, name), traj);
      const back = await loadTrajectory(join(dir, name));
      expect(Array.from(back.positions)).toEqual(Array.from(traj.positions));
      expect(back.species).toEqual(traj.species);
      expect(back.cell).toEqual(traj.cell);
    }
    expect(gunzipSync(readFileSync(join(dir, 't.extxyz.gz'))).toString('utf8')).toBe(readFileSync(join(dir, 't.extxyz'), 'utf8'));
    await saveTrajectory(join(dir, 'CONTCAR'), traj, { frame: -1 });
    const p = await loadTrajectory(join(dir, 'CONTCAR'));
    expect(Array.from(p.positions)).toEqual(Array.from(traj.positions.subarray(6)));
    await saveTrajectory(join(dir, 'POSCAR.gz'), traj, { frame: 0, coordinates: 'direct' });
    expect((await loadTrajectory(join(dir, 'POSCAR.gz'))).nAtoms).toBe(2);
  });

  it('loads LAMMPS dumps with a type map and the shared raw frames', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.lammpstrj.gz'), gzipSync('ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 2\n0 2\n0 2\nITEM: ATOMS id type x y z\n1 1 0.5 0.5 0.5\n'));
    const t = await loadTrajectory(join(dir, 'a.lammpstrj.gz'), { typeToSpecies: ['Si'] });
    expect(t.species).toEqual(['Si']);
    const raw = await loadTrajectory(dataFile('a-si-30-sw-300K.positions.f32'));
    expect(raw.nFrames).toBe(FRAMES);
  });

  it('streams the whole 40,000-frame extxyz.gz to the positions of the float32 file (1e-6) and the CSV energies', async () => {
    const t = await loadTrajectory(dataFile('a-si-30-sw-300K.extxyz.gz'));
    expect(t.nFrames).toBe(FRAMES);
    expect(t.positions.length).toBe(FRAMES * 30 * 3);
    const raw = await loadTrajectory(dataFile('a-si-30-sw-300K.positions.f32'));
    let maxDiff = 0;
    for (let i = 0; i < raw.positions.length; i++) maxDiff = Math.max(maxDiff, Math.abs(raw.positions[i] - t.positions[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    const csv = gunzipSync(readFileSync(dataFile('a-si-30-sw-300K.frames.csv.gz'))).toString('utf8').trim().split('\n');
    const col = csv[0].split(',').indexOf('pe_eV');
    for (const f of [0, 12345, 39999].map((f) => Math.min(f, FRAMES - 1))) expect(t.info[f].energy as number).toBeCloseTo(Number(csv[f + 1].split(',')[col]), 6);
  });

  it.skipIf(sharedDataMissing('a-si-4096-sw-300K.extxyz.gz'))('streams frames larger than one read piece (4096 atoms) like readExtxyz reads the whole text', async () => {
    const path = dataFile('a-si-4096-sw-300K.extxyz.gz');
    const t = await loadTrajectory(path, { dtype: 'float32' });
    const whole = readExtxyz(gunzipSync(readFileSync(path)).toString('utf8'), { dtype: 'float32' });
    expect(t.nAtoms).toBe(4096);
    expect(t.nFrames).toBe(10);
    expect(t).toEqual({ ...whole });
  });

  it('errors name the path and the fix', async () => {
    const dir = tmp();
    await expect(loadTrajectory(join(dir, 'a.pdb'))).rejects.toThrow(/a\.pdb: cannot tell the file format from the name; known names: \.extxyz, \.xyz .* \{ format: 'extxyz' \| 'poscar' \| 'lammps-dump' \| 'raw' \}/);
    await expect(loadTrajectory(join(dir, 'missing.extxyz'))).rejects.toThrow(/missing\.extxyz: cannot read the file \(ENOENT\)/);
    writeFileSync(join(dir, 'bad.extxyz.gz'), 'not gzip');
    await expect(loadTrajectory(join(dir, 'bad.extxyz.gz'))).rejects.toThrow(/bad\.extxyz\.gz: not a valid gzip file/);
    const gz = gzipSync('2\nProperties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\n'.repeat(2000));
    writeFileSync(join(dir, 'cut.extxyz.gz'), gz.subarray(0, gz.length >> 1));
    await expect(loadTrajectory(join(dir, 'cut.extxyz.gz'))).rejects.toThrow(/cut\.extxyz\.gz: not a valid gzip file .*the file is corrupt/);
    writeFileSync(join(dir, 'trunc.extxyz'), '3\nProperties=species:S:1:pos:R:3\nSi 0 0 0\n');
    await expect(loadTrajectory(join(dir, 'trunc.extxyz'))).rejects.toThrow(/trunc\.extxyz:1: frame 0 is truncated/);
    writeFileSync(join(dir, 'x.f32'), Buffer.alloc(12));
    await expect(loadTrajectory(join(dir, 'x.f32'))).rejects.toThrow(/x\.f32: raw frames need a JSON sidecar .*Pass \{ sidecar: 'path\/to\.json' \}/);
    writeFileSync(join(dir, 'data.txt'), '1\nProperties=species:S:1:pos:R:3\nH 0 0 0\n');
    expect((await loadTrajectory(join(dir, 'data.txt'), { format: 'extxyz' })).species).toEqual(['H']);
    await expect(saveTrajectory(join(dir, 'out.lammpstrj'), traj)).rejects.toThrow(/does not write them; save as \.extxyz/);
    await expect(saveTrajectory(join(dir, 'POSCAR'), traj)).rejects.toThrow(/pass \{ frame: i \}/);
    await expect(saveTrajectory(join(dir, 'no/such/dir/a.extxyz'), traj)).rejects.toThrow(/cannot write the file \(ENOENT: the folder does not exist\)/);
  });
});

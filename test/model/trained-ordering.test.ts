/**
 * A model trained on grouped sequences (per frame, per glass) records that
 * ordering (`repap.json` field `ordering`), and scores the frames of a
 * trajectory in it: its NLL of the validation glasses equals the training
 * log's validation NLL, which the encoder's fixed ordering does not give.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { AxisProjectionEncoder, GroupedEncoding, encodeAsTrained, type GroupOrdering } from '../../src/encoding/index.js';
import { RePAPModel, splitFrames } from '../../src/model/index.js';
import { loadModel, saveModel } from '../../src/node/model-files.js';
import type { Trajectory } from '../../src/structure/trajectory.js';
import { toyTrajectory, useTf } from './fixtures.js';

/** 8 glasses of 4 atoms, 6 frames each, `glass=gN` on every frame. */
function glasses(): Trajectory {
  const parts = Array.from({ length: 8 }, (_, g) => toyTrajectory(6, 4, 4, 0.08, 100 + g));
  const positions = new Float64Array(8 * 6 * 12);
  parts.forEach((p, g) => positions.set(p.positions, g * 6 * 12));
  return { ...parts[0]!, nFrames: 48, positions, info: Array.from({ length: 48 }, (_, f) => ({ glass: `g${Math.floor(f / 6)}` })) };
}

/** The frames `rows` of `traj` as a trajectory of their own (info kept). */
function subset(traj: Trajectory, rows: ArrayLike<number>): Trajectory {
  const n3 = traj.nAtoms * 3;
  const positions = new Float64Array(rows.length * n3);
  const info = [];
  for (let i = 0; i < rows.length; i++) {
    positions.set(traj.positions.subarray(rows[i]! * n3, (rows[i]! + 1) * n3), i * n3);
    info.push(traj.info[rows[i]!]!);
  }
  return { ...traj, nFrames: rows.length, positions, info };
}

let tmp: string;
beforeAll(async () => {
  await useTf('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'repap-ordering-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the ordering a model was trained with', () => {
  const traj = glasses();
  const groups = { names: Array.from({ length: 8 }, (_, g) => `g${g}`), groupOf: Int32Array.from({ length: 48 }, (_, f) => Math.floor(f / 6)) };
  const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
  const split = { train: 6, validation: 2, test: 0 };

  for (const ordering of ['frame', 'group'] as GroupOrdering[]) {
    it(`per ${ordering}: eval NLL of the validation glasses = the training log's validation NLL, saved and loaded`, async () => {
      const augment = { translate: true, symmetry: true };
      const grouped = new GroupedEncoding(encoder, traj, groups, { ordering, augment });
      const coords = grouped.encode();
      const T = encoder.sequenceLength;
      const data = {
        coords,
        cell: traj.cell,
        pbc: traj.pbc,
        groups: groups.groupOf,
        ordering: { ordering, rule: grouped.rule, groupBy: 'glass', augment },
        refresh: (rows: Int32Array, epoch: number) => {
          const tmpRows = grouped.encode(rows, xoroshiro128plus(11 + epoch));
          for (let i = 0; i < rows.length; i++) coords.set(tmpRows.subarray(i * T, (i + 1) * T), rows[i]! * T);
        },
      };
      const model = RePAPModel.create(encoder, { units: 8, seed: 1, loss: 'softmax-crossentropy', learningRate: 0.01 });
      const history = await model.train(data, { epochs: 1, batchSize: 4, split, seed: 3 });
      const logged = history.epochs[0]!.valNll!;
      expect(model.trainedOrdering).toEqual({ ordering, rule: grouped.rule, groupBy: 'glass', augment });

      const validation = subset(traj, splitFrames(groups.groupOf, split, 3).validation);
      const nll = await model.negativeLogLikelihood(validation);
      expect(nll.structures).toBe(12);
      expect(nll.perCoordinate).toBeCloseTo(logged.perCoordinate, 5);
      expect(nll.perStructureDensity).toBeCloseTo(logged.perStructureDensity, 4);

      // the old behaviour, the encoder's fixed (origin, training-mean) ordering, scores other sequences
      // (equality above holds to 5e-6 nats; the fixed ordering is off by more than 20 times that)
      expect(Array.from(encoder.orderedCoordinates(validation))).not.toEqual(Array.from(encodeAsTrained(encoder, validation, model.trainedOrdering!)));
      const trained = model.trainedOrdering;
      model.trainedOrdering = null;
      const fixed = await model.negativeLogLikelihood(validation);
      expect(Math.abs(fixed.perCoordinate - logged.perCoordinate)).toBeGreaterThan(1e-4);
      model.trainedOrdering = trained as NonNullable<typeof trained>;

      // the record travels in repap.json, and the loaded model scores the same
      const dir = join(tmp, ordering);
      await saveModel(model, dir);
      const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
      expect(meta.ordering).toEqual({ ordering, rule: grouped.rule, groupBy: 'glass', augment });
      const loaded = await loadModel(dir);
      expect((await loaded.negativeLogLikelihood(validation)).perCoordinate).toBeCloseTo(logged.perCoordinate, 5);
      loaded.dispose();
      model.dispose();
    });
  }

  it('a folder without the field (older models) scores in the encoder order; a bad field is an error naming it', async () => {
    const model = RePAPModel.create(encoder, { units: 4, seed: 1 });
    await model.train(traj, { epochs: 1, batchSize: 8 });
    expect(model.trainedOrdering).toBeNull();
    const dir = join(tmp, 'plain');
    await saveModel(model, dir);
    const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
    expect(meta.ordering).toBeUndefined();
    const loaded = await loadModel(dir);
    expect(loaded.trainedOrdering).toBeNull();
    expect((await loaded.negativeLogLikelihood(traj)).perCoordinate).toBeCloseTo((await model.negativeLogLikelihood(traj)).perCoordinate, 6);
    loaded.dispose();
    meta.ordering = { ordering: 'shells', rule: 'origin', groupBy: null, augment: null };
    writeFileSync(join(dir, 'repap.json'), JSON.stringify(meta));
    await expect(loadModel(dir)).rejects.toThrow(/ordering\.ordering is "shells"; expected one of 'group', 'frame'/);
    expect(() => {
      model.trainedOrdering = { ordering: 'frame', rule: 'middle' as 'origin', groupBy: null, augment: null };
    }).toThrow(/RePAPModel.trainedOrdering: ordering.rule is "middle"/);
    model.dispose();
  });

  it('per-glass scoring groups by the recorded key, or takes frames without it as one structure', () => {
    const rec = { ordering: 'group' as const, rule: 'origin' as const, groupBy: 'glass', augment: null };
    const two = subset(traj, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const byGlass = encodeAsTrained(encoder, two, rec);
    const reference = new GroupedEncoding(encoder, two, { names: ['a', 'b'], groupOf: Int32Array.from({ length: 12 }, (_, f) => (f < 6 ? 0 : 1)) }).encode();
    expect(Array.from(byGlass)).toEqual(Array.from(reference));
    const bare = { ...two, info: two.info.map(() => ({})) };
    const one = new GroupedEncoding(encoder, bare, { names: ['all'], groupOf: new Int32Array(12) }).encode();
    expect(Array.from(encodeAsTrained(encoder, bare, rec))).toEqual(Array.from(one));
  });
});

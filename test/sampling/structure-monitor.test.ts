/**
 * structureMonitor: samples structures from the model (seeded, its sampling
 * defaults) and scores them against reference frames by the sum of the partial
 * Err_RDF; checked against the ensemble evaluator's partial Err_RDF of the same
 * structures, the sampler's own validity count, and a reference drawn from the
 * model itself against one that is not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionalSampler, structureMonitor, STRUCTURE_MONITOR_NAME } from '../../src/sampling/index.js';
import { evaluateEnsemble, radialDistribution, rdfError } from '../../src/analysis/index.js';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { checkSamplingDefaults } from '../../src/model/sampling-defaults.js';
import type { Trajectory } from '../../src/structure/index.js';
import { toyTrajectory, useTf } from '../model/fixtures.js';
import { TinySource } from './fixtures.js';

const L = 8;
const rdf = { rMax: 4, nBins: 40 };

/** A model of 4 atoms (Si, Ge alternating) in an 8 Å periodic cube, with a per-pair minimum distance stored. */
function source(siSi = 4.2, maxTries = 3): TinySource {
  const src = new TinySource({ gridSize: 8, nAtoms: 4, units: [6, 5], seed: 5, length: L }) as TinySource & { samplingDefaults: unknown };
  src.samplingDefaults = checkSamplingDefaults({ temperature: 1, minDistance: 0.8, maxTries, minDistances: { 'Si-Si': siSi, 'Ge-Si': 0.8, 'Ge-Ge': 0.8 } }, 'test');
  return src;
}

/** Frames of the model's species (in its atom order) vibrating around fixed sites. */
function reference(src: TinySource, seed = 2): Trajectory {
  const t = toyTrajectory(60, 4, L, 0.1, seed);
  const species = new Array<string>(4);
  for (let k = 0; k < 4; k++) species[src.codec.permutation[k]!] = src.codec.orderedSpecies[k]!;
  return { ...t, species };
}

describe('structureMonitor', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  it('scores the sampled structures by the sum of the partial Err_RDF, as the ensemble evaluator computes them', async () => {
    const src = source();
    const ref = reference(src);
    const monitor = structureMonitor(src, ref, { structures: 40, seed: 9, ...rdf });
    expect(monitor.name).toBe(STRUCTURE_MONITOR_NAME);
    expect(monitor.mode).toBe('min');
    const m = await monitor.evaluate(0);
    // the same structures, sampled again with the same seed and the model's defaults
    const { trajectory, stats } = await new ConditionalSampler(src).sample(40, { seed: 9 });
    expect(stats.settings.minDistances).toEqual({ 'Ge-Ge': 0.8, 'Ge-Si': 0.8, 'Si-Si': 4.2 });
    const report = evaluateEnsemble(trajectory, ref, { ...rdf, bootstrap: 0 });
    const pairs = report.generated.partialRdf;
    expect(pairs.map((p) => p.pair).sort()).toEqual(['Ge-Ge', 'Ge-Si', 'Si-Si']);
    for (const p of pairs) expect(m.details![`errRdf:${p.pair}`]).toBeCloseTo(p.errPoster.value, 9);
    expect(m.value).toBeCloseTo(pairs.reduce((s, p) => s + p.errPoster.value, 0), 9);
    expect(m.details!.valid).toBe(1 - stats.violatingStructures.length / 40);
    expect(stats.violatingStructures.length).toBeGreaterThan(0); // 3 tries at 4.2 Å Si-Si in an 8 Å cube: some fail, so the share is tested
    // seeded: the same weights give the same figure
    expect((await monitor.evaluate(1)).value).toBe(m.value);
  });

  it("is smaller against frames drawn from the model itself than against other frames", async () => {
    const src = source(0.8, 100);
    const own = (await new ConditionalSampler(src).sample(400, { seed: 77 })).trajectory;
    const other = reference(src);
    const a = await structureMonitor(src, own, { structures: 200, seed: 3, ...rdf }).evaluate(0);
    const b = await structureMonitor(src, other, { structures: 200, seed: 3, ...rdf }).evaluate(0);
    expect(a.value).toBeLessThan(b.value / 3);
  });

  it('scores only the selected frames of the reference', async () => {
    const src = source();
    const own = (await new ConditionalSampler(src).sample(100, { seed: 77 })).trajectory;
    const other = reference(src);
    const both: Trajectory = {
      ...own,
      nFrames: own.nFrames + other.nFrames,
      positions: Float64Array.from([...own.positions, ...other.positions]),
      info: [...own.info, ...other.info],
    };
    const rows = Array.from({ length: other.nFrames }, (_, i) => own.nFrames + i);
    const selected = await structureMonitor(src, both, { structures: 30, seed: 3, frames: rows, ...rdf }).evaluate(0);
    const alone = await structureMonitor(src, other, { structures: 30, seed: 3, ...rdf }).evaluate(0);
    expect(selected.value).toBeCloseTo(alone.value, 9);
  });

  it('one species: the total Err_RDF of a trained model\'s samples against the frames', async () => {
    const traj = toyTrajectory(40, 4, 6, 0.1, 3);
    const model = RePAPModel.create(AxisProjectionEncoder.fit(traj, { gridSize: 12 }), { units: 8, seed: 7 });
    await model.train(traj, { epochs: 1, batchSize: 8, split: { train: 32, validation: 8, test: 0 } });
    const m = await structureMonitor(model, traj, { structures: 30, seed: 4, rMax: 3, nBins: 30 }).evaluate(0);
    expect(Object.keys(m.details!).sort()).toEqual(['errRdf:Si-Si', 'seconds', 'valid']);
    const { trajectory } = await new ConditionalSampler(model).sample(30, { seed: 4 });
    const expected = rdfError(radialDistribution(traj, { rMax: 3, nBins: 30 }), radialDistribution(trajectory, { rMax: 3, nBins: 30 }));
    expect(m.value).toBeCloseTo(expected, 12);
    model.dispose();
  });

  it('bad input is an error that names it', () => {
    const src = source();
    const ref = reference(src);
    expect(() => structureMonitor(src, { ...ref, species: ['Si', 'Si', 'Si', 'Ge'] })).toThrow(/reference frames hold the atoms 1 Ge \+ 3 Si but the model generates 2 Ge \+ 2 Si/);
    expect(() => structureMonitor(src, ref, { structures: 0 })).toThrow(/options.structures = 0/);
    expect(() => structureMonitor(src, ref, { rMax: -1 })).toThrow(/options.rMax = -1/);
    expect(() => structureMonitor({} as never, ref)).toThrow(/model must be a GenerativeModelSource/);
    expect(() => structureMonitor(src, null as never)).toThrow(/reference is null/);
  });
});

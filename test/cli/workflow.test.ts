/**
 * The built `repap` end to end: `train` a tiny model on MD frames for one
 * epoch, `sample` from it (seeded, reproducible), `demo` on a small ensemble,
 * and the examples under tsx on tiny settings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, mdFramesExtxyz, repap, root, tempDir, writeFile } from './helpers.js';

const embeddedModel = join(root, 'assets/a-si-30-sw-300K/model/model.json');

/** Grid cells per axis of the tiny model. */
const GRID = 50;
/**
 * The loss of a network that outputs zero everywhere: the mean squared Gaussian target, sum_k exp(-(k - x)^2) / G
 * for sigma = one cell, which is sqrt(pi) / G to 1e-4 whatever x (Poisson summation). A network that has learnt
 * nothing sits here (or above: an untrained sigmoid output starts near 0.2); a working pipeline goes below it.
 */
const ZERO_PLATEAU = Math.sqrt(Math.PI) / GRID;
let dir = '';
let modelDir = '';
let trainOut = { code: -1, out: '', err: '' };

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  const tiny = writeFile(dir, 'tiny.extxyz', mdFramesExtxyz(Array.from({ length: 80 }, (_, i) => 25 * i)));
  modelDir = join(dir, 'model');
  trainOut = repap([
    'train', tiny, '--out', modelDir, '--epochs', '2', '--batch', '4', '--learning-rate', '0.01', '--grid', String(GRID),
    '--units', '16', '--seed', '5', '--backend', 'cpu', '--split', '64,8,8',
  ]);
}, 300_000);

/** Frames in an extxyz text. */
function frameCount(text: string): number {
  const lines = text.split('\n');
  let n = 0;
  for (let i = 0; i < lines.length && lines[i].trim() !== ''; i += Number(lines[i]) + 2) n++;
  return n;
}

describe('repap train', () => {
  it('trains for two epochs below the predict-zero plateau and saves the model folder, training.json and loss.svg', () => {
    expect(trainOut.err).not.toMatch(/Error|\n\s+at /);
    expect(trainOut.code).toBe(0);
    expect(trainOut.out).toMatch(/trained 2 epoch/);
    for (const f of ['model.json', 'weights.bin', 'repap.json', 'training.json', 'loss.svg']) expect(existsSync(join(modelDir, f)), f).toBe(true);
    const t = JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8'));
    expect(t.frames).toMatchObject({ total: 80, train: 64, validation: 8, test: 8, testFrames: '72-79' });
    expect(t.seed).toBe(5);
    expect(t.backend).toBe('cpu');
    expect(t.history.epochs).toHaveLength(2);
    // 64 training frames in batches of 4: 16 batches per epoch. The first batch starts far above the
    // plateau (sigmoid outputs near 0.5); after 32 updates validation and test losses are below it
    // (measured: 0.0328, 8 % below 0.0354); a model that learnt nothing (wrong targets, no updates) is not.
    expect(t.curves.batchLoss).toHaveLength(32);
    expect(ZERO_PLATEAU).toBeCloseTo(0.03545, 5);
    expect(t.curves.batchLoss[0].loss).toBeGreaterThan(3 * ZERO_PLATEAU);
    expect(t.history.epochs[1].valLoss).toBeLessThan(0.95 * ZERO_PLATEAU);
    expect(t.history.testLoss).toBeLessThan(0.95 * ZERO_PLATEAU);
    expect(t.history.testLoss).toBeGreaterThan(0.5 * ZERO_PLATEAU);
    // The running means reported by the model are the means of the recovered batch losses.
    const mean = t.curves.batchLoss.slice(0, 16).reduce((s: number, p: { loss: number }) => s + p.loss, 0) / 16;
    expect(mean).toBeCloseTo(t.history.epochs[0].loss, 5);
    expect(t.curves.validationLoss[0].loss).toBeCloseTo(t.history.epochs[0].valLoss, 8);
  });
  it('names a bad coordinate in the training file in one line', () => {
    const bad = mdFramesExtxyz([0, 1]).replace(/\nSi (\S+) /, '\nSi nan ');
    const p = writeFile(dir, 'bad.extxyz', bad);
    const r = repap(['train', p, '--out', join(dir, 'x'), '--units', '4']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^repap train: .*bad\.extxyz/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('repap sample', () => {
  it('generates N seeded structures in the training cell, reproducibly', () => {
    const a = join(dir, 'a.extxyz'), b = join(dir, 'b.extxyz'), c = join(dir, 'c.extxyz');
    const ra = repap(['sample', modelDir, '-n', '12', '--seed', '9', '--out', a]);
    expect(ra.err).toBe('');
    expect(ra.code).toBe(0);
    expect(ra.out).toMatch(/generated 12 structures of 30 atoms/);
    repap(['sample', modelDir, '-n', '12', '--seed', '9', '--batch', '5', '--out', b]);
    repap(['sample', modelDir, '-n', '12', '--seed', '10', '--out', c]);
    const ta = readFileSync(a, 'utf8');
    expect(frameCount(ta)).toBe(12);
    expect(ta).toMatch(/Lattice="8\.43656254268594 0(\.0)? 0(\.0)? 0(\.0)? 8\.43656254268594/);
    expect(readFileSync(b, 'utf8')).toBe(ta);
    expect(readFileSync(c, 'utf8')).not.toBe(ta);
  });
  it('resamples close pairs with --min-distance and reports the replacement rate', () => {
    const r = repap(['sample', modelDir, '-n', '8', '--seed', '1', '--min-distance', '1.8', '--out', join(dir, 'm.extxyz')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/resampling at 1\.8 Å: [\d.]+ % of atoms redrawn/);
  });
});

describe('repap demo', () => {
  it('writes generated.extxyz, rdf.svg and report.json with every number of the table', () => {
    const out = join(dir, 'demo');
    const args = ['demo', '--n', '40', '--seed', '3', '--out', out];
    if (!existsSync(embeddedModel)) args.push('--model', modelDir);
    const r = repap(args);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const row of ['Err_RDF vs MD, poster', 'Err_RDF vs MD, mean', '1st peak r', '2nd peak g', 'pair < 2 Å', 'E_SW mean (eV/atom)', 'E_SW std', '4-fold', 'structures/s', 'MD on grid']) {
      expect(r.out).toContain(row);
    }
    expect(frameCount(readFileSync(join(out, 'generated.extxyz'), 'utf8'))).toBe(40);
    const svg = readFileSync(join(out, 'rdf.svg'), 'utf8');
    for (const label of ['generated', 'MD', 'random positions', 'r (Å)', 'g(r)']) expect(svg).toContain(label);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.settings).toMatchObject({ n: 40, seed: 3, rMax: 8, nBins: 160, minDistance: 2 });
    expect(rep.rdf.r).toHaveLength(160);
    expect(rep.md.nStructures).toBe(2000);
    // MD vs MD (two halves of 1,000 frames) is far below random vs MD.
    expect(rep.md.errRdf.poster).toBeLessThan(rep.random.errRdf.poster / 100);
    expect(rep.random.errRdf.poster).toBeGreaterThan(1);
    expect(rep.md.energyPerAtom.mean).toBeCloseTo(-4.066, 2);
    // The embedded model at its stored sampling temperature places atoms 2 Å apart on its own: the seed gives
    // no redraw at all (at temperature 1, a fifth of the structures would keep a close pair after 10 tries).
    const withR = rep.resampling.withResampling;
    expect(withR.replacementRate).toBeLessThanOrEqual(0.005);
    expect(withR.resampledAtoms).toBe(Math.round(withR.replacementRate * 40 * 30));
    expect(withR.violatingStructures).toBe(0);
    // structures/s is the 40 structures over the sampling time with resampling
    expect(rep.timing.structuresPerSecond * withR.seconds).toBeCloseTo(40, 6);
    expect(rep.generated.closePairPercent).toBeLessThanOrEqual(rep.generatedWithoutResampling.closePairPercent);
    // MD moved to the 50-cell grid: worse than the MD noise floor, far better than random, same first peak.
    expect(rep.mdOnGrid.errRdf.poster).toBeGreaterThan(rep.md.errRdf.poster);
    expect(rep.mdOnGrid.errRdf.poster).toBeLessThan(rep.random.errRdf.poster / 10);
    expect(rep.mdOnGrid.peaks.first.r).toBe(rep.md.peaks.first.r);
    // Relaxation rows: the 40 structures relaxed with Stillinger-Weber, matched against the training glass's minima.
    for (const row of ['E after relax, mean', 'RMS displacement in relax', 'novel vs training', 'S.U.N.', 'relaxed into the training glass']) expect(r.out).toContain(row);
    expect(rep.relaxation.relaxed).toBe(40);
    expect(rep.relaxation.ensemble.settings.trainingFrames).toBe(2);
    expect(rep.relaxation.inTrainingGlass).toBeCloseTo(1 - rep.relaxation.ensemble.generated.novelty.value, 12);
    // MD frames of the training run relax to its inherent energy (LAMMPS: -4.10355 eV/atom).
    expect(rep.relaxation.ensemble.floor.energyAfter.mean.value).toBeCloseTo(-4.10355, 4);
  });
});

describe('examples', () => {
  const tsx = join(root, 'node_modules/.bin/tsx');
  it('train-from-extxyz.ts runs on tiny settings', () => {
    const tiny = join(dir, 'tiny.extxyz');
    const out = execFileSync(tsx, [join(root, 'examples/train-from-extxyz.ts'), tiny, join(dir, 'example-model')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REPAP_FRAMES: '40', REPAP_UNITS: '8', REPAP_BATCHES: '2' },
    });
    expect(out).toMatch(/40 frames of 30 atoms; 90 coordinates per structure, input width 139/);
    expect(out).toMatch(/saved to .*example-model; 10 samples, closest pairs/);
    expect(existsSync(join(dir, 'example-model/model.json'))).toBe(true);
  });
  it('sample-and-evaluate.ts runs on tiny settings', () => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    if (!existsSync(embeddedModel)) env.REPAP_MODEL = modelDir;
    const out = execFileSync(tsx, [join(root, 'examples/sample-and-evaluate.ts'), '20', join(dir, 'example-out')], { cwd: root, encoding: 'utf8', env });
    expect(out).toMatch(/20 structures in/);
    expect(out).toMatch(/Err_RDF vs MD \(poster, 1\/k\)/);
    expect(existsSync(join(dir, 'example-out/rdf.svg'))).toBe(true);
  });
  it('custom-sampler.ts samples 20 structures with its min-p strategy', () => {
    const out = execFileSync(tsx, [join(root, 'examples/custom-sampler.ts')], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/^20 structures with [\w-]+; replacement rate \d+(\.\d)?%$/m);
  });
  it('custom-constraint.ts leaves no structure violating its constraints', () => {
    const out = execFileSync(tsx, [join(root, 'examples/custom-constraint.ts')], { cwd: root, encoding: 'utf8' });
    expect(out).toMatch(/replacement rate \d+(\.\d)?%, still violating: 0 of 20/);
  });
});

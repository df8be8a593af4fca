/**
 * The multi-glass model shipped in assets/a-si-30-sw-300K-glasses/: it loads
 * with its stored sampling defaults, its split by glass is disjoint, and the
 * shipped reference holds exactly the glasses the demo claims (validation
 * frames of unseen glasses; inherent structures of all 64 for novelty).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadTrajectory } from '../../src/node/index.js';
import { framesOfGlasses, glassesAssetPath } from '../../src/cli/glasses-demo.js';
import { useTf } from '../model/fixtures.js';

const set = glassesAssetPath();

beforeAll(async () => {
  await useTf('cpu');
});

describe('the shipped multi-glass model', () => {
  const split = JSON.parse(readFileSync(join(set, 'glasses.json'), 'utf8')) as { train: string[]; validation: string[]; test: string[] };

  it('loads with the sampling defaults chosen on the validation glasses', async () => {
    const model = await loadModel(join(set, 'model'));
    const evaluation = JSON.parse(readFileSync(join(set, 'evaluation.json'), 'utf8'));
    expect(model.samplingDefaults).toMatchObject({ temperature: evaluation.chosenTemperature, minDistance: 2, maxTries: 20, maxBacktracks: 100, backtrackDepth: 3 });
    expect(model.config.loss).toBe('softmax-crossentropy');
    model.dispose();
  });

  it('trained, validated and tested on disjoint glasses, as training.json records', () => {
    const training = JSON.parse(readFileSync(join(set, 'training.json'), 'utf8'));
    expect(training.grouping.trainGroups).toEqual(split.train);
    expect(training.grouping.validationGroups).toEqual(split.validation);
    const all = [...split.train, ...split.validation, ...split.test];
    expect(new Set(all).size).toBe(64);
    expect(split.validation.length).toBeGreaterThan(0);
  });

  it('ships validation frames of the unseen glasses only, and the inherent structures of all 64', async () => {
    const validation = await loadTrajectory(join(set, 'validation.extxyz.gz'));
    expect(new Set(validation.info.map((i) => String(i.glass)))).toEqual(new Set(split.validation));
    const inherent = await loadTrajectory(join(set, 'inherent.extxyz.gz'));
    expect(inherent.nFrames).toBe(64);
    expect(framesOfGlasses(inherent, split.train).nFrames).toBe(split.train.length);
  });
});

/**
 * examples/silica.ts on the committed 9-frame silica fixture: grouped, species-first training of a tiny
 * network, per-pair minimum distances stored with the model, generation and the per-species report.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readExtxyz } from '../../src/io/index.js';
import { ensureBuilt, root, tempDir } from './helpers.js';
import { gunzipSync } from 'node:zlib';

const fixture = join(root, 'test/fixtures/a-sio2-72-glasses-small.extxyz.gz');

/** Smallest Si-O, O-O and Si-Si distance (nearest image in the cubic cell) over the frames of glasses s000 and s002, by brute force. */
function smallestTrainingDistances(): Record<string, number> {
  const t = readExtxyz(gunzipSync(readFileSync(fixture)).toString('utf8'));
  const L = t.cell![0][0];
  const out: Record<string, number> = {};
  for (let f = 0; f < t.nFrames; f++) {
    if (t.info[f].glass === 's001') continue;
    for (let i = 0; i < t.nAtoms; i++) {
      for (let j = i + 1; j < t.nAtoms; j++) {
        let d2 = 0;
        for (let a = 0; a < 3; a++) {
          let d = t.positions[(f * t.nAtoms + j) * 3 + a] - t.positions[(f * t.nAtoms + i) * 3 + a];
          d -= L * Math.round(d / L);
          d2 += d * d;
        }
        const key = t.species[i] === t.species[j] ? `${t.species[i]}-${t.species[i]}` : 'Si-O';
        out[key] = Math.min(out[key] ?? Infinity, Math.sqrt(d2));
      }
    }
  }
  return out;
}

describe('examples/silica.ts', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
  }, 300_000);
  it('trains on two glasses, stores 0.85 x the smallest distance per pair, generates exact compositions and reports per species', () => {
    const tsx = join(root, 'node_modules/.bin/tsx');
    const out = execFileSync(tsx, [join(root, 'examples/silica.ts'), fixture, dir], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REPAP_UNITS: '8', REPAP_GRID: '30', REPAP_SAMPLES: '3' },
    });
    expect(out).toMatch(/9 frames of 72 atoms \(Si24 O48\)/);
    expect(out).toMatch(/glasses: s000, s002 for training, s001 for validation/);
    const smallest = smallestTrainingDistances();
    const stored = JSON.parse(readFileSync(join(dir, 'model/repap.json'), 'utf8')).sampling.minDistances as Record<string, number>;
    for (const [pair, d] of Object.entries(smallest)) expect(stored[pair]).toBeCloseTo(0.85 * d, 3);
    expect(out).toMatch(/3 structures, composition exact/);
    for (const pair of ['O-O', 'O-Si', 'Si-Si']) expect(out).toMatch(new RegExp(`partial g\\(r\\) ${pair}: Err_RDF \\d`));
    // the MD's own figures, computed from the validation glass
    expect(out).toMatch(/first peak [\d.]+ Å \(MD 1\.6\d5 Å\)/);
    expect(out).toMatch(/O-Si-O mean angle [\d.]+° \(MD 10\d\.\d°\)/);
    expect(out).toMatch(/Vashishta energy: .* \(MD frames relaxed: -8\.9\d\d\)/);
    expect(existsSync(join(dir, 'generated.extxyz'))).toBe(true);
  }, 300_000);
});

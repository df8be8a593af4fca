/**
 * Multi-structure training data: grouping by an info key or by file, the
 * per-group ordering (the paper's rule on each group's mean positions), the
 * per-frame ordering, augmentation (pair distances preserved, ordering
 * recomputed, seeded) and the split by group.
 */
import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  AxisProjectionEncoder,
  GroupedEncoding,
  concatTrajectories,
  cubicOperation,
  groupFramesBy,
} from '../../src/encoding/index.js';
import { splitFrames } from '../../src/model/group-split.js';
import type { Cell, Trajectory } from '../../src/structure/trajectory.js';

const L = 6;
const CELL: Cell = [[L, 0, 0], [0, L, 0], [0, 0, L]];

/** A deterministic pseudo-random stream in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** `nGroups` glasses of `nAtoms` atoms, `nFrames` frames each: a random base structure per glass plus small vibrations. */
function glasses(nGroups: number, nFrames: number, nAtoms = 6, species?: string[]): Trajectory {
  const r = lcg(7);
  const pos: number[] = [];
  const info: Record<string, string>[] = [];
  for (let g = 0; g < nGroups; g++) {
    const base = Array.from({ length: nAtoms * 3 }, () => r() * L);
    for (let f = 0; f < nFrames; f++) {
      for (let j = 0; j < nAtoms * 3; j++) pos.push(base[j]! + (r() - 0.5) * 0.3);
      info.push({ glass: `g${String(g).padStart(3, '0')}` });
    }
  }
  return {
    nFrames: nGroups * nFrames,
    nAtoms,
    positions: new Float64Array(pos),
    cell: CELL,
    pbc: [true, true, true],
    species: species ?? Array.from({ length: nAtoms }, () => 'Si'),
    info,
  };
}

function pairDistances(xyz: ArrayLike<number>, n: number): number[] {
  const d: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) {
        let x = xyz[3 * i + a]! - xyz[3 * j + a]!;
        x -= L * Math.round(x / L);
        s += x * x;
      }
      d.push(Math.sqrt(s));
    }
  }
  return d.sort((a, b) => a - b);
}

describe('groupFramesBy', () => {
  it('groups frames by an info key, in order of first appearance', () => {
    const t = glasses(3, 4);
    const g = groupFramesBy(t, 'glass');
    expect(g.names).toEqual(['g000', 'g001', 'g002']);
    expect(Array.from(g.groupOf)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('names the first frame that lacks the key', () => {
    const t = glasses(2, 3);
    const info = t.info.map((x) => ({ ...x }));
    delete (info[4] as Record<string, unknown>).glass;
    expect(() => groupFramesBy({ ...t, info }, 'glass')).toThrow(/frame 4 has no 'glass'/);
  });
});

describe('concatTrajectories', () => {
  const a = glasses(1, 3);
  it('one group per part', () => {
    const { trajectory, groups } = concatTrajectories([a, a], ['a.extxyz', 'b.extxyz']);
    expect(trajectory.nFrames).toBe(6);
    expect(groups.names).toEqual(['a.extxyz', 'b.extxyz']);
    expect(Array.from(groups.groupOf)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(trajectory.positions[3 * 6 * 3]).toBe(a.positions[0]);
  });
  it('rejects different atom counts, species, species order and cells, naming the part', () => {
    expect(() => concatTrajectories([a, glasses(1, 3, 7)], ['a', 'b'])).toThrow(/b \(part 2\) has 7 atoms but a has 6/);
    const mixed = glasses(1, 3, 6, ['Si', 'O', 'O', 'Si', 'O', 'O']);
    const swapped = { ...mixed, species: ['O', 'Si', 'O', 'Si', 'O', 'O'] };
    expect(() => concatTrajectories([mixed, swapped], ['a', 'b'])).toThrow(/different order/);
    expect(() => concatTrajectories([a, mixed], ['a', 'b'])).toThrow(/different species/);
    const big: Cell = [[L + 1, 0, 0], [0, L, 0], [0, 0, L]];
    expect(() => concatTrajectories([a, { ...a, cell: big }], ['a', 'b'])).toThrow(/b \(part 2\) has cell/);
  });
});

describe('GroupedEncoding', () => {
  const t = glasses(3, 5);
  const groups = groupFramesBy(t, 'glass');
  const enc = AxisProjectionEncoder.fit(t, { gridSize: 20 });

  it("per group: each group's rows equal the paper's rule fitted on that group alone", () => {
    const grouped = new GroupedEncoding(enc, t, groups, { ordering: 'group' });
    const coords = grouped.encode();
    const T = enc.sequenceLength;
    for (let g = 0; g < 3; g++) {
      const frames = grouped.framesOf[g]!;
      const own = AxisProjectionEncoder.fit(t, { gridSize: 20 }, frames);
      expect(Array.from(grouped.groupPermutation(g))).toEqual(Array.from(own.permutation));
      const ref = own.orderedCoordinates(t, frames);
      for (let i = 0; i < frames.length; i++) {
        expect(Array.from(coords.subarray(frames[i]! * T, (frames[i]! + 1) * T))).toEqual(Array.from(ref.subarray(i * T, (i + 1) * T)));
      }
    }
    // the groups really have different orderings (else the test shows nothing)
    expect(new Set([0, 1, 2].map((g) => grouped.groupPermutation(g).join())).size).toBeGreaterThan(1);
  });

  it("per frame: each row equals the rule fitted on that frame's wrapped positions", () => {
    const grouped = new GroupedEncoding(enc, t, groups, { ordering: 'frame' });
    const coords = grouped.encode();
    const T = enc.sequenceLength;
    for (const f of [0, 7, 14]) {
      const xyz = Array.from(t.positions.subarray(f * T, (f + 1) * T), (v) => v - L * Math.floor(v / L));
      const one: Trajectory = { ...t, nFrames: 1, positions: new Float64Array(xyz), info: [{}] };
      const ref = AxisProjectionEncoder.fit(one, { gridSize: 20 }).orderedCoordinates(one);
      expect(Array.from(coords.subarray(f * T, (f + 1) * T))).toEqual(Array.from(ref));
    }
  });

  it('augmentation keeps every pair distance, recomputes the ordering and is seeded', () => {
    for (const ordering of ['frame', 'group'] as const) {
      const grouped = new GroupedEncoding(enc, t, groups, { ordering, augment: { translate: true, symmetry: true } });
      const plain = grouped.encode();
      const a = grouped.encode(undefined, xoroshiro128plus(3));
      const b = grouped.encode(undefined, xoroshiro128plus(3));
      const c = grouped.encode(undefined, xoroshiro128plus(4));
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(Array.from(a)).not.toEqual(Array.from(c));
      expect(Array.from(a)).not.toEqual(Array.from(plain));
      const T = enc.sequenceLength;
      for (let f = 0; f < t.nFrames; f++) {
        const row = a.subarray(f * T, (f + 1) * T);
        const d0 = pairDistances(t.positions.subarray(f * T, (f + 1) * T), 6);
        const d1 = pairDistances(row, 6);
        for (let k = 0; k < d0.length; k++) expect(d1[k]).toBeCloseTo(d0[k]!, 4);
        if (ordering === 'frame') {
          // recomputed: the augmented, wrapped atoms are in increasing distance from the origin
          for (let k = 1; k < 6; k++) {
            const r = (i: number): number => Math.hypot(row[3 * i]!, row[3 * i + 1]!, row[3 * i + 2]!);
            expect(r(k)).toBeGreaterThanOrEqual(r(k - 1) - 1e-5);
          }
        }
      }
    }
  });

  it('the 48 cubic operations are distinct signed permutations', () => {
    const seen = new Set<string>();
    for (let op = 0; op < 48; op++) {
      const { perm, sign } = cubicOperation(op);
      expect([...perm].sort()).toEqual([0, 1, 2]);
      seen.add(`${perm.join()}|${sign.join()}`);
    }
    expect(seen.size).toBe(48);
    expect(cubicOperation(0)).toEqual({ perm: [0, 1, 2], sign: [1, 1, 1] });
  });

  it('errors: a single-frame group, augmentation on a non-periodic axis, symmetry on a non-cubic cell, species order', () => {
    const short = glasses(2, 3);
    const g2 = groupFramesBy(short, 'glass');
    const groupOf = g2.groupOf.slice();
    groupOf[2] = 2; // frame 2 alone in its own group
    const lonely = { names: [...g2.names, 'lonely'], groupOf };
    const e2 = AxisProjectionEncoder.fit(short, { gridSize: 20 });
    expect(() => new GroupedEncoding(e2, short, lonely, { ordering: 'group' })).toThrow(/group 'lonely' has 1 frame.*ordering per frame/);
    expect(() => new GroupedEncoding(e2, short, lonely, { ordering: 'frame' })).not.toThrow();

    const slab: Trajectory = { ...short, pbc: [true, true, false] };
    const eSlab = AxisProjectionEncoder.fit(slab, { gridSize: 20 });
    expect(() => new GroupedEncoding(eSlab, slab, g2, { augment: { translate: true, symmetry: false } })).toThrow(/z is not periodic/);

    const box: Cell = [[L, 0, 0], [0, L, 0], [0, 0, 2 * L]];
    const tall: Trajectory = { ...short, cell: box };
    const eTall = AxisProjectionEncoder.fit(tall, { gridSize: 20 });
    expect(() => new GroupedEncoding(eTall, tall, g2, { augment: { translate: false, symmetry: true } })).toThrow(/cubic cell/);
    expect(() => new GroupedEncoding(eTall, tall, g2, { augment: { translate: true, symmetry: false } })).not.toThrow();

    const two = glasses(3, 4, 6, ['Si', 'O', 'O', 'Si', 'O', 'O']);
    const eTwo = AxisProjectionEncoder.fit(two, { gridSize: 20 });
    expect(() => new GroupedEncoding(eTwo, two, groupFramesBy(two, 'glass'))).toThrow(/species sequence/);
  });
});

describe('species-first ordering', () => {
  const species = ['O', 'Si', 'O', 'Si', 'O', 'O'];
  const two = glasses(3, 4, 6, species);
  const groups = groupFramesBy(two, 'glass');
  const enc = AxisProjectionEncoder.fit(two, { gridSize: 20, speciesFirst: true });

  it('orders by species, then by the rule within a species, so the species sequence is fixed by the composition', () => {
    expect(enc.orderedSpecies).toEqual(['O', 'O', 'O', 'O', 'Si', 'Si']);
    // within each species: the paper's rule (distance of the mean position from the origin)
    const plain = AxisProjectionEncoder.fit(two, { gridSize: 20 });
    const o = Array.from(plain.permutation).filter((i) => species[i] === 'O');
    const si = Array.from(plain.permutation).filter((i) => species[i] === 'Si');
    expect(Array.from(enc.permutation)).toEqual([...o, ...si]);
  });

  it('every group, frame and augmented frame gets the same species sequence', () => {
    for (const options of [{ ordering: 'group' as const }, { ordering: 'frame' as const }, { ordering: 'group' as const, augment: { translate: true, symmetry: true } }]) {
      const grouped = new GroupedEncoding(enc, two, groups, options);
      expect(() => grouped.encode(undefined, xoroshiro128plus(1))).not.toThrow();
    }
    const grouped = new GroupedEncoding(enc, two, groups);
    for (let g = 0; g < 3; g++) expect(Array.from(grouped.groupPermutation(g), (i) => species[i])).toEqual(enc.orderedSpecies);
  });

  it('is saved with the encoder; encoders saved before it existed load as false', () => {
    const json = enc.toJSON();
    expect(json.config.speciesFirst).toBe(true);
    expect(AxisProjectionEncoder.fromJSON(json).config.speciesFirst).toBe(true);
    const old = JSON.parse(JSON.stringify(AxisProjectionEncoder.fit(two, { gridSize: 20 }).toJSON()));
    delete old.config.speciesFirst;
    expect(AxisProjectionEncoder.fromJSON(old).config.speciesFirst).toBe(false);
    expect(() => AxisProjectionEncoder.fit(two, { speciesFirst: 'yes' as unknown as boolean })).toThrow(/speciesFirst must be true or false/);
  });
});

describe('splitFrames', () => {
  const groupOf = Int32Array.from({ length: 64 * 10 }, (_, f) => Math.floor(f / 10));
  it('never puts one group in two parts, and covers every frame once', () => {
    for (const seed of [0, 1, 2]) {
      const s = splitFrames(groupOf, { train: 0.8, validation: 0.1, test: 0.1 }, seed);
      expect(s.groups.validation.length).toBe(6);
      expect(s.groups.test.length).toBe(6);
      expect(s.groups.train.length).toBe(52);
      const partOf = new Map<number, string>();
      for (const [name, rows] of [['train', s.train], ['validation', s.validation], ['test', s.test]] as const) {
        for (const f of rows) {
          const g = groupOf[f]!;
          expect(partOf.get(g) ?? name).toBe(name);
          partOf.set(g, name);
        }
      }
      expect(s.train.length + s.validation.length + s.test.length).toBe(groupOf.length);
    }
  });
  it('is seeded, takes group counts, and rejects too few groups', () => {
    const a = splitFrames(groupOf, { train: 50, validation: 8, test: 6 }, 5);
    expect(splitFrames(groupOf, { train: 50, validation: 8, test: 6 }, 5)).toEqual(a);
    expect(splitFrames(groupOf, { train: 50, validation: 8, test: 6 }, 6).groups.validation).not.toEqual(a.groups.validation);
    expect(a.groups.validation.length).toBe(8);
    expect(() => splitFrames(Int32Array.from([0, 0, 1, 1]), { train: 0.5, validation: 0.3, test: 0.2 })).toThrow(/2 groups cannot give/);
  });
});

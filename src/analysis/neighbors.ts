/**
 * Per-frame neighbour lists with every periodic image within a cutoff
 * (internal module, used by the coordination, bond-angle and energy functions).
 *
 * @internal
 * @module
 */
import type { Cell, Positions } from '../structure/trajectory.js';
import { fractionalInto, imageGeometry, translationsWithin, zeroTranslation, type ImageGeometry, type Translations } from './geometry.js';

/**
 * A full (both directions) neighbour list in CSR form, rebuilt per frame into
 * the same buffers: the neighbours of atom i are entries `start[i] .. start[i+1]-1`,
 * each with the neighbour's atom index and the vector from i to that image.
 * Buffers grow (doubling) only when a frame has more pairs than any before.
 */
export class NeighborList {
  /** CSR offsets, length nAtoms + 1. */
  readonly start: Int32Array;
  /** Neighbour atom index per entry. */
  index: Int32Array;
  /** Vector from atom i to the neighbour image, per entry. */
  dx: Float64Array;
  /** See {@link dx}. */
  dy: Float64Array;
  /** See {@link dx}. */
  dz: Float64Array;
  /** Distance per entry. */
  r: Float64Array;

  private readonly u: Float64Array;
  private readonly v: Float64Array;
  private readonly w: Float64Array;
  private readonly trans: Translations;
  private readonly selfT: Float64Array;
  private pi: Int32Array;
  private pj: Int32Array;
  private px: Float64Array;
  private py: Float64Array;
  private pz: Float64Array;
  private pr: Float64Array;
  private readonly fill: Int32Array;

  constructor(
    private readonly geom: ImageGeometry,
    private readonly cutoff: number,
    private readonly nAtoms: number,
  ) {
    this.start = new Int32Array(nAtoms + 1);
    this.fill = new Int32Array(nAtoms);
    this.u = new Float64Array(nAtoms);
    this.v = new Float64Array(nAtoms);
    this.w = new Float64Array(nAtoms);
    this.trans = cutoff <= geom.minImageRadius ? zeroTranslation() : translationsWithin(geom, cutoff);
    // Non-zero lattice translations shorter than the cutoff (an atom's own images).
    const t = translationsWithin(geom, cutoff);
    const self: number[] = [];
    for (let k = 1; k < t.count; k++) if (t.norms[k] < cutoff) self.push(t.vectors[3 * k], t.vectors[3 * k + 1], t.vectors[3 * k + 2]);
    this.selfT = Float64Array.from(self);
    const cap = Math.max(16, nAtoms * 8);
    this.pi = new Int32Array(cap);
    this.pj = new Int32Array(cap);
    this.px = new Float64Array(cap);
    this.py = new Float64Array(cap);
    this.pz = new Float64Array(cap);
    this.pr = new Float64Array(cap);
    this.index = new Int32Array(2 * cap);
    this.dx = new Float64Array(2 * cap);
    this.dy = new Float64Array(2 * cap);
    this.dz = new Float64Array(2 * cap);
    this.r = new Float64Array(2 * cap);
  }

  private growPairs(): void {
    const cap = this.pi.length * 2;
    const gi = <T extends Int32Array | Float64Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.pi = gi(this.pi, Int32Array);
    this.pj = gi(this.pj, Int32Array);
    this.px = gi(this.px, Float64Array);
    this.py = gi(this.py, Float64Array);
    this.pz = gi(this.pz, Float64Array);
    this.pr = gi(this.pr, Float64Array);
  }

  /** Rebuilds the list for one frame of `positions` (flat, frame-major; `frame` 0 for a single frame). */
  build(positions: Positions | ArrayLike<number>, frame: number): void {
    const { nAtoms, geom, cutoff, u, v, w } = this;
    const m = geom.inverse, b = geom.basis;
    const base = frame * nAtoms * 3;
    fractionalInto(positions, base, nAtoms, null, m, u, v, w);
    const pu = geom.periodic[0] ? 1 : 0, pv = geom.periodic[1] ? 1 : 0, pw = geom.periodic[2] ? 1 : 0;
    const c2 = cutoff * cutoff;
    const { vectors: tv, norms: tn, count: tc } = this.trans;
    let np = 0;
    for (let i = 0; i < nAtoms; i++) {
      for (let j = i + 1; j < nAtoms; j++) {
        let du = u[j] - u[i], dv = v[j] - v[i], dw = w[j] - w[i];
        du -= pu * Math.round(du);
        dv -= pv * Math.round(dv);
        dw -= pw * Math.round(dw);
        const dx = du * b[0] + dv * b[3] + dw * b[6];
        const dy = du * b[1] + dv * b[4] + dw * b[7];
        const dz = du * b[2] + dv * b[5] + dw * b[8];
        if (tc === 1) {
          // Minimum-image case (cutoff below half the smallest plane spacing): one image only.
          const s = dx * dx + dy * dy + dz * dz;
          if (s < c2) {
            if (np === this.pi.length) this.growPairs();
            this.pi[np] = i;
            this.pj[np] = j;
            this.px[np] = dx;
            this.py[np] = dy;
            this.pz[np] = dz;
            this.pr[np] = Math.sqrt(s);
            np++;
          }
          continue;
        }
        const limit = cutoff + Math.sqrt(dx * dx + dy * dy + dz * dz);
        for (let t = 0; t < tc; t++) {
          if (tn[t] >= limit) break;
          const ex = dx + tv[3 * t], ey = dy + tv[3 * t + 1], ez = dz + tv[3 * t + 2];
          const s = ex * ex + ey * ey + ez * ez;
          if (s < c2) {
            if (np === this.pi.length) this.growPairs();
            this.pi[np] = i;
            this.pj[np] = j;
            this.px[np] = ex;
            this.py[np] = ey;
            this.pz[np] = ez;
            this.pr[np] = Math.sqrt(s);
            np++;
          }
        }
      }
    }
    // CSR: degrees, offsets, then fill both directions and the self images.
    const nSelf = this.selfT.length / 3;
    const start = this.start;
    start.fill(0);
    for (let p = 0; p < np; p++) {
      start[this.pi[p] + 1]++;
      start[this.pj[p] + 1]++;
    }
    for (let i = 0; i < nAtoms; i++) start[i + 1] += start[i] + nSelf;
    const total = start[nAtoms];
    if (total > this.index.length) {
      let cap = this.index.length;
      while (cap < total) cap *= 2;
      this.index = new Int32Array(cap);
      this.dx = new Float64Array(cap);
      this.dy = new Float64Array(cap);
      this.dz = new Float64Array(cap);
      this.r = new Float64Array(cap);
    }
    const fill = this.fill;
    for (let i = 0; i < nAtoms; i++) fill[i] = start[i];
    const { index, dx, dy, dz, r } = this;
    for (let p = 0; p < np; p++) {
      const i = this.pi[p], j = this.pj[p];
      let e = fill[i]++;
      index[e] = j;
      dx[e] = this.px[p];
      dy[e] = this.py[p];
      dz[e] = this.pz[p];
      r[e] = this.pr[p];
      e = fill[j]++;
      index[e] = i;
      dx[e] = -this.px[p];
      dy[e] = -this.py[p];
      dz[e] = -this.pz[p];
      r[e] = this.pr[p];
    }
    for (let i = 0; i < nAtoms; i++) {
      for (let k = 0; k < nSelf; k++) {
        const e = fill[i]++;
        const tx = this.selfT[3 * k], ty = this.selfT[3 * k + 1], tz = this.selfT[3 * k + 2];
        index[e] = i;
        dx[e] = tx;
        dy[e] = ty;
        dz[e] = tz;
        r[e] = Math.hypot(tx, ty, tz);
      }
    }
  }
}

/**
 * The neighbour list of a potential: rebuilt only when the cell (9 numbers,
 * rows a, b, c, or null), the pbc flags or the atom count change between calls,
 * so that a relaxation builds the geometry once and only refills the list.
 */
export class NeighborCache {
  private list: NeighborList | null = null;
  private readonly key = new Float64Array(13);

  constructor(private readonly cutoff: number) {}

  /** The list for this cell, pbc and atom count (built on the first call and after a change). `fn` names the caller in errors. */
  prepare(fn: string, cell: ArrayLike<number> | null, pbc: readonly [boolean, boolean, boolean], nAtoms: number): NeighborList {
    const key = this.key;
    let same = this.list !== null && key[9] === (pbc[0] ? 1 : 0) && key[10] === (pbc[1] ? 1 : 0) && key[11] === (pbc[2] ? 1 : 0) && key[12] === nAtoms;
    if (same) {
      if (cell === null) same = Number.isNaN(key[0]);
      else for (let k = 0; k < 9 && same; k++) same = key[k] === cell[k];
    }
    if (same) return this.list!;
    let c: Cell | null = null;
    if (cell !== null) {
      if (typeof cell.length !== 'number' || cell.length !== 9) {
        throw new Error(`${fn}: cell has ${String(cell.length)} numbers; expected 9 (lattice vectors a, b, c as rows, Å)`);
      }
      c = [
        [cell[0], cell[1], cell[2]],
        [cell[3], cell[4], cell[5]],
        [cell[6], cell[7], cell[8]],
      ];
    }
    const geom = imageGeometry(fn, c, [!!pbc[0], !!pbc[1], !!pbc[2]]);
    this.list = new NeighborList(geom, this.cutoff, nAtoms);
    for (let k = 0; k < 9; k++) key[k] = cell === null ? NaN : cell[k];
    key[9] = pbc[0] ? 1 : 0;
    key[10] = pbc[1] ? 1 : 0;
    key[11] = pbc[2] ? 1 : 0;
    key[12] = nAtoms;
    return this.list;
  }
}

/**
 * Forces from per-entry gradients of a neighbour list: for every entry e = (i, j) with
 * gradient g_e = ∂E/∂d_e of the energy with respect to the displacement d_e = r_j - r_i,
 * F_i += g_e and F_j -= g_e. `forces` (3 x nAtoms) is overwritten. With `reset`, the
 * gradients are zeroed on the way, for potentials that accumulate into them with `+=`.
 * Internal: shared by the Stillinger-Weber and Vashishta kernels.
 */
export function forcesFromEntryGradients(
  nAtoms: number,
  start: Int32Array,
  index: Int32Array,
  gx: Float64Array,
  gy: Float64Array,
  gz: Float64Array,
  forces: Float64Array,
  reset: boolean,
): void {
  forces.fill(0, 0, 3 * nAtoms);
  for (let i = 0; i < nAtoms; i++) {
    let fx = 0, fy = 0, fz = 0;
    for (let e = start[i]!, s1 = start[i + 1]!; e < s1; e++) {
      const x = gx[e]!, y = gy[e]!, z = gz[e]!;
      fx += x;
      fy += y;
      fz += z;
      const j3 = 3 * index[e]!;
      forces[j3] -= x;
      forces[j3 + 1] -= y;
      forces[j3 + 2] -= z;
      if (reset) {
        gx[e] = 0;
        gy[e] = 0;
        gz[e] = 0;
      }
    }
    forces[3 * i] += fx;
    forces[3 * i + 1] += fy;
    forces[3 * i + 2] += fz;
  }
}

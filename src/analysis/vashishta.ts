/**
 * The Vashishta potential (LAMMPS `pair_style vashishta`), energy and analytic
 * forces, with every periodic image and triclinic cells; parameters read from
 * the LAMMPS parameter-file format (default: SiO2, Vashishta et al. 1990).
 *
 * @module
 */
import { NeighborCache, forcesFromEntryGradients } from './neighbors.js';
import { checkFrameArrays, checkPotentialSpecies, sameSpecies, type Potential } from './potential.js';
import { SIO2_VASHISHTA_1990 } from './vashishta-sio2.js';

/** Coulomb constant e²/(4π ε0) in eV Å, as LAMMPS metal units (`qqr2e`). */
const QQR2E = 14.399645;

/** Two atoms closer than this (Å) are reported as overlapping. */
const OVERLAP = 1e-8;

/** Fields of one entry of a Vashishta file, in file order after the three elements. */
const FIELDS = ['H', 'eta', 'Zi', 'Zj', 'lambda1', 'D', 'lambda4', 'W', 'rc', 'B', 'gamma', 'r0', 'C', 'cosTheta'] as const;

/**
 * One entry of a LAMMPS Vashishta parameter file (metal units). For elements
 * (i, j, k): the two-body term of the pair i-j uses the entry (i, j, j),
 * `V2(r) = H/r^η + Zi Zj e²/r exp(-r/λ1) - D/r⁴ exp(-r/λ4) - W/r⁶`, shifted so
 * that it and its slope vanish at `rc`; the three-body term of the triplet
 * j-i-k uses B, C, cos θ of (i, j, k) and γ, r0 of (i, j, j) and (i, k, k):
 * `B exp(γ/(r_ij - r0)) exp(γ/(r_ik - r0)) (cos θ - cos θ̄)² / (1 + C (cos θ - cos θ̄)²)`.
 */
export interface VashishtaEntry {
  /** The three elements (i, j, k). */
  readonly elements: readonly [string, string, string];
  /** H (eV Å^η). */ readonly H: number;
  /** η. */ readonly eta: number;
  /** Zi (e). */ readonly Zi: number;
  /** Zj (e). */ readonly Zj: number;
  /** λ1 (Å), Coulomb screening length. */ readonly lambda1: number;
  /** D (eV Å⁴). */ readonly D: number;
  /** λ4 (Å). */ readonly lambda4: number;
  /** W (eV Å⁶). */ readonly W: number;
  /** rc (Å), two-body cutoff. */ readonly rc: number;
  /** B (eV), three-body strength. */ readonly B: number;
  /** γ (Å). */ readonly gamma: number;
  /** r0 (Å), three-body cutoff. */ readonly r0: number;
  /** C. */ readonly C: number;
  /** cos θ̄. */ readonly cosTheta: number;
}

/** A parsed Vashishta parameter file ({@link parseVashishta}). */
export interface VashishtaFile {
  /** The elements, in order of first appearance in the file. */
  readonly elements: string[];
  /** Every entry, in file order. */
  readonly entries: VashishtaEntry[];
}

/**
 * Reads a LAMMPS `pair_style vashishta` parameter file: `#` comments, then
 * entries of three element names and 14 numbers (H η Zi Zj λ1 D λ4 W rc B γ r0 C cosθ),
 * possibly spread over lines. Every triple of the file's elements must have an entry.
 *
 * @param text - the file's contents
 * @param source - the file's name for error messages
 * @returns the elements (in order of first appearance) and the entries
 * @throws Error naming the file for a malformed entry or a missing triple.
 */
export function parseVashishta(text: string, source = 'the .vashishta file'): VashishtaFile {
  const fn = 'parseVashishta';
  if (typeof text !== 'string') throw new Error(`${fn}: the text of ${source} is ${String(text)}; expected a string (the file's contents)`);
  const words = text.split('\n').map((l) => l.replace(/#.*/, '')).join(' ').split(/\s+/).filter((w) => w.length > 0);
  const width = 3 + FIELDS.length;
  if (words.length === 0 || words.length % width !== 0) {
    throw new Error(`${fn}: ${source} has ${words.length} fields outside comments; expected entries of ${width} (3 elements and ${FIELDS.length} numbers)`);
  }
  const elements: string[] = [];
  const entries: VashishtaEntry[] = [];
  for (let k = 0; k < words.length; k += width) {
    const el = [words[k], words[k + 1], words[k + 2]] as [string, string, string];
    for (const e of el) {
      if (!/^[A-Z][a-z]?$/.test(e)) throw new Error(`${fn}: ${source}, entry ${k / width + 1}: '${e}' is not an element symbol`);
      if (!elements.includes(e)) elements.push(e);
    }
    const rec: Record<string, number> = {};
    FIELDS.forEach((name, f) => {
      const v = Number(words[k + 3 + f]);
      if (!Number.isFinite(v)) throw new Error(`${fn}: ${source}, entry '${el.join(' ')}': ${name} = '${words[k + 3 + f]}' is not a number`);
      rec[name] = v;
    });
    entries.push({ elements: el, ...(rec as Omit<VashishtaEntry, 'elements'>) });
  }
  for (const a of elements) for (const b of elements) for (const c of elements) {
    if (!entries.some((e) => e.elements[0] === a && e.elements[1] === b && e.elements[2] === c)) {
      throw new Error(`${fn}: ${source} has no entry '${a} ${b} ${c}'; a Vashishta file needs every triple of its elements (${elements.join(', ')})`);
    }
  }
  return { elements, entries };
}

// Per ordered pair (i, j) of element types: two-body constants and the three-body γ, r0.
const P_H = 0, P_ETA = 1, P_ZZ = 2, P_L1 = 3, P_D = 4, P_L4 = 5, P_W = 6, P_RC = 7, P_DVRC = 8, P_C0 = 9, P_GAMMA = 10, P_R0 = 11;
const PAIR = 12;
// Per triple (i, j, k): B, C, cos θ̄.
const T_B = 0, T_C = 1, T_COS = 2;
const TRIPLE = 3;

/**
 * A Vashishta {@link Potential} (LAMMPS `pair_style vashishta`), by default for
 * SiO2 with the parameters of LAMMPS `SiO.1990.vashishta` (Vashishta, Kalia,
 * Rino, Ebbsjö, PRB 41, 12197 (1990); two-body cutoff 10 Å, three-body 2.6 Å),
 * which the package carries as text. Matches LAMMPS to 1e-6 eV/Å (tested).
 *
 * @param paramsText - the text of a LAMMPS Vashishta parameter file (default SiO.1990.vashishta)
 * @param source - the file's name, used in the potential's name and in errors
 * @example
 * ```ts
 * const { frames } = relaxStructures(silica, { potential: vashishta() });
 * ```
 * @throws Error naming the file for a malformed file; the potential throws for an element the file does not cover.
 */
export function vashishta(paramsText: string = SIO2_VASHISHTA_1990, source = paramsText === SIO2_VASHISHTA_1990 ? 'SiO.1990.vashishta' : 'the .vashishta file'): Potential {
  const { elements, entries } = parseVashishta(paramsText, source);
  const ne = elements.length;
  const pair = new Float64Array(ne * ne * PAIR);
  const triple = new Float64Array(ne * ne * ne * TRIPLE);
  let cutoff = 0, r0max = 0;
  for (const e of entries) {
    const [a, b, c] = e.elements.map((s) => elements.indexOf(s));
    const t = ((a * ne + b) * ne + c) * TRIPLE;
    triple[t + T_B] = e.B;
    triple[t + T_C] = e.C;
    triple[t + T_COS] = e.cosTheta;
    if (b !== c) continue;
    // As LAMMPS PairVashishta::setup_params: value and slope of V2 at rc, for the shift.
    const p = (a * ne + b) * PAIR;
    const rc = e.rc;
    const l1 = e.lambda1 === 0 ? 0 : 1 / e.lambda1, l4 = e.lambda4 === 0 ? 0 : 1 / e.lambda4;
    const zz = e.Zi * e.Zj * QQR2E;
    const rci = 1 / rc;
    const rc6 = rci ** 6;
    const rceta = Math.pow(rci, e.eta);
    const vc2 = zz * rci * Math.exp(-rc * l1);
    const vc3 = e.D * rci ** 4 * Math.exp(-rc * l4);
    const vrc = e.H * rceta + vc2 - vc3 - e.W * rc6;
    const dvrc = vc3 * (4 * rci + l4) + 6 * e.W * rc6 * rci - e.H * e.eta * rceta * rci - vc2 * (rci + l1);
    pair[p + P_H] = e.H;
    pair[p + P_ETA] = e.eta;
    pair[p + P_ZZ] = zz;
    pair[p + P_L1] = l1;
    pair[p + P_D] = e.D;
    pair[p + P_L4] = l4;
    pair[p + P_W] = e.W;
    pair[p + P_RC] = rc;
    pair[p + P_DVRC] = dvrc;
    pair[p + P_C0] = rc * dvrc - vrc;
    pair[p + P_GAMMA] = e.gamma;
    pair[p + P_R0] = e.r0;
    cutoff = Math.max(cutoff, rc);
    r0max = Math.max(r0max, e.r0);
  }
  const cache = new NeighborCache(Math.max(cutoff, r0max));
  const name = `vashishta (${source})`;
  let type = new Int32Array(0);
  let typed: readonly string[] | null = null;
  // Per-entry scratch (grown on demand): unit vectors, 1/r, three-body radial factor and its derivative, gradients.
  let cap = 0;
  let nx = new Float64Array(0), ny = nx, nz = nx, ir = nx, ex = nx, dex = nx, gx = nx, gy = nx, gz = nx;
  let short = new Int32Array(0);
  const potential: Potential = {
    name,
    species: Object.freeze(elements.slice()),
    cutoff: Math.max(cutoff, r0max),
    energyAndForces(positions, cell, pbc, atoms, forces) {
      const n = atoms.length;
      if (!sameSpecies(atoms, typed)) {
        checkPotentialSpecies(name, potential, atoms);
        type = Int32Array.from(atoms, (s) => elements.indexOf(s));
        typed = atoms.slice();
      }
      checkFrameArrays(name, positions, n, forces);
      const list = cache.prepare(name, cell, pbc, n);
      list.build(positions, 0);
      const { start, index, dx, dy, dz, r } = list;
      const nEntries = start[n];
      if (cap < nEntries) {
        cap = Math.max(nEntries, 2 * cap);
        nx = new Float64Array(cap); ny = new Float64Array(cap); nz = new Float64Array(cap); ir = new Float64Array(cap);
        ex = new Float64Array(cap); dex = new Float64Array(cap);
        gx = new Float64Array(cap); gy = new Float64Array(cap); gz = new Float64Array(cap);
        short = new Int32Array(cap);
      }
      const F = forces ?? null;
      let e2 = 0, e3 = 0;
      for (let i = 0; i < n; i++) {
        const ti = type[i];
        const s0 = start[i], s1 = start[i + 1];
        let ns = 0;
        for (let e = s0; e < s1; e++) {
          const rr = r[e];
          const j = index[e];
          if (!(rr > OVERLAP)) throw new Error(`${name}: atoms ${i} and ${j} overlap (distance ${rr} Å); remove one of them or move it apart`);
          const inv = 1 / rr;
          ir[e] = inv;
          nx[e] = dx[e] * inv;
          ny[e] = dy[e] * inv;
          nz[e] = dz[e] * inv;
          const p = (ti * ne + type[j]) * PAIR;
          let ge = 0;
          // Two-body: once per pair (entry with j > i), half per entry for an atom and its own image.
          if (j >= i && rr < pair[p + P_RC]) {
            const w2 = j === i ? 0.5 : 1;
            const r2i = inv * inv;
            const r6i = r2i * r2i * r2i;
            const eta = pair[p + P_ETA];
            const reta = eta === 0 ? 1 : Number.isInteger(eta) && eta > 0 && eta <= 16 ? ipow(inv, eta) : Math.pow(rr, -eta);
            const l1r = rr * pair[p + P_L1], l4r = rr * pair[p + P_L4];
            const vc2 = (pair[p + P_ZZ] * Math.exp(-l1r)) * inv;
            const D = pair[p + P_D];
            const vc3 = D === 0 ? 0 : D * r2i * r2i * Math.exp(-l4r);
            const dvrc = pair[p + P_DVRC];
            e2 += w2 * (pair[p + P_H] * reta + vc2 - vc3 - pair[p + P_W] * r6i - rr * dvrc + pair[p + P_C0]);
            if (F) {
              // dV2/dr, as -r * LAMMPS's fforce.
              const dV = -(dvrc * rr - (4 * vc3 + l4r * vc3 + 6 * pair[p + P_W] * r6i - pair[p + P_H] * pair[p + P_ETA] * reta - vc2 - l1r * vc2)) * inv;
              ge = w2 * dV;
            }
          }
          gx[e] = ge * nx[e];
          gy[e] = ge * ny[e];
          gz[e] = ge * nz[e];
          // Three-body candidates: within r0 of the (i, j, j) entry.
          const r0 = pair[p + P_R0];
          if (rr < r0) {
            const t = 1 / (rr - r0);
            const v = Math.exp(pair[p + P_GAMMA] * t);
            ex[e] = v;
            dex[e] = -pair[p + P_GAMMA] * t * t * v;
            short[ns++] = e;
          }
        }
        for (let a = 0; a < ns - 1; a++) {
          const e = short[a];
          const tj = type[index[e]];
          const nex = nx[e], ney = ny[e], nez = nz[e];
          const exe = ex[e], dexe = dex[e], ire = ir[e];
          let gex = 0, gey = 0, gez = 0;
          for (let b = a + 1; b < ns; b++) {
            const c = short[b];
            const t = ((ti * ne + tj) * ne + type[index[c]]) * TRIPLE;
            const B = triple[t + T_B];
            if (B === 0) continue;
            const ncx = nx[c], ncy = ny[c], ncz = nz[c];
            const cos = nex * ncx + ney * ncy + nez * ncz;
            const dc = cos - triple[t + T_COS];
            const den = 1 + triple[t + T_C] * dc * dc;
            const pcs = (dc * dc) / den;
            const exc = ex[c];
            const h = B * exe * exc;
            e3 += h * pcs;
            if (F) {
              // ∂E/∂d_e = h P'(cos) (n_c - cos n_e) / r_e + B P ex_c (d ex_e/dr) n_e, P' = 2 dc / den², and e <-> c.
              const hp = (h * 2 * dc) / (den * den);
              const ta = hp * ire;
              const tb = B * pcs * exc * dexe - ta * cos;
              const tc = hp * ir[c];
              const td = B * pcs * exe * dex[c] - tc * cos;
              gex += ta * ncx + tb * nex;
              gey += ta * ncy + tb * ney;
              gez += ta * ncz + tb * nez;
              gx[c] += tc * nex + td * ncx;
              gy[c] += tc * ney + td * ncy;
              gz[c] += tc * nez + td * ncz;
            }
          }
          gx[e] += gex;
          gy[e] += gey;
          gz[e] += gez;
        }
      }
      if (F) forcesFromEntryGradients(n, start, index, gx, gy, gz, F, false);
      return e2 + e3;
    },
  };
  return potential;
}

/** x^n for a small positive integer n (Math.pow is slower in hot loops). */
function ipow(x: number, n: number): number {
  let y = x;
  for (let k = 1; k < n; k++) y *= x;
  return y;
}

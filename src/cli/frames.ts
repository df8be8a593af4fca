/**
 * Frame selection on the command line, as ASE's `ase convert -n` and
 * `ase.io.read(index=...)`: a Python slice `start:stop:step` (any part may be
 * empty, negative values count from the end, a negative step walks backwards)
 * or a single index (`-1` is the last frame).
 *
 * @module
 */
import type { AtomArray, Trajectory } from '../structure/trajectory.js';
import { UsageError } from './args.js';

function parsePart(command: string, spec: string, part: string, name: string): number | null {
  const t = part.trim();
  if (t === '') return null;
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new UsageError(`repap ${command}: --frames is '${spec}'; its ${name} '${part}' is not a whole number (expected start:stop:step as in ASE, e.g. 0:1000:10, ::10, -100: or -1)`);
  }
  return Number(t);
}

/**
 * The frame indices that `spec` selects from `nFrames` frames, in order, with
 * Python's slice rules: `0:1000:10`, `::10`, `-100:`, `::-1`, or one index
 * such as `5` or `-1`.
 *
 * @throws UsageError for a malformed spec, a zero step, an index out of range
 *   or a selection with no frame.
 */
export function selectFrameSpec(command: string, spec: string, nFrames: number): Int32Array {
  const parts = spec.split(':');
  if (parts.length > 3) throw new UsageError(`repap ${command}: --frames is '${spec}'; expected start:stop:step (at most two colons), e.g. 0:1000:10`);
  if (parts.length === 1) {
    const i = parsePart(command, spec, parts[0], 'index');
    if (i === null) throw new UsageError(`repap ${command}: --frames is empty; expected an index or start:stop:step, e.g. 0:1000:10`);
    if (i < -nFrames || i >= nFrames) {
      throw new UsageError(`repap ${command}: --frames ${spec} is out of range; the input has ${nFrames} frames (indices 0 to ${nFrames - 1}, or -${nFrames} to -1)`);
    }
    return Int32Array.of(i < 0 ? i + nFrames : i);
  }
  const start = parsePart(command, spec, parts[0], 'start');
  const stop = parsePart(command, spec, parts[1], 'stop');
  const step = parts.length === 3 ? parsePart(command, spec, parts[2], 'step') ?? 1 : 1;
  if (step === 0) throw new UsageError(`repap ${command}: --frames is '${spec}'; the step cannot be 0`);
  // Python's slice.indices()
  const norm = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + nFrames : v;
    return Math.min(hi, Math.max(lo, w));
  };
  const out: number[] = [];
  if (step > 0) {
    const s = norm(start, 0, 0, nFrames), e = norm(stop, nFrames, 0, nFrames);
    for (let f = s; f < e; f += step) out.push(f);
  } else {
    const s = norm(start, nFrames - 1, -1, nFrames - 1), e = norm(stop, -1, -1, nFrames - 1);
    for (let f = s; f > e; f += step) out.push(f);
  }
  if (out.length === 0) throw new UsageError(`repap ${command}: --frames ${spec} selects none of the ${nFrames} frames`);
  return Int32Array.from(out);
}

/** The frames `idx` of `traj` (in that order) as a new trajectory, per-atom arrays included. */
export function takeFrames(traj: Trajectory, idx: Int32Array): Trajectory {
  const n = traj.nAtoms * 3;
  const positions = traj.positions instanceof Float32Array ? new Float32Array(idx.length * n) : new Float64Array(idx.length * n);
  for (let k = 0; k < idx.length; k++) positions.set(traj.positions.subarray(idx[k] * n, (idx[k] + 1) * n), k * n);
  const info = Array.from(idx, (f) => traj.info[f]);
  let arrays: Record<string, AtomArray> | undefined;
  if (traj.arrays) {
    arrays = {};
    for (const [name, a] of Object.entries(traj.arrays)) {
      const per = traj.nAtoms * a.nCols;
      const data = a.data;
      let out: AtomArray['data'];
      if (Array.isArray(data)) {
        const s: string[] = [];
        for (const f of idx) for (let j = 0; j < per; j++) s.push(data[f * per + j]);
        out = s;
      } else {
        const typed = data as Float64Array | Int32Array | Uint8Array;
        const t = new (typed.constructor as { new (n: number): Float64Array | Int32Array | Uint8Array })(idx.length * per);
        for (let k = 0; k < idx.length; k++) t.set(typed.subarray(idx[k] * per, (idx[k] + 1) * per), k * per);
        out = t;
      }
      arrays[name] = { type: a.type, nCols: a.nCols, data: out };
    }
  }
  return { ...traj, nFrames: idx.length, positions, info, ...(arrays ? { arrays } : {}) };
}

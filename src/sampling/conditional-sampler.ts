/**
 * `ConditionalSampler`: O(T) batched, seeded generation of structures from a
 * trained RePAP network, with conditional generation on a fixed prefix of
 * atoms and minimum-distance (or any {@link Constraint}) resampling.
 *
 * @module
 */
import type { GenerativeModelSource } from '../model/source.js';
import { FALLBACK_SAMPLING } from '../model/sampling-defaults.js';
import type { TokenCodec } from '../encoding/types.js';
import type { Trajectory, FrameInfo } from '../structure/trajectory.js';
import { MinimumDistance, PairMetric, type Constraint, type ConstraintContext } from './constraint.js';
import { pairTableOf, resolvePairTable, type PairDistanceTable } from '../structure/pair-table.js';
import { applyTemperature, greedySampler, multinomialSampler, type TokenSampler } from './token-sampler.js';
import { freshSeed, structureRandom } from './rng.js';
import { checkStackWeights, JsStackEngine, type StepEngine } from './engine.js';
import { RerunEngine } from './rerun-engine.js';
import { WasmStackEngine, wasmSimdSupported } from './wasm-engine.js';
import { TfjsStackEngine } from './tfjs-engine.js';

/**
 * Backtracks in a row that get no further than the furthest atom reached, after which a structure
 * starts again from its first generated atom. Chosen on validation structures of the two shipped
 * models among 1, 3 and 10 (and never): fastest, and the ensemble nearest the model's own valid
 * structures (docs/silica.md).
 */
const RESTART_AFTER = 3;

/** Most coordinates `sample()` returns in one trajectory (2^27 float64: 1 GiB); beyond it, `stream()`. */
const MAX_SAMPLE_VALUES = 2 ** 27;

/**
 * Which implementation runs the network steps.
 * - `'auto'` (default): `'wasm'` when the source has `stackWeights()` and WebAssembly SIMD is available, else `'js'`; `'rerun'` without `stackWeights()`.
 * - `'wasm'`: the generated WebAssembly SIMD kernel on the typed-array weights (fastest; independent of the tfjs backend).
 * - `'js'`: plain JavaScript cell equations on the typed-array weights (reference).
 * - `'tfjs'`: the cell equations as tfjs ops on the active tfjs backend.
 * - `'rerun'`: runs `source.network` on the whole prefix at every step, O(T^2) (any architecture; the original code's way).
 */
export type SamplerEngine = 'auto' | 'wasm' | 'js' | 'tfjs' | 'rerun';

/** Options fixed for the life of a sampler. */
export interface ConditionalSamplerOptions {
  /** Step engine; default `'auto'`. */
  engine?: SamplerEngine;
  /**
   * Threads for the `'wasm'` engine: 1 (default) runs on the calling thread;
   * more splits every step's rows over that many threads (the caller plus
   * `threads - 1` `worker_threads`; Node only, needs SharedArrayBuffer).
   * Workers start with every `sample` / `stream` call (tens of ms), so use
   * threads for large runs (batch >= 100). Results are identical to 1 thread.
   */
  threads?: number;
}

/** Options of one `sample` / `stream` call. */
export interface SampleOptions {
  /** Seed of the run (any integer). Same seed, same options, same backend: bit-identical structures. Default: a fresh seed (reported in `stats.seed`). */
  seed?: number;
  /** Structures generated in parallel (>= 1). Default `min(n, 256)`. The output does not depend on it. */
  batchSize?: number;
  /**
   * Temperature T > 0 applied to each normalised output distribution:
   * `p_k^(1/T) / sum_j p_j^(1/T)`. T < 1 sharpens, T > 1 flattens. Default: the model's stored
   * `samplingDefaults.temperature`, else 1. The first coordinate (drawn from the training data) is not tempered.
   */
  temperature?: number;
  /** Greedy (argmax) decoding of every network output; shorthand for `sampler: greedySampler`. x0 is still drawn from the training data. */
  greedy?: boolean;
  /** Token-drawing strategy; default {@link multinomialSampler}. */
  sampler?: TokenSampler;
  /** Add a uniform offset inside the grid cell to every generated coordinate (the original code's +-half a cell). Default false: cell centres. */
  jitter?: boolean;
  /**
   * Conditional generation: the first m atoms (in the encoder's order, i.e.
   * original atoms `codec.permutation[0 .. m-1]`) fixed at these Cartesian
   * coordinates in Å, as m rows `[x, y, z]` or a flat array of 3m numbers. They
   * are fed to the network as their grid cells and copied exactly into the output.
   * On a non-periodic axis a coordinate outside the encoder's range is an
   * error; periodic axes wrap (the coordinate is still copied as given).
   * The prefix is run through the network once per batch, not per structure.
   */
  prefix?: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /**
   * Minimum interatomic distance in Å (minimum image if periodic); 0 switches it off. Or a table of one
   * distance per species pair of the model (`{ 'Si-O': 1.3, 'O-O': 2.1, 'Si-Si': 2.6 }`; a pair missing,
   * a negative value or a species the model was not trained on is an error naming it). Default: the
   * model's stored per-pair table (`samplingDefaults.minDistances`), else its stored `minDistance`, else 2.0.
   */
  minDistance?: number | PairDistanceTable;
  /** Draws per atom at most, the first included, before the atom is kept as a violation. Default: the model's stored default, else 10. */
  maxTries?: number;
  /**
   * Backtracks per structure at most (integer >= 0; 0 switches backtracking off). When an atom still
   * fails a constraint after `maxTries` draws, the sampler undoes the `backtrackDepth` atoms before it
   * (restoring the network state saved before the first of them) and draws them again, each with
   * fresh tries; each undo spends one backtrack. When the budget is spent the last draw is kept and the
   * structure is reported as violating. Default: the model's stored default, else 0.
   */
  maxBacktracks?: number;
  /**
   * Atoms undone by one backtrack (integer >= 1): the failing atom is drawn again after its
   * `backtrackDepth` predecessors (never prefix atoms). A failure at the first atom of an undone
   * stretch goes back up to `backtrackDepth` further; after 3 backtracks in a row that get no further
   * than the furthest atom reached, the structure starts again from its first generated atom (each
   * restart spends one backtrack too). Default: the model's stored default, else 3.
   */
  backtrackDepth?: number;
  /** Further constraints, checked after the minimum distance, all of which an atom must pass. */
  constraints?: readonly Constraint[];
  /** Called after every batch with the structures finished so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Resampling statistics of a run or a batch. */
export interface SampleStats {
  /** The seed used (give it back as `seed` to repeat the run). */
  readonly seed: number;
  /** Engine that ran the network. */
  readonly engine: string;
  /** Structures generated. */
  readonly structures: number;
  /** Index of the first structure (0 for a whole run; the batch offset in a stream). */
  readonly offset: number;
  /** Generated (non-prefix) atoms placed. */
  readonly placedAtoms: number;
  /** Atoms that failed a constraint at least once and were drawn again. */
  readonly resampledAtoms: number;
  /** Extra draws in total (an atom drawn 3 times counts 2; atoms drawn again after a backtrack are counted in `undoneAtoms`). */
  readonly redraws: number;
  /** Backtracks in total (see {@link SampleOptions.maxBacktracks}). */
  readonly backtracks: number;
  /** Atoms undone by backtracks in total (an atom undone twice counts 2). */
  readonly undoneAtoms: number;
  /** resampledAtoms / placedAtoms: the paper's replacement rate (0 when nothing was placed). */
  readonly replacementRate: number;
  /** Per structure (index i = structure offset + i). */
  readonly perStructure: {
    /** Atoms resampled at least once. */
    readonly resampledAtoms: Int32Array;
    /** Extra draws. */
    readonly redraws: Int32Array;
    /** Atoms still violating a constraint after `maxTries` draws and the backtracks. */
    readonly violatingAtoms: Int32Array;
    /** Backtracks. */
    readonly backtracks: Int32Array;
    /** Atoms undone by backtracks. */
    readonly undoneAtoms: Int32Array;
    /** resampledAtoms / generated atoms of each structure. */
    readonly replacementRate: Float64Array;
  };
  /** Indices (in the run) of the structures that still violate a constraint after the tries. */
  readonly violatingStructures: readonly number[];
  /** Wall time in seconds. */
  readonly seconds: number;
  /** The temperature, minimum distance and tries this run used, and which of them came from the model's stored defaults. */
  readonly settings: SamplingSettings;
}

/** A sampling setting that a model may store (see {@link SamplingSettings.fromModel}). */
export type SamplingField = 'temperature' | 'minDistance' | 'maxTries' | 'maxBacktracks' | 'backtrackDepth';

/** The sampling settings a run used (see {@link SampleStats.settings}). */
export interface SamplingSettings {
  /** Temperature of the output distributions. */
  readonly temperature: number;
  /** Minimum interatomic distance (Å); 0 = resampling off. With a per-pair table, its smallest value. */
  readonly minDistance: number;
  /** The per-species-pair minimum distances used (Å), or null when one distance held for every pair. */
  readonly minDistances: Readonly<Record<string, number>> | null;
  /** Draws per atom at most. */
  readonly maxTries: number;
  /** Backtracks per structure at most (0: off). */
  readonly maxBacktracks: number;
  /** Atoms undone by one backtrack. */
  readonly backtrackDepth: number;
  /** The fields taken from the model's stored sampling defaults (the others came from the call or the fallbacks 1, 2.0 Å, 10, 0, 3). */
  readonly fromModel: readonly SamplingField[];
}

/** Result of `sample`: the structures and how the constraints went. */
export interface SampleResult {
  /** Generated structures as frames, atoms in the training (original) order, with the training cell, pbc and species. */
  readonly trajectory: Trajectory;
  /** Resampling statistics. */
  readonly stats: SampleStats;
}

interface Resolved {
  seed: number;
  batchSize: number;
  temperature: number;
  sampler: TokenSampler;
  jitter: boolean;
  prefixPos: Float64Array;
  prefixCells: Int32Array;
  prefixAtoms: number;
  maxTries: number;
  maxBacktracks: number;
  backtrackDepth: number;
  constraints: Constraint[];
  onProgress?: (done: number, total: number) => void;
  settings: SamplingSettings;
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/**
 * Generates structures from a trained network, one coordinate at a time,
 * carrying the LSTM state (O(T) per structure), many structures in parallel.
 *
 * Sampling follows the paper: x of the first atom is drawn from the training
 * data's first coordinates (`source.firstCoordinates`); every later coordinate
 * from the network output normalised to sum 1 (then tempered, then drawn by
 * the {@link TokenSampler}); each drawn cell is fed back as the next input.
 * After an atom's z, the constraints (minimum distance by default) are
 * checked; a refused atom is rewound (the LSTM state restored from before its
 * x) and drawn again, up to `maxTries` times.
 *
 * Every structure has its own seeded random stream (pure-rand xoroshiro128+,
 * derived from the seed and the structure's index), so results depend neither
 * on `batchSize` nor on how a stream is consumed.
 *
 * @example
 * ```ts
 * const sampler = new ConditionalSampler(model);
 * const { trajectory, stats } = await sampler.sample(250, { seed: 1, minDistance: 2.0 });
 * console.log(stats.replacementRate);
 * ```
 */
export class ConditionalSampler {
  private readonly engineKind: SamplerEngine;
  private readonly threads: number;

  /**
   * @param source the trained model (for example a `RePAPModel`).
   * @param options engine choice; see {@link ConditionalSamplerOptions}.
   */
  constructor(readonly source: GenerativeModelSource, options: ConditionalSamplerOptions = {}) {
    if (source === null || typeof source !== 'object' || !source.codec) {
      throw new Error('ConditionalSampler: source must be a GenerativeModelSource (for example a trained RePAPModel) with a codec');
    }
    const engine = options.engine ?? 'auto';
    if (!['auto', 'wasm', 'js', 'tfjs', 'rerun'].includes(engine)) {
      throw new Error(`ConditionalSampler: options.engine must be 'auto', 'wasm', 'js', 'tfjs' or 'rerun' (got '${engine}')`);
    }
    const threads = options.threads ?? 1;
    if (!isInt(threads) || threads < 1 || threads > 64) {
      throw new Error(`ConditionalSampler: options.threads must be an integer in [1, 64] (got ${threads})`);
    }
    this.engineKind = engine;
    this.threads = threads;
    const c = source.codec;
    if (c.sequenceLength !== 3 * c.nAtoms) {
      throw new Error(`ConditionalSampler: codec.sequenceLength (${c.sequenceLength}) must be 3 * codec.nAtoms (${3 * c.nAtoms})`);
    }
  }

  /** The codec of the source. */
  get codec(): TokenCodec {
    return this.source.codec;
  }

  private checkAlive(): void {
    if (this.source.isDisposed) {
      throw new Error('ConditionalSampler: its model was disposed; sample from a live model (load it again and create a new sampler)');
    }
  }

  /** Builds the step engine for one call (the caller disposes it). */
  private createEngine(): StepEngine {
    const { source } = this;
    const kind = this.engineKind;
    if (kind === 'rerun') return new RerunEngine(source.network, source.codec);
    const w = source.stackWeights();
    if (w === null) {
      if (kind === 'auto') return new RerunEngine(source.network, source.codec);
      throw new Error(`ConditionalSampler: engine '${kind}' needs source.stackWeights() (an LSTM stack); this model has none: use engine 'auto' or 'rerun'`);
    }
    const problem = checkStackWeights(w, source.codec);
    if (problem !== null) throw new Error(`ConditionalSampler: ${problem}`);
    if (kind === 'js') return new JsStackEngine(w, source.codec);
    if (kind === 'tfjs') return new TfjsStackEngine(w, source.codec);
    const wasmOk = wasmSimdSupported() && WasmStackEngine.supports(w);
    if (kind === 'wasm' && !wasmOk) {
      throw new Error("ConditionalSampler: engine 'wasm' needs WebAssembly SIMD and sigmoid gates with tanh; use engine 'js' or 'auto'");
    }
    if (wasmOk) return new WasmStackEngine(w, source.codec, { threads: this.threads });
    return new JsStackEngine(w, source.codec);
  }

  private resolve(n: number, options: SampleOptions): Resolved {
    if (!isInt(n) || n < 1) throw new Error(`sample: n (number of structures) must be an integer >= 1 (got ${n})`);
    const o = options ?? {};
    const codec = this.source.codec;
    const seed = o.seed ?? freshSeed();
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      throw new Error(`sample: options.seed must be an integer (got ${typeof seed === 'string' ? `'${seed}'` : String(seed)}); a fractional seed would silently lose its fraction`);
    }
    const batchSize = o.batchSize ?? Math.min(n, 256);
    if (!isInt(batchSize) || batchSize < 1) throw new Error(`sample: options.batchSize must be an integer >= 1 (got ${batchSize})`);
    const stored = this.source.samplingDefaults ?? null;
    const fromModel: SamplingField[] = [];
    const pick = (key: SamplingField, fallback: number): number => {
      const given = o[key];
      if (given !== undefined) return given as number;
      const kept = stored?.[key];
      if (kept !== undefined) {
        fromModel.push(key);
        return kept;
      }
      return fallback;
    };
    const temperature = pick('temperature', FALLBACK_SAMPLING.temperature);
    if (!(typeof temperature === 'number' && temperature > 0 && Number.isFinite(temperature))) {
      throw new Error(`sample: options.temperature must be a finite number > 0 (got ${temperature}); use greedy: true for argmax decoding`);
    }
    if (o.greedy && o.sampler) throw new Error('sample: give either options.greedy or options.sampler, not both');
    const sampler = o.greedy ? greedySampler : o.sampler ?? multinomialSampler;
    if (typeof sampler.draw !== 'function') throw new Error('sample: options.sampler must have a draw(probs, offset, size, random) method');
    let minDistanceOption: number | PairDistanceTable;
    if (o.minDistance !== undefined) minDistanceOption = o.minDistance;
    else if (stored?.minDistances) {
      fromModel.push('minDistance');
      minDistanceOption = stored.minDistances;
    } else minDistanceOption = pick('minDistance', FALLBACK_SAMPLING.minDistance);
    let minDistance: number;
    let minDistances: Record<string, number> | null = null;
    let distanceConstraint: MinimumDistance | null = null;
    if (typeof minDistanceOption === 'number') {
      minDistance = minDistanceOption;
      if (!(Number.isFinite(minDistance) && minDistance >= 0)) {
        throw new Error(`sample: options.minDistance must be a finite number of Å >= 0 (got ${minDistance}); use 0 to switch resampling off`);
      }
      if (minDistance > 0) distanceConstraint = new MinimumDistance(minDistance);
    } else {
      const where = o.minDistance !== undefined ? 'sample: options.minDistance' : "sample: the model's stored samplingDefaults.minDistances";
      const resolved = resolvePairTable(minDistanceOption, codec.orderedSpecies, where);
      minDistances = pairTableOf(resolved);
      minDistance = Math.min(...Object.values(minDistances));
      distanceConstraint = new MinimumDistance(minDistanceOption, codec.orderedSpecies);
    }
    const maxTries = pick('maxTries', FALLBACK_SAMPLING.maxTries);
    if (!isInt(maxTries) || maxTries < 1) throw new Error(`sample: options.maxTries must be an integer >= 1 (got ${maxTries})`);
    const maxBacktracks = pick('maxBacktracks', FALLBACK_SAMPLING.maxBacktracks ?? 0);
    if (!isInt(maxBacktracks) || maxBacktracks < 0) {
      throw new Error(`sample: options.maxBacktracks must be an integer >= 0 (got ${maxBacktracks}); use 0 to switch backtracking off`);
    }
    const backtrackDepth = pick('backtrackDepth', FALLBACK_SAMPLING.backtrackDepth ?? 3);
    if (!isInt(backtrackDepth) || backtrackDepth < 1 || backtrackDepth > 1000) {
      throw new Error(`sample: options.backtrackDepth must be an integer from 1 to 1000 atoms (got ${backtrackDepth})`);
    }
    const constraints: Constraint[] = [];
    if (distanceConstraint) constraints.push(distanceConstraint);
    for (const [i, c] of (o.constraints ?? []).entries()) {
      if (!c || typeof c.accept !== 'function') throw new Error(`sample: options.constraints[${i}] must have an accept(positions, atomIndex, context) method`);
      constraints.push(c);
    }
    // prefix
    let flat: number[] = [];
    if (o.prefix !== undefined && o.prefix !== null) {
      const p = o.prefix as ArrayLike<unknown>;
      if (p.length > 0 && typeof p[0] === 'object') {
        for (let i = 0; i < p.length; i++) {
          const row = p[i] as ArrayLike<number>;
          if (!row || row.length !== 3) throw new Error(`sample: options.prefix[${i}] must be [x, y, z] in Å (got ${row ? row.length : row} values)`);
          flat.push(row[0], row[1], row[2]);
        }
      } else {
        if (p.length % 3 !== 0) throw new Error(`sample: options.prefix has ${p.length} numbers; give 3 per atom (x, y, z in Å)`);
        flat = Array.from(p as ArrayLike<number>);
      }
    }
    const prefixAtoms = flat.length / 3;
    if (prefixAtoms > codec.nAtoms) {
      throw new Error(`sample: options.prefix has ${prefixAtoms} atoms but a structure has only ${codec.nAtoms}; give at most ${codec.nAtoms}`);
    }
    const prefixPos = Float64Array.from(flat);
    const prefixCells = new Int32Array(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const v = flat[i];
      const atom = Math.floor(i / 3), axis = i % 3;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`sample: options.prefix atom ${atom} ${'xyz'[axis]} is ${v}; give finite coordinates in Å`);
      }
      try {
        prefixCells[i] = codec.cellOf(v, axis);
      } catch (e) {
        throw new Error(`sample: options.prefix atom ${atom} ${'xyz'[axis]} = ${v} Å lies outside the grid range of the encoder: ${(e as Error).message}`);
      }
      if (!(prefixCells[i] >= 0 && prefixCells[i] < codec.gridSize)) {
        throw new Error(`sample: options.prefix atom ${atom} ${'xyz'[axis]} = ${v} Å lies outside the grid range of the encoder`);
      }
    }
    if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new Error('sample: options.onProgress must be a function');
    return {
      seed, batchSize, temperature, sampler, jitter: !!o.jitter, prefixPos, prefixCells, prefixAtoms,
      maxTries, maxBacktracks, backtrackDepth, constraints, onProgress: o.onProgress,
      settings: { temperature, minDistance, minDistances, maxTries, maxBacktracks, backtrackDepth, fromModel },
    };
  }

  /**
   * Generates `n` structures and returns them as one trajectory (frame i =
   * structure i) with the resampling statistics. For very many structures,
   * prefer {@link ConditionalSampler.stream}; above 2^27 coordinates (1 GiB,
   * about 1.5 million 30-atom structures) `sample` refuses and points to it.
   */
  async sample(n: number, options: SampleOptions = {}): Promise<SampleResult> {
    this.checkAlive();
    const r = this.resolve(n, options);
    const t0 = now();
    const nA = this.source.codec.nAtoms;
    if (n * nA * 3 > MAX_SAMPLE_VALUES) {
      throw new Error(
        `sample: ${n} structures of ${nA} atoms need ${((n * nA * 24) / 2 ** 30).toFixed(1)} GiB of positions in one trajectory, above the ${MAX_SAMPLE_VALUES / 2 ** 27} GiB that sample() holds; use stream(n, options), which yields one batch at a time (for await (const batch of sampler.stream(n)) ...) with the same structures`,
      );
    }
    const positions = new Float64Array(n * nA * 3);
    const info: FrameInfo[] = [];
    const res = new Int32Array(n), red = new Int32Array(n), vio = new Int32Array(n), bts = new Int32Array(n), und = new Int32Array(n);
    let engineName = '';
    for await (const batch of this.run(n, r)) {
      positions.set(batch.trajectory.positions, batch.stats.offset * nA * 3);
      for (const f of batch.trajectory.info) info.push(f);
      res.set(batch.stats.perStructure.resampledAtoms, batch.stats.offset);
      red.set(batch.stats.perStructure.redraws, batch.stats.offset);
      vio.set(batch.stats.perStructure.violatingAtoms, batch.stats.offset);
      bts.set(batch.stats.perStructure.backtracks, batch.stats.offset);
      und.set(batch.stats.perStructure.undoneAtoms, batch.stats.offset);
      engineName = batch.stats.engine;
    }
    const stats = makeStats(r.seed, engineName, 0, n, nA - r.prefixAtoms, { resampled: res, redraws: red, violating: vio, backtracks: bts, undone: und }, (now() - t0) / 1000, r.settings);
    const species: string[] = new Array(nA);
    const codec = this.source.codec;
    for (let k = 0; k < nA; k++) species[codec.permutation[k]] = codec.orderedSpecies[k];
    const cell = this.source.cell;
    const trajectory: Trajectory = {
      nFrames: n, nAtoms: nA, positions, species, info, pbc: [...this.source.pbc],
      cell: cell === null ? null : [[...cell[0]], [...cell[1]], [...cell[2]]],
    };
    return { trajectory, stats };
  }

  /**
   * Generates `n` structures batch by batch as an async iterator: each item is
   * one batch's structures and statistics (`stats.offset` = index of its first
   * structure). Only one batch is held in memory, so 100,000 structures stream
   * in constant memory. The structures are identical to `sample(n, options)`.
   */
  stream(n: number, options: SampleOptions = {}): AsyncGenerator<SampleResult> {
    this.checkAlive();
    const r = this.resolve(n, options);
    return this.run(n, r);
  }

  /**
   * Teacher-forced next-token distributions of one token sequence (grid cells
   * of tokens 0 .. T-1 in the encoder's order; the last one is not needed):
   * row t of the result (`[T-1, gridSize]`) is the normalised output after
   * feeding tokens 0 .. t, computed by this sampler's engine with carried
   * state. Useful to check an engine against `source.network`.
   */
  probabilities(cells: ArrayLike<number>): Float32Array {
    this.checkAlive();
    const codec = this.source.codec;
    const T = codec.sequenceLength, G = codec.gridSize;
    if (cells.length < T - 1) throw new Error(`probabilities: cells has ${cells.length} tokens; give at least ${T - 1} (sequenceLength - 1)`);
    for (let t = 0; t < T - 1; t++) {
      if (!isInt(cells[t]) || cells[t] < 0 || cells[t] >= G) throw new Error(`probabilities: cells[${t}] = ${cells[t]} is not a grid cell in [0, ${G})`);
    }
    const engine = this.createEngine();
    try {
      engine.ensureRows(1);
      engine.reset(0, 1);
      const out = new Float32Array((T - 1) * G);
      const buf = new Float32Array(G);
      const c = new Int32Array(1);
      for (let t = 0; t < T - 1; t++) {
        c[0] = cells[t];
        engine.step(0, 1, t, c, buf);
        normalise(buf, 0, G, t);
        out.set(buf, t * G);
      }
      return out;
    } finally {
      engine.dispose();
    }
  }

  private trajectory(ordered: Float64Array, frames: number, info: FrameInfo[]): Trajectory {
    const codec = this.source.codec;
    const nA = codec.nAtoms;
    const perm = codec.permutation;
    const positions = new Float64Array(frames * nA * 3);
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k < nA; k++) {
        const src = (f * nA + k) * 3, dst = (f * nA + perm[k]) * 3;
        positions[dst] = ordered[src];
        positions[dst + 1] = ordered[src + 1];
        positions[dst + 2] = ordered[src + 2];
      }
    }
    const species: string[] = new Array(nA);
    for (let k = 0; k < nA; k++) species[perm[k]] = codec.orderedSpecies[k];
    const cell = this.source.cell;
    return {
      nFrames: frames,
      nAtoms: nA,
      positions,
      cell: cell === null ? null : [[...cell[0]], [...cell[1]], [...cell[2]]],
      pbc: [...this.source.pbc],
      species,
      info,
    };
  }

  private async *run(n: number, r: Resolved): AsyncGenerator<SampleResult> {
    const engine = this.createEngine();
    try {
      let done = 0;
      while (done < n) {
        this.checkAlive();
        const b = Math.min(r.batchSize, n - done);
        const t0 = now();
        const batch = await this.generateBatch(engine, done, b, r);
        const stats = makeStats(r.seed, engine.name, done, b, this.source.codec.nAtoms - r.prefixAtoms, batch, (now() - t0) / 1000, r.settings);
        const info: FrameInfo[] = [];
        for (let i = 0; i < b; i++) {
          info.push({ structure: done + i, resampled_atoms: batch.resampled[i], violating_atoms: batch.violating[i], ...(r.maxBacktracks > 0 ? { backtracks: batch.backtracks[i] } : {}) });
        }
        done += b;
        r.onProgress?.(done, n);
        yield { trajectory: this.trajectory(batch.positions, b, info), stats };
        if (done < n) await new Promise<void>((res) => setTimeout(res, 0));
      }
    } finally {
      engine.dispose();
    }
  }

  /**
   * One batch of `B` structures with run indices `offset .. offset + B - 1`. Positions in the encoder's order.
   * Awaits only engines with `stepAsync`; with the others it runs to the end synchronously.
   *
   * Every row (structure) runs its own sequence of steps: draw x, y, z of an atom, check it, then
   * keep it (feed z), draw it again (restore the state saved before its x) or backtrack (restore the
   * state saved before an earlier atom). Each round steps the rows whose next step is the lowest
   * together, so rows that redraw catch up before the others go on, and with nothing refused the whole
   * batch steps as one. A row's draws come from its own random stream in the same order whatever the
   * batch, so the structures do not depend on the batch size.
   *
   * Engine rows: 0 .. B-1 live; B .. 2B-1 scratch for a group of rows that is not contiguous;
   * 2B + s * B + i the ring slot s of row i (state before the x of atom a, s = a mod R); 2B + R * B + i
   * the state before the first generated atom m (where a backtrack that finds the ring exhausted restarts).
   */
  private async generateBatch(engine: StepEngine, offset: number, B: number, r: Resolved) {
    const { source } = this;
    const codec = source.codec;
    const G = codec.gridSize, nA = codec.nAtoms;
    const constrained = r.constraints.length > 0;
    const stepAsync = engine.stepAsync?.bind(engine);
    // ring of saved states: the current atom's, and with backtracking 2 * depth earlier ones
    const R = constrained ? (r.maxBacktracks > 0 ? 2 * Math.min(r.backtrackDepth, nA) + 1 : 1) : 0;
    const SCRATCH = B, RING = 2 * B;
    engine.ensureRows(constrained ? (3 + R) * B : B);
    const positions = new Float64Array(B * nA * 3);
    const resampled = new Int32Array(B), redraws = new Int32Array(B), violating = new Int32Array(B);
    const backtracks = new Int32Array(B), undone = new Int32Array(B);
    const random = Array.from({ length: B }, (_, i) => structureRandom(r.seed, offset + i));
    // jitter has its own stream, so switching it on moves coordinates inside their cells without changing the cells
    const jitterRandom = r.jitter ? Array.from({ length: B }, (_, i) => structureRandom(r.seed, offset + i, 1)) : [];
    const P = new Float32Array(B * G); // each row's output of its last step (the distribution of its next token)
    const Q = constrained ? new Float32Array(B * G) : P; // outputs of a gathered group
    const XR = new Float32Array(constrained ? (R + 1) * B * G : 0); // saved x distributions, slot s of row i at (s * B + i) * G
    const cx = new Int32Array(B), cy = new Int32Array(B), zc = new Int32Array(B);
    const tok = new Int32Array(B), gtok = new Int32Array(B), group = new Int32Array(B);
    const nextStep = new Int32Array(B); // the step each row feeds next; -1 when it is finished
    const atomOf = new Int32Array(B), tries = new Int32Array(B), oldest = new Int32Array(B);
    // furthest atom each row has begun, and backtracks since it last went further
    const reach = new Int32Array(B), stuck = new Int32Array(B);
    const bad = constrained ? new Uint8Array(B * nA) : null; // atoms kept although they fail
    const first = source.firstCoordinates;
    const firstCells = new Int32Array(first.length);
    if (r.prefixAtoms === 0) {
      if (first.length === 0) throw new Error('sample: source.firstCoordinates is empty; the model needs the training first coordinates to draw x0 (or give a prefix)');
      for (let i = 0; i < first.length; i++) firstCells[i] = codec.cellOf(first[i], 0);
    }
    const drawFirst = (row: number): number => firstCells[Math.min(first.length - 1, Math.floor(random[row]() * first.length))];
    const drawNext = (buf: Float32Array, i: number, row: number, step: number): number => {
      normalise(buf, i * G, G, step);
      if (r.temperature !== 1) applyTemperature(buf, i * G, G, r.temperature);
      const c = r.sampler.draw(buf, i * G, G, random[row]);
      if (!(isInt(c) && c >= 0 && c < G)) throw new Error(`sample: options.sampler '${r.sampler.name}' returned ${c}; it must return a cell index in [0, ${G})`);
      return c;
    };
    const place = (row: number, k: number, x: number, y: number, z: number): void => {
      const o = (row * nA + k) * 3;
      positions[o] = codec.decode(x, 0, r.jitter ? jitterRandom[row]() - 0.5 : 0);
      positions[o + 1] = codec.decode(y, 1, r.jitter ? jitterRandom[row]() - 0.5 : 0);
      positions[o + 2] = codec.decode(z, 2, r.jitter ? jitterRandom[row]() - 0.5 : 0);
    };
    const metric = new PairMetric(source.cell, source.pbc);
    const view = new Float64Array(positions.buffer); // whole batch; per-row subarrays below
    const rowPositions = Array.from({ length: B }, (_, i) => view.subarray(i * nA * 3, (i + 1) * nA * 3));
    const ctx = (row: number): ConstraintContext => ({ metric, species: codec.orderedSpecies, nAtoms: nA, structure: offset + row });
    const contexts = constrained ? Array.from({ length: B }, (_, i) => ctx(i)) : [];
    const accepts = (row: number, k: number): boolean => {
      for (const c of r.constraints) if (!c.accept(rowPositions[row], k, contexts[row])) return false;
      return true;
    };

    // prefix: identical for every row, so run it once on row 0 and copy the state
    const m = r.prefixAtoms;
    const T = codec.sequenceLength;
    if (m > 0) {
      engine.reset(0, 1);
      const one = new Int32Array(1);
      const last = Math.min(3 * m, T - 1); // steps 0 .. last-1
      for (let t = 0; t < last; t++) {
        one[0] = r.prefixCells[t];
        if (stepAsync) await stepAsync(0, 1, t, one, P); else engine.step(0, 1, t, one, P);
      }
      for (let i = 1; i < B; i++) {
        engine.copyRows(0, i, 1);
        P.copyWithin(i * G, 0, G);
      }
      for (let i = 0; i < B; i++) positions.set(r.prefixPos, i * nA * 3);
    } else {
      engine.reset(0, B);
    }
    if (m >= nA) return { positions, resampled, redraws, violating, backtracks, undone };

    /** Saves row i's state and raw x distribution as the ring slot of atom k (before its x). */
    const save = (i: number, k: number): void => {
      if (k === 0) return; // atom 0 restarts from the zero state
      const s = k === m ? R : k % R;
      engine.copyRows(i, RING + s * B + i, 1);
      XR.set(P.subarray(i * G, (i + 1) * G), (s * B + i) * G);
      if (k > m && k - oldest[i] >= R) oldest[i] = k - R + 1;
    };
    /** Restores row i to the state before atom k's x (saved by `save`). */
    const restore = (i: number, k: number): void => {
      if (k === 0) {
        engine.reset(i, 1);
        return;
      }
      const s = k === m ? R : k % R;
      engine.copyRows(RING + s * B + i, i, 1);
      P.set(XR.subarray((s * B + i) * G, (s * B + i + 1) * G), i * G);
    };
    /** Draws the x of atom k for row i and queues its step. */
    const begin = (i: number, k: number): void => {
      atomOf[i] = k;
      if (k > reach[i]) {
        reach[i] = k;
        stuck[i] = 0;
      }
      if (bad) bad[i * nA + k] = 0;
      cx[i] = k === 0 ? drawFirst(i) : drawNext(P, i, i, 3 * k - 1);
      tok[i] = cx[i];
      nextStep[i] = 3 * k;
    };
    /** Row i has fed step t; P row i holds the output. */
    const after = (i: number, t: number): void => {
      const k = atomOf[i];
      const phase = t - 3 * k;
      if (phase === 0) {
        cy[i] = drawNext(P, i, i, t);
        tok[i] = cy[i];
        nextStep[i] = t + 1;
        return;
      }
      if (phase === 2) {
        // z of atom k was fed: atom k + 1 starts
        if (constrained) save(i, k + 1);
        tries[i] = 1;
        begin(i, k + 1);
        return;
      }
      zc[i] = drawNext(P, i, i, t);
      place(i, k, cx[i], cy[i], zc[i]);
      if (constrained && !accepts(i, k)) {
        if (tries[i] === 1) resampled[i]++;
        if (tries[i] < r.maxTries) {
          tries[i]++;
          redraws[i]++;
          restore(i, k);
          begin(i, k);
          return;
        }
        let target = Math.max(m, oldest[i], k - r.backtrackDepth);
        // start the structure again when the saved states run out here, or after RESTART_AFTER
        // backtracks that got no further (a fresh start beats a long search around one bad atom)
        if (target === k || stuck[i] >= RESTART_AFTER) target = m;
        if (target < k && backtracks[i] < r.maxBacktracks) {
          backtracks[i]++;
          undone[i] += k - target;
          tries[i] = 1;
          if (target < oldest[i]) oldest[i] = target; // a restart: the ring fills again from atom m
          stuck[i]++;
          if (target === m) {
            reach[i] = m;
            stuck[i] = 0;
          }
          restore(i, target);
          begin(i, target);
          return;
        }
        bad![i * nA + k] = 1; // kept as a violation
      }
      if (k === nA - 1) {
        nextStep[i] = -1;
        return;
      }
      tok[i] = zc[i];
      nextStep[i] = t + 1;
    };

    for (let i = 0; i < B; i++) {
      oldest[i] = m;
      reach[i] = m;
      tries[i] = 1;
      if (constrained) save(i, m);
      begin(i, m);
    }
    const NONE = 0x7fffffff;
    for (;;) {
      let t = NONE;
      for (let i = 0; i < B; i++) {
        const s = nextStep[i];
        if (s >= 0 && s < t) t = s;
      }
      if (t === NONE) break;
      let n = 0;
      for (let i = 0; i < B; i++) if (nextStep[i] === t) group[n++] = i;
      const a = group[0];
      if (group[n - 1] - a === n - 1) {
        // contiguous rows (the whole batch when nothing was refused): step them in place
        const cells = tok.subarray(a, a + n), out = P.subarray(a * G, (a + n) * G);
        if (stepAsync) await stepAsync(a, n, t, cells, out); else engine.step(a, n, t, cells, out);
      } else {
        for (let j = 0; j < n; j++) {
          engine.copyRows(group[j], SCRATCH + j, 1);
          gtok[j] = tok[group[j]];
        }
        if (stepAsync) await stepAsync(SCRATCH, n, t, gtok, Q); else engine.step(SCRATCH, n, t, gtok, Q);
        for (let j = 0; j < n; j++) {
          engine.copyRows(SCRATCH + j, group[j], 1);
          P.set(Q.subarray(j * G, (j + 1) * G), group[j] * G);
        }
      }
      for (let j = 0; j < n; j++) after(group[j], t);
    }
    if (bad) {
      for (let i = 0; i < B; i++) {
        let v = 0;
        for (let k = m; k < nA; k++) v += bad[i * nA + k];
        violating[i] = v;
      }
    }
    return { positions, resampled, redraws, violating, backtracks, undone };
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Normalises `buf[off .. off + G)` to sum 1 (negative outputs count as 0); throws on an unusable output. */
function normalise(buf: Float32Array, off: number, G: number, step: number): void {
  let s = 0;
  for (let g = 0; g < G; g++) {
    const v = buf[off + g];
    if (v > 0) s += v;
    else if (!(v <= 0)) throw new Error(`sample: the network output at step ${step} is not finite (${v}); check the model weights`);
  }
  if (!(s > 0) || !Number.isFinite(s)) throw new Error(`sample: the network output at step ${step} sums to ${s}; it must have positive entries to be a distribution`);
  const inv = 1 / s;
  for (let g = 0; g < G; g++) {
    const v = buf[off + g];
    buf[off + g] = v > 0 ? v * inv : 0;
  }
}

/** Per-structure counters of a batch or a run. */
interface Counters {
  resampled: Int32Array;
  redraws: Int32Array;
  violating: Int32Array;
  backtracks: Int32Array;
  undone: Int32Array;
}

function makeStats(
  seed: number, engine: string, offset: number, structures: number, generatedPerStructure: number,
  counters: Counters, seconds: number, settings: SamplingSettings,
): SampleStats {
  const { resampled, redraws, violating, backtracks, undone } = counters;
  let rs = 0, rd = 0, bt = 0, ud = 0;
  const vs: number[] = [];
  for (let i = 0; i < structures; i++) {
    rs += resampled[i];
    rd += redraws[i];
    bt += backtracks[i];
    ud += undone[i];
    if (violating[i] > 0) vs.push(offset + i);
  }
  const placed = structures * generatedPerStructure;
  return {
    seed, engine, structures, offset, placedAtoms: placed, resampledAtoms: rs, redraws: rd, backtracks: bt, undoneAtoms: ud,
    replacementRate: placed > 0 ? rs / placed : 0,
    perStructure: {
      resampledAtoms: resampled, redraws, violatingAtoms: violating, backtracks, undoneAtoms: undone,
      replacementRate: Float64Array.from(resampled.subarray(0, structures), (r) => (generatedPerStructure > 0 ? r / generatedPerStructure : 0)),
    },
    violatingStructures: vs, seconds, settings,
  };
}

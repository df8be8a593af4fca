/**
 * Seeded random streams (pure-rand xoroshiro128+). Every structure gets its own
 * stream derived from the run seed and its index, so a structure does not
 * depend on the batch size, the batching of a stream, or the engine.
 *
 * @module
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** 32-bit finaliser (murmur3 fmix32). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * The seed of structure `index` of a run seeded with `seed` (any finite number;
 * its integer bits are used); `stream` selects an independent stream for the
 * same structure (0: tokens, 1: jitter).
 */
export function structureSeed(seed: number, index: number, stream = 0): number {
  const lo = seed | 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  return fmix32(fmix32(lo ^ 0x9e3779b9) ^ fmix32(hi + 0x7f4a7c15) ^ fmix32(index + 0x632be59b) ^ fmix32(Math.imul(stream, 0x27d4eb2f) + 0x165667b1));
}

/** A uniform [0, 1) generator (53 random bits) for structure `index` of a run seeded with `seed` (see {@link structureSeed}). */
export function structureRandom(seed: number, index: number, stream = 0): () => number {
  const rng = xoroshiro128plus(structureSeed(seed, index, stream));
  return () => uniformFloat64(rng);
}

/**
 * A fresh seed when the caller gave none: from `crypto.getRandomValues`
 * (Node >= 19 and browsers); the run reports it so it can be repeated.
 */
export function freshSeed(): number {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c?.getRandomValues) {
    const a = new Uint32Array(1);
    c.getRandomValues(a);
    return a[0];
  }
  // last resort without Web Crypto: the clock (still never Math.random)
  return Date.now() >>> 0;
}

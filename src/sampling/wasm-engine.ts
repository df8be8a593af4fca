/** @module */
import type { TokenCodec } from '../encoding/types.js';
import type { RecurrentStackWeights } from '../model/weights.js';
import { JsStackEngine } from './engine.js';
export function wasmSimdSupported(): boolean { return false; }
export class WasmStackEngine extends JsStackEngine {
  static supports(_w: RecurrentStackWeights): boolean { return false; }
  constructor(w: RecurrentStackWeights, c: TokenCodec, _o: { threads: number }) { super(w, c); }
}

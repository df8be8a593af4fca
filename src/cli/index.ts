#!/usr/bin/env node
/**
 * Entry point of the `repap` executable (package.json `bin`). Run
 * `repap --help` for the commands.
 *
 * @module
 */
import v8 from 'node:v8';
import { enableWasmRelaxedSimd } from '../wasm/detect.js';
import { main } from './main.js';

// Fused multiply-add in the generated training and sampling kernels: Node 20 has
// WebAssembly relaxed SIMD behind a V8 flag, set here before any module is
// compiled (the commands are imported on use; worker threads share the flag).
enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));

// `repap convert big.extxyz - | head`: a reader that stops early is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

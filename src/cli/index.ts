#!/usr/bin/env node
/**
 * Entry point of the `repap` executable (package.json `bin`). Run
 * `repap --help` for the commands.
 *
 * @module
 */
import { main } from './main.js';

// `repap convert big.extxyz - | head`: a reader that stops early is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

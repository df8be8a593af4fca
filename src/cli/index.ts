#!/usr/bin/env node
/**
 * Entry point of the `repap` executable (package.json `bin`). Run
 * `repap --help` for the commands.
 *
 * @module
 */
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

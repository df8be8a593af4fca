/**
 * File helpers of the CLI: read a trajectory (extxyz, POSCAR, LAMMPS dump, or
 * raw float32 frames with a JSON sidecar; `.gz` allowed) with errors that name
 * the file, and write text files creating folders as needed.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Trajectory } from '../structure/trajectory.js';
import { loadTrajectory } from '../node/index.js';
import { requireInput, UsageError } from './args.js';

/**
 * Reads the trajectory at `path` for `command`: checks it exists (a
 * `UsageError`, exit code 2, otherwise), then reads it with `loadTrajectory`.
 */
export async function readTrajectoryFile(command: string, path: string, what = 'trajectory'): Promise<Trajectory> {
  requireInput(command, path, what);
  try {
    return await loadTrajectory(path);
  } catch (e) {
    // A file that cannot be read as a trajectory is the user's to fix, like a missing one.
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
    throw new UsageError(`repap ${command}: ${msg.includes(path) ? msg : `${path}: ${msg}`}`);
  }
}

/** Writes a text file, creating its folder. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

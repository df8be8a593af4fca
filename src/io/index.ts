/** File formats: extxyz, POSCAR/CONTCAR, LAMMPS dump, raw float32 frames. Pure functions over text and buffers. @module */
export { ExtxyzReader, readExtxyz, writeExtxyz } from './extxyz.js';
export type { ExtxyzReaderOptions, ReadExtxyzOptions, WriteExtxyzOptions } from './extxyz.js';
export { readPoscar, writePoscar } from './poscar.js';
export type { ReadPoscarOptions, WritePoscarOptions } from './poscar.js';
export { readLammpsDump } from './lammps-dump.js';
export type { ReadLammpsDumpOptions } from './lammps-dump.js';
export { readRawFrames, writeRawFrames } from './raw.js';
export type { RawFrames, RawFramesSidecar, ReadRawFramesOptions } from './raw.js';

/** File formats: extxyz, POSCAR/CONTCAR, LAMMPS dump, raw float32 frames. Pure functions over text and buffers. @module */
export * from './extxyz.js';
export * from './poscar.js';
export * from './lammps-dump.js';
export * from './raw.js';

/** Pure SVG line charts and plain-text tables (no tfjs, no DOM): `repap/plot`. @module */
export * from './svg.js';
export * from './table.js';

/** Pure SVG line charts and plain-text tables (no tfjs, no DOM): `repap/plot`. @module */
export { lineChart } from './svg.js';
export type { LineChartOptions, LineSeries } from './svg.js';
export { formatNumber, formatTable } from './table.js';
export type { TableCell, TableOptions } from './table.js';

import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable, lineChart } from '../../src/plot/index.js';
import { escapeXml, niceTicks } from '../../src/plot/svg.js';

/** Parses the `d` attribute of the n-th curve path into [x, y] points. */
function pathPoints(svg: string, n: number): [number, number][] {
  const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
  return [...paths[n].matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('niceTicks', () => {
  it('gives round steps covering the range', () => {
    expect(niceTicks(0, 8, 4)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0.13, 0.97, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    const t = niceTicks(-3.3, 12.1, 6);
    for (let i = 1; i < t.length; i++) expect(t[i] - t[i - 1]).toBeCloseTo(t[1] - t[0], 12);
    expect(t[0]).toBeGreaterThanOrEqual(-3.3);
    expect(t[t.length - 1]).toBeLessThanOrEqual(12.1);
  });
  it('rejects a non-finite range', () => {
    expect(() => niceTicks(0, Infinity)).toThrow(/finite/);
  });
});

describe('lineChart', () => {
  const x = [0, 1, 2, 3, 4];
  const y = [0, 1, 4, 9, 16];
  it('maps data linearly onto the plot area, one path per series, with a legend', () => {
    const svg = lineChart(
      [
        { label: 'square', x, y },
        { label: 'line <a&b>', x, y: x, dash: '4 2' },
      ],
      { xLabel: 'r (Å)', yLabel: 'g(r)', width: 500, height: 300, yRange: [0, 16] },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('r (Å)');
    expect(svg).toContain('line &lt;a&amp;b&gt;');
    expect(svg).not.toContain('<a&b>');
    const p = pathPoints(svg, 0);
    expect(p).toHaveLength(5);
    // x equally spaced; y(x) follows x^2 in screen space: (y0 - yk) / (y0 - y4) = k^2 / 16.
    const dx = p[1][0] - p[0][0];
    for (let k = 1; k < 5; k++) {
      expect(p[k][0] - p[k - 1][0]).toBeCloseTo(dx, 1);
      expect((p[0][1] - p[k][1]) / (p[0][1] - p[4][1])).toBeCloseTo((k * k) / 16, 2);
    }
    expect(svg).toContain('stroke-dasharray="4 2"');
  });
  it('breaks the line at non-finite values', () => {
    const svg = lineChart([{ label: 'gap', x, y: [1, 2, NaN, 4, 5] }]);
    const d = /<path d="([^"]*)"/.exec(svg)![1];
    expect((d.match(/M/g) ?? []).length).toBe(2);
  });
  it('log axis skips non-positive values', () => {
    const svg = lineChart([{ label: 'loss', x, y: [1, 0.1, 0, 0.01, 0.001] }], { logY: true });
    expect(pathPoints(svg, 0)).toHaveLength(4);
  });
  it('rejects bad input with a message naming the series', () => {
    expect(() => lineChart([])).toThrow(/empty/);
    expect(() => lineChart([{ label: 'bad', x: [1, 2], y: [1] }])).toThrow(/"bad".*2 x values but 1 y/);
    expect(() => lineChart([{ label: 'nan', x: [1], y: [NaN] }])).toThrow(/"nan" has no finite point/);
  });
  it('labels axis ticks with distinct values (12000 is not rounded to 1e4)', () => {
    const svg = lineChart([{ label: 'loss', x: [0, 26000], y: [1, 2] }]);
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const t of ['10000', '12000', '20000', '26000']) expect(labels).toContain(t);
    const xTicks = labels.slice(0, labels.indexOf('26000') + 1);
    expect(new Set(xTicks).size).toBe(xTicks.length);
  });

  it('escapes XML', () => {
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });
});

describe('formatTable', () => {
  it('aligns columns: text left, numbers right', () => {
    const t = formatTable(['metric', 'value'], [
      ['Err_RDF', 0.0123456],
      ['peak r', 2.375],
      ['n', 1000],
      ['missing', null],
    ]);
    const lines = t.split('\n');
    expect(lines).toHaveLength(6);
    const width = lines[0].length;
    for (const l of lines.slice(2)) expect(l.length).toBe(width);
    expect(lines[2]).toMatch(/^Err_RDF\s+0\.01235$/);
    expect(lines[4]).toMatch(/\s1000$/);
    expect(lines[5]).toMatch(/\s-$/);
  });
  it('formats numbers', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(1.5e-7)).toBe('1.500e-7');
    expect(formatNumber(-4.0657509, 5)).toBe('-4.0658');
    expect(formatNumber(NaN)).toBe('-');
  });
});

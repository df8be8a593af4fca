/**
 * A small 3-D view of one structure as SVG: atoms as depth-sorted shaded circles, bonds as lines, the cell
 * as a wire box, rotated by dragging. 30 atoms need no WebGL, and an SVG view shares no GPU context with the
 * tfjs backend being tested.
 */

/** A structure to draw: positions in Å (`[x0, y0, z0, x1, ...]`), cell lattice vectors, bond cutoff. */
export interface ViewStructure {
  positions: ArrayLike<number>;
  cell: [number, number, number][] | null;
  bondCutoff: number;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

function rotate(p: readonly number[], yaw: number, pitch: number): [number, number, number] {
  const [x, y, z] = p;
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const x1 = cy * x + sy * z;
  const z1 = -sy * x + cy * z;
  const cp = Math.cos(pitch);
  const sp = Math.sin(pitch);
  return [x1, cp * y - sp * z1, sp * y + cp * z1];
}

/** Draws `s` into `svg` (which it empties) and rotates it on pointer drags. Returns a redraw function. */
export function mountStructureView(svg: SVGSVGElement, s: ViewStructure): () => void {
  let yaw = 0.6;
  let pitch = -0.45;
  const n = Math.floor(s.positions.length / 3);
  const pts: number[][] = [];
  for (let i = 0; i < n; i++) pts.push([s.positions[3 * i], s.positions[3 * i + 1], s.positions[3 * i + 2]]);
  const cell = s.cell ?? [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const centre = [0, 1, 2].map((k) => (cell[0][k] + cell[1][k] + cell[2][k]) / 2);
  const corners: number[][] = [];
  for (let c = 0; c < 8; c++) {
    const f = [c & 1, (c >> 1) & 1, (c >> 2) & 1];
    corners.push([0, 1, 2].map((k) => f[0] * cell[0][k] + f[1] * cell[1][k] + f[2] * cell[2][k] - centre[k]));
  }
  const edges: [number, number][] = [];
  for (let a = 0; a < 8; a++) for (let b = a + 1; b < 8; b++) if ([1, 2, 4].includes(a ^ b)) edges.push([a, b]);
  const bonds: [number, number][] = [];
  const cut2 = s.bondCutoff * s.bondCutoff;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = [0, 1, 2].map((k) => pts[i][k] - pts[j][k]);
      if (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] < cut2) bonds.push([i, j]);
    }
  }
  const local = pts.map((p) => p.map((v, k) => v - centre[k]));
  const radius = Math.hypot(...corners[7]);

  const draw = (): void => {
    const w = svg.clientWidth || 360;
    const h = svg.clientHeight || 360;
    const scale = (0.45 * Math.min(w, h)) / radius;
    const proj = (p: readonly number[]): [number, number, number] => {
      const [x, y, z] = rotate(p, yaw, pitch);
      return [w / 2 + scale * x, h / 2 - scale * y, z];
    };
    const parts: string[] = [];
    for (const [a, b] of edges) {
      const [x1, y1] = proj(corners[a]);
      const [x2, y2] = proj(corners[b]);
      parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#999" stroke-width="1" />`);
    }
    const atoms = local.map((p, i) => ({ i, q: proj(p) })).sort((u, v) => u.q[2] - v.q[2]);
    const screen = new Map(atoms.map((a) => [a.i, a.q]));
    for (const [i, j] of bonds) {
      const [x1, y1] = screen.get(i)!;
      const [x2, y2] = screen.get(j)!;
      parts.push(`<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#555" stroke-width="2.5" />`);
    }
    for (const { q } of atoms) {
      const depth = (q[2] / radius + 1) / 2; // 0 far .. 1 near
      const r = scale * (0.45 + 0.15 * depth);
      parts.push(`<circle cx="${q[0]}" cy="${q[1]}" r="${r}" fill="url(#atom)" fill-opacity="${0.55 + 0.45 * depth}" stroke="#234" stroke-width="0.8" />`);
    }
    svg.innerHTML =
      `<defs><radialGradient id="atom" cx="35%" cy="35%" r="65%"><stop offset="0" stop-color="#cfe3ff"/><stop offset="1" stop-color="#2f5f9e"/></radialGradient></defs>` +
      parts.join('');
  };

  let drag: { x: number; y: number } | null = null;
  svg.onpointerdown = (e) => {
    drag = { x: e.clientX, y: e.clientY };
    svg.setPointerCapture(e.pointerId);
  };
  svg.onpointermove = (e) => {
    if (!drag) return;
    yaw += (e.clientX - drag.x) * 0.01;
    pitch = Math.max(-1.5, Math.min(1.5, pitch + (e.clientY - drag.y) * 0.01));
    drag = { x: e.clientX, y: e.clientY };
    draw();
  };
  svg.onpointerup = () => {
    drag = null;
  };
  svg.setAttribute('xmlns', SVG_NS);
  draw();
  return draw;
}

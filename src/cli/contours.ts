// Filled contour plots of the 2-D test functions for `descent compare`: marching squares over a
// grid of log₁₀(f − f* + ε), as closed rings simplified to the chart's pixels.
import type { TestFunction } from '../catalog/index.js';

export interface Ring {
  level: number;
  points: [number, number][];
}

/**
 * The sublevel sets {v ≤ t} of a grid of values as closed rings (marching squares). The grid is
 * padded with a value above every level, so every ring closes just outside the plotting window
 * (where the chart clips it). Filled from the highest level to the lowest, the rings paint the
 * bands of a filled contour plot (sublevel sets have no holes where the function has no interior
 * local maximum, which holds for every function here).
 */
function sublevelRings(values: Float64Array, nx: number, ny: number, xAt: (i: number) => number, yAt: (j: number) => number, level: number): [number, number][][] {
  // Padded grid: indices −1…nx, −1…ny.
  const NX = nx + 2;
  let top = -Infinity;
  for (const v of values) top = Math.max(top, v);
  const pad = Math.max(top, level) + 1;
  const v = (i: number, j: number): number => (i < 0 || j < 0 || i >= nx || j >= ny ? pad : values[j * nx + i]);
  const dx = xAt(1) - xAt(0), dy = yAt(1) - yAt(0);
  const X = (i: number): number => xAt(0) + i * dx;
  const Y = (j: number): number => yAt(0) + j * dy;
  // Crossing edge ids: horizontal (i, j)–(i+1, j) → 2·(J·NX + I); vertical (i, j)–(i, j+1) → +1.
  const id = (i: number, j: number, vertical: boolean): number => 2 * ((j + 1) * NX + (i + 1)) + (vertical ? 1 : 0);
  const point = new Map<number, [number, number]>();
  const links = new Map<number, number[]>();
  const cross = (i: number, j: number, vertical: boolean): number => {
    const e = id(i, j, vertical);
    if (!point.has(e)) {
      const a = v(i, j), b = vertical ? v(i, j + 1) : v(i + 1, j);
      const t = (level - a) / (b - a);
      point.set(e, vertical ? [X(i), Y(j) + t * dy] : [X(i) + t * dx, Y(j)]);
    }
    return e;
  };
  const link = (a: number, b: number): void => {
    (links.get(a) ?? links.set(a, []).get(a)!).push(b);
    (links.get(b) ?? links.set(b, []).get(b)!).push(a);
  };
  for (let j = -1; j < ny; j++) {
    for (let i = -1; i < nx; i++) {
      const c = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
      const inside = c.map((x) => x <= level);
      // Edges: 0 bottom (c0–c1), 1 right (c1–c2), 2 top (c3–c2), 3 left (c0–c3).
      const edges: [boolean, () => number][] = [
        [inside[0] !== inside[1], () => cross(i, j, false)],
        [inside[1] !== inside[2], () => cross(i + 1, j, true)],
        [inside[3] !== inside[2], () => cross(i, j + 1, false)],
        [inside[0] !== inside[3], () => cross(i, j, true)],
      ];
      const crossed = edges.flatMap(([c2, e], k) => (c2 ? [[k, e()] as const] : []));
      if (crossed.length === 2) {
        link(crossed[0][1], crossed[1][1]);
      } else if (crossed.length === 4) {
        const e = crossed.map(([, x]) => x);
        const centreInside = (c[0] + c[1] + c[2] + c[3]) / 4 <= level;
        // Corners 0 and 2 alike (inside[0]) and joined through the centre: cut off corners 1 and 3.
        const cutOddCorners = inside[0] === centreInside;
        if (cutOddCorners) { link(e[0], e[1]); link(e[2], e[3]); } else { link(e[3], e[0]); link(e[1], e[2]); }
      }
    }
  }
  const rings: [number, number][][] = [];
  const seen = new Set<number>();
  for (const startEdge of links.keys()) {
    if (seen.has(startEdge)) continue;
    const ring: [number, number][] = [];
    let previous = -1, current = startEdge;
    while (!seen.has(current)) {
      seen.add(current);
      ring.push(point.get(current)!);
      const next = links.get(current)!.find((n) => n !== previous && !seen.has(n));
      previous = current;
      if (next === undefined) break;
      current = next;
    }
    ring.push(ring[0]);
    rings.push(ring);
  }
  return rings;
}

/** Ramer–Douglas–Peucker on points already in pixels: drops points within `tolerance` of the line. */
export function simplify<T>(items: readonly T[], px: (item: T) => readonly [number, number], tolerance = 0.3): T[] {
  if (items.length <= 2) return [...items];
  const keep = new Uint8Array(items.length);
  keep[0] = keep[items.length - 1] = 1;
  const stack: [number, number][] = [[0, items.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = px(items[a]), [bx, by] = px(items[b]);
    const len = Math.hypot(bx - ax, by - ay);
    let worst = -1, index = -1;
    for (let k = a + 1; k < b; k++) {
      const [x, y] = px(items[k]);
      const d = len === 0 ? Math.hypot(x - ax, y - ay) : Math.abs((bx - ax) * (ay - y) - (ax - x) * (by - ay)) / len;
      if (d > worst) { worst = d; index = k; }
    }
    if (worst > tolerance) {
      keep[index] = 1;
      stack.push([a, index], [index, b]);
    }
  }
  return items.filter((_, k) => keep[k]);
}

/** Filled contours of log₁₀(f − f* + ε): rings from the highest level down. */
export function contours(fn: TestFunction, toPx: (x: number, y: number) => [number, number], levels = 16): { rings: Ring[]; low: number; high: number } {
  const eps = 1e-3;
  const [x0, x1] = fn.window.x, [y0, y1] = fn.window.y;
  const nx = 241, ny = Math.round(((y1 - y0) / (x1 - x0)) * 240) + 1;
  const xAt = (i: number): number => x0 + ((x1 - x0) * i) / (nx - 1);
  const yAt = (j: number): number => y0 + ((y1 - y0) * j) / (ny - 1);
  const values = new Float64Array(nx * ny);
  let low = Infinity, high = -Infinity;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = Math.log10(Math.max(fn.f(xAt(i), yAt(j)) - fn.fMin, 0) + eps);
      values[j * nx + i] = v;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  const rings: Ring[] = [];
  for (let k = levels; k >= 1; k--) {
    const level = low + ((high - low) * k) / (levels + 1);
    for (const ring of sublevelRings(values, nx, ny, xAt, yAt, level)) {
      const points = simplify(ring, ([x, y]) => toPx(x, y));
      if (points.length >= 4) rings.push({ level, points });
    }
  }
  return { rings, low, high };
}

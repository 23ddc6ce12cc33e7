// What the two comparisons of `descent compare` share: number formats, the table, the charts'
// look and the lr lookup.
import { DISPLAY } from '../catalog/index.js';

/** Numbers for tables: 3 significant digits, exponent form outside [10⁻³, 10⁴). */
export function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e4) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(3)));
}

/** Left-aligned text columns, numbers right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = head.map((_, c) => c > 0);
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The lr of an optimizer: its own override, the override for all ('*'), or the table's. */
export function lrFor(name: string, table: Record<string, number>, overrides: Record<string, number> | undefined): number {
  return overrides?.[name] ?? overrides?.['*'] ?? table[name];
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#bbb' },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: false },
  legend: { labelFontSize: 12, labelLimit: 260, symbolStrokeWidth: 3, symbolType: 'stroke', symbolSize: 200 },
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#444', anchor: 'start' },
};

/** An optimizer's name in a legend, with its lr. */
export function label(r: { optimizer: string; lr: number }): string {
  return `${DISPLAY[r.optimizer] ?? r.optimizer}  lr ${fmt(r.lr)}`;
}

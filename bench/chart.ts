// A grouped horizontal bar chart as a standalone SVG (no script, no external font or style), so it
// reads the same in a browser, an image viewer and a README. Log scale: the implementations of one
// row differ by up to 100×, and on a linear axis the slow ones would be invisible.

export interface Series { name: string; color: string }

export interface BarChart {
  title: string;
  subtitle: string;
  unit: string;
  groups: string[];
  series: Series[];
  /** values[group][series]; null leaves the bar out (not measured on this host). */
  values: (number | null)[][];
}

const WIDTH = 960, LEFT = 190, RIGHT = 70, BAR = 11, GAP = 3, GROUP_GAP = 18, LEGEND_ROW = 18, FONT = 'font-family="sans-serif"';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1.2k, 38k, 1.1M: three significant figures at most. */
export function shortNumber(x: number): string {
  const [scaled, suffix] = x >= 1e6 ? [x / 1e6, 'M'] : x >= 1e3 ? [x / 1e3, 'k'] : [x, ''];
  return `${scaled >= 100 ? scaled.toFixed(0) : scaled >= 10 ? scaled.toFixed(1).replace(/\.0$/, '') : scaled.toFixed(2).replace(/\.?0+$/, '')}${suffix}`;
}

export function barChartSvg(chart: BarChart): string {
  const present = chart.values.flat().filter((v): v is number => v !== null && v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...present)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...present)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (v: number) => LEFT + (Math.log10(v / lo) / Math.log10(hi / lo)) * plotWidth;
  const legendColumns = 3;
  const legendRows = Math.ceil(chart.series.length / legendColumns);
  const top = 58 + legendRows * LEGEND_ROW + 22;
  const groupHeight = chart.series.length * (BAR + GAP) + GROUP_GAP;
  const height = top + chart.groups.length * groupHeight + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="11">`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="16" y="24" font-size="16" font-weight="bold">${escape(chart.title)}</text>`);
  out.push(`<text x="16" y="42" fill="#444">${escape(chart.subtitle)}</text>`);
  chart.series.forEach((s, i) => {
    const lx = 16 + (i % legendColumns) * 300, ly = 58 + Math.floor(i / legendColumns) * LEGEND_ROW;
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${s.color}"/><text x="${lx + 18}" y="${ly + 10}">${escape(s.name)}</text>`);
  });
  // Grid lines at 1, 2 and 5 of each decade, labelled at the decades and the 5s.
  const plotBottom = height - 30;
  for (let decade = lo; decade < hi * 1.0001; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const v = decade * m;
      if (v > hi * 1.0001) break;
      const gx = x(v).toFixed(1);
      out.push(`<line x1="${gx}" y1="${top - 8}" x2="${gx}" y2="${plotBottom}" stroke="${m === 1 ? '#bbb' : '#e4e4e4'}"/>`);
      if (m !== 2) out.push(`<text x="${gx}" y="${plotBottom + 14}" text-anchor="middle" fill="#444">${shortNumber(v)}</text>`);
    }
  }
  out.push(`<text x="${WIDTH - RIGHT}" y="${top - 12}" text-anchor="end" fill="#444">${escape(chart.unit)} (log scale)</text>`);
  chart.groups.forEach((group, g) => {
    const gy = top + g * groupHeight;
    out.push(`<text x="${LEFT - 10}" y="${gy + (chart.series.length * (BAR + GAP)) / 2 + 4}" text-anchor="end" font-size="13" font-weight="bold">${escape(group)}</text>`);
    chart.series.forEach((s, i) => {
      const v = chart.values[g][i];
      const by = gy + i * (BAR + GAP);
      if (v === null || !(v > 0)) {
        out.push(`<text x="${LEFT + 4}" y="${by + BAR - 2}" fill="#999">${escape(s.name)}: not measured</text>`);
        return;
      }
      const w = Math.max(1, x(v) - LEFT);
      out.push(`<rect x="${LEFT}" y="${by}" width="${w.toFixed(1)}" height="${BAR}" fill="${s.color}"><title>${escape(`${group} · ${s.name}: ${Math.round(v)} ${chart.unit}`)}</title></rect>`);
      out.push(`<text x="${(LEFT + w + 4).toFixed(1)}" y="${by + BAR - 2}" fill="#222">${shortNumber(v)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

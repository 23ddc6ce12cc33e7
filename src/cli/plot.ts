// Line charts as SVG strings, in Node, through vega-lite → vega with no canvas (text widths are
// estimated, which is fine for labels). Used for schedules here and for loss/accuracy curves by
// the training commands. Vega is imported on first use, so commands that draw nothing start fast.

/** One line: its legend (or panel) name and its [x, y] points in x order. */
export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  series: readonly Series[];
  /** 'overlay' (default): one chart, a colour per series. 'facet': one small chart per series. */
  layout?: 'overlay' | 'facet';
  /** Charts per row with 'facet'. Default 3. */
  columns?: number;
  /** Size of the (each, with 'facet') plotting area in pixels. Default 480 × 280, facets 200 × 110. */
  width?: number;
  height?: number;
  /** 'step-after' draws a value held until the next x (a learning rate per step). Default 'linear'. */
  interpolate?: 'linear' | 'step-after';
  /** A log scale for y (losses spanning decades). Default false. */
  logY?: boolean;
  /** With 'facet', one y scale for all charts. Default false: each fills its own chart. */
  sharedY?: boolean;
}

/** The vega-lite specification of the chart (exposed so a page can render it with vega-embed). */
export function lineChartSpec(options: LineChartOptions): Record<string, unknown> {
  const { series, layout = 'overlay', interpolate = 'linear', logY = false } = options;
  const names = series.map((s) => s.name);
  const values = series.flatMap((s) => s.points.map(([x, y]) => ({ series: s.name, x, y })));
  const facet = layout === 'facet';
  const encoding: Record<string, unknown> = {
    x: { field: 'x', type: 'quantitative', title: options.xLabel ?? 'x' },
    y: { field: 'y', type: 'quantitative', title: options.yLabel ?? 'y', scale: logY ? { type: 'log' } : { zero: true } },
  };
  if (!facet && series.length > 1) encoding.color = { field: 'series', type: 'nominal', title: null, sort: names };
  const mark = { type: 'line', interpolate, strokeWidth: 1.5, clip: true };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: '#ddd' } },
  };
  if (!facet) return { ...base, width: options.width ?? 480, height: options.height ?? 280, mark, encoding };
  return {
    ...base,
    facet: { field: 'series', type: 'nominal', title: null, sort: names, header: { labelFontSize: 11, labelFontWeight: 'bold' } },
    columns: options.columns ?? 3,
    // Lay panels out by their plotting areas: estimated label widths would space them unevenly.
    bounds: 'flush',
    spacing: { row: 28, column: 36 },
    spec: { width: options.width ?? 200, height: options.height ?? 110, mark, encoding },
    resolve: { scale: { y: options.sharedY ? 'shared' : 'independent' } },
  };
}

/** Renders the chart to a standalone SVG document. */
export async function lineChartSvg(options: LineChartOptions): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(lineChartSpec(options) as unknown as Parameters<typeof vl.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// A small canvas line chart (axes, nice ticks, legend): enough for live training curves without a
// charting library in the bundle.

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** Line dash, e.g. [4, 3]. */
  dash?: number[];
  /** Draw a dot at each point (per-epoch series). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  /** Fixed ends of the y axis; the other end follows the data. */
  yMin?: number;
  yMax?: number;
  /** Format of the y tick labels. */
  yFormat?: (v: number) => string;
}

const PAD = { left: 48, right: 12, top: 26, bottom: 34 };

/** ~count round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export class LineChart {
  private series: Series[] = [];
  private xMax = 1;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly options: ChartOptions) {
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  update(series: Series[], xMax: number): void {
    this.series = series;
    this.xMax = Math.max(xMax, 1e-9);
    this.draw();
  }

  draw(): void {
    const { canvas, options } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth, height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (canvas.width !== Math.round(width * dpr) || canvas.height !== Math.round(height * dpr)) {
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
    }
    const g = canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);

    const ys = this.series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
    let lo = options.yMin ?? (ys.length ? Math.min(...ys) : 0);
    let hi = options.yMax ?? (ys.length ? Math.max(...ys) : 1);
    if (options.yMin === undefined) lo -= (hi - lo) * 0.05;
    if (options.yMax === undefined) hi += (hi - lo) * 0.05;
    if (!(hi > lo)) [lo, hi] = [lo - 0.5, lo + 0.5];
    const yTicks = ticks(lo, hi, 5);
    const xTicks = ticks(0, this.xMax, Math.min(8, Math.max(2, Math.ceil(this.xMax)))).filter((v) => Number.isInteger(v) || this.xMax < 2);
    const plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    const px = (x: number): number => PAD.left + (x / this.xMax) * plotW;
    const py = (y: number): number => PAD.top + (1 - (y - lo) / (hi - lo)) * plotH;

    g.font = '11px system-ui, sans-serif';
    g.strokeStyle = '#e4e7ec';
    g.fillStyle = '#667085';
    g.lineWidth = 1;
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const fmt = options.yFormat ?? ((v: number) => (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3) ? v.toExponential(0) : String(v)));
    for (const t of yTicks) {
      g.beginPath();
      g.moveTo(PAD.left, Math.round(py(t)) + 0.5);
      g.lineTo(PAD.left + plotW, Math.round(py(t)) + 0.5);
      g.stroke();
      g.fillText(fmt(t), PAD.left - 6, py(t));
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    for (const t of xTicks) g.fillText(String(t), px(t), PAD.top + plotH + 5);
    g.fillText(options.xLabel, PAD.left + plotW / 2, PAD.top + plotH + 19);
    g.strokeStyle = '#98a2b3';
    g.strokeRect(PAD.left + 0.5, PAD.top + 0.5, plotW, plotH);

    g.save();
    g.beginPath();
    g.rect(PAD.left, PAD.top, plotW, plotH);
    g.clip();
    for (const s of this.series) {
      const pts = s.points.filter((p) => Number.isFinite(p[1]));
      g.strokeStyle = s.color;
      g.fillStyle = s.color;
      g.lineWidth = 2;
      g.setLineDash(s.dash ?? []);
      g.beginPath();
      pts.forEach(([x, y], i) => (i === 0 ? g.moveTo(px(x), py(y)) : g.lineTo(px(x), py(y))));
      g.stroke();
      g.setLineDash([]);
      if (s.dots) {
        for (const [x, y] of pts) {
          g.beginPath();
          g.arc(px(x), py(y), 3, 0, 2 * Math.PI);
          g.fill();
        }
      }
    }
    g.restore();

    // Title left, legend right, on the top line.
    g.textBaseline = 'middle';
    g.textAlign = 'left';
    g.fillStyle = '#101828';
    g.font = '600 12px system-ui, sans-serif';
    g.fillText(options.title, PAD.left, 12);
    g.font = '11px system-ui, sans-serif';
    let x = width - PAD.right;
    for (const s of [...this.series].reverse()) {
      const w = g.measureText(s.name).width;
      x -= w;
      g.fillStyle = '#344054';
      g.fillText(s.name, x, 12);
      x -= 22;
      g.strokeStyle = s.color;
      g.lineWidth = 2;
      g.setLineDash(s.dash ?? []);
      g.beginPath();
      g.moveTo(x, 12);
      g.lineTo(x + 16, 12);
      g.stroke();
      g.setLineDash([]);
      x -= 12;
    }
  }
}

import { OptionError, ShapeError, formatShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { FINITE, arrayOf, checkOptions, render } from '../core/validate.js';

// Feature scaling as scikit-learn does it: statistics per column in float64, a constant column
// gets range/scale 1 (so it maps to featureRange[0] or to 0 instead of dividing by zero).

function columns(owner: string, x: unknown, width?: number): [number, number] {
  if (!(x instanceof Tensor) || x.rank !== 2) {
    throw new ShapeError(`${owner}: x must be a 2-D Tensor [samples, features], got ${x instanceof Tensor ? `a tensor of shape ${formatShape(x.shape)}` : render(x)}`);
  }
  if (width !== undefined && x.shape[1] !== width) {
    throw new ShapeError(`${owner}: x has ${x.shape[1]} features (shape ${formatShape(x.shape)}), the scaler was fitted on ${width}`);
  }
  return [x.shape[0], x.shape[1]];
}

/** y[i][j] = x[i][j]·a[j] + b[j], computed in float64 and rounded once. */
function affine(x: Tensor, a: Float64Array, b: Float64Array): Tensor {
  const [n, d] = [x.shape[0], x.shape[1]];
  const src = x.toArray();
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = src[i * d + j] * a[j] + b[j];
  const t = new Tensor([n, d]);
  t.data.set(out);
  return t;
}

abstract class Scaler {
  protected width: number | undefined;
  protected abstract fitColumns(values: Float32Array, n: number, d: number): void;
  /** The forward map as x·a + b per column. */
  protected abstract coefficients(): [Float64Array, Float64Array];

  fit(x: Tensor): this {
    const [n, d] = columns(this.constructor.name, x);
    if (n === 0) throw new ShapeError(`${this.constructor.name}: cannot fit on 0 samples`);
    const values = x.toArray();
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new OptionError(`${this.constructor.name}: x[${Math.floor(i / d)}][${i % d}] is ${values[i]}, expected finite values`);
    }
    this.fitColumns(values, n, d);
    this.width = d;
    return this;
  }

  transform(x: Tensor): Tensor {
    columns(this.constructor.name, x, this.fitted());
    const [a, b] = this.coefficients();
    return affine(x, a, b);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  inverseTransform(x: Tensor): Tensor {
    columns(this.constructor.name, x, this.fitted());
    const [a, b] = this.coefficients();
    return affine(x, a.map((v) => 1 / v), b.map((v, j) => -v / a[j]));
  }

  private fitted(): number {
    if (this.width === undefined) throw new OptionError(`${this.constructor.name}: call fit() before transform()`);
    return this.width;
  }
}

const RULES = { featureRange: { ...arrayOf(FINITE, 2), description: 'a pair [low, high] of finite numbers' } };

/** x·scale + min mapping each column's [dataMin, dataMax] onto featureRange (sklearn's MinMaxScaler). */
export class MinMaxScaler extends Scaler {
  readonly featureRange: [number, number];
  dataMin = new Float64Array(0);
  dataMax = new Float64Array(0);
  dataRange = new Float64Array(0);
  scale = new Float64Array(0);
  min = new Float64Array(0);

  constructor(options?: { featureRange?: [number, number] }) {
    super();
    const { featureRange: range = [0, 1] } = checkOptions<{ featureRange: [number, number] }>('MinMaxScaler', options, RULES);
    if (!(range[0] < range[1])) {
      throw new OptionError(`MinMaxScaler: featureRange must be [low, high] with low < high, got ${render(range)}`);
    }
    this.featureRange = [range[0], range[1]];
  }

  protected fitColumns(values: Float32Array, n: number, d: number): void {
    const [lo, hi] = this.featureRange;
    this.dataMin = new Float64Array(d).fill(Infinity);
    this.dataMax = new Float64Array(d).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const v = values[i * d + j];
        if (v < this.dataMin[j]) this.dataMin[j] = v;
        if (v > this.dataMax[j]) this.dataMax[j] = v;
      }
    }
    this.dataRange = this.dataMax.map((mx, j) => mx - this.dataMin[j]);
    this.scale = this.dataRange.map((r) => (hi - lo) / (r === 0 ? 1 : r));
    this.min = this.dataMin.map((mn, j) => lo - mn * this.scale[j]);
  }

  protected coefficients(): [Float64Array, Float64Array] {
    return [this.scale, this.min];
  }
}

/** (x − mean)/scale per column with the population standard deviation (sklearn's StandardScaler). */
export class StandardScaler extends Scaler {
  mean = new Float64Array(0);
  var = new Float64Array(0);
  scale = new Float64Array(0);
  nSamplesSeen = 0;

  /** No options (scikit-learn's withMean / withStd are not offered): any key is an error. */
  constructor(options?: Record<string, never>) {
    super();
    checkOptions('StandardScaler', options, {});
  }

  protected fitColumns(values: Float32Array, n: number, d: number): void {
    this.mean = new Float64Array(d);
    this.var = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) this.mean[j] += values[i * d + j];
    for (let j = 0; j < d; j++) this.mean[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const r = values[i * d + j] - this.mean[j];
        this.var[j] += r * r;
      }
    }
    for (let j = 0; j < d; j++) this.var[j] /= n;
    this.scale = this.var.map((v) => (v === 0 ? 1 : Math.sqrt(v)));
    this.nSamplesSeen = n;
  }

  protected coefficients(): [Float64Array, Float64Array] {
    return [this.scale.map((s) => 1 / s), this.mean.map((m, j) => -m / this.scale[j])];
  }
}

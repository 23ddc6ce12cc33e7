// The drawing pad and what MNIST did to its digits: the ink's bounding box scaled (aspect kept)
// to fit 20×20, then placed in a 28×28 frame so that the centre of mass of the grey levels sits at
// the centre; grey levels in [0, 1] (white ink on black, as the data set).

export const SIDE = 28;

export class DrawingPad {
  private readonly g: CanvasRenderingContext2D;
  private last: [number, number] | null = null;
  private timer = 0;
  /** Whether anything has been drawn since the last clear. */
  inked = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** Called with the 28×28 image while drawing (throttled) and when a stroke ends. */
    private readonly onImage: (pixels: Float32Array) => void,
  ) {
    this.g = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
      if (!this.timer) this.timer = window.setTimeout(() => this.emit(), 80);
    });
    const end = (): void => {
      if (!this.last) return;
      this.last = null;
      this.emit();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.g.fillStyle = '#000';
    this.g.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
  }

  /** Shows a 28×28 image (a validation digit) on the pad, scaled up smoothly, and emits it. */
  show(pixels: Float32Array): void {
    const small = document.createElement('canvas');
    small.width = small.height = SIDE;
    const image = new ImageData(SIDE, SIDE);
    for (let i = 0; i < SIDE * SIDE; i++) {
      const v = Math.round(pixels[i] * 255);
      image.data.set([v, v, v, 255], i * 4);
    }
    small.getContext('2d')!.putImageData(image, 0, 0);
    this.clear();
    this.g.imageSmoothingEnabled = true;
    this.g.imageSmoothingQuality = 'high';
    this.g.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
    this.inked = true;
    this.emit();
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private stroke(a: [number, number], b: [number, number]): void {
    const g = this.g;
    g.strokeStyle = '#fff';
    g.lineWidth = this.canvas.width / 14; // about MNIST's pen width relative to its 20-pixel digits
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(a[0], a[1]);
    g.lineTo(b[0], b[1]);
    g.stroke();
    this.inked = true;
  }

  private emit(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
    if (this.inked) this.onImage(toMnist(this.canvas));
  }
}

/** The canvas's ink as MNIST would have it: 28×28 grey levels in [0, 1], all zeros if blank. */
export function toMnist(source: HTMLCanvasElement): Float32Array {
  const { width, height } = source;
  const rgba = source.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, width, height).data;
  // Bounding box and centre of mass of the ink (red channel: the ink is white on black).
  let x0 = width, y0 = height, x1 = -1, y1 = -1, mass = 0, mx = 0, my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = rgba[(y * width + x) * 4];
      if (v < 8) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const out = new Float32Array(SIDE * SIDE);
  if (x1 < 0) return out;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  // Place the scaled box so that the centre of mass lands on the frame's centre (14, 14), keeping
  // the whole box inside the frame.
  const clamp = (v: number, size: number): number => Math.min(Math.max(v, 0), SIDE - size);
  const dx = clamp(SIDE / 2 - (mx / mass - x0) * scale, w * scale);
  const dy = clamp(SIDE / 2 - (my / mass - y0) * scale, h * scale);

  // Downscale in halving steps (a box filter each), so thin strokes keep their grey levels.
  const tw = w * scale, th = h * scale;
  let src: HTMLCanvasElement = source, sx = x0, sy = y0, sw = w, sh = h;
  while (sw > 2 * tw) {
    const half = document.createElement('canvas');
    half.width = Math.max(1, Math.ceil(sw / 2));
    half.height = Math.max(1, Math.ceil(sh / 2));
    const hg = half.getContext('2d')!;
    hg.imageSmoothingEnabled = true;
    hg.imageSmoothingQuality = 'high';
    hg.drawImage(src, sx, sy, sw, sh, 0, 0, half.width, half.height);
    src = half; sx = 0; sy = 0; sw = half.width; sh = half.height;
  }
  const frame = document.createElement('canvas');
  frame.width = frame.height = SIDE;
  const fg = frame.getContext('2d', { willReadFrequently: true })!;
  fg.fillStyle = '#000';
  fg.fillRect(0, 0, SIDE, SIDE);
  fg.imageSmoothingEnabled = true;
  fg.imageSmoothingQuality = 'high';
  fg.drawImage(src, sx, sy, sw, sh, dx, dy, tw, th);
  const small = fg.getImageData(0, 0, SIDE, SIDE).data;
  for (let i = 0; i < SIDE * SIDE; i++) out[i] = small[i * 4] / 255;
  return out;
}

/** Draws a 28×28 image into a canvas of that size (the "what the network sees" preview). */
export function paint(canvas: HTMLCanvasElement, pixels: Float32Array): void {
  const image = new ImageData(SIDE, SIDE);
  for (let i = 0; i < SIDE * SIDE; i++) {
    const v = Math.round(pixels[i] * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

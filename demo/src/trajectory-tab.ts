// The trajectory tab's controls and animation.
import { OPTIMIZER_NAMES } from '../../src/catalog/index.js';
import {
  COURSE_OPTIMIZERS, DEFAULT_STEPS, DISPLAY, FUNCTIONS, colour, contourImage, finalDistance, runAll, type Run,
} from './trajectories.js';

/** One replay takes this long whatever the number of steps. */
const DURATION_MS = 5000;

export function setupTrajectories(): { show(): void; hide(): void } {
  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
  const canvas = $<HTMLCanvasElement>('traj-canvas');
  const g = canvas.getContext('2d')!;
  const fnSelect = $<HTMLSelectElement>('function');
  const stepsInput = $<HTMLInputElement>('steps');
  fnSelect.replaceChildren(...FUNCTIONS.map((f) => new Option(f.title, f.name)));
  stepsInput.value = String(DEFAULT_STEPS[FUNCTIONS[0].name]);
  $('traj-optimizers').append(
    ...OPTIMIZER_NAMES.map((name) => {
      const label = document.createElement('label');
      label.innerHTML =
        `<input type="checkbox" value="${name}" ${COURSE_OPTIMIZERS.includes(name) ? 'checked' : ''} />` +
        `<span class="swatch" style="background:${colour(name)}"></span>${DISPLAY[name] ?? name}`;
      return label;
    }),
  );

  let fn = FUNCTIONS[0];
  let runs: Run[] = [];
  let steps = 0;
  let background: HTMLCanvasElement | null = null;
  let frame = 0;
  let startedAt = 0;
  let visible = false;
  let generation = 0;

  const toPx = (x: number, y: number): [number, number] => {
    const { x: [xa, xb], y: [ya, yb] } = fn.window;
    const clamp = (v: number): number => Math.max(-1e4, Math.min(1e4, v));
    return [clamp(((x - xa) / (xb - xa)) * canvas.width), clamp(((yb - y) / (yb - ya)) * canvas.height)];
  };

  async function recompute(): Promise<void> {
    const mine = ++generation;
    fn = FUNCTIONS.find((f) => f.name === fnSelect.value) ?? FUNCTIONS[0];
    steps = Math.max(10, Math.min(20000, Math.round(Number(stepsInput.value)) || DEFAULT_STEPS[fn.name]));
    const chosen = [...$('traj-optimizers').querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    $('formula').textContent = `${fn.formula}\nstart (${fn.start.join(', ')}), f* = ${fn.fMin}; each optimizer at its tuned learning rate (descent compare)`;
    $('traj-step').textContent = 'computing…';
    let computed: Run[];
    try {
      computed = await runAll(fn, chosen, steps);
    } catch (error) {
      $('traj-step').textContent = `failed: ${(error as Error).message}`;
      return;
    }
    if (mine !== generation) return;
    runs = computed;
    background = document.createElement('canvas');
    background.width = canvas.width;
    background.height = canvas.height;
    background.getContext('2d')!.putImageData(contourImage(fn, canvas.width, canvas.height), 0, 0);
    replay();
  }

  function replay(): void {
    cancelAnimationFrame(frame);
    startedAt = performance.now();
    if (visible) frame = requestAnimationFrame(tick);
  }

  function tick(now: number): void {
    // rAF's timestamp is the frame's start, which may precede startedAt.
    const k = Math.max(0, Math.min(steps, Math.floor(((now - startedAt) / DURATION_MS) * steps)));
    draw(k);
    if (k < steps && visible) frame = requestAnimationFrame(tick);
  }

  function draw(k: number): void {
    if (!background) return;
    g.drawImage(background, 0, 0);
    g.lineWidth = 2;
    g.lineJoin = 'round';
    for (const [mx, my] of fn.minima) {
      const [px, py] = toPx(mx, my);
      g.fillStyle = '#101828';
      g.font = '18px system-ui';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.fillText('★', px, py);
    }
    for (const run of runs) {
      const last = Math.min(k, run.length - 1);
      g.strokeStyle = colour(run.optimizer);
      g.beginPath();
      for (let i = 0; i <= last; i++) {
        const [px, py] = toPx(run.xs[i], run.ys[i]);
        if (i === 0) g.moveTo(px, py);
        else g.lineTo(px, py);
      }
      g.stroke();
      const [hx, hy] = toPx(run.xs[last], run.ys[last]);
      g.fillStyle = colour(run.optimizer);
      g.beginPath();
      g.arc(hx, hy, 4.5, 0, 2 * Math.PI);
      g.fill();
      g.strokeStyle = '#fff';
      g.lineWidth = 1.5;
      g.stroke();
      g.lineWidth = 2;
    }
    const [sx, sy] = toPx(fn.start[0], fn.start[1]);
    g.strokeStyle = '#101828';
    g.strokeRect(sx - 4, sy - 4, 8, 8);
    const el = $('traj-step');
    el.textContent = `step ${k} / ${steps}`;
    el.dataset.step = String(k);
    el.dataset.steps = String(steps);
    $('traj-table').querySelector('tbody')!.replaceChildren(
      ...runs.map((run) => {
        const tr = document.createElement('tr');
        const i = Math.min(k, run.length - 1);
        const diverged = run.divergedAt !== null && k >= run.divergedAt;
        const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3));
        tr.innerHTML =
          `<td><span class="swatch" style="background:${colour(run.optimizer)}"></span>${DISPLAY[run.optimizer] ?? run.optimizer}</td>` +
          `<td>${run.lr}</td><td>${diverged ? `diverged (step ${run.divergedAt})` : fmt(run.losses[i])}</td>` +
          `<td>${diverged ? '–' : fmt(finalDistance(fn, run, i))}</td>`;
        return tr;
      }),
    );
  }

  fnSelect.addEventListener('change', () => {
    fn = FUNCTIONS.find((f) => f.name === fnSelect.value) ?? FUNCTIONS[0];
    stepsInput.value = String(DEFAULT_STEPS[fn.name]);
    void recompute();
  });
  stepsInput.addEventListener('change', () => void recompute());
  $('traj-optimizers').addEventListener('change', () => void recompute());
  $('play').addEventListener('click', replay);

  let computedOnce = false;
  return {
    show() {
      visible = true;
      if (!computedOnce) {
        computedOnce = true;
        void recompute();
      } else replay();
    },
    hide() {
      visible = false;
      cancelAnimationFrame(frame);
    },
  };
}

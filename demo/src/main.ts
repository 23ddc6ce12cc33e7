// The page: settings, live charts and the drawing pad for the training worker (worker.ts), and the
// optimizer-trajectory tab (trajectories.ts).
import { ACTIVATION_NAMES, OPTIMIZER_NAMES, SCHEDULER_NAMES } from '../../src/catalog/index.js';
import { LineChart, type Series } from './chart.js';
import { DrawingPad, paint } from './draw.js';
import type { EpochPoint, FromWorker, ToWorker, TrainConfig } from './protocol.js';
import { setupTrajectories } from './trajectory-tab.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const select = (id: string, names: readonly string[], value: string): void => {
  const el = $<HTMLSelectElement>(id);
  el.replaceChildren(...names.map((n) => new Option(n, n, n === value, n === value)));
};

// ---------------------------------------------------------------------------------------------
// Settings

select('optimizer', OPTIMIZER_NAMES, 'adam');
select('scheduler', SCHEDULER_NAMES, 'cosine');
select('activation', ACTIVATION_NAMES, 'relu');
$<HTMLInputElement>('lr').placeholder = 'default';

function readConfig(): TrainConfig {
  const value = (id: string): string => $<HTMLInputElement>(id).value.trim();
  const integer = (id: string, label: string, min: number): number => {
    const n = Number(value(id));
    if (!Number.isInteger(n) || n < min) throw new Error(`${label} must be an integer ≥ ${min}`);
    return n;
  };
  const lrText = value('lr');
  const lr = lrText === '' ? undefined : Number(lrText);
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0)) throw new Error('the learning rate must be a positive number (or empty for the default)');
  const hiddenText = value('hidden');
  const hidden = hiddenText === '' ? [] : hiddenText.split(/[\s,]+/).filter(Boolean).map(Number);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 4096)) throw new Error('hidden sizes: whole numbers from 1 to 4096, separated by commas');
  const model = $<HTMLSelectElement>('network').value === 'cnn' ? 'cnn' : 'mlp';
  return {
    model,
    optimizer: $<HTMLSelectElement>('optimizer').value,
    lr,
    scheduler: $<HTMLSelectElement>('scheduler').value,
    activation: $<HTMLSelectElement>('activation').value,
    hidden,
    batchSize: integer('batch-size', 'the batch size', 1),
    epochs: integer('epochs', 'the number of epochs', 1),
    seed: integer('seed', 'the seed', 0),
    threads: Number($<HTMLSelectElement>('threads').value) || 1,
  };
}

/** The most threads a run may use (the worker's 'ready' says); 1 keeps the Threads choice disabled. */
let maxThreads = 1;
function setupThreads(max: number, note: string | undefined): void {
  maxThreads = max;
  select('threads', Array.from({ length: max }, (_, i) => String(i + 1)), '1');
  const el = $<HTMLSelectElement>('threads');
  el.title = max > 1 ? `Threads that run the kernels (1–${max}); the results are the same bits whatever the count` : (note ?? 'Threads are unavailable here.');
}

// ---------------------------------------------------------------------------------------------
// Status and numbers

type State = 'loading' | 'ready' | 'training' | 'done' | 'stopped' | 'error';
function setStatus(state: State, text: string): void {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
  const busy = state === 'training' || state === 'loading';
  $<HTMLButtonElement>('train').disabled = busy;
  $<HTMLButtonElement>('stop').disabled = state !== 'training';
  for (const el of $('config').querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
    el.disabled = state === 'training' || (el.id === 'threads' && maxThreads <= 1) || (isCnn() && !!el.closest('.mlp-only'));
  }
}

/** The CNN has its architecture fixed: the MLP's hidden sizes and activation are greyed out. */
const isCnn = (): boolean => $<HTMLSelectElement>('network').value === 'cnn';
$('network').addEventListener('change', () => {
  for (const el of $('config').querySelectorAll<HTMLInputElement | HTMLSelectElement>('.mlp-only input, .mlp-only select')) el.disabled = isCnn();
});

const percent = (v: number): string => `${(v * 100).toFixed(2)}%`;
const number = (v: number, digits = 4): string => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : '–');
function show(id: string, text: string, value?: number): void {
  const el = $(id);
  el.textContent = text;
  if (value !== undefined) el.dataset.value = String(value);
}

// ---------------------------------------------------------------------------------------------
// Charts

const lossChart = new LineChart($<HTMLCanvasElement>('loss-chart'), { title: 'Loss (cross-entropy)', xLabel: 'epoch', yMin: 0 });
const accChart = new LineChart($<HTMLCanvasElement>('acc-chart'), { title: 'Accuracy', xLabel: 'epoch', yMax: 1, yFormat: (v) => `${Math.round(v * 1000) / 10}%` });
let live: [number, number][] = [];
let epochs: EpochPoint[] = [];
let plannedEpochs = 5;

function redraw(): void {
  const train: Series = { name: 'train', color: '#1f6feb', points: live };
  const val: Series = { name: 'validation', color: '#f79009', points: epochs.map((p) => [p.epoch, p.valLoss]), dots: true };
  lossChart.update([train, val], plannedEpochs);
  const trainAcc: Series = {
    name: 'train', color: '#1f6feb', dots: true,
    points: epochs.filter((p) => p.accuracy !== undefined).map((p) => [p.epoch, p.accuracy!]),
  };
  const valAcc: Series = { name: 'validation', color: '#f79009', points: epochs.map((p) => [p.epoch, p.valAccuracy]), dots: true };
  accChart.update([trainAcc, valAcc], plannedEpochs);
}
redraw();
let redrawQueued = false;
/** Redraws at most once a frame, however fast progress arrives. */
function scheduleRedraw(): void {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    redraw();
  });
}

// ---------------------------------------------------------------------------------------------
// The worker

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);
let hasModel = false;
let predictionPending = false;
let queued: Float32Array | null = null;
let lastImage: Float32Array | null = null;
let digits = '';

/** The header line: the kernels in use (with their thread count), the isolation and the data. */
function showEnv(backend: string, build: string | null, threads: number): void {
  const kernels = [backend, build, threads > 1 ? `×${threads}` : ''].filter(Boolean).join(' ');
  const isolation = crossOriginIsolated ? `cross-origin isolated, up to ${maxThreads} thread${maxThreads > 1 ? 's' : ''}` : 'not cross-origin isolated';
  $('env').textContent = `${kernels} kernels in a worker · ${isolation} · ${digits}`;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      digits = `${m.train.toLocaleString('en')} training / ${m.test.toLocaleString('en')} validation digits`;
      setupThreads(m.maxThreads, m.threadsNote);
      showEnv(m.backend, m.build, 1);
      $<HTMLButtonElement>('sample').disabled = false;
      setStatus('ready', 'Ready: pick the settings and train.');
      break;
    case 'started':
      $('model').textContent = `${m.summary}\n${m.batches} batches per epoch`;
      showEnv(m.backend, m.build, m.threads);
      setStatus('training', m.threads > 1 ? `Training on ${m.threads} threads…` : 'Training…');
      break;
    case 'progress':
      live.push([m.x, m.loss]);
      show('epoch', `${Math.max(1, Math.min(Math.ceil(m.x), plannedEpochs))} / ${plannedEpochs}`);
      show('samples-per-s', Math.round(m.samplesPerSecond).toLocaleString('en'), m.samplesPerSecond);
      show('train-loss', number(m.loss), m.loss);
      show('current-lr', number(m.lr, 3), m.lr);
      scheduleRedraw();
      break;
    case 'epoch': {
      const p = m.point;
      epochs.push(p);
      show('val-loss', number(p.valLoss), p.valLoss);
      show('val-acc', percent(p.valAccuracy), p.valAccuracy);
      if (p.epoch > 0) {
        show('epoch', `${p.epoch} / ${plannedEpochs}`, p.epoch);
        if (p.samplesPerSecond) show('samples-per-s', Math.round(p.samplesPerSecond).toLocaleString('en'), p.samplesPerSecond);
        modelReady();
      }
      scheduleRedraw();
      break;
    }
    case 'done': {
      const last = epochs[epochs.length - 1];
      const acc = last ? ` Validation accuracy ${percent(last.valAccuracy)}.` : '';
      setStatus(m.reason === 'finished' ? 'done' : 'stopped', (m.reason === 'finished' ? 'Done.' : 'Stopped.') + acc);
      modelReady();
      break;
    }
    case 'prediction':
      predictionPending = false;
      showPrediction(m.probs);
      if (queued) {
        const next = queued;
        queued = null;
        predict(next);
      }
      break;
    case 'sample':
      $('sample-label').textContent = `label: ${m.label}`;
      pad.show(m.pixels);
      break;
    case 'onnx': {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([m.bytes], { type: 'application/octet-stream' }));
      link.download = m.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 0);
      break;
    }
    case 'error':
      setStatus('error', m.message);
      break;
  }
};
worker.onerror = (event) => setStatus('error', `the worker failed: ${event.message}`);
send({ type: 'load', digitsUrl: new URL('mnist-digits.bin', document.baseURI).href });

$('config').addEventListener('submit', (event) => {
  event.preventDefault();
  let config: TrainConfig;
  try {
    config = readConfig();
  } catch (error) {
    setStatus('error', (error as Error).message);
    return;
  }
  plannedEpochs = config.epochs;
  live = [];
  epochs = [];
  for (const id of ['epoch', 'samples-per-s', 'train-loss', 'val-loss', 'val-acc', 'current-lr']) show(id, '–');
  delete $('val-acc').dataset.value;
  redraw();
  setStatus('training', 'Training…');
  send({ type: 'train', config });
});
$('stop').addEventListener('click', () => send({ type: 'stop' }));
$('download-onnx').addEventListener('click', () => send({ type: 'onnx' }));

// ---------------------------------------------------------------------------------------------
// Drawing and prediction

const pad = new DrawingPad($<HTMLCanvasElement>('draw-canvas'), (pixels) => {
  paint($<HTMLCanvasElement>('preview'), pixels);
  lastImage = pixels;
  predict(pixels);
});

/** A trained model exists: predict what is on the pad, or ask for a drawing. */
function modelReady(): void {
  hasModel = true;
  $<HTMLButtonElement>('download-onnx').disabled = false;
  if (lastImage) predict(lastImage);
  else if (!$('prediction').dataset.digit) $('prediction').textContent = 'Draw a digit.';
}

function predict(pixels: Float32Array): void {
  if (predictionPending) {
    queued = pixels;
    return;
  }
  predictionPending = true;
  const copy = pixels.slice();
  send({ type: 'predict', pixels: copy }, [copy.buffer]);
}

function showPrediction(probs: Float32Array | null): void {
  const out = $('prediction');
  const list = $('probs');
  if (!probs) {
    out.textContent = hasModel ? '' : 'Train the network first: the prediction appears here.';
    list.replaceChildren();
    return;
  }
  const best = probs.indexOf(Math.max(...probs));
  out.innerHTML = `<b>${best}</b> with probability ${percent(probs[best])}`;
  out.dataset.digit = String(best);
  list.replaceChildren(
    ...Array.from(probs, (p, d) => {
      const li = document.createElement('li');
      li.className = d === best ? 'top' : '';
      li.dataset.p = String(p);
      li.innerHTML = `<span>${d}</span><div><div class="bar" style="width:${(p * 100).toFixed(1)}%"></div></div><span>${(p * 100).toFixed(1)}%</span>`;
      return li;
    }),
  );
}

// Black (a blank digit) from the start, not an empty canvas until the first stroke.
paint($<HTMLCanvasElement>('preview'), new Float32Array(784));

$('clear').addEventListener('click', () => {
  pad.clear();
  lastImage = null;
  paint($<HTMLCanvasElement>('preview'), new Float32Array(784));
  $('sample-label').textContent = '';
  $('prediction').textContent = hasModel ? 'Draw a digit.' : 'Train the network, then draw.';
  delete $('prediction').dataset.digit;
  $('probs').replaceChildren();
});
$('draw-canvas').addEventListener('pointerdown', () => ($('sample-label').textContent = ''));
$('sample').addEventListener('click', () => send({ type: 'sample' }));

// ---------------------------------------------------------------------------------------------
// Tabs

const tabs = [['tab-train', 'panel-train'], ['tab-trajectories', 'panel-trajectories']] as const;
let trajectories: { show(): void; hide(): void } | null = null;
for (const [tab, panel] of tabs) {
  $(tab).addEventListener('click', () => {
    for (const [t, p] of tabs) {
      $(t).setAttribute('aria-selected', String(t === tab));
      $(p).hidden = p !== panel;
    }
    if (tab === 'tab-trajectories') (trajectories ??= setupTrajectories()).show();
    else trajectories?.hide();
    if (tab === 'tab-train') redraw();
  });
}

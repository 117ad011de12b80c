// Entry point: wires the controls to a training Session (one engine session bound once), runs the
// train loop in chunks (yielding to the browser between them) and refreshes the views a few times
// per second. Changing the data or network starts a new session; training options apply live.

import { Model, type HiddenLayerSpec } from '../src/index.js';
import { initBackend, type PageBackend } from './backend.js';
import { canDrawBoundary, drawBoundary } from './boundary.js';
import { clearCharts, initCharts, updateCharts } from './charts.js';
import { hasCsv, initCsvInput } from './csv-input.js';
import { buildDataset, DATASET_NAMES, type DataBundle, type DatasetName } from './datasets.js';
import { initDigitPad } from './digit-pad.js';
import { byId, fillSelect, setText } from './dom.js';
import { drawDeadUnits, drawWeightHistograms } from './histograms.js';
import { hiddenLayers, initNetworkEditor, setHiddenLayers } from './network-editor.js';
import { loadModel, saveModel } from './persist-ui.js';
import { modelSpecFor, Session } from './session.js';
import { initTrainOptions, readTrainSettings, setLossChoices } from './train-options.js';
import { verifyStep } from './verify.js';

const PRESETS: Partial<Record<DatasetName, HiddenLayerSpec[]>> = {
  xor: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }],
  circles: [{ units: 8, activation: 'tanh' }, { units: 8, activation: 'tanh' }],
  moons: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }],
  blobs: [{ units: 8, activation: 'relu' }],
  spirals: [{ units: 32, activation: 'tanh' }, { units: 32, activation: 'tanh' }, { units: 32, activation: 'tanh' }],
  sine: [{ units: 32, activation: 'tanh' }, { units: 32, activation: 'tanh' }],
  sawtooth: [{ units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }, { units: 16, activation: 'relu' }],
  mnist: [{ units: 64, activation: 'relu' }],
};

/** Adam's learning rate per dataset (0.03 elsewhere); MNIST's 784 inputs need a smaller step. */
const PRESET_LR: Partial<Record<DatasetName, number>> = { mnist: 0.002, csv: 0.01, sine: 0.01, sawtooth: 0.01 };

let page: PageBackend | undefined;
let session: Session | undefined;
let data: DataBundle | undefined;
let running = false;
/** Bumped by every reset, so a dataset still loading for an older one is dropped. */
let generation = 0;

const status = (text: string, isError = false) => {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
};

function fmt(v: number | undefined, digits = 4): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(digits);
}
function pct(v: number | undefined): string {
  return v === undefined ? '–' : `${(v * 100).toFixed(1)}%`;
}

function renderStats(): void {
  const s = session;
  const last = s?.history[s.history.length - 1];
  setText('stat-steps', String(s?.step ?? 0));
  setText('stat-epochs', String(s?.epochs ?? 0));
  setText('stat-loss', fmt(s?.lastLoss));
  setText('train-accuracy', pct(s?.lastAccuracy));
  setText('stat-val-loss', fmt(last?.valLoss));
  setText('stat-val-acc', pct(last?.valAccuracy));
  setText('stat-lr', fmt(last?.lr, 3));
  setText('stat-speed', s && s.samplesPerSec > 0 ? Math.round(s.samplesPerSec).toLocaleString('en-US') : '–');
}

let lastCharts = 0;
let drawnVersion = '';
let boundaryBusy = false;
let lastBoundary = 0;
/** While training, the boundary (a GPU predict + read-backs) is redrawn at most this often. */
const BOUNDARY_EVERY_MS = 600;

/** Stats every call; charts at most 4 Hz; the boundary when the weights changed, no draw is in flight, and (while training) at most every BOUNDARY_EVERY_MS. */
function render(force = false): void {
  renderStats();
  const s = session;
  if (!s || !page) return;
  const now = performance.now();
  if (force || now - lastCharts > 250) {
    lastCharts = now;
    updateCharts(s.history, s.diagnostics, s.model.spec.hidden.length);
    drawWeightHistograms(s.model);
    drawDeadUnits(s.diagnostics[s.diagnostics.length - 1]?.deadFraction, s.model.spec.hidden.length);
  }
  const canvas = byId<HTMLCanvasElement>('boundary');
  // Tests wait for data-drawn to equal data-want (the picture matches the current weights).
  const key = `${s.id}:${s.version}`;
  canvas.dataset.want = key;
  const due = force || !running || now - lastBoundary > BOUNDARY_EVERY_MS;
  if (due && (force || key !== drawnVersion) && !boundaryBusy) {
    boundaryBusy = true;
    lastBoundary = now;
    drawBoundary(canvas, s, s.data)
      .then(() => {
        drawnVersion = key;
        canvas.dataset.draws = String(Number(canvas.dataset.draws ?? 0) + 1);
        canvas.dataset.drawn = key;
      })
      .catch((err) => status(`Drawing failed: ${(err as Error).message}`, true))
      .finally(() => {
        boundaryBusy = false;
        const cur = session;
        if (cur && `${cur.id}:${cur.version}` !== drawnVersion && !running) render();
      });
  }
}

function setRunning(on: boolean): void {
  running = on;
  const button = byId<HTMLButtonElement>('train-toggle');
  button.textContent = on ? 'Pause' : 'Train';
  button.setAttribute('aria-pressed', String(on));
  if (on) void loop();
}

/** At most one loop runs; it trains whichever session is current until paused. */
let looping = false;

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  document.body.dataset.loop = 'running';
  try {
    while (running && session) {
      const s = session;
      try {
        await s.runChunk();
      } catch (err) {
        // A session replaced meanwhile may fail as it is released; only the current one's errors count.
        if (s === session) {
          status(`Training stopped: ${(err as Error).message}`, true);
          setRunning(false);
        }
        continue;
      }
      render();
      // Let the browser paint and handle input between chunks.
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    }
  } finally {
    looping = false;
    // Tests wait for this before reading the paused run's numbers.
    document.body.dataset.loop = 'idle';
  }
  render(true);
}

/** Replaces the current session, releasing the old one's engine session once its chunk ends. */
function replaceSession(next: Session | undefined): void {
  void session?.dispose();
  session = next;
}

async function reset(): Promise<void> {
  setRunning(false);
  const mine = ++generation;
  if (!page) return;
  const name = byId<HTMLSelectElement>('dataset').value as DatasetName;
  try {
    const settings = readTrainSettings();
    status(name === 'mnist' ? 'Loading the MNIST subset…' : '');
    data = await buildDataset(name, settings.seed);
    if (mine !== generation) return;
    setLossChoices(data.all.task);
    const s2 = readTrainSettings();
    const model = new Model(modelSpecFor(data, hiddenLayers(), s2.loss), { seed: s2.seed });
    replaceSession(new Session(model, data, s2, page.backend.kind));
    const d = data.all;
    setText(
      'data-info',
      `${d.name}: ${d.rows} rows × ${d.features} features, ${d.task}${d.classes ? ` (${d.classes} classes)` : ''}; train ${data.train.rows}, test ${data.test?.rows ?? 0}.` +
        (canDrawBoundary(d) ? '' : ' No 2-D plot for this data.'),
    );
    clearCharts();
    status('');
    render(true);
  } catch (err) {
    replaceSession(undefined);
    status((err as Error).message, true);
  }
}

async function singleStep(): Promise<void> {
  if (!session) return;
  setRunning(false);
  try {
    await session.runChunk(1);
  } catch (err) {
    status((err as Error).message, true);
  }
  render(true);
}

function onDatasetChange(): void {
  const name = byId<HTMLSelectElement>('dataset').value as DatasetName;
  byId('csv-fields').hidden = name !== 'csv';
  byId('digit-view').hidden = name !== 'mnist';
  const synthetic = name !== 'mnist' && name !== 'csv';
  byId<HTMLInputElement>('rows').disabled = !synthetic;
  byId<HTMLInputElement>('noise').disabled = !synthetic;
  byId<HTMLInputElement>('test-ratio').disabled = name === 'mnist';
  const preset = PRESETS[name];
  if (preset) setHiddenLayers(preset);
  byId<HTMLInputElement>('lr').value = String(PRESET_LR[name] ?? 0.03);
  if (name === 'csv' && !hasCsv()) {
    setRunning(false);
    replaceSession(undefined);
    status('Choose a CSV file (header row, numeric features) and its label column.');
    return;
  }
  void reset();
}

async function main(): Promise<void> {
  fillSelect(byId<HTMLSelectElement>('dataset'), DATASET_NAMES, 'xor');
  initTrainOptions();
  initNetworkEditor(() => void reset());
  initCsvInput(() => void reset());
  initCharts(byId('loss-chart'), byId('grad-chart'));
  initDigitPad(() => session);

  byId('dataset').addEventListener('change', onDatasetChange);
  for (const id of ['rows', 'noise', 'test-ratio', 'loss', 'seed', 'schedule', 'schedule-steps', 'csv-label']) byId(id).addEventListener('change', () => void reset());
  for (const id of ['optimizer', 'lr', 'batch-size', 'weight-decay', 'clip-norm']) {
    byId(id).addEventListener('change', () => {
      session?.applySettings(readTrainSettings()).catch((err) => status((err as Error).message, true));
    });
  }
  byId('train-toggle').addEventListener('click', () => {
    if (!session) return;
    setRunning(!running);
  });
  byId('step').addEventListener('click', () => void singleStep());
  byId('reset').addEventListener('click', () => void reset());
  byId('verify').addEventListener('click', async () => {
    if (!session || !page) return;
    const out = byId('verify-result');
    if (page.backend.kind !== 'webgpu') {
      out.textContent = 'Verify needs WebGPU (this page runs on the CPU backend).';
      return;
    }
    out.textContent = 'Running one step on WebGPU and on the CPU…';
    try {
      const results = await verifyStep(session, page.backend);
      out.dataset.sgdUpdateDiff = String(results[0].updateRelDiff);
      out.textContent =
        'One step from the same weights on the same batch, WebGPU (f32) vs CPU (f64): ' +
        results
          .map((r) => `${r.optimizer}: largest relative param difference ${r.paramRelDiff.toExponential(2)}, update difference ${(r.updateRelDiff * 100).toPrecision(2)}% of the largest update`)
          .join('; ') +
        (results.length > 1 ? '. (Adam-like optimizers scale near-zero gradients to ±lr, so rounding shows up larger there; SGD measures the gradients.)' : '.');
    } catch (err) {
      out.textContent = `Verify failed: ${(err as Error).message}`;
    }
  });
  byId('save').addEventListener('click', () => {
    if (session) saveModel(session.model);
  });
  byId<HTMLInputElement>('load').addEventListener('change', async (e) => {
    const input = e.target as HTMLInputElement;
    if (!input.files || !data || !page) return;
    try {
      const model = await loadModel(input.files);
      if (model.spec.inputSize !== data.all.features || model.spec.task !== data.all.task) {
        throw new Error(`the saved model takes ${model.spec.inputSize} features (${model.spec.task}); the current data has ${data.all.features} (${data.all.task})`);
      }
      setRunning(false);
      generation++;
      setHiddenLayers(model.spec.hidden);
      replaceSession(new Session(model, data, readTrainSettings(), page.backend.kind));
      session!.version++;
      clearCharts();
      status(`Loaded ${input.files.length} files: ${model.spec.hidden.length} hidden layers, ${model.layout.total} params.`);
      render(true);
    } catch (err) {
      status(`Load failed: ${(err as Error).message}`, true);
    } finally {
      input.value = '';
    }
  });

  page = await initBackend();
  setText('adapter', page.label);
  byId('adapter').classList.toggle('cpu', page.backend.kind === 'cpu');
  if (page.notice) {
    const n = byId('backend-notice');
    n.textContent = `Running on the CPU backend. ${page.notice}`;
    n.hidden = false;
  }
  await reset();
  document.body.dataset.ready = 'true';
}

void main();

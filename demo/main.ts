// Entry point: wires the controls to a training Session, picks the backend (Auto measures), runs
// the train loop in chunks (yielding to the browser between them) and refreshes the views a few
// times per second. Changing the data, features or network starts a new session; training options
// apply live. Lessons and datasets set their network and training settings together; the whole
// experiment is mirrored in the address so it can be shared. Compare mode (compare.ts) trains
// variants of the same network side by side from these controls.

import { Model } from '../src/index.js';
import { decideBackend, initBackend, type BackendChoice, type BackendDecision, type PageBackend } from './backend.js';
import { canDrawBoundary, drawBoundary } from './boundary.js';
import { clearCharts, initCharts, setLossLog, updateCharts } from './charts.js';
import { compareBaseChanged, compareMode, initCompare, showCompareMode, variantChoice, type CompareBase } from './compare.js';
import { hasCsv, initCsvInput } from './csv-input.js';
import { buildDataset, DATASET_NAMES, type DataBundle, type DatasetName } from './datasets.js';
import { drawDiagram, initDiagram } from './diagram.js';
import { clearPad, initDigitPad } from './digit-pad.js';
import { byId, fillSelect, setText } from './dom.js';
import { initFeatureToggles, selectedFeatures, setFeatures } from './features.js';
import { drawActivationHistograms, drawDeadUnits, drawWeightHistograms } from './histograms.js';
import { changeUnits, hiddenLayers, initNetworkEditor, setHiddenLayers } from './network-editor.js';
import { exportOnnxFile, loadModel, saveModel } from './persist-ui.js';
import { DATASET_DEFAULTS, LESSONS } from './presets.js';
import { modelSpecFor, Session } from './session.js';
import { initTrainOptions, readTrainSettings, setLossChoices, setTraining } from './train-options.js';
import { readUrlState, writeUrlState } from './url-state.js';
import { verifyStep } from './verify.js';

let page: PageBackend | undefined;
let session: Session | undefined;
let data: DataBundle | undefined;
let running = false;
/** Bumped by every reset, so a dataset still loading for an older one is dropped. */
let generation = 0;
/** The backend decision for the current session (Auto measures in the background). */
let deciding: Promise<BackendDecision> | undefined;

const status = (text: string, isError = false) => {
  const s = byId('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
};

function fmt(v: number | undefined, digits = 4): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  // toPrecision writes 2.8e-6 as "0.000002800", wider than its stat box: tiny and huge values as 2.800e-6.
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}
function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;
}

function renderStats(): void {
  const s = session;
  setText('stat-steps', String(s?.step ?? 0));
  setText('stat-epochs', String(s?.epochs ?? 0));
  setText('stat-loss', fmt(s?.lastLoss));
  setText('train-accuracy', pct(s?.lastAccuracy));
  setText('stat-val-loss', fmt(s?.lastValLoss));
  setText('stat-val-acc', pct(s?.lastValAccuracy));
  setText('stat-lr', fmt(s?.history[s.history.length - 1]?.lr, 3));
  const rate = s?.rate.perSecond ?? 0;
  setText('stat-speed', rate > 0 ? Math.round(rate).toLocaleString('en-US') : '–');
}

let lastCharts = 0;
let lastDiagram = 0;
let drawnVersion = '';
let boundaryBusy = false;
let lastBoundary = 0;
/** While training, the boundary is redrawn at most this often. */
const BOUNDARY_EVERY_MS = 400;
const DIAGRAM_EVERY_MS = 350;

/** Stats every call; charts at most 4 Hz; diagram and boundary when the weights changed, at most a few times a second while training. */
function render(force = false): void {
  renderStats();
  const s = session;
  if (!s || !page) return;
  const now = performance.now();
  if (force || now - lastCharts > 250) {
    lastCharts = now;
    updateCharts(s.history, s.diagnostics, s.model.spec.hidden.length);
    drawWeightHistograms(s.model);
    const lastDiag = s.diagnostics[s.diagnostics.length - 1];
    drawDeadUnits(lastDiag?.deadFraction, s.model.spec.hidden.length);
    // The latest per-layer gradient norms, for tests and for anyone reading the DOM.
    if (lastDiag) byId('grad-chart').dataset.last = lastDiag.gradNorms.join(',');
  }
  if (force || !running || now - lastDiagram > DIAGRAM_EVERY_MS) {
    lastDiagram = now;
    const values = drawDiagram(s);
    if (values) drawActivationHistograms(values.layers);
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
        const pieces = canvas.dataset.pieces;
        const reluOnly = s.model.spec.hidden.every((l) => l.activation === 'relu');
        setText('plot-note', s.data.all.features === 1 ? `Dots: training rows; squares: held-out rows; red: the network's function${pieces && reluOnly ? ` — ${pieces} linear pieces` : ''}.` : 'Filled dots: training rows; hollow: held-out rows.');
        if (!document.body.dataset.firstBoundaryMs) document.body.dataset.firstBoundaryMs = String(Math.round(performance.now()));
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

/** The decision for the current session once made (Auto's measurement may still be running). */
let decided: BackendDecision | undefined;

async function ensureBackend(s: Session): Promise<void> {
  if (!decided && byId<HTMLSelectElement>('backend').value === 'auto') status('Auto is timing a few steps on WebGPU and on the CPU for this network…');
  const decision = await deciding;
  if (decision && s === session) await s.setBackend(decision.kind);
}

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  document.body.dataset.loop = 'running';
  session?.rate.restart();
  try {
    while (running && session) {
      const s = session;
      try {
        await ensureBackend(s);
        if (s.step === 0) status(s.backend === 'webgpu' ? 'Compiling kernels for WebGPU…' : 'Starting…');
        const more = await s.runChunk();
        const shown = byId('status').textContent ?? '';
        if (shown.startsWith('Compiling') || shown === 'Starting…' || shown.startsWith('Auto is timing')) status('');
        if (!more && s === session) {
          status(`Early stopping: the held-out loss stopped improving; the weights of epoch ${s.stoppedAtBest ?? '?'} (the best) are restored.`);
          setRunning(false);
        }
      } catch (err) {
        // A session replaced meanwhile may fail as it is released; only the current one's errors count.
        if (s === session) {
          const msg = (err as Error).message;
          status(/non-finite|NaN|Infinity/i.test(msg) ? `Training stopped: the loss diverged (${msg}). Lower the learning rate and press Reset.` : `Training stopped: ${msg}`, true);
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

/** Clears every view of the previous run and says why there is nothing to show. */
function clearViews(message: string, isError = false): void {
  setRunning(false);
  replaceSession(undefined);
  clearCharts();
  drawDiagram(undefined);
  byId('histograms').replaceChildren();
  byId('act-histograms').replaceChildren();
  byId('dead-units').replaceChildren();
  const c = byId<HTMLCanvasElement>('boundary');
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#f4f5f7';
  ctx.fillRect(0, 0, c.width, c.height);
  setText('data-info', '');
  setText('backend-active', '–');
  renderStats();
  status(message, isError);
}

function currentFeatures(d: DataBundle): ReturnType<typeof selectedFeatures> | undefined {
  return d.all.features === 2 ? selectedFeatures() : undefined;
}

/** Decides the backend for the session (Auto measures, remembered per network size) and shows it. */
function decide(s: Session): void {
  if (!page) return;
  const choice = byId<HTMLSelectElement>('backend').value as BackendChoice;
  const active = byId('backend-active');
  active.textContent = choice === 'auto' ? 'measuring…' : '…';
  delete active.dataset.kind;
  decided = undefined;
  deciding = decideBackend(choice, page, s.model.spec, s.train, s.settings, s.data.normalize);
  deciding
    .then((d) => {
      if (s !== session) return;
      decided = d;
      active.textContent = d.kind === 'webgpu' ? 'WebGPU' : 'CPU';
      active.dataset.kind = d.kind;
      setText('backend-why', d.why);
      document.body.dataset.backendDecided = 'true';
    })
    .catch((err) => {
      deciding = Promise.resolve({ kind: 'cpu', why: `Measuring failed (${(err as Error).message}); training on the CPU.` });
      if (s === session) {
        active.textContent = 'CPU';
        setText('backend-why', `Measuring failed (${(err as Error).message}); training on the CPU.`);
      }
    });
}

function pageState() {
  return {
    dataset: byId<HTMLSelectElement>('dataset').value,
    rows: byId<HTMLInputElement>('rows').value,
    noise: byId<HTMLInputElement>('noise').value,
    test: byId<HTMLInputElement>('test-ratio').value,
    features: selectedFeatures(),
    layers: hiddenLayers(),
    optimizer: byId<HTMLSelectElement>('optimizer').value,
    lr: byId<HTMLInputElement>('lr').value,
    batch: byId<HTMLInputElement>('batch-size').value,
    wd: byId<HTMLInputElement>('weight-decay').value,
    early: byId<HTMLInputElement>('early-stop').checked,
    seed: byId<HTMLInputElement>('seed').value,
    lesson: byId<HTMLSelectElement>('preset').value,
    backend: byId<HTMLSelectElement>('backend').value,
    mode: compareMode() ? 'compare' : undefined,
    vary: compareMode() ? variantChoice() : undefined,
  };
}

/** What Compare mode varies around: the current session's data and network, the training controls, the decided backend. */
function compareBase(): CompareBase | undefined {
  const s = session;
  if (!s) return undefined;
  const backend = (deciding ?? Promise.resolve({ kind: s.backend })).then((d) => d.kind);
  return { data: s.data, features: s.features, spec: s.model.spec, train: s.train, test: s.test, settings: readTrainSettings(), normalize: s.data.normalize, backend };
}

async function reset(): Promise<void> {
  setRunning(false);
  const mine = ++generation;
  if (!page) return;
  const name = byId<HTMLSelectElement>('dataset').value as DatasetName;
  writeUrlState(pageState());
  if (name === 'csv' && !hasCsv()) {
    clearViews('Choose a CSV file (header row, numeric features) and its label column; the views of the previous run were cleared.');
    return;
  }
  try {
    const settings = readTrainSettings();
    status(name === 'mnist' ? 'Loading the MNIST subset…' : '');
    data = await buildDataset(name, settings.seed);
    if (mine !== generation) return;
    setLossChoices(data.all.task);
    const s2 = readTrainSettings();
    const features = currentFeatures(data);
    const model = new Model(modelSpecFor(data, hiddenLayers(), s2.loss, features), { seed: s2.seed });
    replaceSession(new Session(model, data, s2, page.gpu ? 'webgpu' : 'cpu', features, data.normalize));
    const d = data.all;
    setText(
      'data-info',
      `${d.name}: ${d.rows} rows × ${d.features} features, ${d.task}${d.classes ? ` (${d.classes} classes)` : ''}; train ${data.train.rows}, held-out ${data.test?.rows ?? 0}.` +
        (canDrawBoundary(d) ? '' : ' No 2-D plot for this data.'),
    );
    byId('feature-fields').hidden = d.features !== 2;
    clearCharts();
    clearPad();
    status('');
    decide(session!);
    render(true);
    compareBaseChanged();
  } catch (err) {
    clearViews(`Could not build the data: ${(err as Error).message}`, true);
  }
}

async function singleStep(): Promise<void> {
  if (!session) return;
  setRunning(false);
  try {
    await ensureBackend(session);
    await session.runChunk(1);
  } catch (err) {
    status((err as Error).message, true);
  }
  render(true);
}

/** Shows or hides the controls that depend on the dataset. */
function datasetControls(name: DatasetName): void {
  byId('csv-fields').hidden = name !== 'csv';
  byId('digit-view').hidden = name !== 'mnist';
  const synthetic = name !== 'mnist' && name !== 'csv';
  byId<HTMLInputElement>('rows').disabled = !synthetic;
  byId<HTMLInputElement>('noise').disabled = !synthetic;
  byId<HTMLInputElement>('test-ratio').disabled = name === 'mnist';
}

function showLesson(id: string): void {
  const lesson = LESSONS[id];
  byId('lesson').hidden = !lesson;
  document.querySelectorAll('.lesson-view').forEach((v) => v.classList.remove('lesson-view'));
  if (!lesson) return;
  setText('lesson-title', `${lesson.title}.`);
  setText('lesson-text', lesson.text);
  byId(lesson.view).classList.add('lesson-view');
}

function onDatasetChange(): void {
  const name = byId<HTMLSelectElement>('dataset').value as DatasetName;
  datasetControls(name);
  const defaults = DATASET_DEFAULTS[name];
  setHiddenLayers(defaults.layers);
  setTraining(defaults.training);
  byId<HTMLSelectElement>('preset').value = '';
  showLesson('');
  void reset();
}

function applyLesson(id: string): void {
  if (setLessonControls(id)) void reset();
}

/** Puts a lesson's experiment into the controls; false for no lesson. */
function setLessonControls(id: string): boolean {
  const lesson = LESSONS[id];
  showLesson(id);
  if (!lesson) return false;
  byId<HTMLSelectElement>('dataset').value = lesson.dataset;
  datasetControls(lesson.dataset);
  byId<HTMLInputElement>('rows').value = String(lesson.rows);
  byId<HTMLInputElement>('noise').value = lesson.noise === undefined ? '' : String(lesson.noise);
  byId<HTMLInputElement>('test-ratio').value = String(lesson.testFraction ?? 0.2);
  setFeatures(lesson.features ?? ['x1', 'x2']);
  setHiddenLayers(lesson.layers);
  setTraining(lesson.training);
  if (lesson.compare) byId<HTMLInputElement>('compare-epochs').value = String(lesson.compare.epochs);
  showCompareMode(!!lesson.compare, lesson.compare?.vary);
  const log = byId<HTMLInputElement>('loss-log');
  log.checked = !!lesson.logLoss;
  setLossLog(log.checked);
  return true;
}

/** Puts a shared link's experiment into the controls (before the first reset). */
function applyUrlState(): void {
  const st = readUrlState();
  // A bare ?lesson=… link opens the lesson as it is defined; anything else given overrides it.
  if (st.lesson && LESSONS[st.lesson] && !st.layers) setLessonControls(st.lesson);
  const set = (id: string, v: string | undefined) => {
    if (v !== undefined) byId<HTMLInputElement>(id).value = v;
  };
  if (st.dataset && (DATASET_NAMES as readonly string[]).includes(st.dataset) && !(st.lesson && LESSONS[st.lesson] && !st.layers)) {
    byId<HTMLSelectElement>('dataset').value = st.dataset;
    const defaults = DATASET_DEFAULTS[st.dataset as DatasetName];
    setHiddenLayers(defaults.layers);
    setTraining(defaults.training);
  }
  datasetControls(byId<HTMLSelectElement>('dataset').value as DatasetName);
  set('rows', st.rows);
  set('noise', st.noise);
  set('test-ratio', st.test);
  if (st.features) setFeatures(st.features);
  if (st.layers) setHiddenLayers(st.layers);
  if (st.optimizer) byId<HTMLSelectElement>('optimizer').value = st.optimizer;
  set('lr', st.lr);
  set('batch-size', st.batch);
  set('weight-decay', st.wd);
  if (st.early !== undefined) byId<HTMLInputElement>('early-stop').checked = st.early;
  set('seed', st.seed);
  if (st.backend && ['auto', 'webgpu', 'cpu'].includes(st.backend)) byId<HTMLSelectElement>('backend').value = st.backend;
  if (st.mode !== undefined || st.vary !== undefined) showCompareMode(st.mode === 'compare', st.vary);
  if (st.lesson && LESSONS[st.lesson]) {
    byId<HTMLSelectElement>('preset').value = st.lesson;
    showLesson(st.lesson);
  }
}

async function runVerify(): Promise<void> {
  if (!session || !page) return;
  const out = byId('verify-result');
  const badge = byId('verify-badge');
  badge.hidden = true;
  if (!page.gpu) {
    out.textContent = 'Verify compares WebGPU with the CPU reference; this browser has no WebGPU.';
    return;
  }
  out.textContent = 'Running one step on WebGPU and on the CPU…';
  try {
    const results = await verifyStep(session, page.gpu);
    const pass = results.every((r) => r.pass);
    out.dataset.sgdUpdateDiff = String(results[0].updateRelDiff);
    out.dataset.pass = String(pass);
    badge.hidden = false;
    badge.textContent = pass ? 'PASS' : 'FAIL';
    badge.className = `badge ${pass ? 'pass' : 'fail'}`;
    out.textContent =
      'One step from the same weights on the same batch, WebGPU (f32) vs CPU (f64), against the documented tolerance |Δ| ≤ 2e-4·max|p| + 1e-4·|p|: ' +
      results.map((r) => `${r.optimizer}: ${r.pass ? 'within' : 'OUTSIDE'} (uses ${(r.toleranceUse * 100).toPrecision(2)}% of it; largest relative param difference ${r.paramRelDiff.toExponential(2)})`).join('; ') +
      '.';
  } catch (err) {
    out.textContent = `Verify failed: ${(err as Error).message}`;
  }
}

async function onLoad(e: Event): Promise<void> {
  const input = e.target as HTMLInputElement;
  if (!input.files || !data || !page) return;
  try {
    const { model, extras } = await loadModel(input.files);
    if (extras.features) setFeatures(extras.features);
    const features = currentFeatures(data);
    const expected = features ? features.length : data.all.features;
    if (model.spec.inputSize !== expected || model.spec.task !== data.all.task) {
      throw new Error(`the saved model takes ${model.spec.inputSize} inputs (${model.spec.task}); the current data gives ${expected} (${data.all.task})`);
    }
    setRunning(false);
    generation++;
    setHiddenLayers(model.spec.hidden);
    replaceSession(new Session(model, data, readTrainSettings(), session?.backend ?? 'cpu', features, data.normalize));
    session!.version++;
    clearCharts();
    decide(session!);
    writeUrlState(pageState());
    status(`Loaded ${input.files.length === 1 ? input.files[0].name : `${input.files.length} files`}: ${model.spec.hidden.length} hidden layers, ${model.layout.total} params.`);
    render(true);
  } catch (err) {
    status(`Load failed: ${(err as Error).message}`, true);
  } finally {
    input.value = '';
  }
}

async function main(): Promise<void> {
  fillSelect(byId<HTMLSelectElement>('dataset'), DATASET_NAMES, 'xor');
  const preset = byId<HTMLSelectElement>('preset');
  fillSelect(preset, ['', ...Object.keys(LESSONS)], '');
  preset.querySelectorAll('option').forEach((o) => {
    o.textContent = LESSONS[o.value]?.title ?? 'Choose a lesson…';
    o.dataset.mode = LESSONS[o.value]?.compare ? 'compare' : 'single';
  });
  initTrainOptions();
  initFeatureToggles(() => void reset());
  initNetworkEditor(() => void reset());
  initCsvInput(() => void reset());
  initCharts(byId('loss-chart'), byId('grad-chart'));
  initCompare({
    base: compareBase,
    changed: () => {
      setRunning(false);
      // A lesson made for the other mode (or another variant set) no longer describes the page.
      const lesson = LESSONS[byId<HTMLSelectElement>('preset').value];
      if (lesson && (compareMode() ? lesson.compare?.vary !== variantChoice() : !!lesson.compare)) {
        byId<HTMLSelectElement>('preset').value = '';
        showLesson('');
      }
      writeUrlState(pageState());
    },
  });
  initDigitPad(() => session);
  initDiagram(byId('network-diagram'), (layer, delta) => {
    if (changeUnits(layer, delta)) void reset();
  });
  setHiddenLayers(DATASET_DEFAULTS.xor.layers);
  setTraining(DATASET_DEFAULTS.xor.training);
  applyUrlState();

  byId('dataset').addEventListener('change', onDatasetChange);
  preset.addEventListener('change', () => applyLesson(preset.value));
  for (const id of ['rows', 'noise', 'test-ratio', 'loss', 'seed', 'schedule', 'schedule-steps', 'csv-label']) byId(id).addEventListener('change', () => void reset());
  for (const id of ['optimizer', 'lr', 'batch-size', 'weight-decay', 'clip-norm', 'early-stop']) {
    byId(id).addEventListener('change', () => {
      writeUrlState(pageState());
      compareBaseChanged();
      const s = session;
      if (!s) return;
      s.applySettings(readTrainSettings())
        .then(() => {
          if (id === 'batch-size' && s === session) decide(s);
        })
        .catch((err) => status((err as Error).message, true));
    });
  }
  byId('backend').addEventListener('change', () => {
    writeUrlState(pageState());
    if (session) decide(session);
    compareBaseChanged();
  });
  byId<HTMLInputElement>('loss-log').addEventListener('change', (e) => {
    setLossLog((e.target as HTMLInputElement).checked);
    render(true);
  });
  byId('train-toggle').addEventListener('click', () => {
    if (!session) {
      status('Nothing to train yet: choose the data first (for CSV, pick a file).', true);
      return;
    }
    setRunning(!running);
  });
  byId('step').addEventListener('click', () => void singleStep());
  byId('reset').addEventListener('click', () => void reset());
  byId('verify').addEventListener('click', () => void runVerify());
  byId('save').addEventListener('click', () => {
    if (session) saveModel(session.model, { features: session.features ? [...session.features] : undefined, dataset: session.data.name });
  });
  byId('export-onnx').addEventListener('click', () => {
    if (session) exportOnnxFile(session.model, { features: session.features ? [...session.features] : undefined, dataset: session.data.name });
  });
  byId<HTMLInputElement>('load').addEventListener('change', (e) => void onLoad(e));

  page = await initBackend();
  setText('adapter', page.label);
  byId('adapter').classList.toggle('cpu', !page.gpu);
  if (page.notice) {
    const n = byId('backend-notice');
    n.textContent = page.notice;
    n.hidden = false;
  }
  await reset();
  document.body.dataset.ready = 'true';
}

void main();

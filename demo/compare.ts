// Compare mode: the page's network trained as several variants at once (activations, learning
// rates, seeds, initializers or dropout rates), all of them one model batch in the training worker
// (compare-run.ts), shown as small multiples. The page's data, network and training controls are
// the base every variant starts from; changing them prepares a new comparison.

import { Model, type Dataset, type ModelSpec, type NormalizerKind } from '../src/index.js';
import { canDrawBoundary } from './boundary.js';
import { Chart } from './charts.js';
import type { CompareReport, CompareStart } from './compare-run.js';
import { buildCards, drawThumbnails, renderCards, renderCompareChart, type CompareViewState } from './compare-view.js';
import type { DataBundle } from './datasets.js';
import { byId, fillSelect, num, setText } from './dom.js';
import type { FeatureName } from './features.js';
import type { TrainSettings } from './train-options.js';
import { isVariantSet, VARIANT_SETS, VARIANT_TITLES, variantSet, type VariantSetName } from './variants.js';
import { request } from './worker-client.js';

/** What the page's controls say a comparison starts from. */
export interface CompareBase {
  data: DataBundle;
  features?: readonly FeatureName[];
  spec: ModelSpec;
  train: Dataset;
  test?: Dataset;
  settings: TrainSettings;
  normalize?: NormalizerKind;
  /** The backend the page decided on (Auto may still be measuring). */
  backend: Promise<'webgpu' | 'cpu'>;
}

interface Hooks {
  base(): CompareBase | undefined;
  /** Mode or variant set changed: the page pauses its own run and rewrites the address. */
  changed(): void;
}

interface Run {
  id: number;
  state: CompareViewState;
  step: number;
  epoch: number;
  epochs: number;
  done: boolean;
  backend: 'webgpu' | 'cpu';
  /** Model-steps over the chunks so far, the worker's training time and the wall time while running (for model-steps per second). */
  modelSteps: number;
  ms: number;
  wallMs: number;
}

let hooks: Hooks;
let run: Run | undefined;
let preparing: Promise<Run | undefined> | undefined;
let running = false;
let looping = false;
let runs = 0;
let preparations = 0;
let chart: Chart;
let drawing = false;
let lastDraw = 0;
let lastDrawMs = 0;
/** Thumbnails redraw at most this often while training, and never more than a third of the main thread's time (the worker shares the cores). */
const DRAW_EVERY_MS = 500;

const cards = () => byId('compare-cards');
const setStatus = (text: string, isError = false) => {
  const s = byId('compare-status');
  s.textContent = text;
  s.classList.toggle('error', isError);
};

export function compareMode(): boolean {
  // (the body's data-mode is the one source of truth; the Mode menu mirrors it)
  return document.body.dataset.mode === 'compare';
}

export function variantChoice(): VariantSetName {
  const v = byId<HTMLSelectElement>('compare-set').value;
  return isVariantSet(v) ? v : 'activations';
}

/** Shows compare mode with `set` (or the single network) without preparing: the page's next reset does. */
export function showCompareMode(on: boolean, set?: string): void {
  if (isVariantSet(set)) byId<HTMLSelectElement>('compare-set').value = set;
  byId<HTMLSelectElement>('mode').value = on ? 'compare' : 'single';
  document.body.dataset.mode = on ? 'compare' : 'single';
  setRunning(false);
}

/** Switches the page to compare mode (preparing a comparison) or back to the single network. */
function setCompareMode(on: boolean): void {
  showCompareMode(on);
  if (on) void prepare();
}

/** The page's base changed (data, network, training settings): in compare mode, a new comparison from it. */
export function compareBaseChanged(): void {
  setRunning(false);
  if (compareMode()) void prepare();
  else void release();
}

/** Frees the current batch in the worker. */
async function release(): Promise<void> {
  const old = run;
  run = undefined;
  if (old) await request({ op: 'compare-dispose', run: old.id }).catch(() => undefined);
}

/** Builds the batch in the worker for the current base and set, and draws the untrained variants. */
function prepare(): Promise<Run | undefined> {
  const generation = ++preparations;
  preparing = (async () => {
    await release();
    const base = hooks.base();
    if (!base) {
      setStatus('Choose the data first.');
      return undefined;
    }
    const name = variantChoice();
    const { grid, labels } = variantSet(name, { lr: base.settings.optimizer.lr, seed: base.settings.seed });
    const epochs = Math.max(1, Math.round(num('compare-epochs', 200)));
    const thumbnails = canDrawBoundary(base.data.all);
    buildCards(cards(), labels, thumbnails);
    setText('compare-note', thumbnails ? '' : `No 2-D view for ${base.data.all.features}-feature data: the cards show each variant's numbers.`);
    chart.clear();
    const startedAt = performance.now();
    setStatus(`Preparing ${labels.length} variants as one model batch…`);
    const backend = await base.backend;
    const id = ++runs;
    const start = await request<CompareStart>({ op: 'compare-init', run: id, init: { spec: base.spec, grid, train: base.train, test: base.test, settings: base.settings, epochs, backend, normalize: base.normalize } });
    const variants = labels.map((label, m) => {
      const model = new Model(start.specs[m], { params: start.params[m] });
      model.normalizer = start.normalizer;
      model.targetScaler = start.targetScaler;
      return { label, model, points: [], status: 'training' as const };
    });
    const next: Run = { id, state: { variants, data: base.data, features: base.features, running: false, version: 1 }, step: 0, epoch: 0, epochs, done: false, backend, modelSteps: 0, ms: 0, wallMs: 0 };
    // A newer prepare (another set, new data) started meanwhile: this batch is not wanted.
    if (generation !== preparations) {
      void request({ op: 'compare-dispose', run: id });
      return undefined;
    }
    run = next;
    render(false, false);
    await draw(next);
    // Tests and the README read how long the first thumbnails took.
    document.body.dataset.compareThumbsMs = String(Math.round(performance.now() - startedAt));
    const what = `${labels.length} variants of ${VARIANT_TITLES[name].replace(/ \(\d+\)$/, '').toLowerCase()}, one model batch on the ${backend === 'webgpu' ? 'GPU' : 'CPU'}`;
    setStatus(running ? `Training ${what}.` : `${what}: press Compare.`);
    return next;
  })().catch((err) => {
    setStatus(`Could not prepare the comparison: ${(err as Error).message}`, true);
    return undefined;
  });
  return preparing;
}

function setRunning(on: boolean): void {
  running = on;
  const button = byId<HTMLButtonElement>('compare-toggle');
  button.textContent = on ? 'Pause' : 'Compare';
  button.setAttribute('aria-pressed', String(on));
  if (run) {
    run.state.running = on;
    renderCards(cards(), run.state);
  }
  if (on) void loop();
}

async function loop(): Promise<void> {
  if (looping) return;
  looping = true;
  document.body.dataset.compare = 'running';
  try {
    const r = run?.done ? await prepare() : (run ?? (await (preparing ?? prepare())));
    const chunk = (r: Run) => request<CompareReport>({ op: 'compare-chunk', run: r.id });
    // The next chunk is asked for before this one is drawn, so the worker trains while the page draws.
    let next = r && running && !r.done ? chunk(r) : undefined;
    let last = performance.now();
    while (r && next) {
      const report = await next;
      if (r !== run) break;
      apply(r, report);
      r.wallMs += performance.now() - last;
      last = performance.now();
      next = running && !r.done ? chunk(r) : undefined;
      render(false);
      await new Promise((ok) => requestAnimationFrame(() => ok(undefined)));
    }
    if (run?.done) setRunning(false);
  } catch (err) {
    setStatus(`Comparison stopped: ${(err as Error).message}`, true);
    setRunning(false);
  } finally {
    looping = false;
    document.body.dataset.compare = run?.done ? 'done' : 'idle';
    render(true);
  }
}

function apply(r: Run, report: CompareReport): void {
  r.state.variants.forEach((v, m) => {
    v.model.params = report.params[m];
    v.points.push(...report.points[m]);
    v.status = report.status[m];
  });
  r.state.version++;
  r.step = report.step;
  r.epoch = report.epoch;
  r.done = report.done;
  r.modelSteps += report.steps * r.state.variants.length;
  r.ms += report.ms;
}

/** Cards and chart every call; thumbnails (unless `thumbs` is false) at most every DRAW_EVERY_MS, or twice the last redraw's time, while training. */
function render(force: boolean, thumbs = true): void {
  const r = run;
  if (!r) return;
  renderCards(cards(), r.state);
  renderCompareChart(chart, r.state, byId<HTMLSelectElement>('compare-curve').value === 'valLoss');
  const wall = r.wallMs > 0 ? Math.round((r.modelSteps * 1000) / r.wallMs) : 0;
  const n = r.state.variants.length;
  setText('compare-progress', `Epoch ${r.epoch} of ${r.epochs} · step ${r.step} · ${n} models on the ${r.backend === 'webgpu' ? 'GPU' : 'CPU'}${wall ? ` · ${wall.toLocaleString('en-US')} model-steps/s (wall; ${Math.round(wall / n).toLocaleString('en-US')} steps/s of the batch)` : ''}`);
  const progress = byId('compare-progress');
  progress.dataset.modelStepsPerSec = String(wall);
  // Training time alone, without the page's drawing and the worker round trips.
  progress.dataset.trainingModelStepsPerSec = String(r.ms > 0 ? Math.round((r.modelSteps * 1000) / r.ms) : 0);
  if (r.done) setStatus('Every variant has finished: the best one by its final held-out number is marked.');
  if (thumbs && !drawing && (force || performance.now() - lastDraw >= Math.max(DRAW_EVERY_MS, 2 * lastDrawMs))) void draw(r);
}

/** Redraws every thumbnail for the run's current weights (one redraw at a time; a newer version left behind is drawn when idle). */
async function draw(r: Run): Promise<void> {
  const host = cards();
  const want = r.state.version;
  host.dataset.want = String(want);
  drawing = true;
  const started = (lastDraw = performance.now());
  try {
    await drawThumbnails(host, r.state);
    host.dataset.drawn = String(want);
    lastDrawMs = performance.now() - started;
    host.dataset.drawMs = String(Math.round(lastDrawMs));
  } catch (err) {
    setStatus(`Drawing failed: ${(err as Error).message}`, true);
  } finally {
    drawing = false;
    if (run === r && r.state.version !== want && !running) render(true);
  }
}

export function initCompare(h: Hooks): void {
  hooks = h;
  fillSelect(byId<HTMLSelectElement>('compare-set'), VARIANT_SETS, 'activations');
  byId('compare-set').querySelectorAll('option').forEach((o) => (o.textContent = VARIANT_TITLES[o.value as VariantSetName]));
  chart = new Chart(byId('compare-chart'), 'loss (log)', true, 240);
  byId('mode').addEventListener('change', () => {
    setCompareMode(byId<HTMLSelectElement>('mode').value === 'compare');
    hooks.changed();
  });
  const restart = () => {
    setRunning(false);
    void prepare();
  };
  byId('compare-set').addEventListener('change', () => {
    hooks.changed();
    restart();
  });
  byId('compare-epochs').addEventListener('change', restart);
  byId('compare-curve').addEventListener('change', () => render(false));
  byId('compare-toggle').addEventListener('click', () => setRunning(!running));
  byId('compare-reset').addEventListener('click', restart);
}

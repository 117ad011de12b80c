// The sweep command: every flag checked (sweep-flags.ts) and --out / --save-all probed before any
// data or device work, then the whole grid (or random search) trained as one model batch with a
// progress bar, the results table by validation metric, the best model scored on the test split and
// saved as train saves (never replacing a model with a bad run). --json: one object on stdout.

import { join } from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { createBackend, releaseSharedGpu } from '../backend/select.js';
import { checkModelDirWritable } from '../io/model-files.js';
import { saveModel } from '../model/files.js';
import type { Dataset } from '../data/dataset.js';
import type { ModelSpec } from '../model/spec.js';
import { defaultLoss } from '../model/validate-spec.js';
import { constantBaselineLoss } from '../train/baseline.js';
import { InputError } from '../util/errors.js';
import '../train/model-methods.js';
import type { SweepMetric } from '../train/sweep/summary.js';
import { compareTrials, sweep, sweepMetric, type SweepResult, type TrialResult } from '../train/sweep/sweep.js';
import { parseSchedule, specFor } from './config.js';
import { imageDefaults } from './data-flags.js';
import { loadDatasets } from './datasets.js';
import type { DataInfo } from './table-data.js';
import { onInterrupt } from './interrupt.js';
import { createSweepProgress, type SweepProgress } from './sweep-progress.js';
import { configText, metricLabel, metricText, resultsTable } from './sweep-table.js';
import { resolveSweep, type FixedSettings, type SweepSettings } from './sweep-flags.js';
import { ExitError, prepareOutputs, saveTrained } from './train-run.js';

/** The sweep-only settings every model shares: alpha and init on each hidden layer. */
const withFixed = (spec: ModelSpec, fixed: FixedSettings): ModelSpec => ({ ...spec, hidden: spec.hidden.map((h) => ({ ...h, ...fixed.layer })) });

/** What is about to be trained: the data, the shared model, the batch and what ranks it. */
function header(sw: SweepSettings, spec: ModelSpec, train: Dataset, info: DataInfo | undefined, recipe: { schedule: string; normalize: string }, metric: SweepMetric, adapter: string): string[] {
  const s = sw.base;
  const fixed = Object.entries({ ...sw.fixed.optimizer, ...sw.fixed.layer }).map(([k, v]) => `, ${k} ${v}`).join('');
  const activation = sw.grid?.activation || sw.random?.activation || spec.hidden.length === 0 ? '' : ` ${s.activation.join(',')}`;
  const shape = [spec.inputSize, ...spec.hidden.map((h) => h.units), spec.outputSize].join('-');
  const held = s.validationSplit > 0 ? `on ${Math.round(s.validationSplit * 100)}% of the training rows held out` : '(no --validation-split: ranked on the training rows)';
  return [
    `webgpu-mlp sweep: ${s.dataset} (${train.rows} train rows, ${train.features} features, ${train.task}) on ${adapter}`,
    ...(info?.lines ?? []),
    `model: ${shape}${activation}, ${spec.loss ?? defaultLoss(spec.task)}, ${s.optimizer}, batch ${s.batchSize}, ${s.epochs} epochs${recipe.schedule === 'constant' ? '' : `, ${recipe.schedule}`}${recipe.normalize === 'none' ? '' : `, ${recipe.normalize} inputs`}${fixed}`,
    `sweep: ${sw.models} model${sw.models === 1 ? '' : 's'} = ${sw.shape}, trained as one batch; ranked by ${metricLabel(metric)} ${held}`,
  ];
}

/** --save-all gets dir/trial-<i> per model: each existing one must be a model folder, and dir writable. */
async function checkSaveAll(dir: string): Promise<void> {
  const stats = await stat(dir).catch(() => undefined);
  if (stats && !stats.isDirectory()) throw new InputError('--save-all', dir, 'a folder (it gets one trial-<i> folder per model), not a file');
  const existing = (await readdir(dir).catch(() => [] as string[])).filter((e) => /^trial-\d+$/.test(e));
  for (const name of ['trial-0', ...existing]) await checkModelDirWritable(join(dir, name), { field: '--save-all' });
}

export async function sweepCommand(raw: Record<string, unknown>, json: boolean): Promise<SweepResult> {
  const sw = resolveSweep(raw);
  const s = sw.base;
  const outputs = await prepareOutputs(s);
  if (sw.saveAll !== undefined) await checkSaveAll(sw.saveAll);
  const { train, test, images, info } = loadDatasets({ dataset: s.dataset, label: s.label, seed: s.seed, samples: s.samples, noise: s.noise, limit: s.limit, raw });
  const recipe = imageDefaults(raw, s, Boolean(images));
  const spec = withFixed(specFor(s, train), sw.fixed);
  const metric = sweepMetric(train.task !== 'regression', s.validationSplit > 0);
  // Under --json stdout holds the one object; the human lines go to stderr.
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const backend = await createBackend(s.backend);
  let progress: SweepProgress | undefined;
  let removeHandler: (() => void) | undefined;
  try {
    for (const line of header(sw, spec, train, info, recipe, metric, `${backend.kind === 'cpu' ? 'CPU' : 'WebGPU'}: ${backend.adapter}`)) say(line);
    progress = createSweepProgress(Boolean(process.stderr.isTTY) && !json, s.epochs, metric);
    let stopRequested = false;
    removeHandler = onInterrupt({ stopping: 'stopping the sweep after this step', quitting: 'quitting now', progress, onFirst: () => (stopRequested = true) });
    if (backend.kind === 'webgpu') process.stderr.write('compiling kernels (the first run on a machine can take a minute; later runs reuse the driver\'s cache)...\n');
    const result = await sweep(spec, train, {
      backend,
      epochs: s.epochs,
      batchSize: s.batchSize,
      optimizer: { name: s.optimizer, lr: s.lr, weightDecay: s.weightDecay, ...sw.fixed.optimizer },
      schedule: parseSchedule(recipe.schedule),
      ...(s.clipNorm !== undefined ? { clipNorm: s.clipNorm } : {}),
      seed: s.seed,
      validationSplit: s.validationSplit,
      normalize: recipe.normalize,
      ...(s.patience !== undefined ? { earlyStopping: { patience: s.patience, restoreBestWeights: true } } : {}),
      ...(sw.grid ? { grid: sw.grid } : { random: sw.random }),
      ...(sw.dataOrder ? { dataOrder: sw.dataOrder } : {}),
      onEpochEnd: (p) => progress?.epochEnd(p),
      shouldStop: () => stopRequested,
    });
    progress.stop();
    if (!json) {
      say('');
      for (const line of resultsTable(result.table, metric)) say(line);
    }
    const best = chosen(result);
    say(`${result.models} models, ${Math.round(result.modelStepsPerSec).toLocaleString('en-US')} model-steps/s, ${result.seconds.toFixed(1)} s, ${backend.kind}: ${backend.adapter}`);
    if (result.stoppedByUser) {
      say(`interrupted in epoch ${Math.max(0, ...result.trials.map((t) => t.history.length))} of ${s.epochs}: the table is for the weights at that point; nothing saved`);
      if (json) process.stdout.write(`${JSON.stringify(summaryJson(result, best, { interrupted: true }))}\n`);
      throw new ExitError('interrupted', 130);
    }
    // The best model's test score: chosen on validation rows, so this is the honest number.
    const scored = test ?? train;
    const ev = await best.model.evaluate(scored, { backend });
    const testText = test ? `; test loss ${ev.loss.toFixed(4)}${ev.accuracy !== undefined ? `, accuracy ${(ev.accuracy * 100).toFixed(2)}%` : ''}${ev.mse !== undefined ? `, mse ${ev.mse.toPrecision(4)}` : ''} (${test.rows} rows)` : '';
    say(`best: trial ${best.index} (${configText(best.config)}), configuration #1's best seed: ${metricLabel(metric)} ${metricText(metric, best.score)}${testText}`);
    best.model.training = { ...best.model.training, ...(test ? { test: { ...ev } } : {}), dataset: s.dataset };
    const bestLr = typeof best.config.lr === 'number' ? best.config.lr : s.lr;
    const done = summaryJson(result, best, { test: test ? ev : undefined });
    try {
      await saveTrained(best.model, { ...s, lr: bestLr }, outputs, { loss: ev.loss, baseline: constantBaselineLoss(best.model, train, scored), on: test ? 'test' : 'training' }, say);
    } catch (err) {
      if (json && err instanceof ExitError) process.stdout.write(`${JSON.stringify({ ...done, saved: false })}\n`);
      throw err;
    }
    if (sw.saveAll !== undefined) {
      for (const t of result.trials) await saveModel(t.model, join(sw.saveAll, `trial-${t.index}`));
      say(`saved all ${result.trials.length} models to ${join(sw.saveAll, 'trial-<i>')}`);
    }
    if (json) process.stdout.write(`${JSON.stringify({ ...done, ...(s.out !== undefined ? { saved: s.out } : {}) })}\n`);
    return result;
  } finally {
    removeHandler?.();
    progress?.stop();
    backend.destroy();
    await releaseSharedGpu();
  }
}

/**
 * The model --out gets: the best seed of the table's top configuration. The best single trial may
 * be a lucky seed of a worse configuration (selection noise), and on ties it need not be in the top row.
 */
function chosen(r: SweepResult): TrialResult {
  const seeds = r.table[0].trials.map((i) => r.trials[i]).filter((t) => Number.isFinite(t.score));
  return seeds.sort((a, b) => compareTrials(r.metric, a, b))[0] ?? r.best;
}

/** The --json object: every trial (no weights, no per-epoch history), the table, the chosen model and the throughput. */
function summaryJson(r: SweepResult, best: TrialResult, extra: { test?: object; interrupted?: boolean }): Record<string, unknown> {
  return {
    command: 'sweep',
    backend: r.backend,
    adapter: r.adapter,
    metric: r.metric,
    models: r.models,
    steps: r.steps,
    seconds: r.seconds,
    modelStepsPerSec: r.modelStepsPerSec,
    ...(extra.interrupted ? { interrupted: true } : {}),
    trials: r.trials.map((t) => ({ index: t.index, config: t.config, seed: t.seed, status: t.status, ...(t.divergedAt !== undefined ? { divergedAt: t.divergedAt } : {}), ...(t.bestEpoch !== undefined ? { bestEpoch: t.bestEpoch } : {}), epochs: t.history.length, final: t.final, score: t.score })),
    table: r.table.map((row) => ({ config: row.config, trials: row.trials, seeds: row.trials.length, mean: row.mean, std: row.std, diverged: row.diverged })),
    best: { index: best.index, config: best.config, score: best.score, ...(extra.test ? { test: extra.test } : {}) },
  };
}

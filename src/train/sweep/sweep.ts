// sweep(): many models trained at once as one model batch — a grid or random search over
// hyperparameters and seeds — returning each trial's history and metrics, a table of
// configurations (mean ± std over seeds) sorted by the validation metric, and the models themselves.

import type { Backend } from '../../backend/backend.js';
import { resolveBackend } from '../../backend/select.js';
import type { Dataset } from '../../data/dataset.js';
import { fitNormalizer, fitTargetScaler } from '../../data/normalize.js';
import { splitDataset } from '../../data/split.js';
import type { ModelBatch } from '../../graph/model-batch.js';
import { Model } from '../../model/model.js';
import type { ModelSpec } from '../../types/model-spec.js';
import type { EpochLogs } from '../../types/session-state.js';
import { InputError } from '../../util/errors.js';
import { rejectUnknownKeys } from '../../util/suggest.js';
import type { TrainOptions } from '../fit.js';
import { resident } from '../host-feed.js';
import { runRecord } from '../run-record.js';
import { SESSION_KEYS, validateFitOptions } from '../validate-options.js';
import { checkBatchFits } from './batch-size.js';
import { BatchSession, type BatchProgress, type ModelStatus } from './batch-session.js';
import { summarize, type ConfigSummary, type SweepMetric } from './summary.js';
import { expandTrials, type SweepGrid, type SweepRandom, type Trial, type TrialValue } from './trials.js';

export interface SweepOptions extends Omit<TrainOptions, 'callbacks' | 'resume' | 'maxSteps' | 'logEverySteps' | 'diagnosticsEverySteps'> {
  /** Values to combine (every combination; each configuration once per seed). */
  grid?: SweepGrid;
  /** Or a seeded random search. */
  random?: SweepRandom;
  /**
   * 'per-model' (default where the data is resident): each model shuffles the rows with its own
   * seed, so each equals the same model trained alone with that seed; 'shared': one order for all.
   */
  dataOrder?: 'per-model' | 'shared';
  onEpochEnd?(progress: BatchProgress): void | Promise<void>;
  /** Polled a few times a second: return true to stop after the current step (models keep their weights). */
  shouldStop?(): boolean;
}

export interface TrialResult {
  index: number;
  config: Readonly<Record<string, TrialValue>>;
  configKey: string;
  seed: number;
  status: ModelStatus;
  /** The epoch whose loss was not finite (diverged models keep the weights from before it). */
  divergedAt?: number;
  bestEpoch?: number;
  history: EpochLogs[];
  /** The metrics of the weights the model holds (the best epoch's when they were restored). */
  final?: EpochLogs;
  /** The value the table ranks by (NaN for a diverged model). */
  score: number;
  /** The loss on the rows `score` is taken on (orders equal accuracies). */
  rankLoss: number;
  model: Model;
}

export interface SweepResult {
  trials: TrialResult[];
  /** One row per configuration, best first. */
  table: ConfigSummary[];
  metric: SweepMetric;
  /** The best trial by the metric. */
  best: TrialResult;
  models: number;
  steps: number;
  seconds: number;
  modelStepsPerSec: number;
  backend: 'webgpu' | 'cpu';
  adapter: string;
  stoppedByUser: boolean;
}

const SWEEP_KEYS = [...SESSION_KEYS.filter((k) => !['callbacks', 'resume', 'maxSteps', 'logEverySteps', 'diagnosticsEverySteps', 'scheduleSteps'].includes(k)), 'grid', 'random', 'dataOrder', 'onEpochEnd', 'shouldStop'];

/** A sweep's model batch, checked, built and loaded but not yet trained. */
export interface OpenSweep {
  trials: Trial[];
  models: Model[];
  /** Step it with trainSteps (the playground's chunks) or run it to the end (sweep()). */
  session: BatchSession;
  backend: Backend;
  /** Whether a validation set scores the models. */
  validated: boolean;
  /** Releases the backend when the sweep made it. */
  close(): void;
}

/** Trains every trial of the grid (or random search) as one model batch. */
export async function sweep(spec: ModelSpec, data: Dataset, options: SweepOptions): Promise<SweepResult> {
  const open = await openSweep(spec, data, options);
  try {
    const { trials, models, session, backend } = open;
    const outcome = await session.run();
    const metric = sweepMetric(models[0].spec.task !== 'regression', open.validated);
    const results = trials.map((t, m) => trialResult(t, m, models[m], outcome, metric));
    for (const [m, r] of results.entries()) {
      models[m].training = runRecord({ ...models[m].training, backend: backend.kind, adapter: backend.adapter }, { outcome: r.status, history: r.history, epochs: r.history.length, steps: outcome.steps, bestEpoch: r.bestEpoch, restoredBest: outcome.restoredBest[m] });
    }
    const table = summarize(results, metric);
    const best = results.filter((r) => Number.isFinite(r.score)).sort((a, b) => compareTrials(metric, a, b))[0] ?? results[0];
    return { trials: results, table, metric, best, models: models.length, steps: outcome.steps, seconds: outcome.seconds, modelStepsPerSec: outcome.modelStepsPerSec, backend: backend.kind, adapter: backend.adapter, stoppedByUser: outcome.stoppedByUser };
  } finally {
    open.close();
  }
}

/** Checks the options, expands the trials and builds their models, then binds and loads the batch on the backend. */
export async function openSweep(spec: ModelSpec, data: Dataset, options: SweepOptions): Promise<OpenSweep> {
  if (typeof options !== 'object' || options === null) throw new InputError('options', options, 'an object with epochs, batchSize, optimizer and grid or random');
  rejectUnknownKeys(options, SWEEP_KEYS, '');
  const { grid, random, dataOrder, onEpochEnd, shouldStop, ...fitOptions } = options;
  validateFitOptions(fitOptions);
  if (dataOrder !== undefined && dataOrder !== 'per-model' && dataOrder !== 'shared') throw new InputError('dataOrder', dataOrder, "'per-model' or 'shared'");
  const trials = expandTrials(spec, fitOptions.optimizer, fitOptions.clipNorm, grid, random);
  // Every trial's spec is checked (and the batch's shapes compared) before any device work.
  const models = trials.map((t) => new Model(t.spec, { seed: t.seed }));
  models[0].checkData(data);
  let train = data;
  let validation = fitOptions.validationData;
  if (validation) models[0].checkData(validation, 'validationData');
  else if (fitOptions.validationSplit && fitOptions.validationSplit > 0) {
    // One split for all models (the sweep's seed): every model is scored on the same rows.
    const parts = splitDataset(data, { validation: fitOptions.validationSplit }, fitOptions.seed ?? 0);
    train = parts.train;
    validation = parts.validation;
  }
  const normalizer = fitNormalizer(train.x, train.rows, train.features, fitOptions.normalize ?? 'zscore');
  const targetScaler = models[0].spec.task === 'regression' ? fitTargetScaler(train.y, train.rows, train.targetWidth) : undefined;
  for (const [m, model] of models.entries()) {
    model.normalizer = normalizer;
    model.targetScaler = targetScaler;
    if (data.pipeline) model.pipeline = data.pipeline;
    model.training = { epochs: fitOptions.epochs, batchSize: fitOptions.batchSize, optimizer: trials[m].optimizer, schedule: fitOptions.schedule ?? { kind: 'constant' }, clipNorm: trials[m].clipNorm, seed: trials[m].seed, sweep: trials[m].config };
  }
  const { backend, owned } = await resolveBackend(fitOptions.backend);
  const close = () => {
    if (owned) backend.destroy();
  };
  try {
    checkBatchFits(models[0], models.length, fitOptions.batchSize, train.rows, validation?.rows ?? 0, backend.maxTensorBytes);
    const fits = resident(backend, train) && (!validation || resident(backend, validation));
    if (dataOrder === 'per-model' && !fits) throw new InputError('dataOrder', dataOrder, `'shared': the training set (${(train.x.byteLength / 2 ** 20).toFixed(0)} MiB) is fed from the host on this device`);
    const batch: ModelBatch = {
      specs: models.map((m) => m.spec),
      optimizers: trials.map((t) => t.optimizer),
      clipNorms: trials.map((t) => t.clipNorm),
      dropoutSeeds: trials.map((t) => t.seed),
      perModelOrder: (dataOrder ?? 'per-model') === 'per-model' && fits,
    };
    const session = new BatchSession({
      models,
      batch,
      backend,
      train: models[0].prepare(train),
      validation: validation ? models[0].prepare(validation) : undefined,
      options: fitOptions,
      targetScale: targetScaler?.std[0],
      onEpochEnd,
      shouldStop,
    });
    await session.load();
    return { trials, models, session, backend, validated: Boolean(validation), close };
  } catch (err) {
    close();
    throw err;
  }
}

/** Validation accuracy (classification) or MSE in the target's units (regression), else the training accuracy or loss. */
export function sweepMetric(classification: boolean, validated: boolean): SweepMetric {
  if (classification) return validated ? 'valAccuracy' : 'accuracy';
  return validated ? 'valMse' : 'loss';
}

/** Negative when a ranks before b. */
export function compareScores(metric: SweepMetric, a: number, b: number): number {
  return metric.toLowerCase().includes('accuracy') ? b - a : a - b;
}

/** Trials by score, equal scores (accuracies on few rows) by their loss on the same rows. */
export function compareTrials(metric: SweepMetric, a: Pick<TrialResult, 'score' | 'rankLoss'>, b: Pick<TrialResult, 'score' | 'rankLoss'>): number {
  return compareScores(metric, a.score, b.score) || a.rankLoss - b.rankLoss;
}

function trialResult(t: Trial, m: number, model: Model, outcome: Awaited<ReturnType<BatchSession['run']>>, metric: SweepMetric): TrialResult {
  const history = outcome.history[m];
  const bestEpoch = outcome.bestEpoch[m];
  const final = outcome.restoredBest[m] ? history.find((h) => h.epoch === bestEpoch) : history.at(-1);
  const status = outcome.status[m];
  const score = status === 'diverged' ? NaN : (final?.[metric] ?? NaN);
  const rankLoss = status === 'diverged' ? NaN : ((metric.startsWith('val') ? final?.valLoss : final?.loss) ?? NaN);
  return { index: t.index, config: t.config, configKey: t.configKey, seed: t.seed, status, ...(outcome.divergedAt[m] !== undefined ? { divergedAt: outcome.divergedAt[m] } : {}), ...(bestEpoch !== undefined ? { bestEpoch } : {}), history, final, score, rankLoss, model };
}

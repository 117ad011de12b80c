// Where training starts: fit (one session from start to end) and model.trainer (a session the
// caller drives in chunks). Both check the options and the data before any GPU work, split off
// the validation rows, fit the normalization on the training split when the model has none yet,
// pick the backend, and bind a Trainer (train/trainer.ts), which runs every step.

import type { Backend } from '../backend/backend.js';
import { resolveBackend, type BackendName } from '../backend/select.js';
import type { Dataset } from '../data/dataset.js';
import { fitNormalizer, fitTargetScaler, type NormalizerKind } from '../data/normalize.js';
import { splitDataset } from '../data/split.js';
import type { Model } from '../model/model.js';
import type { EpochLogs } from '../types/session-state.js';
import { InputError } from '../util/errors.js';
import type { FitOptions, SessionOptions } from './options.js';
import { Trainer } from './trainer.js';
import { validateFitOptions, validateSessionOptions } from './validate-options.js';

/** Where a session trains and on what, besides the training data itself. */
export interface DataOptions {
  /** 'webgpu' (default), 'cpu', or a backend instance (bound to the session until it is disposed). */
  backend?: BackendName | Backend;
  validationData?: Dataset;
  /** Input normalization fitted on the training split (default zscore). */
  normalize?: NormalizerKind;
}

export interface TrainOptions extends FitOptions, DataOptions {}
export interface TrainerOptions extends SessionOptions, DataOptions {}

export interface FitResult {
  history: EpochLogs[];
  steps: number;
  stoppedEarly: boolean;
  bestEpoch?: number;
  /** Training throughput over all epochs (samples / wall second, validation excluded). */
  samplesPerSec: number;
  seconds: number;
}

/** Trains for `epochs` (or `maxSteps`): one trainer session from start to end (model.fit). */
export async function fit(model: Model, data: Dataset, options: TrainOptions): Promise<FitResult> {
  validateFitOptions(options);
  const done = options.resume?.loop?.epochs;
  if (typeof done === 'number' && options.epochs <= done) throw new InputError('epochs', options.epochs, `more than the ${done} epochs the resumed session has already trained`);
  const trainer = await startSession(model, data, { ...options, scheduleSteps: options.maxSteps }, false);
  try {
    return await fitSession(trainer, options.epochs, options.maxSteps);
  } finally {
    await trainer.dispose();
  }
}

/**
 * A training session (model.trainer): binds the programs once and keeps the optimizer state, step
 * count, LR schedule and shuffling across its train() chunks.
 */
export async function openTrainer(model: Model, data: Dataset, options: TrainerOptions): Promise<Trainer> {
  return startSession(model, data, options, true);
}

/**
 * fit's session: trains until `epochs` epochs have ended in all (a resumed session counts the
 * ones it had); an epoch cut short by maxSteps is still logged.
 */
export async function fitSession(trainer: Trainer, epochs: number, maxSteps?: number): Promise<FitResult> {
  if (trainer.epoch >= epochs) throw new InputError('epochs', epochs, `more than the ${trainer.epoch} epochs the resumed session has already trained`);
  await trainer.train({ epochs: epochs - trainer.epoch, steps: maxSteps });
  return finishSession(trainer);
}

/** The end of a fit: close a cut-short epoch, put the best weights back, sum up. */
export async function finishSession(trainer: Trainer): Promise<FitResult> {
  if (trainer.stepInEpoch > 0) await trainer.endEpoch();
  await trainer.restoreBestWeights();
  const history = [...trainer.history];
  const seconds = history.reduce((s, h) => s + h.seconds, 0);
  const samples = history.reduce((s, h) => s + h.samplesPerSec * h.seconds, 0);
  return { history, steps: trainer.step, stoppedEarly: trainer.stoppedEarly, bestEpoch: trainer.bestEpoch, samplesPerSec: samples / Math.max(1e-9, seconds), seconds };
}

async function startSession(model: Model, data: Dataset, options: TrainerOptions, inference: boolean): Promise<Trainer> {
  validateSessionOptions(options);
  model.checkData(data);
  let train = data;
  let validation = options.validationData;
  if (validation) model.checkData(validation, 'validationData');
  else if (options.validationSplit && options.validationSplit > 0) {
    const parts = splitDataset(data, { validation: options.validationSplit }, options.seed ?? 0);
    train = parts.train;
    validation = parts.validation;
  }
  if (!model.pipeline && data.pipeline) model.pipeline = data.pipeline;
  if (!model.normalizer) model.normalizer = fitNormalizer(train.x, train.rows, train.features, options.normalize ?? 'zscore');
  if (model.spec.task === 'regression' && !model.targetScaler) model.targetScaler = fitTargetScaler(train.y, train.rows, train.targetWidth);
  const { backend, owned } = await resolveBackend(options.backend);
  model.training = {
    epochs: options.epochs,
    batchSize: options.batchSize,
    optimizer: options.optimizer,
    schedule: options.schedule ?? { kind: 'constant' },
    clipNorm: options.clipNorm,
    seed: options.seed ?? 0,
    backend: backend.kind,
    adapter: backend.adapter,
  };
  try {
    return await Trainer.bind({
      model,
      backend,
      ownsBackend: owned,
      train: model.prepare(train),
      validation: validation ? model.prepare(validation) : undefined,
      options,
      targetScale: model.targetScaler?.std[0],
      inference,
    });
  } catch (err) {
    if (owned) backend.destroy();
    throw err;
  }
}

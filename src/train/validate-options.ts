// Checks fit() and training-session options, and a session's train() chunk arguments, before any
// GPU work: every number in range, every name known, with errors naming the field, the value and
// what was expected.

import { OPTIMIZERS } from '../ops/names.js';
import { InputError } from '../util/errors.js';
import { rejectUnknownKeys } from '../util/suggest.js';
import type { FitOptions, MonitorName, ScheduleSpec, SessionOptions } from './options.js';

const MONITORS: readonly MonitorName[] = ['loss', 'valLoss', 'accuracy', 'valAccuracy'];
const SCHEDULES = ['constant', 'step', 'exponential', 'cosine', 'plateau'] as const;

function check(ok: boolean, field: string, value: unknown, expected: string): void {
  if (!ok) throw new InputError(field, value, expected);
}
const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

const OPTIONS_EXPECTED = 'an object with batchSize and optimizer';

/** Every key fit() and trainer() accept (FitOptions, SessionOptions and the model's DataOptions). */
export const SESSION_KEYS = ['epochs', 'batchSize', 'optimizer', 'schedule', 'shuffle', 'seed', 'validationSplit', 'clipNorm', 'earlyStopping', 'logEverySteps', 'diagnosticsEverySteps', 'callbacks', 'maxSteps', 'scheduleSteps', 'backend', 'validationData', 'normalize', 'resume'];
const OPTIMIZER_KEYS = ['name', 'lr', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon', 'weightDecay'];
const SCHEDULE_KEYS = ['kind', 'stepSize', 'gamma', 'warmupSteps', 'minLr', 'factor', 'patience', 'monitor'];
const EARLY_STOPPING_KEYS = ['monitor', 'patience', 'minDelta', 'restoreBestWeights'];
const CALLBACK_KEYS = ['onEpochEnd', 'onStep', 'onDiagnostics'];

export function validateFitOptions(o: FitOptions): void {
  check(typeof o === 'object' && o !== null, 'options', o, OPTIONS_EXPECTED);
  check(isInt(o.epochs, 1), 'epochs', o.epochs, 'an integer >= 1');
  if (o.maxSteps !== undefined) check(isInt(o.maxSteps, 1), 'maxSteps', o.maxSteps, 'an integer >= 1');
  validateSessionOptions(o);
}

/** Everything but the run length, which a session's train() chunks give (see validateChunk). */
export function validateSessionOptions(o: SessionOptions): void {
  check(typeof o === 'object' && o !== null, 'options', o, OPTIONS_EXPECTED);
  rejectUnknownKeys(o, SESSION_KEYS, '', { lr: 'optimizer.lr', learningrate: 'optimizer.lr', weightdecay: 'optimizer.weightDecay', momentum: 'optimizer.momentum', patience: 'earlyStopping.patience' });
  if (o.epochs !== undefined) check(isInt(o.epochs, 1), 'epochs', o.epochs, 'an integer >= 1 (the planned epochs)');
  if (o.scheduleSteps !== undefined) check(isInt(o.scheduleSteps, 1), 'scheduleSteps', o.scheduleSteps, 'an integer >= 1 (the steps the schedule spans)');
  check(isInt(o.batchSize, 1), 'batchSize', o.batchSize, 'an integer >= 1 (1 = stochastic, the dataset size = full batch)');
  const opt = o.optimizer;
  check(typeof opt === 'object' && opt !== null, 'optimizer', opt, 'an object with name and lr');
  rejectUnknownKeys(opt, OPTIMIZER_KEYS, 'optimizer');
  check(OPTIMIZERS.includes(opt.name), 'optimizer.name', opt.name, `one of ${OPTIMIZERS.join(', ')}`);
  check(isNum(opt.lr) && opt.lr > 0, 'optimizer.lr', opt.lr, 'a finite number > 0');
  for (const key of ['momentum', 'beta1', 'beta2', 'rho'] as const) {
    const v = opt[key];
    if (v !== undefined) check(isNum(v) && v >= 0 && v < 1, `optimizer.${key}`, v, 'a number in [0, 1)');
  }
  if (opt.epsilon !== undefined) check(isNum(opt.epsilon) && opt.epsilon > 0, 'optimizer.epsilon', opt.epsilon, 'a number > 0');
  if (opt.weightDecay !== undefined) check(isNum(opt.weightDecay) && opt.weightDecay >= 0, 'optimizer.weightDecay', opt.weightDecay, 'a number >= 0');
  if (o.validationSplit !== undefined) check(isNum(o.validationSplit) && o.validationSplit >= 0 && o.validationSplit < 1, 'validationSplit', o.validationSplit, 'a fraction in [0, 1)');
  if (o.clipNorm !== undefined) check(isNum(o.clipNorm) && o.clipNorm > 0, 'clipNorm', o.clipNorm, 'a number > 0');
  if (o.shuffle !== undefined) check(typeof o.shuffle === 'boolean', 'shuffle', o.shuffle, 'true or false');
  if (o.callbacks !== undefined) {
    check(typeof o.callbacks === 'object' && o.callbacks !== null, 'callbacks', o.callbacks, 'an object of functions');
    rejectUnknownKeys(o.callbacks, CALLBACK_KEYS, 'callbacks');
    for (const k of CALLBACK_KEYS) {
      const f = (o.callbacks as Record<string, unknown>)[k];
      if (f !== undefined) check(typeof f === 'function', `callbacks.${k}`, f, 'a function');
    }
  }
  if (o.seed !== undefined) check(isInt(o.seed, 0), 'seed', o.seed, 'an integer >= 0');
  if (o.logEverySteps !== undefined) check(isInt(o.logEverySteps, 1), 'logEverySteps', o.logEverySteps, 'an integer >= 1');
  if (o.diagnosticsEverySteps !== undefined) check(isInt(o.diagnosticsEverySteps, 0), 'diagnosticsEverySteps', o.diagnosticsEverySteps, 'an integer >= 0');
  if (o.earlyStopping) {
    const e = o.earlyStopping;
    check(typeof e === 'object', 'earlyStopping', e, 'an object with patience');
    rejectUnknownKeys(e, EARLY_STOPPING_KEYS, 'earlyStopping');
    if (e.restoreBestWeights !== undefined) check(typeof e.restoreBestWeights === 'boolean', 'earlyStopping.restoreBestWeights', e.restoreBestWeights, 'true or false');
    if (e.minDelta !== undefined) check(isNum(e.minDelta) && e.minDelta >= 0, 'earlyStopping.minDelta', e.minDelta, 'a number >= 0');
    check(isInt(e.patience, 0), 'earlyStopping.patience', e.patience, 'an integer >= 0');
    if (e.monitor !== undefined) check(MONITORS.includes(e.monitor), 'earlyStopping.monitor', e.monitor, `one of ${MONITORS.join(', ')}`);
  }
  if (o.schedule) validateSchedule(o.schedule);
  // Cosine decays over a known length; a session has none unless it is told.
  if (o.schedule?.kind === 'cosine' && o.epochs === undefined && o.scheduleSteps === undefined) {
    throw new InputError('scheduleSteps', undefined, 'the steps a cosine schedule decays over (or epochs: the planned epochs)');
  }
}

/** How long one train() chunk runs: epochs (to epoch ends), steps, or both (whichever comes first). */
export function validateChunk(c: { epochs?: number; steps?: number } | undefined): void {
  check(typeof c === 'object' && c !== null, 'train()', c, '{ epochs } or { steps } (how long this chunk trains)');
  check(c!.epochs !== undefined || c!.steps !== undefined, 'train()', c, '{ epochs } or { steps } (how long this chunk trains)');
  if (c!.epochs !== undefined) check(isInt(c!.epochs, 1), 'epochs', c!.epochs, 'an integer >= 1 (epochs this chunk trains)');
  if (c!.steps !== undefined) check(isInt(c!.steps, 1), 'steps', c!.steps, 'an integer >= 1 (optimizer steps this chunk trains)');
}

function validateSchedule(s: ScheduleSpec): void {
  check(typeof s === 'object' && s !== null, 'schedule', s, 'an object with kind');
  rejectUnknownKeys(s, SCHEDULE_KEYS, 'schedule');
  check(SCHEDULES.includes(s.kind), 'schedule.kind', s.kind, `one of ${SCHEDULES.join(', ')}`);
  if (s.kind === 'step') check(isInt(s.stepSize, 1), 'schedule.stepSize', s.stepSize, 'an integer >= 1 (steps)');
  if (s.kind === 'exponential') check(isNum(s.gamma) && s.gamma > 0 && s.gamma <= 1, 'schedule.gamma', s.gamma, 'a number in (0, 1]');
  if (s.kind === 'cosine' && s.warmupSteps !== undefined) check(isInt(s.warmupSteps, 0), 'schedule.warmupSteps', s.warmupSteps, 'an integer >= 0');
  if (s.kind === 'plateau' && s.factor !== undefined) check(isNum(s.factor) && s.factor > 0 && s.factor < 1, 'schedule.factor', s.factor, 'a number in (0, 1)');
}

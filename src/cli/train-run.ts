// The train command's session and files: checks --out and the checkpoint folder before any
// work, trains in chunks with a checkpoint every --checkpoint-every epochs, turns Ctrl-C into
// "finish this step, write a checkpoint, say how to resume, exit 130", and saves the model only
// when the run earned it: a diverged or failed run never replaces a model already in --out.

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { checkCheckpointDirWritable } from '../io/checkpoint-files.js';
import { checkModelDirWritable, hasSavedModel } from '../io/model-files.js';
import { saveCheckpoint, saveModel } from '../model/files.js';
import type { Model } from '../model/model.js';
import { finishSession, type FitResult, type TrainerOptions } from '../train/fit.js';
import type { Trainer } from '../train/trainer.js';
import type { SessionState } from '../types/session-state.js';
import { InputError } from '../util/errors.js';
import type { TrainSettings } from './config.js';
import { onInterrupt } from './interrupt.js';
import type { Progress } from './progress.js';

/** An error that carries the process exit code (130: interrupted). */
export class ExitError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'ExitError';
  }
}

export interface Outputs {
  /** --out held a model before this run (the one a bad run must not replace). */
  hadModel: boolean;
  checkpointDir: string;
  /** The run's raw settings (config and flags), kept in checkpoints for --resume. */
  settings?: Record<string, unknown>;
}

const err = (line: string) => process.stderr.write(`${line}\n`);

/** Checks --out and the checkpoint folder before any training. */
export async function prepareOutputs(s: TrainSettings): Promise<Outputs> {
  let hadModel = false;
  if (s.out !== undefined) {
    await checkModelDirWritable(s.out, { field: '--out' });
    hadModel = await hasSavedModel(s.out);
  }
  const checkpointDir = s.checkpointDir ?? s.resume ?? (s.out !== undefined ? `${s.out.replace(/[/\\]+$/, '')}.checkpoint` : 'webgpu-mlp.checkpoint');
  // Checked up front only when asked for; a Ctrl-C checkpoint reports its own failure.
  if (s.checkpointEvery !== undefined || s.checkpointDir !== undefined) await checkCheckpointDirWritable(checkpointDir, { field: '--checkpoint-dir' });
  if (s.out !== undefined && s.checkpointDir !== undefined && sameFolder(s.out, checkpointDir)) {
    throw new InputError('--checkpoint-dir', s.checkpointDir, 'a folder other than --out');
  }
  return { hadModel, checkpointDir };
}

const sameFolder = (a: string, b: string) => a.replace(/[/\\]+$/, '') === b.replace(/[/\\]+$/, '');

export interface SessionRun {
  trainer: Trainer;
  result?: FitResult;
  interrupted: boolean;
}

/**
 * Trains `s.epochs` epochs in all (a resumed session continues its count), in chunks that end on
 * checkpoint epochs. Ctrl-C asks the session to stop after its current step; a second Ctrl-C
 * quits at once.
 */
export async function runSession(model: Model, train: Dataset, s: TrainSettings, options: TrainerOptions & { backend: Backend }, outputs: Outputs, progress: Progress, resume?: SessionState): Promise<SessionRun> {
  const trainer = await model.trainer(train, { ...options, epochs: s.epochs, resume });
  let interrupted = false;
  const removeHandler = onInterrupt({
    stopping: 'stopping after this step to write a checkpoint',
    quitting: 'quitting without a checkpoint',
    progress,
    onFirst: () => {
      interrupted = true;
      trainer.requestStop();
    },
  });
  try {
    if (trainer.epoch >= s.epochs) throw new InputError('--epochs', s.epochs, `more than the ${trainer.epoch} epochs the checkpoint has already trained`);
    const every = s.checkpointEvery;
    while (trainer.epoch < s.epochs && !trainer.stoppedEarly && !interrupted) {
      const until = every ? Math.min(s.epochs, (Math.floor(trainer.epoch / every) + 1) * every) : s.epochs;
      await trainer.train({ epochs: until - trainer.epoch });
      if (every && !interrupted && trainer.stepInEpoch === 0 && trainer.epoch % every === 0) {
        await saveCheckpoint(trainer, outputs.checkpointDir, { settings: outputs.settings });
        err(`checkpoint: epoch ${trainer.epoch} saved to ${outputs.checkpointDir}`);
      }
    }
    if (interrupted) {
      progress.stop();
      await saveCheckpoint(trainer, outputs.checkpointDir, { settings: outputs.settings });
      err(`interrupted at step ${trainer.step} (epoch ${trainer.epoch + 1}, step ${trainer.stepInEpoch} of ${trainer.stepsPerEpoch}); checkpoint saved to ${outputs.checkpointDir}`);
      err(`resume with: webgpu-mlp train --resume ${quote(outputs.checkpointDir)} --epochs ${s.epochs}${s.out !== undefined ? ` --out ${quote(s.out)}` : ''}`);
      if (outputs.hadModel) err(`the model in ${s.out} was not replaced`);
      return { trainer, interrupted: true };
    }
    return { trainer, result: await finishSession(trainer), interrupted: false };
  } finally {
    removeHandler();
  }
}

const quote = (path: string) => (/^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

/**
 * Saves the trained model to --out, except that a run no better than the best constant
 * prediction (diverged, or learned nothing) never replaces a model already there: that fails
 * with exit 1. Without a model to protect it is saved, marked in model.json, with a warning.
 */
export async function saveTrained(model: Model, s: TrainSettings, outputs: Outputs, verdict: { loss: number; baseline: number; on: string }, say = (line: string) => process.stdout.write(`${line}\n`)): Promise<void> {
  const bad = !(verdict.loss <= verdict.baseline);
  const outcome = !(verdict.loss <= 2 * verdict.baseline) ? 'diverged' : 'no better than a constant prediction';
  const why = `the model's ${verdict.on} loss ${verdict.loss.toPrecision(4)} is no better than predicting a constant (${verdict.baseline.toPrecision(4)})`;
  if (bad) model.training = { ...model.training, outcome };
  if (bad && s.out !== undefined && outputs.hadModel) {
    throw new ExitError(`training ${outcome === 'diverged' ? 'diverged' : 'learned nothing'}: ${why}; the model already in ${s.out} was kept, not replaced. Try a lower --lr (now ${s.lr}), --clip-norm 1 or more --epochs`, 1);
  }
  if (bad) err(`webgpu-mlp: warning: ${why}`);
  if (s.out !== undefined) {
    await saveModel(model, s.out);
    say(`saved model to ${s.out}${bad ? ` (marked "${outcome}" in model.json)` : ''}`);
  }
}

/** After a non-finite loss: keep an existing model; save the last finite weights only into an empty --out and only if an epoch finished. */
export async function saveAfterNonFinite(model: Model, s: TrainSettings, outputs: Outputs, epochsCompleted: number): Promise<void> {
  if (s.out === undefined) return;
  if (outputs.hadModel) err(`webgpu-mlp: the model already in ${s.out} was kept, not replaced`);
  else if (epochsCompleted > 0) {
    await saveModel(model, s.out);
    err(`webgpu-mlp: saved the weights of epoch ${epochsCompleted} (the last finite check) to ${s.out}`);
  } else err(`webgpu-mlp: nothing saved to ${s.out}: the loss was not finite within the first epoch`);
}

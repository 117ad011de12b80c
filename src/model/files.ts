// Node-only: save a Model to a directory (atomically) and load it back, validated; the same for
// a training session's checkpoint (the model plus everything needed to resume it exactly).

import { loadCheckpointDir, saveCheckpointDir } from '../io/checkpoint-files.js';
import { loadModelDir, saveModelDir } from '../io/model-files.js';
import type { SessionState } from '../types/session-state.js';
import type { Model } from './model.js';
import { modelFromSaved, modelToSaved } from './persist.js';

/** What a checkpoint is taken from: a training session (train/trainer.ts's Trainer). */
export interface CheckpointSource {
  readonly model: Model;
  exportState(): Promise<SessionState>;
}

export async function saveModel(model: Model, dir: string): Promise<void> {
  const { config, tensors } = modelToSaved(model);
  await saveModelDir(dir, config, tensors);
}

export async function loadModel(dir: string): Promise<Model> {
  const { config, tensors } = await loadModelDir(dir);
  return modelFromSaved(config, tensors);
}

/** Writes the session's checkpoint to `dir` as one unit; `meta` is kept for the caller (JSON). */
export async function saveCheckpoint(trainer: CheckpointSource, dir: string, meta: Record<string, unknown> = {}): Promise<void> {
  const state = await trainer.exportState();
  const { config, tensors } = modelToSaved(trainer.model);
  await saveCheckpointDir(dir, { config, tensors, state, meta });
}

/** The model and session state of a checkpoint: `model.fit(data, { ...options, resume: state })` continues it. */
export async function loadCheckpoint(dir: string): Promise<{ model: Model; state: SessionState; meta: Record<string, unknown> }> {
  const { config, tensors, state, meta } = await loadCheckpointDir(dir);
  return { model: modelFromSaved(config, tensors), state, meta };
}

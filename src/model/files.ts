// Node-only: save a Model to a directory (atomically) and load it back, validated.

import { loadModelDir, saveModelDir } from '../io/model-files.js';
import type { Model } from './model.js';
import { modelFromSaved, modelToSaved } from './persist.js';

export async function saveModel(model: Model, dir: string): Promise<void> {
  const { config, tensors } = modelToSaved(model);
  await saveModelDir(dir, config, tensors);
}

export async function loadModel(dir: string): Promise<Model> {
  const { config, tensors } = await loadModelDir(dir);
  return modelFromSaved(config, tensors);
}

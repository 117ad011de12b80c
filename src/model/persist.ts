// Converts a Model to and from the saved format (JSON config + named f32 tensors). Browser-safe:
// the demo turns the result into downloadable files, the CLI writes them with io/model-files.

import { validateNormalizer, validateTargetScaler } from '../data/normalize.js';
import { validatePipeline } from '../data/table/validate.js';
import { MODEL_FORMAT_NAME, MODEL_FORMAT_VERSION, type SavedModelConfig } from '../io/model-config.js';
import type { TensorMap } from '../io/safetensors.js';
import { decodeModelBundle, encodeModelBundle, type EncodedModelBundle } from '../io/model-bundle.js';
import { InputError } from '../util/errors.js';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../util/version.js';
import { paramLayoutFor } from '../graph/model-graph.js';
import { Model } from './model.js';
import { validateSpec } from './validate-spec.js';

export function modelToSaved(model: Model): { config: SavedModelConfig; tensors: TensorMap } {
  const tensors: TensorMap = {};
  const shapes: Record<string, number[]> = {};
  for (const e of model.layout.entries) {
    tensors[e.name] = { shape: [...e.shape], data: model.params.slice(e.offset, e.offset + e.size) };
    shapes[e.name] = [...e.shape];
  }
  const config: SavedModelConfig = {
    format: MODEL_FORMAT_NAME,
    formatVersion: MODEL_FORMAT_VERSION,
    spec: model.spec,
    normalization: model.normalizer,
    targetScaler: model.targetScaler,
    pipeline: model.pipeline,
    training: model.training,
    tensors: shapes,
    createdAt: new Date().toISOString(),
    library: { name: LIBRARY_NAME, version: LIBRARY_VERSION },
  };
  return { config, tensors };
}

export function modelFromSaved(config: SavedModelConfig, tensors: TensorMap): Model {
  // Every size the spec claims is checked against the tensors actually read (whose sizes the
  // file bounds) before anything is allocated: a hostile model.json cannot cost more than its file.
  const layout = paramLayoutFor(validateSpec(config.spec));
  for (const e of layout.entries) {
    const t = tensors[e.name];
    if (!t) throw new InputError(`weights.${e.name}`, 'missing', `a tensor of shape [${e.shape.join(', ')}] for this architecture`);
    if (t.data.length !== e.size) throw new InputError(`weights.${e.name}`, `[${t.shape.join(', ')}]`, `[${e.shape.join(', ')}]`);
  }
  const params = new Float32Array(layout.total);
  for (const e of layout.entries) params.set(tensors[e.name].data, e.offset);
  const model = new Model(config.spec as never, { params });
  if (config.normalization !== undefined) model.normalizer = validateNormalizer(config.normalization, model.spec.inputSize);
  if (config.targetScaler !== undefined) model.targetScaler = validateTargetScaler(config.targetScaler, model.spec.outputSize);
  if (config.pipeline !== undefined) model.pipeline = validatePipeline(config.pipeline, model.spec);
  if (config.training && typeof config.training === 'object') model.training = config.training as Record<string, unknown>;
  return model;
}

export function encodeModel(model: Model): EncodedModelBundle {
  const { config, tensors } = modelToSaved(model);
  return encodeModelBundle(config, tensors);
}

export function decodeModel(json: string, weights: Uint8Array): Model {
  const { config, tensors } = decodeModelBundle(json, weights);
  return modelFromSaved(config, tensors);
}

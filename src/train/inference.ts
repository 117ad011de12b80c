// model.evaluate and model.predict: one call each, on programs sized for that call's rows and
// bound on a backend for the call alone (a Trainer's evaluate/predict reuse its bound ladders).

import { programSet } from '../backend/backend.js';
import { resolveBackend } from '../backend/select.js';
import type { Dataset } from '../data/dataset.js';
import type { Model } from '../model/model.js';
import { exactSizes } from './batches.js';
import { evalPassFor, readEval, runEval, type EvaluateResult } from './eval-pass.js';
import type { DataOptions } from './fit.js';
import { predictPrograms, runPredict } from './predict.js';
import { StepRunner } from './step-runner.js';

export type { EvaluateResult };

/** Loss and accuracy (or MSE/MAE in the target's units) of the model's weights on `data`. */
export async function evaluate(model: Model, data: Dataset, options: { backend?: DataOptions['backend'] } = {}): Promise<EvaluateResult> {
  model.checkData(data);
  const prepared = model.prepare(data);
  const { backend, owned } = await resolveBackend(options.backend);
  try {
    const dataMap: Record<string, Float32Array> = {};
    const ctx = model.programContext();
    const pass = evalPassFor(ctx, backend, prepared, 'eval', dataMap);
    await backend.load(programSet(pass.programs.values()), model.layout, dataMap);
    backend.writeParams(model.params);
    runEval(new StepRunner(backend), pass);
    return await readEval(backend, data.rows, ctx.classification, model.targetScaler?.std[0]);
  } finally {
    if (owned) backend.destroy();
  }
}

/**
 * Outputs for `rows` rows of raw (unnormalized) features: class probabilities (multiclass),
 * P(class 1) (binary) or values in the target's units (regression).
 */
export async function predict(model: Model, x: Float32Array, options: { backend?: DataOptions['backend'] } = {}): Promise<Float32Array> {
  const input = model.predictInput(x);
  const { backend, owned } = await resolveBackend(options.backend);
  try {
    const programs = predictPrograms(model.programContext(), exactSizes(input.length / model.spec.inputSize));
    await backend.load(programSet(programs.values()), model.layout, {});
    backend.writeParams(model.params);
    return model.predictOutput(await runPredict(new StepRunner(backend), programs, input, model.spec.inputSize, model.spec.outputSize));
  } finally {
    if (owned) backend.destroy();
  }
}

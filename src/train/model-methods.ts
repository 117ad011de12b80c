// model.fit / model.trainer / model.evaluate / model.predict: the Model class (model/) is the
// spec, the parameters and the data pipeline and knows nothing of training; these four methods
// are added to it here, above it, as thin calls of train/'s functions. Importing this module
// once installs them; the package entry points (src/index.ts, src/node.ts) and the CLI do.

import type { Dataset } from '../data/dataset.js';
import { Model } from '../model/model.js';
import { fit, openTrainer, type DataOptions, type FitResult, type TrainerOptions, type TrainOptions } from './fit.js';
import { evaluate, predict, type EvaluateResult } from './inference.js';
import type { Trainer } from './trainer.js';

declare module '../model/model.js' {
  interface Model {
    /**
     * A training session: binds the programs once and keeps the optimizer state, step count, LR
     * schedule and shuffling across its train() chunks. Checks the data and options before any GPU
     * work; fits the normalization on the training split if the model has none yet.
     */
    trainer(data: Dataset, options: TrainerOptions): Promise<Trainer>;
    /** Trains for `epochs` (or `maxSteps`): one trainer session from start to end. */
    fit(data: Dataset, options: TrainOptions): Promise<FitResult>;
    /** Loss and accuracy (or MSE/MAE) of the weights on `data`. */
    evaluate(data: Dataset, options?: { backend?: DataOptions['backend'] }): Promise<EvaluateResult>;
    /**
     * Outputs for `rows` rows of raw (unnormalized) features: class probabilities (multiclass),
     * P(class 1) (binary) or values in the target's units (regression).
     */
    predict(x: Float32Array, options?: { backend?: DataOptions['backend'] }): Promise<Float32Array>;
  }
}

Model.prototype.trainer = function (this: Model, data: Dataset, options: TrainerOptions) {
  return openTrainer(this, data, options);
};
Model.prototype.fit = function (this: Model, data: Dataset, options: TrainOptions) {
  return fit(this, data, options);
};
Model.prototype.evaluate = function (this: Model, data: Dataset, options?: { backend?: DataOptions['backend'] }) {
  return evaluate(this, data, options);
};
Model.prototype.predict = function (this: Model, x: Float32Array, options?: { backend?: DataOptions['backend'] }) {
  return predict(this, x, options);
};

export { Model };
export type { DataOptions, EvaluateResult, TrainerOptions, TrainOptions };

// What one click sets: per dataset, a network and the training settings that suit it (optimizer
// and learning rate always together); per lesson from the seeds, the whole experiment plus two
// sentences saying what to look at, and the view that shows it.

import type { HiddenLayerSpec } from '../src/index.js';
import type { DatasetName } from './datasets.js';
import type { FeatureName } from './features.js';
import type { TrainingPreset } from './train-options.js';
import type { VariantSetName } from './variants.js';

export interface DatasetDefault {
  layers: HiddenLayerSpec[];
  training: TrainingPreset;
}

const tanh = (units: number, n: number): HiddenLayerSpec[] => Array.from({ length: n }, () => ({ units, activation: 'tanh' }));
const relu = (units: number, n: number): HiddenLayerSpec[] => Array.from({ length: n }, () => ({ units, activation: 'relu' }));
const adam = (lr: number, batchSize = 32): TrainingPreset => ({ optimizer: 'adam', lr, batchSize });

export const DATASET_DEFAULTS: Record<DatasetName, DatasetDefault> = {
  xor: { layers: tanh(8, 2), training: adam(0.03) },
  circles: { layers: tanh(8, 2), training: adam(0.03) },
  moons: { layers: relu(16, 2), training: adam(0.03) },
  blobs: { layers: relu(8, 1), training: adam(0.03) },
  spirals: { layers: tanh(32, 3), training: adam(0.01) },
  sine: { layers: tanh(32, 2), training: adam(0.01) },
  sawtooth: { layers: relu(16, 3), training: adam(0.01) },
  mnist: { layers: relu(64, 1), training: adam(0.002, 32) },
  csv: { layers: relu(16, 2), training: adam(0.01) },
};

/** The view a lesson is about: the panel the page highlights. */
export type LessonView = 'grad-view' | 'dead-view' | 'boundary-view' | 'loss-view' | 'compare-view';

export interface Lesson {
  title: string;
  /** Two sentences: what happens, and what to look at or try next. */
  text: string;
  view: LessonView;
  dataset: DatasetName;
  rows: number;
  noise?: number;
  testFraction?: number;
  features?: FeatureName[];
  layers: HiddenLayerSpec[];
  training: TrainingPreset;
  /** Show the loss on a log axis (jumps by decades are the point). */
  logLoss?: boolean;
  /** A Compare-mode lesson: the variants it trains side by side, for how many epochs. */
  compare?: { vary: VariantSetName; epochs: number };
}

export const LESSONS: Record<string, Lesson> = {
  'vanishing-sigmoid': {
    title: 'Vanishing gradients: 8 sigmoid layers',
    text: 'Each sigmoid passes back at most a quarter of the gradient, so after eight layers of 16 units the first layer’s gradient norm sits decades below the last one’s (log chart) and the first layers barely learn. Compare with the ReLU lesson next: the same depth keeps the norms within about a decade.',
    view: 'grad-view',
    dataset: 'circles',
    rows: 200,
    layers: Array.from({ length: 8 }, () => ({ units: 16, activation: 'sigmoid' as const })),
    training: { optimizer: 'sgd', lr: 0.5 },
  },
  'vanishing-relu': {
    title: 'Vanishing gradients: 8 ReLU layers',
    text: 'ReLU passes a gradient of exactly 1 through every active unit, so the per-layer gradient norms of this 8-layer net stay close together and it trains with plain SGD. Put it next to the sigmoid lesson’s chart: same depth, same optimizer, decades apart.',
    view: 'grad-view',
    dataset: 'circles',
    rows: 200,
    layers: relu(16, 8),
    training: { optimizer: 'sgd', lr: 0.05 },
  },
  'dying-relu': {
    title: 'Dying ReLU: a large learning rate kills units',
    text: 'One big step can push a ReLU unit’s pre-activation below zero for every input; it then outputs 0, gets no gradient and never comes back. Watch the dead fraction per layer (and the crossed-out units in the diagram), then lower the learning rate, press Reset and compare.',
    view: 'dead-view',
    dataset: 'moons',
    rows: 200,
    layers: relu(16, 3),
    training: { optimizer: 'sgd', lr: 5 },
  },
  'depth-deep': {
    title: 'Depth vs width: deep and narrow on the sawtooth',
    text: 'Each ReLU layer can fold the line, so the number of linear pieces a deep net can make grows exponentially with depth, and 4 layers of 6 units find more pieces than 24 units in one layer. The plot counts the pieces of the fitted function; compare with the wide, shallow lesson of about the same size.',
    view: 'boundary-view',
    dataset: 'sawtooth',
    rows: 400,
    layers: relu(6, 4),
    training: adam(0.01),
  },
  'depth-wide': {
    title: 'Depth vs width: one wide layer on the sawtooth',
    text: 'One hidden layer of ReLUs makes at most one new piece per unit, so 24 units must be spent one kink at a time and the fit rounds off the teeth. Count the pieces in the plot and compare with the deep, narrow lesson.',
    view: 'boundary-view',
    dataset: 'sawtooth',
    rows: 400,
    layers: relu(24, 1),
    training: adam(0.01),
  },
  universal: {
    title: 'Universal approximation: one wide layer fits a sine',
    text: 'A single hidden layer with enough units can approximate any continuous function on an interval: here 64 tanh bumps add up to a sine. Remove units with − in the diagram and watch the fit get coarser.',
    view: 'boundary-view',
    dataset: 'sine',
    rows: 200,
    layers: tanh(64, 1),
    training: adam(0.01),
  },
  'lr-too-large': {
    title: 'Learning rate too large: divergence',
    text: 'With a step far larger than the curvature allows, each update overshoots the minimum and the loss jumps up instead of down (log scale), or runs off to infinity and training stops. Divide the learning rate by 100 and press Reset: the same network settles.',
    view: 'loss-view',
    dataset: 'circles',
    rows: 200,
    layers: tanh(8, 2),
    training: { optimizer: 'sgd', lr: 40 },
    logLoss: true,
  },
  overfitting: {
    title: 'Overfitting: a big net on a few noisy points',
    text: 'With 40 noisy points and thousands of weights, the net memorises the noise: train loss keeps falling while the held-out loss turns up. The regularization lesson adds dropout, weight decay and early stopping to the same experiment.',
    view: 'loss-view',
    dataset: 'moons',
    rows: 40,
    noise: 0.3,
    testFraction: 0.5,
    layers: relu(64, 2),
    training: { optimizer: 'adam', lr: 0.01, batchSize: 8 },
  },
  regularized: {
    title: 'Regularization: dropout, weight decay, early stopping',
    text: 'The overfitting experiment again, with dropout between the layers, weight decay pulling weights to 0, and early stopping that restores the weights of the best held-out epoch. The boundary stays smooth and the held-out loss stays near its minimum.',
    view: 'loss-view',
    dataset: 'moons',
    rows: 40,
    noise: 0.3,
    testFraction: 0.5,
    layers: [{ units: 64, activation: 'relu', dropout: 0.3 }, { units: 64, activation: 'relu', dropout: 0.3 }],
    training: { optimizer: 'adamw', lr: 0.01, batchSize: 8, weightDecay: 0.01, earlyStopping: true },
  },
  'which-activation': {
    title: 'Compare: which activation? Eight on the spirals',
    text: 'The same 2×16 network trained eight times at once, once per activation, as one model batch. Watch sigmoid stay a blur while the ReLU family, gelu and silu wind around the spirals, and read how fast each loss falls on the log chart and where the held-out accuracies end.',
    view: 'compare-view',
    dataset: 'spirals',
    rows: 300,
    layers: relu(16, 2),
    training: adam(0.01),
    compare: { vary: 'activations', epochs: 150 },
  },
  'which-lr': {
    title: 'Compare: five learning rates, two decades either side',
    text: 'Plain SGD at five learning rates a decade apart, trained together as one model batch: 0.003 barely moves in 100 epochs, 0.3 and 3 settle, and 30 overshoots on every step, its loss high and jumpy (log chart). A rate that sends the loss to infinity is marked diverged and frozen while the others go on.',
    view: 'compare-view',
    dataset: 'circles',
    rows: 200,
    layers: tanh(8, 2),
    training: { optimizer: 'sgd', lr: 0.3 },
    compare: { vary: 'lr', epochs: 100 },
  },
};

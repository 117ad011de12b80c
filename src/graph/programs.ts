// Assembles the op lists a backend replays: one training step (gather -> forward -> loss ->
// metrics -> backward -> gradient norm -> optimizer), an evaluation pass that accumulates loss and
// accuracy, a prediction pass, and an optional diagnostics pass. Built once per batch shape, each
// returned as a typed handle (graph/program.ts's Program) that runners run by kind, not by name.

import type { ModelSpec } from '../types/model-spec.js';
import type { LossName } from '../ops/names.js';
import { GradTape } from './grad-tape.js';
import type { ModelGraph } from './model-graph.js';
import { buildModelGraph } from './model-graph.js';
import type { ParamLayout } from './params.js';
import type { OpCall, Program, TensorRef } from './program.js';
import { call, ref, reshape } from './program.js';
import type { OptimizerSpec } from '../types/optimizer-spec.js';
import { ifDiffer, type ModelBatch } from './model-batch.js';

/** A dataset resident in the backend: rows gathered by index each step. */
export interface DataSource {
  x: TensorRef;
  y: TensorRef;
  /** Row order (a permutation for training, identity for evaluation). */
  order: TensorRef;
}

/** A resident dataset every model of a batch reads; with `perModelOrder` each model has its own row order. */
export function dataSource(name: string, rows: number, features: number, targetWidth: number, perModelOrder = false): DataSource {
  return {
    x: ref(`data:${name}.x`, 'data', [rows, features], true),
    y: ref(`data:${name}.y`, 'data', [rows, targetWidth], true),
    order: ref(`data:${name}.order`, 'data', [rows], !perModelOrder),
  };
}

export const STAT = {
  lossSum: ref('stat:lossSum', 'stat', [1]),
  correct: ref('stat:correct', 'stat', [1]),
  gradSquares: ref('stat:gradSquares', 'stat', [1]),
  evalLoss: ref('stat:evalLoss', 'stat', [1]),
  evalCorrect: ref('stat:evalCorrect', 'stat', [1]),
  evalMse: ref('stat:evalMse', 'stat', [1]),
  evalMae: ref('stat:evalMae', 'stat', [1]),
  paramSquares: ref('stat:paramSquares', 'stat', [1]),
} as const;

export function gradNormStat(layer: number): TensorRef {
  return ref(`stat:gradNorm${layer}`, 'stat', [1]);
}
export function deadStat(layer: number): TensorRef {
  return ref(`stat:dead${layer}`, 'stat', [1]);
}

export interface ProgramContext {
  spec: ModelSpec;
  loss: LossName;
  huberDelta?: number;
  layout: ParamLayout;
  dropoutSeed: number;
  targetWidth: number;
  classification: boolean;
  /** Set for a model batch: the models' specs and hyperparameters (`spec` is the first's). */
  models?: ModelBatch;
}

function batchTarget(ctx: ProgramContext, batch: number): TensorRef {
  return ref('batch:y', 'activation', [batch, ctx.targetWidth], Boolean(ctx.models && !ctx.models.perModelOrder));
}

function graphFor(ctx: ProgramContext, batch: number) {
  return buildModelGraph(ctx.spec, batch, ctx.layout, ctx.dropoutSeed, ctx.models);
}

/** The optimizer's hyperparameters where the models of a batch differ (clipping: Infinity for a model that does not clip). */
function optimizerPerModel(models: ModelBatch | undefined, clip: boolean) {
  if (!models) return undefined;
  const o = models.optimizers;
  const lists = {
    weightDecay: ifDiffer(o.map((x) => x.weightDecay ?? 0)),
    momentum: ifDiffer(o.map((x) => x.momentum)),
    beta1: ifDiffer(o.map((x) => x.beta1)),
    beta2: ifDiffer(o.map((x) => x.beta2)),
    rho: ifDiffer(o.map((x) => x.rho)),
    epsilon: ifDiffer(o.map((x) => x.epsilon)),
    maxNorm: clip ? ifDiffer(models.clipNorms.map((n) => n ?? Infinity)) : undefined,
  };
  const present = Object.fromEntries(Object.entries(lists).filter(([, v]) => v !== undefined));
  return Object.keys(present).length > 0 ? { perModel: present } : undefined;
}

/** Gathers a batch from a resident source, or nothing when the host writes batch:x/batch:y itself. */
function gatherOps(graph: ModelGraph, target: TensorRef, source: DataSource | undefined): OpCall[] {
  if (!source) return [];
  return [
    call('gather', { src: source.x, indices: source.order, dst: graph.input, scalars: graph.scalars }),
    call('gather', { src: source.y, indices: source.order, dst: target, scalars: graph.scalars }),
  ];
}

function lossOps(ctx: ProgramContext, graph: ModelGraph, target: TensorRef, loss: LossName, rowLoss: TensorRef, grad: TensorRef): OpCall {
  return call('loss', { loss, pred: graph.logits, target, grad, rowLoss, huberDelta: ctx.huberDelta });
}

/**
 * The part every loss-computing program shares: batch gather, forward (with dropout when
 * training), and the loss op writing per-row losses and the logits' gradient.
 */
function forwardWithLoss(ctx: ProgramContext, batch: number, source: DataSource | undefined, training: boolean) {
  const graph = graphFor(ctx, batch);
  const target = batchTarget(ctx, batch);
  const rowLoss = ref('act:rowLoss', 'activation', [batch]);
  const dLogits = ref('dgrad:logits', 'activation', graph.logits.shape);
  const ops: OpCall[] = [...gatherOps(graph, target, source)];
  for (const node of graph.nodes) ops.push(...node.forward(training));
  ops.push(lossOps(ctx, graph, target, ctx.loss, rowLoss, dLogits));
  return { graph, target, rowLoss, dLogits, ops };
}

export interface TrainStepOptions {
  optimizer: OptimizerSpec;
  clipNorm?: number;
}

/** One optimizer step over `batch` rows, bound as `name` (default `train<batch>`). */
export function trainStepProgram(ctx: ProgramContext, batch: number, source: DataSource | undefined, opts: TrainStepOptions, name = `train${batch}`): Program<'train'> {
  const { graph, target, rowLoss, dLogits, ops } = forwardWithLoss(ctx, batch, source, true);
  ops.push(call('sum', { x: rowLoss, out: STAT.lossSum, accumulate: true }));
  if (ctx.classification) ops.push(call('accuracy', { pred: graph.logits, target, out: STAT.correct, accumulate: true }));

  const tape = new GradTape();
  tape.contribute(graph.logits, dLogits);
  const needsGrad = (x: TensorRef) => x.id !== graph.input.id;
  const consumers = new Map<string, number>();
  for (const node of graph.nodes) for (const x of node.inputs) consumers.set(x.id, (consumers.get(x.id) ?? 0) + 1);
  const fusableActivation = (x: TensorRef) => {
    if (consumers.get(x.id) !== 1) return undefined;
    return graph.nodes.find((n) => n.output.id === x.id)?.fusedActivation;
  };
  for (const node of [...graph.nodes].reverse()) {
    const dOut = tape.gradientOf(node.output);
    if (dOut) ops.push(...node.backward(dOut, { tape, needsGrad, fusableActivation }));
  }

  const layout = ctx.layout;
  const grads = layout.flat('grad');
  // The global gradient norm is only needed for clipping; diagnostics compute their own. A batch
  // clips where any model clips (the others with an infinite norm: factor 1).
  const clipNorm = ctx.models ? (ctx.models.clipNorms.some((n) => n) ? Math.min(...ctx.models.clipNorms.map((n) => n || Infinity)) : undefined) : opts.clipNorm;
  if (clipNorm) ops.push(call('sumSquares', { x: grads, out: STAT.gradSquares }));
  const o = opts.optimizer;
  const needsState1 = o.name !== 'sgd';
  const needsState2 = o.name === 'adam' || o.name === 'adamw';
  ops.push(
    call('optimizer', {
      optimizer: o.name,
      params: layout.flat('param'),
      grads,
      ...(needsState1 ? { state1: layout.flat('state1') } : {}),
      ...(needsState2 ? { state2: layout.flat('state2') } : {}),
      scalars: graph.scalars,
      decayCount: layout.decayCount,
      weightDecay: o.weightDecay ?? 0,
      momentum: o.momentum,
      beta1: o.beta1,
      beta2: o.beta2,
      rho: o.rho,
      epsilon: o.epsilon,
      ...(clipNorm ? { clip: { sumSquares: STAT.gradSquares, maxNorm: ctx.models ? (ctx.models.clipNorms[0] ?? Infinity) : clipNorm } } : {}),
      ...optimizerPerModel(ctx.models, Boolean(clipNorm)),
    }),
  );
  return { kind: 'train', name, batch, ops };
}

/** Forward without dropout, accumulating loss (and accuracy, or MSE/MAE for regression). */
export function evalProgram(ctx: ProgramContext, batch: number, source: DataSource | undefined, name = `eval${batch}`): Program<'eval'> {
  const { graph, target, rowLoss, dLogits, ops } = forwardWithLoss(ctx, batch, source, false);
  ops.push(call('sum', { x: rowLoss, out: STAT.evalLoss, accumulate: true }));
  if (ctx.classification) {
    ops.push(call('accuracy', { pred: graph.logits, target, out: STAT.evalCorrect, accumulate: true }));
  } else {
    for (const [metric, stat] of [['mse', STAT.evalMse], ['mae', STAT.evalMae]] as const) {
      ops.push(lossOps(ctx, graph, target, metric, rowLoss, dLogits));
      ops.push(call('sum', { x: rowLoss, out: stat, accumulate: true }));
    }
  }
  return { kind: 'eval', name, batch, ops };
}

/** A predict program and the tensor holding its outputs. */
export interface PredictProgram extends Program<'predict'> {
  readonly output: TensorRef;
}

/** Forward without dropout into the logits (and softmax probabilities for multiclass). */
export function predictProgram(ctx: ProgramContext, batch: number, source: DataSource | undefined, name = `predict${batch}`): PredictProgram {
  const graph = graphFor(ctx, batch);
  const ops: OpCall[] = [];
  if (source) ops.push(call('gather', { src: source.x, indices: source.order, dst: graph.input, scalars: graph.scalars }));
  for (const node of graph.nodes) ops.push(...node.forward(false));
  if (ctx.spec.task === 'multiclass') {
    const probs = ref('act:probs', 'activation', graph.logits.shape);
    ops.push(call('softmax', { x: graph.logits, y: probs }));
    return { kind: 'predict', name, batch, ops, output: probs };
  }
  return { kind: 'predict', name, batch, ops, output: graph.logits };
}

/** The sum of squares of the weights (per model): finite exactly when every weight is. */
export function weightCheckProgram(ctx: ProgramContext, name = 'weightCheck'): Program<'diagnostics'> {
  return { kind: 'diagnostics', name, batch: 0, ops: [call('sumSquares', { x: ctx.layout.flat('param'), out: STAT.paramSquares })] };
}

/** Per-layer weight-gradient norms (squared; the host takes the root) and dead-unit counts. */
export function diagnosticsProgram(ctx: ProgramContext, batch: number, name = `diag${batch}`): Program<'diagnostics'> {
  const graph = graphFor(ctx, batch);
  const ops: OpCall[] = graph.weightGrads.map(({ layer, tensor }) => call('sumSquares', { x: tensor, out: gradNormStat(layer) }));
  for (const { layer, tensor } of graph.hiddenOutputs) ops.push(call('deadUnits', { y: tensor, out: deadStat(layer) }));
  return { kind: 'diagnostics', name, batch, ops };
}

export { reshape };

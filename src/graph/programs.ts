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

/** A dataset resident in the backend: rows gathered by index each step. */
export interface DataSource {
  x: TensorRef;
  y: TensorRef;
  /** Row order (a permutation for training, identity for evaluation). */
  order: TensorRef;
}

export function dataSource(name: string, rows: number, features: number, targetWidth: number): DataSource {
  return {
    x: ref(`data:${name}.x`, 'data', [rows, features]),
    y: ref(`data:${name}.y`, 'data', [rows, targetWidth]),
    order: ref(`data:${name}.order`, 'data', [rows]),
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
}

function batchTarget(ctx: ProgramContext, batch: number): TensorRef {
  return ref('batch:y', 'activation', [batch, ctx.targetWidth]);
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
  const graph = buildModelGraph(ctx.spec, batch, ctx.layout, ctx.dropoutSeed);
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
  // The global gradient norm is only needed for clipping; diagnostics compute their own.
  if (opts.clipNorm) ops.push(call('sumSquares', { x: grads, out: STAT.gradSquares }));
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
      ...(opts.clipNorm ? { clip: { sumSquares: STAT.gradSquares, maxNorm: opts.clipNorm } } : {}),
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
  const graph = buildModelGraph(ctx.spec, batch, ctx.layout, ctx.dropoutSeed);
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

/** Per-layer weight-gradient norms (squared; the host takes the root) and dead-unit counts. */
export function diagnosticsProgram(ctx: ProgramContext, batch: number, name = `diag${batch}`): Program<'diagnostics'> {
  const graph = buildModelGraph(ctx.spec, batch, ctx.layout, ctx.dropoutSeed);
  const ops: OpCall[] = graph.weightGrads.map(({ layer, tensor }) => call('sumSquares', { x: tensor, out: gradNormStat(layer) }));
  for (const { layer, tensor } of graph.hiddenOutputs) ops.push(call('deadUnits', { y: tensor, out: deadStat(layer) }));
  return { kind: 'diagnostics', name, batch, ops };
}

export { reshape };

// The graph's node kinds, each with its forward ops and its backward rule side by side (as in
// micrograd): dense (matmul + bias, activation fused when it directly follows), activation,
// layer norm, dropout and residual add. Backward rules write gradient contributions through the
// GradTape, which sums contributions when a tensor feeds two consumers.

import type { Activation, PerModel } from '../ops/args.js';
import type { GradTape, OutputGradient } from './grad-tape.js';
import type { OpCall, TensorRef } from './program.js';
import { call } from './program.js';

export interface BackwardContext {
  tape: GradTape;
  /** Whether x needs a gradient (false for the input data). */
  needsGrad(x: TensorRef): boolean;
  /**
   * When x is the activated output of a dense node and this is its only consumer, the
   * producer's activation: the consumer may then emit dZ directly (act' fused into its matmul).
   */
  fusableActivation(x: TensorRef): { activation: Activation; z: TensorRef; perModel?: PerModel<{ activation: Activation }> } | undefined;
}

export interface GraphNode {
  readonly name: string;
  /** Set on dense nodes whose activation is fused into the forward matmul. */
  readonly fusedActivation?: { activation: Activation; z: TensorRef; perModel?: PerModel<{ activation: Activation }> };
  readonly inputs: readonly TensorRef[];
  readonly output: TensorRef;
  forward(training: boolean): OpCall[];
  /** Emits ops turning dOut into contributions to the inputs' (and parameters') gradients. */
  backward(dOut: OutputGradient, ctx: BackwardContext): OpCall[];
}

/** The gradient w.r.t. the output: only a fused dense node is ever handed its pre-activation's. */
function wrtOutput(node: string, dOut: OutputGradient): TensorRef {
  if (dOut.wrt !== 'output') throw new Error(`${node}: got the gradient w.r.t. a pre-activation, which only a dense node with a fused activation takes`);
  return dOut.grad;
}

/**
 * y = act(x·W + b); z (the pre-activation) is kept when the activation is not the identity (or,
 * in a model batch, when `perModel` activations are given: then z is always passed).
 */
export function denseNode(name: string, x: TensorRef, w: TensorRef, b: TensorRef, dw: TensorRef, db: TensorRef, y: TensorRef, z: TensorRef | undefined, activation: Activation, perModel?: PerModel<{ activation: Activation }>): GraphNode {
  const fused = z !== undefined;
  const models = perModel ? { perModel } : {};
  return {
    name,
    inputs: [x],
    output: y,
    ...(fused ? { fusedActivation: { activation, z: z!, ...models } } : {}),
    forward: () => [
      call('matmul', { a: x, b: w, out: y, transA: false, transB: false, bias: b, ...(fused ? { activation, preActivation: z, ...models } : {}) }),
    ],
    backward(dOut, { tape, needsGrad, fusableActivation }) {
      const ops: OpCall[] = [];
      // The consumer may already have produced dZ (act' fused into its dX matmul).
      let dz = dOut.wrt === 'preActivation' && fused ? dOut.grad : wrtOutput(name, dOut);
      if (fused && dOut.wrt === 'output') {
        dz = tape.fresh(z!);
        ops.push(call('activationGrad', { z: z!, dy: dOut.grad, dx: dz, activation, ...models }));
      }
      ops.push(call('matmul', { a: x, b: dz, out: dw, transA: true, transB: false }));
      ops.push(call('biasGrad', { dy: dz, out: db }));
      if (needsGrad(x)) {
        const producer = fusableActivation(x);
        if (producer) {
          // dZ_prev = (dZ · Wᵀ) ⊙ act'(z_prev) in one kernel; x's own gradient is never materialised.
          const dzPrev = tape.fresh(producer.z);
          const { perModel: producerModels, ...gradOf } = producer;
          ops.push(call('matmul', { a: dz, b: w, out: dzPrev, transA: false, transB: true, gradOf, ...(producerModels ? { perModel: producerModels } : {}) }));
          tape.setPreActivation(x, dzPrev);
        } else {
          const dx = tape.fresh(x);
          ops.push(call('matmul', { a: dz, b: w, out: dx, transA: false, transB: true }));
          ops.push(...tape.contribute(x, dx));
        }
      }
      return ops;
    },
  };
}

export function activationNode(name: string, x: TensorRef, y: TensorRef, activation: Activation, perModel?: PerModel<{ activation: Activation }>): GraphNode {
  const models = perModel ? { perModel } : {};
  return {
    name,
    inputs: [x],
    output: y,
    forward: () => [call('activation', { x, y, activation, ...models })],
    backward(dOut, { tape }) {
      const dx = tape.fresh(x);
      return [call('activationGrad', { z: x, dy: wrtOutput(name, dOut), dx, activation, ...models }), ...tape.contribute(x, dx)];
    },
  };
}

export function layerNormNode(name: string, x: TensorRef, gamma: TensorRef, beta: TensorRef, dgamma: TensorRef, dbeta: TensorRef, y: TensorRef, mean: TensorRef, rstd: TensorRef): GraphNode {
  return {
    name,
    inputs: [x],
    output: y,
    forward: () => [call('layerNorm', { x, gamma, beta, y, mean, rstd })],
    backward(dOut, { tape }) {
      const dx = tape.fresh(x);
      return [call('layerNormGrad', { dy: wrtOutput(name, dOut), x, gamma, mean, rstd, dx, dgamma, dbeta }), ...tape.contribute(x, dx)];
    },
  };
}

/** Dropout is the identity outside training: the forward then copies nothing, it aliases. */
export function dropoutNode(name: string, x: TensorRef, y: TensorRef, p: number, seed: number, scalars: TensorRef, perModel?: PerModel<{ p: number; seed: number }>): GraphNode {
  const models = perModel ? { perModel } : {};
  const inference = perModel ? { perModel: { ...perModel, p: perModel.p?.map(() => 0) } } : {};
  return {
    name,
    inputs: [x],
    output: y,
    forward: (training) => (training ? [call('dropout', { x, y, p, seed, scalars, ...models })] : [call('dropout', { x, y, p: 0, seed, scalars, ...inference })]),
    backward(dOut, { tape }) {
      const dx = tape.fresh(x);
      return [call('dropoutGrad', { dy: wrtOutput(name, dOut), dx, p, seed, scalars, ...models }), ...tape.contribute(x, dx)];
    },
  };
}

/** y = a + b; both inputs receive dOut itself (no copy). */
export function residualNode(name: string, a: TensorRef, b: TensorRef, y: TensorRef): GraphNode {
  return {
    name,
    inputs: [a, b],
    output: y,
    forward: () => [call('add', { a, b, out: y })],
    backward(dOut, { tape, needsGrad }) {
      const ops: OpCall[] = [];
      const dy = wrtOutput(name, dOut);
      for (const x of [a, b]) if (needsGrad(x)) ops.push(...tape.contribute(x, dy));
      return ops;
    },
  };
}

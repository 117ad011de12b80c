// Tracks the gradient of every tensor during the backward pass. A tensor feeding two consumers
// (a residual's input) receives two contributions: the second is written to a fresh tensor and
// summed with an add op into a new version, so no op ever reads and writes the same buffer. When
// a dense node's activated output has a single consumer that fused act' into its own dX matmul,
// the tape holds the gradient w.r.t. that node's pre-activation instead, and says which it holds.

import type { OpCall, TensorRef } from './program.js';
import { call, ref } from './program.js';

/** The gradient reaching a node's output: w.r.t. the output itself, or w.r.t. its pre-activation z. */
export type OutputGradient = { readonly wrt: 'output' | 'preActivation'; readonly grad: TensorRef };

export class GradTape {
  private readonly current = new Map<string, TensorRef>();
  private readonly preActivation = new Map<string, TensorRef>();
  private counter = 0;

  /** A new gradient buffer shaped like x, for an op to write x's gradient contribution into. */
  fresh(x: TensorRef): TensorRef {
    return ref(`dgrad:${x.id}#${this.counter++}`, 'activation', x.shape);
  }

  /** Records g as a contribution to x's gradient; returns the add op needed when one exists already. */
  contribute(x: TensorRef, g: TensorRef): OpCall[] {
    const existing = this.current.get(x.id);
    if (!existing) {
      this.current.set(x.id, g);
      return [];
    }
    const sum = ref(`dgrad:${x.id}#${this.counter++}`, 'activation', x.shape);
    this.current.set(x.id, sum);
    return [call('add', { a: existing, b: g, out: sum })];
  }

  /** Records that the gradient w.r.t. the pre-activation of x (an activated output) is ready. */
  setPreActivation(x: TensorRef, dz: TensorRef): void {
    this.preActivation.set(x.id, dz);
  }

  /** What reaches x's producer, tagged with what it is the gradient of; undefined when x gets none. */
  gradientOf(x: TensorRef): OutputGradient | undefined {
    const output = this.current.get(x.id);
    const pre = this.preActivation.get(x.id);
    // A fused consumer is x's only consumer, so nothing else can have contributed to x itself.
    if (output && pre) throw new Error(`GradTape: ${x.id} has both an output and a pre-activation gradient`);
    if (output) return { wrt: 'output', grad: output };
    return pre && { wrt: 'preActivation', grad: pre };
  }
}

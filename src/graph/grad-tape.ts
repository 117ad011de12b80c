// Tracks the gradient of every tensor during the backward pass. A tensor feeding two consumers
// (a residual's input) receives two contributions: the second is written to a fresh tensor and
// summed with an add op into a new version, so no op ever reads and writes the same buffer.

import type { OpCall, TensorRef } from './program.js';
import { call, ref } from './program.js';

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

  get(x: TensorRef): TensorRef | undefined {
    return this.current.get(x.id) ?? this.preActivation.get(x.id);
  }

  /** Records that the gradient w.r.t. the pre-activation of x (an activated output) is ready. */
  setPreActivation(x: TensorRef, dz: TensorRef): void {
    this.preActivation.set(x.id, dz);
  }

  getPreActivation(x: TensorRef): TensorRef | undefined {
    return this.preActivation.get(x.id);
  }
}

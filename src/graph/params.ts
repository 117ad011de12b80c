// Layout of the flat parameter buffer: every weight matrix first (the region weight decay applies
// to), then biases and layer-norm gains/offsets. Each tensor starts on a 64-float (256-byte)
// boundary so it can be bound on its own; the gaps stay zero and never move. A model batch holds
// `models` such buffers back to back (model m's at m * total).

import type { TensorRef } from './program.js';
import { ref } from './program.js';

export const PARAM_ALIGN_FLOATS = 64;

export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Weight decay applies (dense weights only). */
  readonly decay: boolean;
  /** Offset in floats inside the flat buffer. */
  readonly offset: number;
  readonly size: number;
}

export class ParamLayout {
  readonly entries: ParamEntry[] = [];
  /** Floats in the flat buffer, padding included. */
  total = 0;
  /** Every index below this gets weight decay. */
  decayCount = 0;

  /** Declares all parameters at once so the decayed ones come first; `models` copies for a model batch. */
  constructor(
    readonly decls: readonly { name: string; shape: readonly number[]; decay: boolean }[],
    readonly models = 1,
  ) {
    const ordered = [...decls.filter((d) => d.decay), ...decls.filter((d) => !d.decay)];
    for (const d of ordered) {
      const size = d.shape.reduce((a, b) => a * b, 1);
      this.entries.push({ name: d.name, shape: [...d.shape], decay: d.decay, offset: this.total, size });
      this.total += Math.ceil(size / PARAM_ALIGN_FLOATS) * PARAM_ALIGN_FLOATS;
      if (d.decay) this.decayCount = this.total;
    }
  }

  /** The same layout for a batch of `models` models. */
  forModels(models: number): ParamLayout {
    return new ParamLayout(this.decls, models);
  }

  entry(name: string): ParamEntry {
    const e = this.entries.find((p) => p.name === name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return e;
  }

  param(name: string): TensorRef {
    return ref(`param:${name}`, 'param', this.entry(name).shape);
  }

  grad(name: string): TensorRef {
    return ref(`grad:${name}`, 'grad', this.entry(name).shape);
  }

  /** The whole flat buffer of a role as one tensor (what the optimizer and clipping see). */
  flat(role: 'param' | 'grad' | 'state1' | 'state2'): TensorRef {
    return ref(`flat:${role}`, role, [this.total]);
  }

  /** Offset in floats of a tensor id like "param:W0" or "grad:W0" (flat ids are at 0). */
  offsetOf(id: string): number {
    if (id.startsWith('flat:')) return 0;
    return this.entry(id.slice(id.indexOf(':') + 1)).offset;
  }
}

// The order an epoch visits the training rows: a fresh permutation from the session's seeded RNG
// at each epoch's start (unless shuffling is off), written to the device for resident data. It
// remembers the RNG where the epoch in progress began, so a checkpoint regenerates its order.

import type { Backend } from '../backend/backend.js';
import type { DataSource } from '../graph/programs.js';
import { Rng } from '../util/rng.js';

export class EpochOrder {
  private readonly rng: Rng;
  /** The RNG's state when the epoch in progress began (before its permutation). */
  private startState: number;

  constructor(
    seed: number,
    private readonly shuffle: boolean,
    /** The row order the host feeder reads and the resident source's copy mirrors. */
    readonly order: Float32Array,
    private readonly backend: Backend,
    private readonly source: DataSource | undefined,
  ) {
    this.rng = new Rng(seed);
    this.startState = this.rng.state32;
  }

  /** A new epoch begins: its permutation (on the device too when the data is resident). */
  begin(): void {
    this.startState = this.rng.state32;
    if (!this.shuffle) return;
    const { order } = this;
    const perm = this.rng.permutation(order.length);
    for (let i = 0; i < perm.length; i++) order[i] = perm[i];
    if (this.source) this.backend.writeTensor(this.source.order.id, order);
  }

  /** The RNG state a checkpoint keeps: mid-epoch, the one that regenerates this epoch's order. */
  state(midEpoch: boolean): number {
    return midEpoch ? this.startState : this.rng.state32;
  }

  /** Puts the RNG back where state() found it (the caller begins a resumed mid-epoch again). */
  restore(state: number): void {
    this.rng.state32 = state;
  }
}

// The only code that runs a program on a bound backend: it owns the step's scalars (learning
// rate, 1-based step, dropout counter, batch offset at their ops/args.ts SCALAR slots), so the
// loop, the bench and the tests say what a step is and never write a slot by number. A model
// batch has one row of slots per model: the same step, counter and offset, each model's own rate.

import type { Backend, RunOptions } from '../backend/backend.js';
import type { Program } from '../graph/program.js';
import { SCALAR, SCALARS_LENGTH } from '../ops/args.js';

/** One optimizer step: a train program and what it reads besides the weights. */
export interface TrainStep {
  program: Program<'train'>;
  /** 1-based optimizer step: Adam's bias correction, and the counter of the dropout masks. */
  step: number;
  lr: number;
  /** Each model's learning rate in a model batch (else `lr` serves every model). */
  lrs?: ArrayLike<number>;
  /** First row of the batch in the epoch's row order (resident data is gathered from there). */
  batchOffset: number;
  /** Diagnostics over this step's batch, run in the same submit after the step. */
  diagnostics?: Program<'diagnostics'>;
  /** Stat accumulators zeroed before the step (the epoch's loss sums at its first step). */
  clearStats?: RunOptions['clearStats'];
  /** The batch itself, when the training set is fed from the host. */
  hostInputs?: RunOptions['hostInputs'];
}

export class StepRunner {
  private readonly scalars: Float32Array;
  private readonly one: string[] = [''];
  private readonly two: string[] = ['', ''];

  constructor(
    readonly backend: Backend,
    /** Models in the batch the backend holds. */
    readonly models = 1,
  ) {
    this.scalars = new Float32Array(SCALARS_LENGTH * models);
  }

  /** Records one training step (and its diagnostics) as one submit. Reads back nothing. */
  train(s: TrainStep): void {
    const scalars = this.scalars;
    for (let m = 0, row = 0; m < this.models; m++, row += SCALARS_LENGTH) {
      scalars[row + SCALAR.lr] = s.lrs ? s.lrs[m] : s.lr;
      scalars[row + SCALAR.step] = s.step;
      scalars[row + SCALAR.rngStep] = s.step;
      scalars[row + SCALAR.batchOffset] = s.batchOffset;
    }
    // The step carries its clearStats and hostInputs under RunOptions' names: passed as they are.
    this.backend.run(this.names(s.program, s.diagnostics), scalars, s);
  }

  /** Runs an eval or predict program over the rows from `batchOffset`: no learning rate, no step. */
  forward(program: Program<'eval' | 'predict'>, batchOffset: number, options?: RunOptions): void {
    const scalars = this.scalars;
    scalars.fill(0);
    for (let row = 0; row < scalars.length; row += SCALARS_LENGTH) scalars[row + SCALAR.batchOffset] = batchOffset;
    this.backend.run(this.names(program), scalars, options);
  }

  /** Runs a diagnostics program (it reads the weights or the last step's gradients; no rows, no rate). */
  inspect(program: Program<'diagnostics'>): void {
    this.scalars.fill(0);
    this.backend.run(this.names(program), this.scalars);
  }

  /** The names to run, in reused arrays: the step loop allocates nothing. */
  private names(first: Program, second?: Program): readonly string[] {
    if (!second) {
      this.one[0] = first.name;
      return this.one;
    }
    this.two[0] = first.name;
    this.two[1] = second.name;
    return this.two;
  }
}

// The only code that runs a program on a bound backend: it owns the step's scalars (learning
// rate, 1-based step, dropout counter, batch offset at their ops/args.ts SCALAR slots), so the
// loop, the bench and the tests say what a step is and never write a slot by number.

import { MAX_STEPS_PER_SUBMIT, type Backend, type RunOptions } from '../backend/backend.js';
import type { Program } from '../graph/program.js';
import { SCALAR, SCALARS_LENGTH } from '../ops/args.js';

/** One optimizer step: a train program and what it reads besides the weights. */
export interface TrainStep {
  program: Program<'train'>;
  /** 1-based optimizer step: Adam's bias correction, and the counter of the dropout masks. */
  step: number;
  lr: number;
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
  private readonly scalars = new Float32Array(SCALARS_LENGTH);
  private readonly one: string[] = [''];
  private readonly two: string[] = ['', ''];
  /** trainSteps' per-step scalar rows, program names and stats to clear, reused across calls. */
  private readonly rows = new Float32Array(MAX_STEPS_PER_SUBMIT * SCALARS_LENGTH);
  private readonly rowNames: string[][] = Array.from({ length: MAX_STEPS_PER_SUBMIT }, () => []);
  private readonly rowClears: (RunOptions['clearStats'] | undefined)[] = new Array(MAX_STEPS_PER_SUBMIT).fill(undefined);

  constructor(readonly backend: Backend) {}

  /** Records one training step (and its diagnostics) as one submit. Reads back nothing. */
  train(s: TrainStep): void {
    const scalars = this.scalars;
    writeStepScalars(scalars, 0, s);
    // The step carries its clearStats and hostInputs under RunOptions' names: passed as they are.
    this.backend.run(this.names(s.program, s.diagnostics), scalars, s);
  }

  /**
   * Records steps[0..count) as one submit where the backend can (the GPU), else one by one: the
   * same arithmetic as `count` train calls. For resident data only (no hostInputs); a step's
   * diagnostics run after it, but anything read back must wait until the whole submit.
   */
  trainSteps(steps: readonly TrainStep[], count: number): void {
    const backend = this.backend;
    if (!backend.runSteps || count === 1) {
      for (let i = 0; i < count; i++) this.train(steps[i]);
      return;
    }
    if (count > MAX_STEPS_PER_SUBMIT) throw new RangeError(`StepRunner.trainSteps: ${count} steps, at most ${MAX_STEPS_PER_SUBMIT} in one submit`);
    const rows = this.rows;
    rows.fill(0, 0, count * SCALARS_LENGTH);
    for (let i = 0; i < count; i++) {
      const s = steps[i];
      if (s.hostInputs) throw new Error('StepRunner.trainSteps: host-fed batches are written per submit; run them with train()');
      writeStepScalars(rows, i * SCALARS_LENGTH, s);
      const names = this.rowNames[i];
      names.length = 0;
      names.push(s.program.name);
      if (s.diagnostics) names.push(s.diagnostics.name);
      this.rowClears[i] = s.clearStats;
    }
    backend.runSteps(this.rowNames, rows, this.rowClears, count);
  }

  /** Runs an eval or predict program over the rows from `batchOffset`: no learning rate, no step. */
  forward(program: Program<'eval' | 'predict'>, batchOffset: number, options?: RunOptions): void {
    const scalars = this.scalars;
    scalars.fill(0);
    scalars[SCALAR.batchOffset] = batchOffset;
    this.backend.run(this.names(program), scalars, options);
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

/** A step's scalars at their SCALAR slots, in the row of `into` that starts at `at`. */
function writeStepScalars(into: Float32Array, at: number, s: TrainStep): void {
  into[at + SCALAR.lr] = s.lr;
  into[at + SCALAR.step] = s.step;
  into[at + SCALAR.rngStep] = s.step;
  into[at + SCALAR.batchOffset] = s.batchOffset;
}

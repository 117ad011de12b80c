// Evaluation passes and their metric read-back, shared by validation, Model.evaluate and
// Trainer.evaluate: eval programs over a known dataset (resident when it fits) or at every
// ladder size (for datasets only known later), run through the session's StepRunner.

import type { Backend } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import type { Program } from '../graph/program.js';
import { dataSource, evalProgram, STAT, type DataSource, type ProgramContext } from '../graph/programs.js';
import { exactSizes, LADDER, programName, segmentsFor, type Segment } from './batches.js';
import { identityOrder, resident, rowRange } from './host-feed.js';
import type { StepRunner } from './step-runner.js';

/** An evaluation pass bound for one dataset: its program runs, and whether rows come from the host. */
export interface EvalPass {
  /** The eval program of each size the segments use. */
  programs: ReadonlyMap<number, Program<'eval'>>;
  segments: Segment[];
  data: Dataset;
  hostFed: boolean;
}

/** Eval programs at the ladder sizes, for datasets only known later (Trainer.evaluate). */
export type EvalLadder = ReadonlyMap<number, Program<'eval'>>;

/** Eval programs over one known dataset, resident when it fits (gathered by an identity order). */
export function evalPassFor(ctx: ProgramContext, backend: Backend, data: Dataset, prefix: string, dataMap: Record<string, Float32Array>): EvalPass {
  let source: DataSource | undefined;
  if (resident(backend, data)) {
    source = dataSource(prefix, data.rows, data.features, data.targetWidth);
    dataMap[source.x.id] = data.x;
    dataMap[source.y.id] = data.y;
    dataMap[source.order.id] = identityOrder(data.rows);
  }
  const sizes = exactSizes(data.rows);
  const programs = new Map(sizes.map((size) => [size, evalProgram(ctx, size, source, programName(prefix, size))]));
  return { programs, segments: segmentsFor(data.rows, sizes), data, hostFed: !source };
}

/** Host-fed eval programs at every ladder size. */
export function evalLadder(ctx: ProgramContext, prefix: string): EvalLadder {
  return new Map(LADDER.map((size) => [size, evalProgram(ctx, size, undefined, programName(prefix, size))]));
}

export function ladderEvalPass(programs: EvalLadder, data: Dataset): EvalPass {
  return { programs, segments: segmentsFor(data.rows, LADDER), data, hostFed: true };
}

const EVAL_STATS = [STAT.evalLoss.id, STAT.evalCorrect.id, STAT.evalMse.id, STAT.evalMae.id];

/** Runs an eval pass over all its rows; the accumulators are cleared by the first run. */
export function runEval(runner: StepRunner, pass: EvalPass): void {
  pass.segments.forEach(({ size, start }, i) => {
    runner.forward(pass.programs.get(size)!, start, {
      clearStats: i === 0 ? EVAL_STATS : undefined,
      hostInputs: pass.hostFed ? rowRange(pass.data, start, size) : undefined,
    });
  });
}

export interface EvaluateResult {
  loss: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
  rows: number;
}

/** Reads the eval accumulators as per-row means; regression metrics in the target's units. */
export async function readEval(backend: Backend, rows: number, classification: boolean, targetScale = 1): Promise<EvaluateResult> {
  const [loss, correct, mse, mae] = await backend.readStats(EVAL_STATS);
  return evalResult(rows, classification, targetScale, loss, correct, mse, mae);
}

/** readEval for every model of a batch. */
export async function readModelEvals(backend: Backend, rows: number, classification: boolean, targetScale = 1): Promise<EvaluateResult[]> {
  const [loss, correct, mse, mae] = await backend.readModelStats(EVAL_STATS);
  return Array.from(loss, (_, m) => evalResult(rows, classification, targetScale, loss[m], correct[m], mse[m], mae[m]));
}

function evalResult(rows: number, classification: boolean, targetScale: number, loss: number, correct: number, mse: number, mae: number): EvaluateResult {
  const result: EvaluateResult = { loss: loss / rows, rows };
  if (classification) result.accuracy = correct / rows;
  else {
    result.mse = (mse / rows) * targetScale * targetScale;
    result.mae = (mae / rows) * targetScale;
  }
  return result;
}

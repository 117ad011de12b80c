// How rows reach a bound backend: batch plans, runs of fixed-size programs that cover any row
// count exactly, host-side batch assembly for datasets too large to bind, and the evaluation
// passes (and their metric read-back) shared by validation, Model.evaluate and Trainer.evaluate.

import type { Backend, ProgramSet } from '../backend/backend.js';
import type { Dataset } from '../data/dataset.js';
import { dataSource, evalProgram, STAT, type DataSource, type ProgramContext } from '../graph/programs.js';
import { SCALAR } from '../ops/args.js';

/** Eval/predict batch: large enough to amortise dispatches, small enough for any adapter. */
export const EVAL_BATCH = 1024;

/**
 * Batch sizes a trainer binds for evaluating and predicting row counts it cannot know in advance.
 * Every count is a sum of these with at most three of each smaller size, so no row is padded or
 * computed twice, and a one-row prediction (the digit pad) costs one row, not 1024.
 */
export const LADDER: readonly number[] = [EVAL_BATCH, 256, 64, 16, 4, 1];

export interface BatchPlan {
  batch: number;
  full: number;
  tail: number;
}

export function planBatches(rows: number, batch: number): BatchPlan {
  const b = Math.min(batch, rows);
  return { batch: b, full: Math.floor(rows / b), tail: rows % b };
}

/** Batch sizes that cover `rows` exactly: full batches and the tail. */
export function exactSizes(rows: number, batch = EVAL_BATCH): number[] {
  const plan = planBatches(rows, batch);
  return plan.tail > 0 ? [plan.batch, plan.tail] : [plan.batch];
}

/** One run of the `size`-row program over rows [start, start + size). */
export interface Segment {
  size: number;
  start: number;
}

/** Covers `rows` greedily with the given sizes (largest first); they must include a fit for every remainder. */
export function segmentsFor(rows: number, sizes: readonly number[]): Segment[] {
  const out: Segment[] = [];
  let start = 0;
  for (const size of [...sizes].sort((a, b) => b - a)) {
    while (rows - start >= size) {
      out.push({ size, start });
      start += size;
    }
  }
  if (start !== rows) throw new Error(`internal: batch sizes ${sizes.join(', ')} cannot cover ${rows} rows`);
  return out;
}

/** Host-side batch assembly for datasets too large to bind on the device. */
export class HostFeeder {
  readonly x: Float32Array;
  readonly y: Float32Array;
  constructor(
    private readonly data: Dataset,
    batch: number,
  ) {
    this.x = new Float32Array(batch * data.features);
    this.y = new Float32Array(batch * data.targetWidth);
  }
  fill(order: ArrayLike<number>, start: number, rows: number): Record<string, Float32Array> {
    const { features: f, targetWidth: t } = this.data;
    for (let r = 0; r < rows; r++) {
      const src = order[start + r];
      this.x.set(this.data.x.subarray(src * f, src * f + f), r * f);
      this.y.set(this.data.y.subarray(src * t, src * t + t), r * t);
    }
    return { 'batch:x': this.x.subarray(0, rows * f), 'batch:y': this.y.subarray(0, rows * t) };
  }
}

/** Rows in their stored order need no copy: the batch is a view of the dataset. */
export function rowRange(data: Dataset, start: number, rows: number): Record<string, Float32Array> {
  const { features: f, targetWidth: t } = data;
  return { 'batch:x': data.x.subarray(start * f, (start + rows) * f), 'batch:y': data.y.subarray(start * t, (start + rows) * t) };
}

export function resident(backend: Backend, data: Dataset): boolean {
  return data.x.byteLength <= backend.maxTensorBytes && data.y.byteLength <= backend.maxTensorBytes;
}

export function identityOrder(rows: number): Float32Array {
  const order = new Float32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  return order;
}

export const programName = (prefix: string, size: number) => `${prefix}${size}`;

/** An evaluation pass bound for one dataset: its program runs, and whether rows come from the host. */
export interface EvalPass {
  prefix: string;
  segments: Segment[];
  data: Dataset;
  hostFed: boolean;
}

/** Eval programs over one known dataset, resident when it fits (gathered by an identity order). */
export function addEvalPrograms(programs: ProgramSet, dataMap: Record<string, Float32Array>, ctx: ProgramContext, backend: Backend, data: Dataset, prefix: string): EvalPass {
  let source: DataSource | undefined;
  if (resident(backend, data)) {
    source = dataSource(prefix, data.rows, data.features, data.targetWidth);
    dataMap[source.x.id] = data.x;
    dataMap[source.y.id] = data.y;
    dataMap[source.order.id] = identityOrder(data.rows);
  }
  const sizes = exactSizes(data.rows);
  for (const size of sizes) programs[programName(prefix, size)] = evalProgram(ctx, size, source);
  return { prefix, segments: segmentsFor(data.rows, sizes), data, hostFed: !source };
}

/** Host-fed eval programs at every ladder size, for datasets only known later. */
export function addLadderEvalPrograms(programs: ProgramSet, ctx: ProgramContext, prefix: string): void {
  for (const size of LADDER) programs[programName(prefix, size)] = evalProgram(ctx, size, undefined);
}

export function ladderEvalPass(prefix: string, data: Dataset): EvalPass {
  return { prefix, segments: segmentsFor(data.rows, LADDER), data, hostFed: true };
}

const EVAL_STATS = [STAT.evalLoss.id, STAT.evalCorrect.id, STAT.evalMse.id, STAT.evalMae.id];

/** Runs an eval pass over all its rows; the accumulators are cleared by the first run. */
export function runEval(backend: Backend, pass: EvalPass, scalars: Float32Array): void {
  pass.segments.forEach(({ size, start }, i) => {
    scalars[SCALAR.batchOffset] = start;
    backend.run([programName(pass.prefix, size)], scalars, {
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
  const result: EvaluateResult = { loss: loss / rows, rows };
  if (classification) result.accuracy = correct / rows;
  else {
    result.mse = (mse / rows) * targetScale * targetScale;
    result.mae = (mae / rows) * targetScale;
  }
  return result;
}

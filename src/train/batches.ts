// How row counts become program runs: the training batch plan (full batches and a tail), and
// runs of fixed-size programs that cover any row count exactly (evaluation and prediction).

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

export const programName = (prefix: string, size: number) => `${prefix}${size}`;

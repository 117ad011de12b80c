// The loop's accounting: the epoch in progress and the running totals of a chunk (steps, rows,
// loss sums, training seconds). Training time is the wall time between stats read-backs, with
// validation and callbacks left out; a chunk's result is built from its tally.

import type { EpochLogs, EpochProgress } from '../types/session-state.js';

export interface ChunkOptions {
  /** Train until this many epochs have ended (a chunk that starts mid-epoch finishes that one first). */
  epochs?: number;
  /** Train at most this many optimizer steps. With epochs too, whichever comes first. */
  steps?: number;
}

export interface ChunkResult {
  /** Optimizer steps this chunk ran (0 once early stopping has stopped the session). */
  steps: number;
  /** Logs of the epochs that ended in this chunk. */
  history: EpochLogs[];
  /** Mean training loss (and accuracy) over this chunk's rows; NaN when it ran no steps. */
  loss: number;
  accuracy?: number;
  stoppedEarly: boolean;
  /** Training time of this chunk (validation excluded) and its throughput. */
  seconds: number;
  samplesPerSec: number;
}

/** Progress of the current epoch; `read` is what the last stats read-back saw, `logged` the last step log's. */
export interface EpochState extends EpochProgress {
  logged: { loss: number; rows: number };
}

/** Running totals of one chunk. `clock` marks the start of not yet counted training time. */
export interface Tally {
  steps: number;
  rows: number;
  loss: number;
  correct: number;
  seconds: number;
  clock: number;
}

export function newEpoch(): EpochState {
  return { step: 0, rows: 0, seconds: 0, read: { loss: 0, correct: 0, rows: 0 }, logged: { loss: 0, rows: 0 } };
}

/** An epoch resumed from a checkpoint: its loss sums count as read and as logged. */
export function resumedEpoch(e: EpochProgress): EpochState {
  return { ...e, read: { ...e.read }, logged: { loss: e.read.loss, rows: e.read.rows } };
}

export function newTally(): Tally {
  return { steps: 0, rows: 0, loss: 0, correct: 0, seconds: 0, clock: performance.now() };
}

/** Counts a stats read-back (the epoch's accumulated sums) into the chunk and the epoch, with the time since the last. */
export function countRead(tally: Tally, e: EpochState, lossSum: number, correct: number): void {
  const now = performance.now();
  const dt = (now - tally.clock) / 1000;
  tally.clock = now;
  tally.seconds += dt;
  e.seconds += dt;
  tally.loss += lossSum - e.read.loss;
  tally.correct += correct - e.read.correct;
  tally.rows += e.rows - e.read.rows;
  e.read = { loss: lossSum, correct, rows: e.rows };
}

export function chunkResult(tally: Tally, history: EpochLogs[], stoppedEarly: boolean, classification: boolean): ChunkResult {
  const rows = tally.rows;
  return {
    steps: tally.steps,
    history,
    loss: rows > 0 ? tally.loss / rows : NaN,
    accuracy: classification ? (rows > 0 ? tally.correct / rows : NaN) : undefined,
    stoppedEarly,
    seconds: tally.seconds,
    samplesPerSec: rows / Math.max(1e-9, tally.seconds),
  };
}
